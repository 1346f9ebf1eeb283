"""Scoring a checkpoint on the tail-patch target's categories, through the benchmark harness.

FLAMe-Opt-RM's categories are RewardBench's with Reasoning split into Math and Coding
(PAPER.md §6.1): Chat, Chat Hard, Math, Coding, Safety. Items are loaded by the RewardBench
benchmark (flame.evals.benchmarks), judged by the Autorater through the runner
(`judge_all`: both candidate orders, label log-likelihood), scored per subset by the
benchmark's own `aggregate` (chosen 1, rejected 0, invalid 0.5), and a category's score is
the official EXAMPLE_COUNTS-weighted mean of its subsets (`section_scores`).

From the local mirror only three categories exist: Chat Hard (llmbar-*), Coding (hep-*) and
Safety, the last from the xstest-approx-* subsets, which APPROXIMATE RewardBench's
xstest-should-* (counted here in their place; the benchmark's own report keeps them apart).
Chat (alpacaeval, mt-bench) and Math (math-prm) have no data here: they are reported as
missing and take no part in the ratings. `--data official` (needs the Hugging Face Hub) has
all five.

Every model is judged on the same fixed sample: `limit` items per category, drawn round-robin
over its subsets after a seeded shuffle of each (so small subsets are represented).
"""

from __future__ import annotations

import gc
import hashlib
import random
from dataclasses import dataclass, field
from typing import Any

from flame.evals.benchmarks.base import Item

BENCHMARK = "rewardbench"
CATEGORIES = ("Chat", "Chat Hard", "Math", "Coding", "Safety")


def category_subsets() -> dict[str, list[str]]:
    """RewardBench's official subsets of each FLAMe-Opt-RM category (Reasoning split in two)."""
    from flame.evals.benchmarks.rewardbench import SUBSET_MAPPING

    reasoning = SUBSET_MAPPING["Reasoning"]
    return {
        "Chat": list(SUBSET_MAPPING["Chat"]),
        "Chat Hard": list(SUBSET_MAPPING["Chat Hard"]),
        "Math": [s for s in reasoning if not s.startswith("hep-")],
        "Coding": [s for s in reasoning if s.startswith("hep-")],
        "Safety": list(SUBSET_MAPPING["Safety"]),
    }


def official_subset(subset: str) -> str:
    """The RewardBench subset a (possibly approximate) subset stands for."""
    from flame.evals.benchmarks.rewardbench import APPROXIMATE

    return APPROXIMATE.get(subset, subset)


def category_of(subset: str) -> str | None:
    """The category a subset is scored in, or None (e.g. subsets outside RewardBench's 23)."""
    name = official_subset(subset)
    return next((c for c, names in category_subsets().items() if name in names), None)


def select(items: list[Item], limit: int, seed: int) -> dict[str, list[Item]]:
    """Per category, up to `limit` items: round-robin over its subsets, each shuffled by (seed, subset)."""
    by_subset: dict[str, list[Item]] = {}
    for it in items:
        if category_of(it.subset) is not None:
            by_subset.setdefault(it.subset, []).append(it)
    chosen: dict[str, list[Item]] = {}
    for cat in CATEGORIES:
        queues = []
        for subset in sorted(s for s in by_subset if category_of(s) == cat):
            q = list(by_subset[subset])
            random.Random(f"{seed}:{BENCHMARK}:{subset}").shuffle(q)
            queues.append(q)
        picked: list[Item] = []
        while len(picked) < limit and any(queues):
            for q in queues:
                if q and len(picked) < limit:
                    picked.append(q.pop(0))
        if picked:
            chosen[cat] = picked
    return chosen


def category_scores(subset_accuracy: dict[str, float]) -> dict[str, float]:
    """Category scores from per-subset accuracies: the official section weighting, per category."""
    from flame.evals.benchmarks.rewardbench import section_scores

    out = {}
    for cat in CATEGORIES:
        metrics = {official_subset(s): v for s, v in subset_accuracy.items() if category_of(s) == cat}
        sections = section_scores(metrics)
        if sections:
            (section,) = sections.values()
            out[cat] = section["score"]
    return out


@dataclass
class CategoryEvaluator:
    """Judges a model (a flame model spec, e.g. `hf:DIR+adapter:DIR`) on the fixed category sample.

    Calling it returns {category: score}; `missing` names the categories without data.
    """

    limit: int = 32
    seed: int = 0
    data: str = "auto"
    batch_size: int = 8
    swap: bool = True
    chat: bool = True
    _loaded: Any = field(default=None, repr=False)
    _chosen: dict[str, list[Item]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.limit < 1:
            raise ValueError(f"eval limit must be at least 1, got {self.limit}")

    def _prepare(self) -> dict[str, list[Item]]:
        if self._loaded is None:
            from flame.evals.benchmarks import BENCHMARKS

            self._loaded = BENCHMARKS.get(BENCHMARK).load(self.data)
            self._chosen = select(self._loaded.items, self.limit, self.seed)
        return self._chosen

    @property
    def categories(self) -> list[str]:
        """The categories that have items."""
        return list(self._prepare())

    @property
    def missing(self) -> dict[str, str]:
        """Categories without items, with the reason."""
        have = self._prepare()
        origin = self._loaded.origin
        return {c: f"no {', '.join(category_subsets()[c])} items in {origin}" for c in CATEGORIES if c not in have}

    def describe(self) -> dict[str, Any]:
        """Everything about the evaluation that can move a score (for the tail-patch config hash)."""
        chosen = self._prepare()
        uids = hashlib.sha256("\n".join(f"{c}:{it.subset}:{it.example.uid}" for c, items in chosen.items()
                                        for it in items).encode()).hexdigest()[:16]
        return {"benchmark": BENCHMARK, "data": self._loaded.origin, "limit": self.limit, "seed": self.seed,
                "swap": self.swap, "chat": self.chat, "items": {c: len(v) for c, v in chosen.items()}, "uids": uids}

    def __call__(self, model: str) -> dict[str, float]:
        from flame.evals.benchmarks import BENCHMARKS
        from flame.evals.runner import Prepared, RunOptions, judge_all
        from flame.judge.models import load_backend

        chosen = self._prepare()
        bench = BENCHMARKS.get(BENCHMARK)
        items = [it for c in chosen for it in chosen[c]]
        options = RunOptions(data=self.data, seed=self.seed, batch_size=self.batch_size, swap=self.swap)
        backend = load_backend(model, batch_size=self.batch_size, cache=False, chat=self.chat)
        try:
            rows = judge_all([Prepared(bench, self._loaded, items)], backend, options)[BENCHMARK]
        finally:
            del backend
            gc.collect()
        return category_scores(bench.aggregate(rows)["categories"])
