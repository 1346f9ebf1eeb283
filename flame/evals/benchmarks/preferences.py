"""FLAMe's held-out pairwise benchmarks that are not in the mirror (Table 1): AlpacaFarm and
LFQAEval, each one set of human pairwise preferences, evaluation only.

- `alpacafarm`: AlpacaFarm's human pairwise preferences (flame.data.sources.alpacafarm:
  Hugging Face `tatsu-lab/alpaca_farm` at a pinned commit, CC-BY-NC-4.0).
- `lfqaeval`: Xu et al. 2023's expert preferences between long-form answers
  (flame.data.sources.lfqa_eval: a Git LFS file of github.com/carriex/lfqa_eval at a pinned
  commit, checked against its sha256; ties excluded, as its authors do).

They are read from their public origin, or from a mirror holding them in the same layout
(`<mirror>/alpacafarm/default/preference.jsonl`,
`<mirror>/lfqa_eval/preference_data/experts_pairwise_human_preferences.jsonl`); the shared
mirror has neither. Metric, as for the other held-out sets (flame.evals.benchmarks.heldout):
accuracy, 1 for the human-preferred response, 0 for the other, 0.5 for an unreadable verdict.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..metrics import by_key, mean
from .base import MIRROR, Aggregate, Benchmark, Loaded, source_items


def preference_benchmark(name: str, title: str, source: str, task: str, note: str) -> Benchmark:
    """A benchmark of one source's one pairwise task, scored by accuracy; `note` says how the
    source's items were chosen (recorded in the protocol)."""
    def load() -> Loaded:
        return source_items(source, {task: name})

    def headline(acc: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
        return {"accuracy": acc.get(name)}, []

    def aggregate(rows: Sequence[Mapping[str, Any]]) -> Aggregate:
        acc = {s: mean(r["score"] for r in rs) for s, rs in by_key(rows).items()}
        return {"headline": headline(acc)[0], "partial": [], "categories": acc,
                "tables": {"sets": [{"set": s, "accuracy": v, "n": len(rows)} for s, v in acc.items()]},
                "missing": [], "notes": []}

    return Benchmark(
        name=name, title=title, loaders={MIRROR: load}, aggregate=aggregate, metric="accuracy",
        protocol=f"{name}: accuracy (preferred 1, other 0, invalid verdict 0.5); {note}",
        headline_of=headline,
    )


ALPACAFARM = preference_benchmark(
    "alpacafarm", "AlpacaFarm human pairwise preferences", "alpacafarm", "alpacafarm_human_preference",
    "every row of tatsu-lab/alpaca_farm's alpaca_human_preference split; identical outputs excluded")
LFQAEVAL = preference_benchmark(
    "lfqaeval", "LFQAEval expert pairwise preferences", "lfqa_eval", "lfqa_eval_expert_preference",
    "carriex/lfqa_eval's expert comparisons; ties excluded, as the dataset's authors do")
