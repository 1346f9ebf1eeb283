"""HumanEval best-of-10 reranking with a judge (FLAMe paper §6.2, Table 5; PAPER.md §9).

Candidates: for each of the 164 HumanEval problems, 10 of CodeT's 100 CodeGen-16B samples,
drawn without replacement with a fixed seed (`DRAW_SEED`, per problem). Each sample's
correctness comes from running it against the problem's HumanEval tests in the sandbox
(`flame.evals.code_exec`, cached on disk: a first load executes the 1,640 drawn samples,
minutes on two cores; later loads read the cache).

`code-rerank` (the paper's setup): a round-robin pairwise tournament per problem. Each of
the 45 unordered pairs is one item of task `code_rerank_pairwise`, judged in both candidate
orders (the runner's default `swap`): 90 games per problem. A candidate's score is the
number of games it wins (the verdict of that order); ties on wins are broken by the summed
probability of winning over its games; candidates still tied share the pick (the expected
pass of a random pick among them). A judge that scores each response alone
(`--pairwise separate`) plays each pair once, P(A) = sigmoid(s_A - s_B): its games won rank
the candidates by their own scores s, and each candidate's prompt is computed once (the
judgment cache serves its other 8 pairs).

`code-rerank-pointwise`: one judgment per candidate (10 per problem, task
`code_rerank_pointwise`: is this program correct, Yes/No), ranked by P(Yes), ties shared.

Reported pass@1 (Table 5 layout, column CodeGen-16B): None = the expected pass@1 of a
random pick among the 10 (the share of passing candidates, averaged over problems); the
judge = whether its top-ranked candidate passes; Oracle = whether any of the 10 passes.
The ranking is flame.judge.rerank's, the code `flame rerank` runs on your own candidates; the
`problems` table lists each problem's picked sample indices (several when tied).
Every result row carries its problem's whole pool (sample indices and pass/fail) in its
provenance row, so None and Oracle cover the whole pool of every problem with a judged item.
`--limit N` judges N whole problems (every game of their tournaments); a partial tournament
(a run cut short) is still scored on the games it has, and the coverage is reported. Cost: the tournament is 90
judgments per problem, the pointwise variant 10.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from flame.core.errors import FlameError
from flame.core.pairwise import CHOICE, RESPONSE_A, RESPONSE_B, pairwise_task
from flame.core.records import (
    Capability,
    Example,
    InputField,
    LabelSpace,
    OutputField,
    Provenance,
    Role,
    TaskSpec,
    TaskType,
)
from flame.judge.rerank import pair_games, round_robin, top_by_score, tournament

from ..metrics import mean
from .base import MIRROR, Aggregate, Benchmark, Item, Loaded

NAME, POINTWISE_NAME = "code-rerank", "code-rerank-pointwise"
GENERATOR = "CodeGen-16B"
POOL_SIZE, DRAW_SEED = 10, 0
SOURCE = "codet_humaneval_samples"
CORRECT = "correct"
_PAIR = re.compile(r"(HumanEval/\d+)#(\d+)-vs-#(\d+) pool ((?:\d+[+-] ?)+)")
_ONE = re.compile(r"(HumanEval/\d+)#(\d+) pool ((?:\d+[+-] ?)+)")
PAPER_TABLE5 = {  # FLAMe paper Table 5, column CodeGen-16B, pass@1 in percent
    "None (no reranking)": 21.2, "FLAMe-24B": 31.1, "FLAMe-RM-24B": 29.9, "FLAMe-Opt-RM-24B": 29.3, "Oracle": 46.9,
}

_PROBLEM = InputField("problem", "the problem: a Python function signature and a docstring that specifies it")
_DESCRIPTION = (
    "You are given a Python programming problem: a function signature with a docstring that "
    "specifies what the function must do, often with examples. {what} A correct program returns "
    "exactly the specified result for every valid input, edge cases included, uses only the "
    "standard library, and does not crash or loop forever; style, comments and efficiency do "
    "not matter unless they make the program wrong."
)
PAIRWISE_TASK = pairwise_task(
    "code_rerank_pairwise",
    title="Which program correctly solves the programming problem?",
    description=_DESCRIPTION.format(what=(
        "Two candidate programs follow, each a complete implementation. Decide which program "
        "correctly solves the problem; if both or neither do, choose the one more likely to pass "
        "hidden unit tests of the specification.")),
    context=(_PROBLEM,),
    capability=Capability.CODING,
    source=SOURCE,
    license="MIT",
    role=Role.EVAL,
    candidate="program",
    notes="Reranking tournament items; target A/B only where exactly one program passes the HumanEval tests.",
)
POINTWISE_TASK = TaskSpec(
    name="code_rerank_pointwise",
    task_type=TaskType.CLASSIFICATION,
    capability=Capability.CODING,
    title="Does the program correctly solve the programming problem?",
    description=_DESCRIPTION.format(what=(
        "A candidate program follows, a complete implementation. Decide whether it correctly "
        "solves the problem.")),
    inputs=(_PROBLEM, InputField("program", "the candidate program")),
    outputs=(OutputField(CORRECT, LabelSpace.classes("Yes", "No"),
                         "Yes if the program correctly solves the problem, else No"),),
    source=SOURCE,
    license="MIT",
    role=Role.EVAL,
    notes="Pointwise reranking items; target from running the HumanEval tests.",
)


@dataclass(frozen=True)
class Pool:
    """One problem's drawn candidates: (sample index, program, passed), in draw order."""

    task_id: str
    problem: str
    candidates: tuple[tuple[int, str, bool], ...]

    @property
    def tag(self) -> str:
        """The pool as it appears in result rows: 'pool 12+ 45- ...'."""
        return "pool " + " ".join(f"{i}{'+' if ok else '-'}" for i, _, ok in self.candidates)


