"""Pure metric functions over result rows (dicts written by the runner; see runner.row).

A row carries `target` (the human label), `verdict` (the judge's label, None when its
output was invalid), `probs` (probability per label), and for pairwise items
`orders_agree` and the candidates' lengths `len_a` / `len_b`. A run that judged each
response alone (`judged_alone`) has no candidate orders: its order metrics are JUDGED_ALONE.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

Row = Mapping[str, Any]
INVALID_PAIRWISE_SCORE = 0.5  # RewardBench's generative scorer: an unreadable verdict is "effectively a tie"


def pairwise_score(verdict: str | None, target: str) -> float:
    """1 for the human-preferred candidate, 0 for the other, 0.5 for an invalid verdict."""
    if verdict is None:
        return INVALID_PAIRWISE_SCORE
    return 1.0 if verdict == target else 0.0


def mean(values: Iterable[float]) -> float | None:
    """Arithmetic mean, None for no values."""
    values = list(values)
    return sum(values) / len(values) if values else None


def by_key(rows: Iterable[Row], key: str = "subset") -> dict[str, list[Row]]:
    """Rows grouped by a field, groups in first-seen order."""
    groups: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        groups[r[key]].append(r)
    return dict(groups)


def balanced_accuracy(targets: Sequence[str], verdicts: Sequence[str | None]) -> float | None:
    """Mean per-class recall over the classes present in targets (sklearn's
    balanced_accuracy_score); an invalid verdict (None) counts as a miss."""
    per_class: dict[str, list[bool]] = defaultdict(list)
    for t, v in zip(targets, verdicts):
        per_class[t].append(v == t)
    if not per_class:
        return None
    return sum(sum(hits) / len(hits) for hits in per_class.values()) / len(per_class)


def confidence(row: Row) -> float | None:
    """The judge's probability for its own verdict (None without probabilities)."""
    probs, verdict = row.get("probs") or {}, row.get("verdict")
    return probs.get(verdict) if verdict is not None else None


def reliability(rows: Iterable[Row], bins: int = 10) -> dict[str, Any]:
    """Reliability diagram data and expected calibration error: rows with a verdict and
    probabilities are binned by confidence into `bins` equal-width bins; ECE is the
    count-weighted mean |accuracy - confidence| over bins."""
    points = [(c, r["verdict"] == r["target"]) for r in rows
              if r.get("target") is not None and (c := confidence(r)) is not None]
    table = []
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = [(c, ok) for c, ok in points if lo <= c < hi or (b == bins - 1 and c == 1.0)]
        if inside:
            table.append({"lo": lo, "hi": hi, "n": len(inside),
                          "confidence": sum(c for c, _ in inside) / len(inside),
                          "accuracy": sum(ok for _, ok in inside) / len(inside)})
    n = len(points)
    ece = sum(t["n"] / n * abs(t["accuracy"] - t["confidence"]) for t in table) if n else None
    return {"bins": table, "ece": ece, "n": n}


def swap_consistency(rows: Iterable[Row]) -> dict[str, Any]:
    """Share of pairwise items whose verdict is the same in both candidate orders."""
    flags = [r["orders_agree"] for r in rows if r.get("orders_agree") is not None]
    return {"consistency": mean(1.0 if f else 0.0 for f in flags), "n": len(flags)}


JUDGED_ALONE = "n/a: each response judged alone"  # what order metrics show for a pairwise="separate" run


def judged_alone(doc: Mapping[str, Any]) -> bool:
    """Whether a results document's pairwise items were judged one response at a time
    (`flame eval run --pairwise separate`): its rows have no candidate orders, so swap
    consistency and position bias do not apply to it."""
    return (doc["manifest"].get("judging") or {}).get("pairwise") == "separate"


def position_bias(rows: Iterable[Row]) -> dict[str, Any]:
    """Share of single-order verdicts that pick the candidate shown first (0.5 = no bias).
    Labels are in the candidates' own names, so in order "BA" the first shown is B."""
    picks = [label == order[0] for r in rows for order, label in (r.get("order_labels") or {}).items() if label]
    return {"picks_first": mean(1.0 if p else 0.0 for p in picks), "n": len(picks)}


def longer(row: Row) -> str | None:
    """Which candidate is longer in characters (A or B), None for equal lengths or non-pairwise rows."""
    a, b = row.get("len_a"), row.get("len_b")
    if a is None or b is None or a == b:
        return None
    return "A" if a > b else "B"


def length_bias(rows: Iterable[Row]) -> dict[str, Any]:
    """Share of valid verdicts that pick the longer candidate, next to the share of human
    labels that do (RewardBench appendix: a judge can score by length alone)."""
    rows = [r for r in rows if longer(r) is not None]
    judged = [r for r in rows if r.get("verdict") in ("A", "B")]
    return {
        "judge_prefers_longer": mean(1.0 if r["verdict"] == longer(r) else 0.0 for r in judged),
        "human_prefers_longer": mean(1.0 if r["target"] == longer(r) else 0.0 for r in rows),
        "n": len(judged),
    }
