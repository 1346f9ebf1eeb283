"""FLAMe's held-out pairwise benchmarks available from public mirrored data.

Sets (each keeps its own task prompt, written by its adapter from the original guidelines):
- `HHH`: BIG-bench HHH alignment, 221 pairs (harmless / helpful / honest / other tasks).
- `RankGen`: RankGen human evaluation, one item per HIT, majority of writers' verdicts.
- `ContrSearch`: contrastive search vs contrastive decoding, majority of 4 annotators.
- `CoPoet`: poem creativity preference, majority of 3 workers.
- `MT-Bench-human`: MT-Bench expert pairwise judgments as processed by the LLMBar authors.
- `LitTrans`: professional literary translators' choices between two machine translations of
  a novel's paragraph, all 540 (evaluation only: no license; see flame.data.sources.littrans).

Ties, as each source defines them: none of these sets keeps a tie label. HHH items have
one better response by construction; RankGen, ContrSearch and CoPoet items whose votes
split evenly are dropped by their adapters (counted in the results as dropped rows, with
the reason); the processed MT-Bench set already excludes ties; every LitTrans translator
chose one translation.

LitTrans's `difficult_choice`: items the translator called a difficult choice are kept, under
their own task (`littrans_difficult_choice`, 213 items; `littrans_clear_choice`, 327): the
set's accuracy is over all 540, and the `tasks` table gives each part's accuracy.

Metric: accuracy per set (1 for the human-preferred response, 0 for the other, 0.5 for an
unreadable verdict), pooled over a set's tasks, and the unweighted mean over sets; the mean
exists only when all six sets are present.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..metrics import by_key, mean
from .base import MIRROR, Aggregate, Benchmark, Loaded, source_items

NAME = "heldout"
SETS = {  # set -> (source, its tasks)
    "HHH": ("hhh_alignment", ("hhh_harmless", "hhh_helpful", "hhh_honest", "hhh_other")),
    "RankGen": ("rankgen_human_eval", ("rankgen_gpt2_medium", "rankgen_t5_xxl")),
    "ContrSearch": ("contrsearch_human_eval", ("contrsearch_human_likeness",)),
    "CoPoet": ("copoet_human_eval", ("copoet_creativity",)),
    "MT-Bench-human": ("llmbar", ("mtbench_human",)),
    "LitTrans": ("littrans", ("littrans_clear_choice", "littrans_difficult_choice")),
}
PROTOCOL = ("heldout-pairwise: accuracy per set (preferred 1, other 0, invalid verdict 0.5) pooled over the set's "
            "tasks; mean over the 6 sets; sources' ties dropped by their adapters; LitTrans keeps the translators' "
            "difficult choices (accuracy per part in the tasks table)")


def load_mirror() -> Loaded:
    """Every set rebuilt from its mirrored source, items keeping their source task."""
    parts = [source_items(src, {task: name for task in tasks}) for name, (src, tasks) in SETS.items()]
    return Loaded([i for p in parts for i in p.items], MIRROR + ":" + "+".join(src for src, _ in SETS.values()),
                  {k: v for p in parts for k, v in p.dropped.items()})


def headline(acc: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The mean over the sets judged and each set's accuracy, from per-set accuracies: floats,
    or numpy arrays of bootstrap draws (`flame report --paired`). The mean is partial when a
    set is missing (a run from before LitTrans joined, or a sample without it): it is then the
    mean over fewer sets, comparable only with runs over the same sets."""
    partial = [] if all(s in acc for s in SETS) else ["mean"]
    return {"mean": mean(acc.values()) if acc else None, **acc}, partial


def aggregate(rows: Sequence[Mapping[str, Any]]) -> Aggregate:
    """Accuracy per set and the mean over sets."""
    groups = by_key(rows)
    acc = {s: mean(r["score"] for r in rs) for s, rs in groups.items()}
    missing = [s for s in SETS if s not in acc]
    tasks = by_key(rows, "task")
    return {
        "headline": headline(acc)[0],
        "partial": headline(acc)[1],
        "categories": acc,
        "tables": {
            "sets": [{"set": s, "accuracy": v, "n": len(groups[s])} for s, v in acc.items()],
            "tasks": [{"task": t, "set": rs[0]["subset"], "accuracy": mean(r["score"] for r in rs), "n": len(rs)}
                      for t, rs in tasks.items()],
        },
        "missing": missing,
        "notes": [f"mean over {len(acc)} of {len(SETS)} sets: {', '.join(missing)} not judged"] if missing else [],
    }


BENCHMARK = Benchmark(
    name=NAME,
    title="FLAMe held-out pairwise sets",
    loaders={MIRROR: load_mirror},
    aggregate=aggregate,
    protocol=PROTOCOL,
    metric="accuracy",
    headline_of=headline,
)