def draw(task_id: str, n_samples: int = 100, k: int = POOL_SIZE, seed: int = DRAW_SEED) -> list[int]:
    """The k sample indices drawn for a problem (fixed seed; the same on every machine)."""
    return random.Random(f"{seed}:{task_id}").sample(range(n_samples), k)


def pools(only: Sequence[str] | None = None, workers: int | None = None) -> list[Pool]:
    """The drawn pools (all 164, or the problems in `only`) with execution verdicts (run in
    the sandbox where not cached)."""
    return executed_pools(only, workers)[0]


def executed_pools(only: Sequence[str] | None = None,
                   workers: int | None = None) -> tuple[list[Pool], dict[str, int]]:
    """`pools`, and how many of their programs ran under each sandbox isolation
    (code_exec.isolations: "" for verdicts cached before the isolation was recorded)."""
    from flame.data.files import SourceFiles
    from flame.data.sources import human_eval

    from .. import code_exec

    problems = {e.inputs["task_id"]: e.inputs["prompt"] for e in
                human_eval.SOURCE.examples(SourceFiles(human_eval.SOURCE))}
    cands = code_exec.codet_candidates()
    by_task: dict[str, dict[int, code_exec.Candidate]] = defaultdict(dict)
    for c in cands:
        by_task[c.task_id][c.index] = c
    chosen = {t: [by_task[t][i] for i in draw(t, len(by_task[t]))] for t in by_task if only is None or t in only}
    cache = code_exec.ExecCache(code_exec.default_cache())
    try:
        verdicts = code_exec.execute([c for cs in chosen.values() for c in cs], cache, workers)
    finally:
        cache.close()
    out = []
    for t, cs in chosen.items():
        missing = [c.index for c in cs if (t, c.index) not in verdicts]
        if missing:
            raise FlameError(f"{t}: the sandbox could not run samples {missing}; rerun to retry")
        out.append(Pool(t, problems[t], tuple((c.index, c.program, verdicts[(t, c.index)].passed) for c in cs)))
    used = {(t, c.index): verdicts[(t, c.index)] for t, cs in chosen.items() for c in cs}
    return out, code_exec.isolations(used)


