"""HumanEval best-of-10 reranking: drawn pools, tournament ranking, pass@1 rows of Table 5."""

from __future__ import annotations

import re

import pytest

from flame.evals.benchmarks import code_rerank as cr
from flame.evals.runner import Prepared, RunOptions, judge_all
from flame.judge.rerank import top_by_score, tournament
from flame.testing import FakeBackend

_FIELDS = re.compile(r"\nresponse_a: (?P<a>.*)\nresponse_b: (?P<b>.*)\nEVALUATION:", re.S)
_PROGRAM = re.compile(r"\nprogram: (?P<p>.*)\nEVALUATION:", re.S)


def scripted(good: set[str] | None = None, always: str | None = None) -> FakeBackend:
    """A fake judge that answers by a rule on the candidate programs (never a real model): in a
    pair, `always` or else A unless only B is in `good`; a program alone, Yes when in `good`."""
    good = good or set()

    def rule(context: str, continuation: str) -> float:
        if (m := _FIELDS.search(context)) is not None:
            pick = always or ("A" if m.group("a") in good or m.group("b") not in good else "B")
        else:
            pick = "Yes" if _PROGRAM.search(context).group("p") in good else "No"
        return 0.0 if continuation == pick else -3.0

    return FakeBackend(rule, fingerprint="scripted-fake")


def _pool(task_id: str, passes: list[bool]) -> cr.Pool:
    cands = tuple((10 + k, f"def f():\n    return {k}  # {task_id} candidate {k}", ok) for k, ok in enumerate(passes))
    return cr.Pool(task_id, "def f():\n    \"\"\"Return the answer.\"\"\"", cands)


POOLS = [_pool("HumanEval/1", [False, True, False, False, True, False, False, False, False, False]),
         _pool("HumanEval/2", [False] * 10),
         _pool("HumanEval/3", [True] * 3 + [False] * 7)]


def _run(items, backend, bench=cr.BENCHMARK):
    return judge_all([Prepared(bench, None, items)], backend, RunOptions(batch_size=16))[bench.name]


def test_the_draw_is_ten_distinct_samples_fixed_per_problem():
    a = cr.draw("HumanEval/7")
    assert len(set(a)) == 10 and all(0 <= i < 100 for i in a)
    assert cr.draw("HumanEval/7") == a and cr.draw("HumanEval/8") != a
    assert cr.draw("HumanEval/7", seed=1) != a


def test_pools_from_real_samples_and_sandboxed_tests(mirror, monkeypatch):
    monkeypatch.setenv("FLAME_MIRROR", str(mirror))
    from flame.evals.sandbox import choose_isolation

    ps, isolation = cr.executed_pools(only=["HumanEval/0", "HumanEval/2"])
    assert [p.task_id for p in ps] == ["HumanEval/0", "HumanEval/2"]
    real = choose_isolation("auto")
    assert isolation == {real: 20}  # every program ran under the one real isolation chosen
    assert cr.isolation_note(isolation) == f"candidate programs executed in the sandbox under: {real} 20"
    assert cr.isolation_note({"": 3}).endswith("not recorded (cached before flame recorded it) 3")
    for p in ps:
        assert [i for i, _, _ in p.candidates] == cr.draw(p.task_id)
        assert "Examples" in p.problem or ">>>" in p.problem  # the judge sees HumanEval's own prompt
    assert 0 < sum(ok for p in ps for _, _, ok in p.candidates) < 20  # CodeGen-16B solves some, not all
    items = cr.pair_items(ps[0])
    assert len(items) == 45 and len({(it.example.inputs["response_a"], it.example.inputs["response_b"])
                                     for it in items}) == 45
    for it in items:
        m = re.fullmatch(r"HumanEval/0#(\d+)-vs-#(\d+) (pool .*)", str(it.example.provenance.row))
        assert m and m.group(3) == ps[0].tag
        ok = {i: passed for i, _, passed in ps[0].candidates}
        i, j = int(m.group(1)), int(m.group(2))
        assert it.example.targets == ({"choice": "A" if ok[i] else "B"} if ok[i] != ok[j] else {})


