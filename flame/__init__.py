"""flame: FLAMe autoraters — build the human-judgment collection, train, run and evaluate LLM judges.

    from flame import Judge          # judging from Python (flame.judge.api); imports no torch
    Judge("flame-smollm2-135m").pairwise("What is 2+2?", "4", "5").verdict
"""

from typing import Any

__version__ = "0.1.0"
__all__ = ["Judge", "__version__"]


def __getattr__(name: str) -> Any:
    """`flame.Judge`, imported on first use so that `import flame` stays light."""
    if name == "Judge":
        from flame.judge.api import Judge

        return Judge
    raise AttributeError(f"module 'flame' has no attribute {name!r}")