def isolation_note(counts: Mapping[str, int]) -> str:
    """The results manifest's note of the isolation the candidate programs ran under."""
    parts = [f"{name or 'not recorded (cached before flame recorded it)'} {n:,}" for name, n in counts.items()]
    return "candidate programs executed in the sandbox under: " + ", ".join(parts)


def pair_items(pool: Pool) -> list[Item]:
    """The 45 tournament items of a pool (A = the earlier-drawn candidate)."""
    items = []
    for x, y in round_robin(len(pool.candidates)):
        (i, prog_i, ok_i), (j, prog_j, ok_j) = pool.candidates[x], pool.candidates[y]
        targets = {CHOICE: "A" if ok_i else "B"} if ok_i != ok_j else {}
        ex = Example(PAIRWISE_TASK.name, {"problem": pool.problem, RESPONSE_A: prog_i, RESPONSE_B: prog_j},
                     targets, Provenance(SOURCE, "tournament", f"{pool.task_id}#{i}-vs-#{j} {pool.tag}"))
        items.append(Item(GENERATOR, PAIRWISE_TASK, ex, group=pool.task_id))
    return items


def pointwise_items(pool: Pool) -> list[Item]:
    """One item per candidate of a pool."""
    return [Item(GENERATOR, POINTWISE_TASK,
                 Example(POINTWISE_TASK.name, {"problem": pool.problem, "program": prog},
                         {CORRECT: "Yes" if ok else "No"},
                         Provenance(SOURCE, "pointwise", f"{pool.task_id}#{i} {pool.tag}")), group=pool.task_id)
            for i, prog, ok in pool.candidates]


def load_pairwise() -> Loaded:
    """All 164 x 45 tournament items."""
    ps, isolation = executed_pools()
    return Loaded([it for p in ps for it in pair_items(p)], f"{MIRROR}:{SOURCE}+human_eval+sandbox",
                  notes=[isolation_note(isolation)])


def load_pointwise() -> Loaded:
    """All 164 x 10 pointwise items."""
    ps, isolation = executed_pools()
    return Loaded([it for p in ps for it in pointwise_items(p)], f"{MIRROR}:{SOURCE}+human_eval+sandbox",
                  notes=[isolation_note(isolation)])


# -- ranking and pass@1 over result rows --------------------------------------------------

def _pool(tag: str) -> dict[int, bool]:
    return {int(t[:-1]): t[-1] == "+" for t in tag.split()}


def pick_pass(top: Sequence[int], passed: Mapping[int, bool]) -> float:
    """Expected pass of a random pick among the top-ranked candidates."""
    return sum(passed[c] for c in top) / len(top)


def _table(none: float | None, judge: float | None, oracle: float | None, label: str) -> list[dict[str, Any]]:
    rows = [{"ranker": "None (no reranking)", GENERATOR: none}, {"ranker": label, GENERATOR: judge},
            {"ranker": "Oracle", GENERATOR: oracle}]
    return rows + [{"ranker": f"{k} (paper)", GENERATOR: v / 100} for k, v in PAPER_TABLE5.items()]


def _summary(pool_of: Mapping[str, dict[int, bool]], picks: Mapping[str, list[int]], coverage: Mapping[str, float],
             judgments: int, label: str) -> Aggregate:
    judge = {t: pick_pass(top, pool_of[t]) for t, top in picks.items()}
    none = mean(mean(p.values()) for p in pool_of.values())
    oracle = mean(float(any(p.values())) for p in pool_of.values())
    judged_none = mean(mean(pool_of[t].values()) for t in judge)
    judged_oracle = mean(float(any(pool_of[t].values())) for t in judge)
    full = len(judge) == len(pool_of) and all(v == 1.0 for v in coverage.values())
    pass_judge = mean(judge.values())
    notes = [] if full else [
        (f"partial: {len(judge)} of {len(pool_of)} problems judged, mean share of their items judged "
        f"{mean(coverage.values()):.2f}; on those problems None = {judged_none:.4f}, Oracle = {judged_oracle:.4f}")]
    return {
        "headline": {"judge": pass_judge, "none": none, "oracle": oracle, "gain": (pass_judge - judged_none)
                     if pass_judge is not None else None},
        "partial": [] if full else ["judge"],
        "categories": {"None": none, label: pass_judge, "Oracle": oracle},
        "tables": {
            "table5": _table(none, pass_judge, oracle, label),
            "problems": [{"task_id": t, "judge": v, "none": mean(pool_of[t].values()),
                          "oracle": float(any(pool_of[t].values())), "coverage": coverage[t], "picked": picks[t]}
                         for t, v in judge.items()],
            "cost": [{"problems": len(judge), "judgments": judgments,
                      "judgments_per_problem": judgments / len(judge) if judge else None}],
        },
        "missing": [],
        "notes": notes,
    }


