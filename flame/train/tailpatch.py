"""Tail-patch mixture optimisation (FLAMe-Opt-RM, PAPER.md §6.1): from per-task results to `opt-rm`.

Each training task is fine-tuned alone for a few steps from a partially trained checkpoint
and evaluated on the target benchmark's categories. This module turns those results into
the paper's ratings, bundles and weights and writes the `opt-rm` mixture:

- rating of a (task, category), against the starting checkpoint's score `base`
  (the paper rated by eye from curves; these thresholds are ours, in accuracy points):
  +2 helpful: every evaluation in the second half of the tail-patch is >= base + 0.03
     (a significant gain that stays);
  +1 somewhat helpful: the final score is >= base + 0.01;
  -1 harmful: the final score is <= base - 0.03;
   0 otherwise.
- bundles: generally helpful = total rating over the categories >= 5; one bundle per
  category with the tasks whose final tail-patched score reaches its threshold tau
  (Chat 95%, Chat Hard 66%, Math 99.8%, Coding 84%, Safety 85%); others = the rest.
- weights: 100K for generally helpful, + 30K per category bundle, 3K for others; the top-2
  most helpful tasks (largest final gain) of each of Chat Hard, Coding and Safety get 200K.

The driver that runs the per-task tail-patches and the benchmark evaluations is
flame.train.tailpatch_run (`flame train tailpatch`); the evaluation, flame.train.tailpatch_eval.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from flame.core.files import atomic_write
from flame.data.mixture import user_mixture_dir

TAU = {"Chat": 0.95, "Chat Hard": 0.66, "Math": 0.998, "Coding": 0.84, "Safety": 0.85}
WEAKEST = ("Chat Hard", "Coding", "Safety")
W_GENERAL, W_CATEGORY, W_OTHERS, W_TOP = 100_000, 30_000, 3_000, 200_000
GENERAL_MIN_TOTAL = 5


@dataclass(frozen=True)
class Thresholds:
    """Changes against the starting checkpoint (accuracy, 0-1) that earn each rating."""

    helpful: float = 0.03
    somewhat: float = 0.01
    harmful: float = -0.03


def rate(curve: Sequence[float], base: float, t: Thresholds = Thresholds()) -> int:
    """+2 / +1 / 0 / -1 for one task on one category, from its scores during the tail-patch."""
    if not curve:
        raise ValueError("a tail-patch curve needs at least one evaluation")
    tail = curve[len(curve) // 2 :]
    if min(tail) - base >= t.helpful:
        return 2
    final = curve[-1] - base
    if final >= t.somewhat:
        return 1
    if final <= t.harmful:
        return -1
    return 0


def opt_rm_weights(curves: Mapping[str, Mapping[str, Sequence[float]]], base: Mapping[str, float],
                   t: Thresholds = Thresholds()) -> tuple[dict[str, float], dict[str, dict]]:
    """Weights per task, and per task its ratings and bundles (for the YAML's comments).

    curves[task][category] is the task's tail-patch curve on that category; base[category]
    the starting checkpoint's score. Categories without a base score are ignored.
    """
    categories = [c for c in TAU if c in base]
    report: dict[str, dict] = {}
    for task, by_cat in curves.items():
        ratings = {c: rate(by_cat[c], base[c], t) for c in categories if c in by_cat}
        bundles = [c for c in categories if c in by_cat and by_cat[c][-1] >= TAU[c]]
        general = sum(ratings.values()) >= GENERAL_MIN_TOTAL
        weight = (W_GENERAL if general else 0) + W_CATEGORY * len(bundles) or W_OTHERS
        report[task] = {"ratings": ratings, "bundles": (["general"] if general else []) + bundles, "weight": weight}
    for c in WEAKEST:
        if c not in categories:
            continue
        gains = sorted(((curves[task][c][-1] - base[c], task) for task in curves if c in curves[task]),
                       key=lambda g: (-g[0], g[1]))
        for gain, task in gains[:2]:
            if gain > 0:
                report[task]["weight"] = W_TOP
                report[task]["bundles"].append(f"top-2 {c}")
    return {task: float(r["weight"]) for task, r in report.items()}, report


def write_opt_rm(weights: Mapping[str, float], report: Mapping[str, dict], folder: Path | None = None,
                 source: str = "") -> Path:
    """Write the `opt-rm` mixture YAML (atomically) where MIXTURES finds it; returns its path."""
    import yaml

    folder = folder or user_mixture_dir()
    header = [
        "# FLAMe-Opt-RM mixture, written by tail-patch (flame.train.tailpatch); see PAPER.md §6.1.",
        f"# From: {source}" if source else "# From: tail-patch results",
        "# task: ratings per category; bundles",
        *(f"#   {task}: {r['ratings']}; {', '.join(r['bundles']) or 'others'}" for task, r in sorted(report.items())),
    ]
    body = {"name": "opt-rm", "description": "Tail-patch weights (FLAMe-Opt-RM): 100K general, 30K per category bundle, "
            "3K others, 200K top-2 of Chat Hard / Coding / Safety.",
            "tasks": {task: {"weight": w} for task, w in sorted(weights.items())}}
    text = "\n".join(header) + "\n" + yaml.safe_dump(body, sort_keys=False)
    return atomic_write(folder / "opt-rm.yaml", text)
