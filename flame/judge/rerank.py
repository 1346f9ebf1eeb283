"""Best-of-n: pick the best of several candidate responses to one prompt with a judge.

Two methods:

- "tournament" (the FLAMe paper's reranking, §6.2): a round-robin of pairwise games. Each
  unordered pair (i, j), i < j, is one pairwise item with candidate i as response A, judged
  in both candidate orders when the Autorater swaps; each order that ran is one game, won by
  the candidate that order's verdict names. A candidate's score is the games it wins; ties
  on wins are broken by its summed probability of winning over its games; candidates still
  tied share first place. n candidates cost n(n-1)/2 pairwise items. A judge with
  pairwise="separate" scores each response alone, so a pair has no candidate order: it is one
  game, won by the higher-scoring response (`pair_games`).
- "pointwise": each candidate is scored on its own (flame.judge.scores: the expected
  rating, P(Yes) to a question, or a separate-mode judge's own response score) and the
  highest score wins; ties share first place; a candidate whose judgment failed ranks last.
  n candidates cost n judgments.

`plan` lists the (task, example) pairs to judge for one prompt, `rank` reads their
judgments, and `rerank_many` does both with an Autorater over many prompts, lazily and in
order. The HumanEval reranking benchmark (flame.evals.benchmarks.code_rerank) ranks its
result rows with the same `round_robin`, `tournament` and `top_by_score`.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

from flame.core.judgment import ORIGINAL, SWAPPED, Judgment
from flame.core.records import Example, TaskSpec

from . import adhoc, scores
from .autorater import Autorater

METHODS = ("tournament", "pointwise")
Game = tuple[int, int, Mapping[str, str | None], Mapping[str, Mapping[str, float]]]


@dataclass(frozen=True)
class Candidates:
    """One prompt and its candidate responses (an empty response is a candidate like any
    other); `criteria` what "better" means here (None: the default)."""

    prompt: str
    candidates: tuple[str, ...]
    criteria: str | None = None


@dataclass(frozen=True)
class Ranking:
    """The outcome of reranking one prompt's candidates (indices into its candidate list).

    - `best`: the pick, the first of `top`; None when no judgment of the prompt was valid.
    - `top`: every candidate ranked first (several when still tied).
    - `scores`: pointwise: each candidate's score (None where its judgment failed);
      tournament: each candidate's summed probability of winning over its games.
    - `wins`: tournament: the games each candidate won; pointwise: None.
    - `judged` / `invalid`: judgments made, and how many of them failed, with `errors` (distinct).
    """

    method: str
    best: int | None
    top: tuple[int, ...]
    scores: tuple[float | None, ...]
    wins: tuple[int, ...] | None
    judged: int
    invalid: int
    errors: tuple[str, ...]

    def to_dict(self, candidates: Sequence[str] | None = None) -> dict[str, Any]:
        """A JSON-ready dict (tuples as lists); given the candidates, `best_text` follows `best`."""
        out: dict[str, Any] = {}
        for k, v in asdict(self).items():
            out[k] = list(v) if isinstance(v, tuple) else v
            if k == "best" and candidates is not None:
                out["best_text"] = None if v is None else candidates[v]
        return out


def round_robin(n: int) -> list[tuple[int, int]]:
    """Every unordered pair of n candidates, (i, j) with i < j, in order: the tournament's items."""
    return [(i, j) for i in range(n) for j in range(i + 1, n)]


def pair_games(order_labels: Mapping[str, str | None] | None, order_probs: Mapping[str, Mapping[str, float]] | None,
               verdict: str | None, probs: Mapping[str, float] | None) -> tuple[Mapping[str, str | None],
                                                                              Mapping[str, Mapping[str, float]]]:
    """The games of one judged pair, as (labels, probs) by candidate order: one per order that ran;
    a separate-mode judgment, which has no order, is one game (its verdict and probabilities)."""
    if not order_labels and verdict:
        return {ORIGINAL: verdict}, {ORIGINAL: probs or {}}
    return order_labels or {}, order_probs or {}


def tournament_scores(games: Iterable[Game], candidates: Sequence[int]) -> tuple[dict[int, int], dict[int, float]]:
    """Games won and summed win probability per candidate.

    games: (i, j, order_labels, order_probs) per judged pair, i shown as A in the pair's own
    terms (a Judgment's order_labels / order_probs); each order that ran is one game."""
    wins = {c: 0 for c in candidates}
    prob = {c: 0.0 for c in candidates}
    for i, j, labels, probs in games:
        for order in (ORIGINAL, SWAPPED):
            label = labels.get(order)
            if label == "A":
                wins[i] += 1
            elif label == "B":
                wins[j] += 1
            p = probs.get(order) or {}
            prob[i] += p.get("A", 0.0)
            prob[j] += p.get("B", 0.0)
    return wins, prob


