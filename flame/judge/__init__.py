"""The judge engine: Autorater over pluggable backends (transformers, llama.cpp, OpenAI-compatible, vLLM).

Importing flame.judge imports no torch; a backend's heavy libraries load when it is chosen.
"""

from flame.core.judgment import Judgment, summarize

from .autorater import Autorater
from .api import Judge
from .long_input import LongInput
from .backends.base import Backend, GenerateRequest, ScoreRequest
from .models import DEFAULT_MODEL, load_backend, parse_spec

__all__ = [
    "Autorater", "Backend", "DEFAULT_MODEL", "GenerateRequest", "Judge", "Judgment", "LongInput", "ScoreRequest", "load_backend",
    "parse_spec", "summarize",
]