def test_tournament_counts_games_and_breaks_ties_by_summed_probability():
    # 3 candidates, one pair judged in both orders each
    sure = {"AB": {"A": 0.9, "B": 0.1}, "BA": {"A": 0.8, "B": 0.2}}
    games = [(1, 2, {"AB": "A", "BA": "A"}, sure),  # 1 beats 2 twice
             (2, 3, {"AB": "A", "BA": "B"}, {"AB": {"A": 0.6, "B": 0.4}, "BA": {"A": 0.3, "B": 0.7}}),  # split
             (1, 3, {"AB": "B", "BA": "B"}, {"AB": {"A": 0.4, "B": 0.6}, "BA": {"A": 0.45, "B": 0.55}})]  # 3 twice
    # wins: 1 -> 2, 2 -> 1, 3 -> 3; 3 wins outright
    assert tournament(games, [1, 2, 3]) == [3]
    tied = [(1, 2, {"AB": "A", "BA": "B"}, {"AB": {"A": 0.7, "B": 0.3}, "BA": {"A": 0.6, "B": 0.4}})]
    # one game each; summed win probability 1: 0.7 + 0.6, 2: 0.3 + 0.4
    assert tournament(tied, [1, 2]) == [1]
    even = [(1, 2, {"AB": "A", "BA": "B"}, {"AB": {"A": 0.5, "B": 0.5}, "BA": {"A": 0.5, "B": 0.5}})]
    assert tournament(even, [1, 2]) == [1, 2]  # still tied: shared
    assert cr.pick_pass([1, 2], {1: True, 2: False}) == 0.5


def test_pass_at_1_rows_none_judge_and_oracle():
    good = {prog for p in POOLS for _, prog, ok in p.candidates if ok}
    items = [it for p in POOLS for it in cr.pair_items(p)]
    agg = cr.aggregate_tournament(_run(items, scripted(good)))
    none = (2 / 10 + 0 + 3 / 10) / 3
    assert agg["headline"]["none"] == pytest.approx(none)
    assert agg["headline"]["oracle"] == pytest.approx(2 / 3)
    assert agg["headline"]["judge"] == pytest.approx(2 / 3)  # a judge that knows the tests is the oracle
    table = {r["ranker"]: r["CodeGen-16B"] for r in agg["tables"]["table5"]}
    assert table["None (no reranking)"] == pytest.approx(none) and table["Oracle (paper)"] == pytest.approx(0.469)
    assert agg["tables"]["cost"][0]["judgments_per_problem"] == 90 and agg["partial"] == []


def test_a_judge_that_always_answers_A_gains_nothing():
    items = [it for p in POOLS for it in cr.pair_items(p)]
    agg = cr.aggregate_tournament(_run(items, scripted(always="A")))
    # every candidate wins one game of each pair with the same probability: all tied, shared pick
    assert agg["headline"]["judge"] == pytest.approx(agg["headline"]["none"]) and agg["headline"]["gain"] == 0


def test_partial_tournaments_are_ranked_and_reported():
    items = [it for p in POOLS for it in cr.pair_items(p)][:45 + 9]  # all of problem 1, 9 pairs of problem 2
    good = {prog for p in POOLS for _, prog, ok in p.candidates if ok}
    agg = cr.aggregate_tournament(_run(items, scripted(good)))
    assert agg["partial"] == ["judge"] and agg["notes"][0].startswith("partial: 2 of 2 problems judged")
    assert agg["headline"]["oracle"] == pytest.approx(1 / 2)  # over the pools the rows carry
    assert {r["task_id"]: r["coverage"] for r in agg["tables"]["problems"]} == {"HumanEval/1": 1.0, "HumanEval/2": 0.2}