def aggregate_tournament(rows: Sequence[Mapping[str, Any]]) -> Aggregate:
    """Table 5 for the pairwise tournament (see the module docstring)."""
    pool_of: dict[str, dict[int, bool]] = {}
    games: dict[str, list] = defaultdict(list)
    judgments = 0
    for r in rows:
        m = _PAIR.fullmatch(str(r["row"]))
        if not m:
            raise ValueError(f"not a code-rerank pair row: {r['row']!r}")
        t, i, j = m.group(1), int(m.group(2)), int(m.group(3))
        pool_of[t] = _pool(m.group(4))
        labels, probs = pair_games(r.get("order_labels"), r.get("order_probs"), r.get("verdict"), r.get("probs"))
        games[t].append((i, j, labels, probs))
        judgments += max(len(labels), 1)
    picks = {t: tournament(g, list(pool_of[t])) for t, g in games.items()}
    n_pairs = {t: len(p) * (len(p) - 1) // 2 for t, p in pool_of.items()}
    coverage = {t: len(g) / n_pairs[t] for t, g in games.items()}
    return _summary(pool_of, picks, coverage, judgments, "this judge (pairwise tournament)")


def aggregate_pointwise(rows: Sequence[Mapping[str, Any]]) -> Aggregate:
    """Table 5 for the pointwise variant: the candidate with the highest P(Yes) is picked."""
    pool_of: dict[str, dict[int, bool]] = {}
    scores: dict[str, dict[int, float | None]] = defaultdict(dict)
    for r in rows:
        m = _ONE.fullmatch(str(r["row"]))
        if not m:
            raise ValueError(f"not a code-rerank pointwise row: {r['row']!r}")
        t, i = m.group(1), int(m.group(2))
        pool_of[t] = _pool(m.group(3))
        scores[t][i] = (r.get("probs") or {}).get("Yes") if r.get("valid", True) else None
    picks = {t: top_by_score({c: s.get(c) for c in pool_of[t]}) for t, s in scores.items()}
    coverage = {t: len(s) / len(pool_of[t]) for t, s in scores.items()}
    return _summary(pool_of, picks, coverage, len(rows), "this judge (pointwise P(Yes))")


BENCHMARK = Benchmark(
    name=NAME,
    title="HumanEval best-of-10 reranking, pairwise tournament (Table 5)",
    loaders={MIRROR: load_pairwise},
    aggregate=aggregate_tournament,
    protocol=(f"code-rerank: CodeT {GENERATOR} samples, {POOL_SIZE} per problem (seed {DRAW_SEED}); round-robin "
              "of the 45 pairs in both orders, score = games won, ties by summed win probability, remaining "
              "ties shared; pass@1 by sandboxed HumanEval tests; None = expected pass of a random pick"),
    metric="pass@1",
    unit="problem",
    generic_references=False,
)
POINTWISE_BENCHMARK = Benchmark(
    name=POINTWISE_NAME,
    title="HumanEval best-of-10 reranking, pointwise P(correct)",
    loaders={MIRROR: load_pointwise},
    aggregate=aggregate_pointwise,
    protocol=("code-rerank-pointwise: the same pools; one Yes/No judgment per candidate, pick = highest "
              "P(Yes), ties shared; pass@1 by sandboxed HumanEval tests"),
    metric="pass@1",
    unit="problem",
    generic_references=False,
)