def tournament(games: Iterable[Game], candidates: Sequence[int]) -> list[int]:
    """The top-ranked candidates of a round-robin (several when still tied), in candidate
    order: most games won, ties broken by the summed probability of winning."""
    wins, prob = tournament_scores(games, candidates)
    score = {c: (wins[c], round(prob[c], 9)) for c in candidates}  # rounding: float sums in any order tie
    best = max(score.values())
    return [c for c in candidates if score[c] == best]


def top_by_score(values: Mapping[int, float | None]) -> list[int]:
    """The candidates with the highest score (several when tied), in the mapping's order; an
    unscored candidate (None) ranks below every score."""
    ranked = {c: (-math.inf if s is None else s) for c, s in values.items()}
    best = max(ranked.values())
    return [c for c, v in ranked.items() if v == best]


@lru_cache(maxsize=256)
def _pairwise_task(criteria: str | None) -> TaskSpec:
    return adhoc.pairwise(criteria)


def check_method(method: str) -> None:
    """ValueError for an unknown method."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")


def plan(item: Candidates, method: str, pairwise: str, *, scale: tuple[int, int] = (1, 5),
         question: str | None = None, where: str = "python", row: int | str = 0) -> list[tuple[TaskSpec, Example]]:
    """The (task, example) pairs to judge for one prompt's candidates, in the order `rank`
    reads their judgments. `pairwise` is the judge's mode (Autorater.pairwise); `scale` and
    `question` choose the pointwise score (flame.judge.scores)."""
    check_method(method)
    if not item.candidates:
        raise ValueError("no candidates to rerank")
    if method == "tournament":
        task = _pairwise_task(item.criteria)
        return [(task, adhoc.pairwise_example(task, item.prompt, item.candidates[i], item.candidates[j], where, row))
                for i, j in round_robin(len(item.candidates))]
    task = scores.task_for(scores.kind_for(pairwise, question), item.criteria, scale, question)
    return [(task, adhoc.pointwise_example(task, item.prompt, c, where, row)) for c in item.candidates]


def rank(n: int, method: str, judgments: Sequence[Judgment], pairwise: str, question: str | None = None) -> Ranking:
    """The ranking of n candidates from the judgments of their `plan` (same method, mode and question)."""
    invalid = [j for j in judgments if not j.valid]
    errors = tuple(dict.fromkeys(j.error for j in invalid))
    candidates = list(range(n))
    if method == "tournament":
        games = [(i, j, *pair_games(jd.order_labels, jd.order_probs, jd.label if jd.valid else None, jd.probs))
                 for (i, j), jd in zip(round_robin(n), judgments, strict=True)]
        wins, prob = tournament_scores(games, candidates)
        top = tournament(games, candidates) if len(invalid) < len(judgments) or n == 1 else []
        return Ranking(method, top[0] if top else None, tuple(top), tuple(prob[c] for c in candidates),
                       tuple(wins[c] for c in candidates), len(judgments), len(invalid), errors)
    kind = scores.kind_for(pairwise, question)
    values = [scores.value(kind, j) for j in judgments]
    if len(values) != n:
        raise ValueError(f"{n} candidates but {len(values)} judgments")
    top = top_by_score(dict(enumerate(values))) if any(v is not None for v in values) else []
    return Ranking(method, top[0] if top else None, tuple(top), tuple(values), None, len(judgments), len(invalid),
                   errors)


def rerank_many(autorater: Autorater, items: Iterable[Candidates], method: str, *, scale: tuple[int, int] = (1, 5),
                question: str | None = None, batch_size: int = 8, where: str = "python") -> Iterator[Ranking]:
    """Rank each item's candidates, in order, judging `batch_size` examples per backend call
    across items; a ranking is yielded as soon as its last judgment is in (so a caller can
    write it before the next item is judged)."""
    check_method(method)
    pending: deque[tuple[int, int]] = deque()  # (candidates, judgments) of each planned item

    def examples() -> Iterator[tuple[TaskSpec, Example]]:
        for row, item in enumerate(items):
            planned = plan(item, method, autorater.pairwise, scale=scale, question=question, where=where, row=row)
            pending.append((len(item.candidates), len(planned)))
            yield from planned

    got: list[Judgment] = []

    def ready() -> Iterator[Ranking]:
        while pending and len(got) >= pending[0][1]:
            n, count = pending.popleft()
            yield rank(n, method, got[:count], autorater.pairwise, question)
            del got[:count]

    for judgment in autorater.iter_judge(examples(), batch_size):
        got.append(judgment)
        yield from ready()
    yield from ready()  # items with nothing to judge (a single candidate) at the end