def test_pointwise_variant_ranks_by_probability_of_yes():
    good = {prog for p in POOLS for _, prog, ok in p.candidates if ok}
    items = [it for p in POOLS for it in cr.pointwise_items(p)]
    rows = _run(items, scripted(good), cr.POINTWISE_BENCHMARK)
    agg = cr.aggregate_pointwise(rows)
    assert agg["headline"]["judge"] == pytest.approx(2 / 3)
    assert agg["tables"]["cost"][0]["judgments_per_problem"] == 10
    assert top_by_score({1: 0.2, 2: 0.9, 3: 0.9, 4: None}) == [2, 3]


def test_limit_draws_whole_problems_and_their_full_tournaments():
    from flame.evals.runner import select

    items = [it for p in POOLS for it in cr.pair_items(p)]
    picked, how = select(cr.BENCHMARK, items, RunOptions(limit=2, seed=0))
    problems = {it.group for it in picked}
    assert len(problems) == 2 and len(picked) == 2 * 45  # every game of the two drawn problems
    assert how["mode"] == "limit 2 problems per subset"
    good = {prog for p in POOLS for _, prog, ok in p.candidates if ok}
    agg = cr.aggregate_tournament(_run(picked, scripted(good)))
    assert agg["partial"] == [] and agg["notes"] == []  # whole tournaments: nothing partial
    assert all(r["coverage"] == 1.0 for r in agg["tables"]["problems"])
    points = [it for p in POOLS for it in cr.pointwise_items(p)]
    assert len(select(cr.POINTWISE_BENCHMARK, points, RunOptions(limit=1))[0]) == 10


def test_markdown_comparison_prints_table_5_and_no_generic_random_column():
    from flame.evals.compare import comparison

    good = {prog for p in POOLS for _, prog, ok in p.candidates if ok}
    rows = _run([it for p in POOLS for it in cr.pointwise_items(p)], scripted(good), cr.POINTWISE_BENCHMARK)
    summary = {"title": cr.POINTWISE_BENCHMARK.title, "judged": len(rows), "loaded": len(rows),
               "selection": {"mode": "all"}, "aggregates": cr.aggregate_pointwise(rows)}
    lines = comparison([("scripted", {"benchmarks": {"code-rerank-pointwise": summary}, "rows": rows})])
    # a random verdict would not move P(Yes): the generic random column would just repeat the judge
    assert "| | scripted |" in lines and not any("random (expected)" in line for line in lines)
    table = lines[lines.index("**scripted**, in the layout of the paper's Table 5 (%):"):]
    assert table[2] == "| ranker | CodeGen-16B |"
    assert "| this judge (pointwise P(Yes)) | 66.7 |" in table
    assert "| Oracle | 66.7 |" in table and "| FLAMe-24B (paper) | 31.1 |" in table


_ALONE = re.compile(r"\nresponse: (?P<p>.*)\nEVALUATION:", re.S)


def scripted_alone(good: set[str]) -> FakeBackend:
    """Scores each program alone (pairwise="separate"): Yes for a passing one."""

    def rule(context: str, continuation: str) -> float:
        return 0.0 if continuation == ("Yes" if _ALONE.search(context).group("p") in good else "No") else -3.0

    return FakeBackend(rule, fingerprint="scripted-fake")


def test_a_judge_of_each_program_alone_plays_every_pair_once():
    """In separate mode a pair is one game, P(A) = sigmoid(s_A - s_B): the wins rank the programs
    by their own scores, so a judge that knows which pass picks a passing one where there is one."""
    good = {prog for p in POOLS for _, prog, ok in p.candidates if ok}
    items = [it for p in POOLS for it in cr.pair_items(p)]
    rows = judge_all([Prepared(cr.BENCHMARK, None, items)], scripted_alone(good),
                     RunOptions(batch_size=16, pairwise="separate"))[cr.BENCHMARK.name]
    assert all(not r["order_labels"] for r in rows)
    agg = cr.aggregate_tournament(rows)
    assert agg["headline"]["judge"] == pytest.approx(2 / 3) and agg["partial"] == []
    assert agg["tables"]["cost"][0]["judgments_per_problem"] == 45
