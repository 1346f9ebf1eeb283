"""Two runs compared item by item (`flame report A.json B.json --paired`): is B's score
different from A's, or could the gap be the luck of which items were drawn?

Items are matched by benchmark, subset and uid, and only items both runs judged count (how
many each judged beyond them is reported). A uid that occurs k times in one subset (the
same item twice in its source, as in MT-Bench-human) pairs its occurrences in order.

A benchmark is compared where its headline is built from per-subset scores
(`Benchmark.headline_of`: RewardBench, LLM-AggreFact, the held-out sets), and a user file of
`flame eval file` on its accuracy. Each row of its table (every headline value: overall,
sections, use cases, mean over sets; then every subset) gets:

- n, the paired items the row is computed on, and each run's score on them, computed as the
  benchmark computes it: accuracy from the rows' scores (an unreadable pairwise verdict
  scores 0.5, as RewardBench's scorer), balanced accuracy for LLM-AggreFact (an unreadable
  verdict is a miss), sections weighted and means taken over subsets;
- B - A and its 95% interval: a paired percentile bootstrap, `RESAMPLES` draws of the items
  with replacement within each subset (one draw for both runs), every score recomputed on
  each draw, so a section, a mean over sets or a balanced accuracy is bootstrapped as what
  it is; each subset's draws are seeded by (seed, benchmark, subset): a report is reproducible;
- McNemar's exact test, two-sided: a binomial test with p = 1/2 on the items where the two
  runs' scores differ (for scores of 0 and 1 exactly McNemar's; a 0.5 for an unreadable
  verdict counts in the direction it differs). It tests accuracy over the row's items, so
  only a subset of an accuracy benchmark (or a user file's pooled accuracy) gets one; a
  weighted or averaged score or a balanced accuracy has only its interval;
- a verdict in words (`Difference.verdict`): better only where the interval excludes 0
  and McNemar's test, where the row has one, agrees.

CoBBLEr (rates over probes judged in both orders) and code reranking (pass@1 over problems)
are not compared: resampling single items would not bootstrap their scores.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flame.core.errors import require

from .metrics import balanced_accuracy, mean

RESAMPLES, SEED = 10_000, 0
ALPHA = 0.05  # the tests' level: 95% intervals
TOO_WIDE = 0.10  # no difference shown and an interval over +-10 points wide: too few items to tell
ACCURACY, BALANCED = "accuracy", "balanced accuracy"
FILE_PREFIX = "file:"  # a user file's benchmark (flame.evals.benchmarks.userfile.benchmark)
_BLOCK = 2_000_000  # resampled item indices held in memory at once

Row = Mapping[str, Any]
Headline = Callable[[Mapping[str, Any]], tuple[dict[str, Any], list[str]]]


@dataclass(frozen=True)
class Difference:
    """One row of a paired comparison: a score of A and B on the same n items (fractions),
    the 95% bootstrap interval of B - A, and McNemar's p (None where the score is not
    accuracy over these items)."""

    name: str
    n: int
    a: float
    b: float
    low: float
    high: float
    p: float | None
    partial: bool = False

    @property
    def diff(self) -> float:
        """B - A as a fraction."""
        return self.b - self.a

    @property
    def verdict(self) -> str:
        """In words: "B better" or "A better" when the interval excludes 0 and McNemar's test,
        where the row has one, agrees (p < 0.05: on few items the percentile interval is the
        laxer of the two); otherwise no difference shown, and too few items to tell these
        judges apart when the interval is wider than +-10 points."""
        wide = "; too few items to tell these judges apart" if (self.high - self.low) / 2 > TOO_WIDE else ""
        if self.low <= 0 <= self.high:
            return "no difference shown (interval spans 0)" + wide
        if self.p is not None and self.p >= ALPHA:
            return f"no difference shown (McNemar p >= {ALPHA})" + wide
        return "B better" if self.low > 0 else "A better"


@dataclass(frozen=True)
class BenchmarkPairs:
    """One benchmark compared: its rows, the items both runs judged and how many only one
    did, and why there are no rows where there are none."""

    bench: str
    title: str
    metric: str
    rows: list[Difference] = field(default_factory=list)
    items: int = 0
    only_a: int = 0
    only_b: int = 0
    reason: str = ""


@dataclass(frozen=True)
class Comparison:
    """Run B against run A (labels), benchmark by benchmark."""

    a: str
    b: str
    benchmarks: list[BenchmarkPairs]
    resamples: int = RESAMPLES
    seed: int = SEED


def method(comparison: Comparison) -> str:
    """How the paired numbers are computed, in a sentence or three, for the reports."""
    return ("Items judged by both runs, matched by benchmark, subset and uid; both runs' scores (%) are "
            "computed on those items only, as the benchmark computes them (an unreadable verdict scores 0.5 on a "
            "pairwise item, 0 otherwise). B - A in points with its 95% interval: paired bootstrap, "
            f"{comparison.resamples:,} resamples of the items within each subset, seed {comparison.seed}. "
            "McNemar p: exact two-sided test on the items where the two runs' scores differ, given where the "
            "score is accuracy over the row's items (a weighted or averaged score, or a balanced accuracy, "
            "has its interval only). A run is called better only where the interval excludes 0 and McNemar's "
            "test, if given, has p < 0.05.")


def p_text(p: float | None) -> str:
    """A p-value for a table cell: three decimals, "<0.001" below that, "–" for none."""
    if p is None:
        return "–"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def mcnemar(b_better: int, a_better: int) -> float:
    """Two-sided exact McNemar p-value: twice the binomial(n, 1/2) tail at the smaller of
    the discordant counts (n their sum), at most 1; 1 when there is no discordant pair."""
    n = b_better + a_better
    tail = sum(math.comb(n, k) for k in range(min(b_better, a_better) + 1))
    return min(1.0, 2 * tail / 2**n)


def pair_items(rows_a: Sequence[Row], rows_b: Sequence[Row]) -> tuple[dict[str, list[tuple[Row, Row]]], int, int]:
    """One benchmark's rows of both runs matched by (subset, uid, occurrence): subset ->
    pairs (subsets in A's order), and how many rows of A and of B found no partner."""
    def keyed(rows: Sequence[Row]) -> dict[tuple[str, str, int], Row]:
        seen: dict[tuple[str, str], int] = {}
        out = {}
        for r in rows:
            k = (r["subset"], r["uid"])
            seen[k] = seen.get(k, -1) + 1
            out[(*k, seen[k])] = r
        return out

    a, b = keyed(rows_a), keyed(rows_b)
    pairs: dict[str, list[tuple[Row, Row]]] = {}
    for k, r in a.items():
        if k in b:
            pairs.setdefault(k[0], []).append((r, b[k]))
    common = sum(len(p) for p in pairs.values())
    return pairs, len(a) - common, len(b) - common


def _score(kind: str, rows: Sequence[Row]) -> float:
    if kind == ACCURACY:
        return mean(r["score"] for r in rows)
    return balanced_accuracy([r["target"] for r in rows], [r["verdict"] for r in rows])


def _draws(kind: str, rows: Sequence[Row], index: Any) -> Any:
    """The score on each resample (index: resamples x n item positions)."""
    np = require("numpy", "report")
    if kind == ACCURACY:
        return np.array([r["score"] for r in rows], dtype=float)[index].mean(axis=1)
    targets = [r["target"] for r in rows]
    hit = np.array([r["verdict"] == t for r, t in zip(rows, targets)], dtype=float)
    recalls = []
    for label in sorted(set(targets)):
        member = np.array([t == label for t in targets], dtype=float)
        count, hits = member[index].sum(axis=1), (member * hit)[index].sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            recalls.append(np.where(count > 0, hits / count, np.nan))
    return np.nanmean(np.stack(recalls), axis=0)  # classes absent from a draw do not count, as in the metric


def _subset_draws(kind: str, pairs: Sequence[tuple[Row, Row]], rng: Any, resamples: int) -> tuple[Any, Any]:
    np = require("numpy", "report")
    n = len(pairs)
    a, b = [p[0] for p in pairs], [p[1] for p in pairs]
    out_a, out_b = [], []
    block = max(1, _BLOCK // n)
    for start in range(0, resamples, block):
        index = rng.integers(0, n, size=(min(block, resamples - start), n))
        out_a.append(_draws(kind, a, index))
        out_b.append(_draws(kind, b, index))
    return np.concatenate(out_a), np.concatenate(out_b)


def _rng(seed: int, bench: str, subset: str) -> Any:
    np = require("numpy", "report")
    stream = int.from_bytes(hashlib.sha256(f"{bench}\0{subset}".encode()).digest()[:8], "big")
    return np.random.default_rng([seed, stream])


def _pooled(counts: Mapping[str, int]) -> Headline:
    """A user file's headline: accuracy over all its items (when it has several subsets)."""
    total = sum(counts.values())

    def headline(scores: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
        return ({"all": sum(counts[s] * v for s, v in scores.items()) / total} if len(scores) > 1 else {}), []
    return headline


def _scoring(bench: str, metric: str) -> tuple[str, Headline | None] | str:
    """(per-subset score kind, headline function) of a benchmark, or why it is not compared."""
    from .benchmarks import BENCHMARKS

    if bench.startswith(FILE_PREFIX):
        return ACCURACY, None
    headline = BENCHMARKS.get(bench).headline_of if bench in BENCHMARKS else None
    if headline is None:
        return (f"not compared: its score, {metric}, is not built from the scores of single items, "
                "so resampling items would not bootstrap it")
    if metric not in (ACCURACY, BALANCED):
        raise ValueError(f"benchmark {bench!r}: no paired score for metric {metric!r}")
    return metric, headline


def compare_benchmark(bench: str, summary: Mapping[str, Any], rows_a: Sequence[Row], rows_b: Sequence[Row],
                      resamples: int = RESAMPLES, seed: int = SEED) -> BenchmarkPairs:
    """One benchmark's paired rows (see the module docstring); `summary` is run A's entry for
    it in the results file (title, metric)."""
    np = require("numpy", "report")
    title, metric = summary["title"], summary["metric"]
    scoring = _scoring(bench, metric)
    if isinstance(scoring, str):
        return BenchmarkPairs(bench, title, metric, reason=scoring)
    kind, headline = scoring
    pairs, only_a, only_b = pair_items(rows_a, rows_b)
    if not pairs:
        return BenchmarkPairs(bench, title, metric, only_a=only_a, only_b=only_b, reason="no item judged by both runs")
    plain = set(pairs) if kind == ACCURACY else set()  # scores that are accuracy over their items
    if headline is None:
        headline = _pooled({s: len(p) for s, p in pairs.items()})
        plain.add("all")
    point_a = {s: _score(kind, [x for x, _ in p]) for s, p in pairs.items()}
    point_b = {s: _score(kind, [y for _, y in p]) for s, p in pairs.items()}
    draws = {s: _subset_draws(kind, p, _rng(seed, bench, s), resamples) for s, p in pairs.items()}
    head_a, partial = headline(point_a)
    head_b = headline(point_b)[0]
    draws_a = headline({s: d[0] for s, d in draws.items()})[0]
    draws_b = headline({s: d[1] for s, d in draws.items()})[0]
    # the subsets each headline value draws on: every headline is a weighted mean of subset scores
    names = list(pairs)
    weights = headline({s: np.eye(len(names))[i] for i, s in enumerate(names)})[0]
    composite = [k for k, v in head_a.items() if v is not None and k not in pairs]
    rows = []
    for key in composite + names:
        used = [pairs[key]] if key in pairs else [pairs[s] for s, w in zip(names, weights[key]) if w]
        items = [xy for p in used for xy in p]
        p_value = None
        if key in plain:
            p_value = mcnemar(sum(y["score"] > x["score"] for x, y in items), sum(x["score"] > y["score"] for x, y in items))
        a, b, diffs = ((point_a[key], point_b[key], draws[key][1] - draws[key][0]) if key in pairs
                       else (head_a[key], head_b[key], draws_b[key] - draws_a[key]))
        rows.append(_row(key, len(items), a, b, diffs, p_value, key in partial))
    return BenchmarkPairs(bench, title, metric, rows, sum(map(len, pairs.values())), only_a, only_b)


def _row(name: str, n: int, a: float, b: float, diffs: Any, p: float | None, partial: bool = False) -> Difference:
    np = require("numpy", "report")
    low, high = np.quantile(np.round(diffs, 12), [0.025, 0.975])  # rounded: equal scores differ by 0, not 1e-17
    return Difference(name, n, float(a), float(b), float(low), float(high), p, partial)


def compare(run_a: tuple[str, Mapping[str, Any]], run_b: tuple[str, Mapping[str, Any]],
            resamples: int = RESAMPLES, seed: int = SEED) -> Comparison:
    """Run B against run A ((label, results document) each), every benchmark of either."""
    (label_a, doc_a), (label_b, doc_b) = run_a, run_b
    out = []
    for bench in dict.fromkeys([*doc_a["benchmarks"], *doc_b["benchmarks"]]):
        summary = doc_a["benchmarks"].get(bench) or doc_b["benchmarks"][bench]
        if bench not in doc_a["benchmarks"] or bench not in doc_b["benchmarks"]:
            only = label_a if bench in doc_a["benchmarks"] else label_b
            out.append(BenchmarkPairs(bench, summary["title"], summary["metric"], reason=f"judged only by {only}"))
            continue
        rows_a = [r for r in doc_a["rows"] if r["benchmark"] == bench]
        rows_b = [r for r in doc_b["rows"] if r["benchmark"] == bench]
        out.append(compare_benchmark(bench, summary, rows_a, rows_b, resamples, seed))
    return Comparison(label_a, label_b, out, resamples, seed)
