"""FLAMe's pointwise rating benchmarks (Table 1): HelpSteer (held-in) and SummFeedback.

- `helpsteer`: HelpSteer's validation split (1,789 responses), each rated by annotators on five
  attributes (helpfulness, correctness, coherence, complexity, verbosity) on a 0-4 scale; judged
  with the same five tasks the training adapter declares (flame.data.sources.helpsteer), which
  never trains on this split. Held-in: FLAMe trains on HelpSteer's train split.
- `summfeedback`: the Likert ratings (1-7) of summarize-from-feedback's axis evals, test split,
  on four axes (overall, accuracy, coverage, coherence;
  flame.data.sources.summarize_feedback_axis); FLAMe trains only on the dataset's comparisons.

Both are read from their public origin on the Hugging Face Hub at a pinned commit, or from a
mirror that holds them in the Hub layout (`<mirror>/helpsteer/default/validation.jsonl`,
`<mirror>/summarize_feedback_axis/axis/test.jsonl`); the shared mirror has neither.

Metric (the paper leaves it unstated, PAPER.md §7.2): exact-rating accuracy per attribute (the
judge's most probable rating equals the human rating; an unreadable verdict is a miss), and
the unweighted mean over attributes as the headline, present only when every attribute is.
Why accuracy: Table 1's un-FLAMe'd PaLM-2-24B scores 20.0 on HelpSteer and 13.3 on
SummFeedback, and GPT-3.5 15.6 on SummFeedback: about the chance rates of an exact match on a
5-point (20%) and a 7-point (14.3%) scale, where a correlation would sit near 0. Beside it, each
attribute's Pearson r between the judge's expected rating (the probability-weighted mean of
the scale) and the human rating, which credits near misses that exact match scores as wrong;
it is reported in the `attributes` table, not in the headline.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..metrics import by_key, mean
from .base import MIRROR, Aggregate, Benchmark, Item, Loaded, source_items

HELPSTEER_ATTRIBUTES = ("helpfulness", "correctness", "coherence", "complexity", "verbosity")
SUMMFEEDBACK_AXES = ("overall", "accuracy", "coverage", "coherence")


def pearson(pairs: Sequence[tuple[float, float]]) -> float | None:
    """Pearson's r of (x, y) pairs; None for fewer than two pairs or a constant side."""
    n = len(pairs)
    if n < 2:
        return None
    mx, my = sum(x for x, _ in pairs) / n, sum(y for _, y in pairs) / n
    sxy = sum((x - mx) * (y - my) for x, y in pairs)
    sxx, syy = sum((x - mx) ** 2 for x, _ in pairs), sum((y - my) ** 2 for _, y in pairs)
    return sxy / (sxx * syy) ** 0.5 if sxx > 0 and syy > 0 else None


def headline_for(attributes: Sequence[str]) -> Callable[[Mapping[str, Any]], tuple[dict[str, Any], list[str]]]:
    """The headline from per-attribute accuracies (floats, or numpy arrays of bootstrap draws
    for `flame report --paired`): the mean over attributes, None unless all are present, and
    each attribute's accuracy; no key is partial."""
    def headline(acc: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
        complete = all(a in acc for a in attributes)
        return {"mean": mean(acc.values()) if complete else None, **acc}, []
    return headline


def aggregator(attributes: Sequence[str]) -> Callable[[Sequence[Mapping[str, Any]]], dict[str, Any]]:
    """The aggregate of a rating benchmark over these attributes (its subsets)."""
    headline = headline_for(attributes)

    def aggregate(rows: Sequence[Mapping[str, Any]]) -> Aggregate:
        groups = by_key(rows)
        acc = {a: mean(r["score"] for r in groups[a]) for a in attributes if a in groups}
        table = [{"attribute": a, "accuracy": acc[a],
                  "pearson": pearson([(r["expected"], float(r["target"])) for r in groups[a]
                                      if r.get("expected") is not None]),
                  "n": len(groups[a]), "invalid": sum(1 for r in groups[a] if r.get("verdict") is None)}
                 for a in acc]
        missing = [a for a in attributes if a not in acc]
        return {
            "headline": headline(acc)[0],
            "partial": [],
            "categories": acc,
            "tables": {"attributes": table},
            "missing": missing,
            "notes": [f"no mean: attribute(s) missing ({', '.join(missing)})"] if missing else [],
        }
    return aggregate


def load_helpsteer() -> Loaded:
    """HelpSteer's validation split as items, one per response and attribute (subset: the
    attribute); malformed rows counted by reason."""
    from flame.data.files import SourceFiles
    from flame.data.source import Rejected
    from flame.data.sources import helpsteer

    items: list[Item] = []
    dropped: Counter[str] = Counter()
    for it in helpsteer.ratings(SourceFiles(helpsteer.SOURCE), helpsteer.VALIDATION):
        if isinstance(it, Rejected):
            dropped[f"helpsteer: {it.reason}"] += 1
        else:
            items.append(Item(it.task.removeprefix("helpsteer_"), helpsteer.SOURCE.task(it.task), it))
    return Loaded(items, f"{MIRROR}:helpsteer/{helpsteer.VALIDATION}", dict(dropped))


def load_summfeedback() -> Loaded:
    """The axis evals' test split as items, one per summary and rated axis (subset: the axis)."""
    return source_items("summarize_feedback_axis", {f"summfeedback_{a}": a for a in SUMMFEEDBACK_AXES})


def _protocol(name: str, attributes: Sequence[str], scale: str) -> str:
    return (f"{name}: exact-rating accuracy per attribute on the {scale} scale (the most probable rating equals the "
            f"human rating; invalid verdict = miss); mean over the {len(attributes)} attributes "
            f"({', '.join(attributes)}); Pearson r of the expected rating with the human rating per attribute "
            "in the attributes table")


HELPSTEER = Benchmark(
    name="helpsteer",
    title="HelpSteer validation (held-in): pointwise ratings",
    loaders={MIRROR: load_helpsteer},
    aggregate=aggregator(HELPSTEER_ATTRIBUTES),
    protocol=_protocol("helpsteer", HELPSTEER_ATTRIBUTES, "0-4"),
    metric="accuracy",
    headline_of=headline_for(HELPSTEER_ATTRIBUTES),
)
SUMMFEEDBACK = Benchmark(
    name="summfeedback",
    title="SummFeedback: summary Likert ratings",
    loaders={MIRROR: load_summfeedback},
    aggregate=aggregator(SUMMFEEDBACK_AXES),
    protocol=_protocol("summfeedback", SUMMFEEDBACK_AXES, "1-7"),
    metric="accuracy",
    headline_of=headline_for(SUMMFEEDBACK_AXES),
)
