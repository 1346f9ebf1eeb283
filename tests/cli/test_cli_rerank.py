"""`flame rerank` from a user's seat: on HumanEval's CodeGen-16B samples it picks what the
code-rerank benchmark picks for the same judge; it resumes after a kill and reports bad lines.

The judge is flame.testing's FakeBackend with a rule whose verdicts depend only on the
candidates' text (and, in a pair, on which one is shown first), so that the benchmark's
code-specific prompts and `flame rerank`'s own prompts get the same answers: any difference
in picks is then a difference in how the two rank, which is what this checks."""

from __future__ import annotations

import hashlib
import json
import math
import re

import pytest
from typer.testing import CliRunner

from flame.cli.main import app
from flame.evals.benchmarks import code_rerank as cr
from flame.evals.runner import Prepared, RunOptions, judge_all
from flame.judge.models import BACKENDS
from flame.testing import FakeBackend

runner = CliRunner()
PROBLEMS = ["HumanEval/0", "HumanEval/2", "HumanEval/5"]
_PAIR = re.compile(r"\nresponse_a: (?P<a>.*)\nresponse_b: (?P<b>.*)\nEVALUATION:\n", re.S)
_ONE = re.compile(r"\n(?:program|response): (?P<p>.*)\nEVALUATION:\n", re.S)
FIRST_SHOWN_BONUS = 0.15  # a position bias: close pairs split their two games


def quality(text: str) -> float:
    """A stable pseudo-random quality in (0, 1) of a candidate's text."""
    return (int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) + 1) / (2**32 + 2)


def content_rule(context: str, continuation: str) -> float:
    """Pairs: log-likelihood of A = quality(A) + FIRST_SHOWN_BONUS, of B = quality(B).
    Single programs or responses: P(Yes) = quality."""
    if (m := _PAIR.search(context)) is not None:
        return {"A": quality(m["a"]) + FIRST_SHOWN_BONUS, "B": quality(m["b"])}[continuation]
    q = quality(_ONE.search(context)["p"])
    return math.log(q if continuation == "Yes" else 1 - q)


def content_judge() -> FakeBackend:
    """The fake judge whose verdicts depend only on the candidates' text (content_rule)."""
    return FakeBackend(content_rule, fingerprint="content:1")


@pytest.fixture(autouse=True)
def content_backend():
    BACKENDS.register("content", lambda spec, **options: content_judge())
    yield
    BACKENDS.unregister("content")


@pytest.fixture(scope="module")
def pools(mirror, tmp_path_factory):
    """The drawn pools of PROBLEMS, their samples run in the sandbox (a throwaway cache)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FLAME_MIRROR", str(mirror))
        mp.setenv("FLAME_HOME", str(tmp_path_factory.mktemp("flame_home")))
        return cr.pools(only=PROBLEMS)


def _rerank_file(tmp_path, pools):
    path = tmp_path / "humaneval.jsonl"
    path.write_text("".join(json.dumps({"id": p.task_id, "prompt": p.problem,
                                        "candidates": [prog for _, prog, _ in p.candidates]}) + "\n" for p in pools))
    return path


def _lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def _picked_samples(pools, out):
    by_id = {p.task_id: p for p in pools}
    return {r["id"]: [by_id[r["id"]].candidates[k][0] for k in r["top"]] for r in _lines(out)}


def test_the_tournament_picks_what_the_code_rerank_benchmark_picks(tmp_path, pools):
    items = [it for p in pools for it in cr.pair_items(p)]
    rows = judge_all([Prepared(cr.BENCHMARK, None, items)], content_judge(), RunOptions(batch_size=16))[cr.NAME]
    assert any(r["orders_agree"] is False for r in rows)  # split games: the tie-break by probability is used
    benchmark = {p["task_id"]: p["picked"] for p in cr.aggregate_tournament(rows)["tables"]["problems"]}

    out = tmp_path / "picks.jsonl"
    result = runner.invoke(app, ["rerank", str(_rerank_file(tmp_path, pools)), "--out", str(out),
                                 "--model", "content:x", "--no-cache"])
    assert result.exit_code == 0, result.output
    assert _picked_samples(pools, out) == benchmark
    for line, pool in zip(_lines(out), pools):
        assert line["method"] == "tournament" and line["judged"] == 45 and sum(line["wins"]) == 90
        assert line["best"] == line["top"][0] and line["best_text"] == pool.candidates[line["best"]][1]
        assert len(line["scores"]) == 10 and line["invalid"] == 0 and line["model"] == "content:1"


def test_pointwise_with_a_question_picks_what_code_rerank_pointwise_picks(tmp_path, pools):
    items = [it for p in pools for it in cr.pointwise_items(p)]
    rows = judge_all([Prepared(cr.POINTWISE_BENCHMARK, None, items)], content_judge(),
                     RunOptions(batch_size=16))[cr.POINTWISE_NAME]
    benchmark = {p["task_id"]: p["picked"] for p in cr.aggregate_pointwise(rows)["tables"]["problems"]}

    out = tmp_path / "picks.jsonl"
    result = runner.invoke(app, ["rerank", str(_rerank_file(tmp_path, pools)), "--out", str(out), "--method",
                                 "pointwise", "--question", "Does the program correctly solve the problem?",
                                 "--model", "content:x", "--no-cache"])
    assert result.exit_code == 0, result.output
    assert _picked_samples(pools, out) == benchmark
    for line, pool in zip(_lines(out), pools):
        assert line["wins"] is None and line["judged"] == 10
        assert line["scores"] == pytest.approx([quality(prog) for _, prog, _ in pool.candidates])


def test_a_killed_run_resumes_without_reranking_twice(tmp_path, jsonl_rows):
    src = tmp_path / "in.jsonl"
    src.write_text(jsonl_rows)
    full = tmp_path / "full.jsonl"
    args = ["rerank", str(src), "--model", "content:x", "--no-cache", "--batch-size", "3"]
    assert runner.invoke(app, args + ["--out", str(full)]).exit_code == 0
    complete = _lines(full)
    assert [r["id"] for r in complete] == ["a", "line:2", "7"]
    assert complete[1]["best"] == 0 and complete[1]["judged"] == 0  # one candidate: nothing to judge

    killed = tmp_path / "killed.jsonl"
    lines = full.read_text().splitlines(keepends=True)
    killed.write_text(lines[0] + lines[1][:30])  # killed while writing the second line
    (tmp_path / "killed.jsonl.meta.json").write_bytes((tmp_path / "full.jsonl.meta.json").read_bytes())
    resumed = runner.invoke(app, args + ["--out", str(killed)])
    assert resumed.exit_code == 0, resumed.output
    assert "1 already reranked, 2 to rerank" in resumed.output
    assert _lines(killed) == complete
    again = runner.invoke(app, args + ["--out", str(killed)])
    assert "0 to rerank" in again.output and _lines(killed) == complete


@pytest.fixture
def jsonl_rows():
    return "".join(json.dumps(r) + "\n" for r in [
        {"id": "a", "prompt": "What is 2+2?", "candidates": ["4", "5", "", "four"]},
        {"prompt": "Name a colour.", "candidates": ["blue"]},
        {"id": 7, "prompt": "Say hi.", "candidates": ["hi", "hello"], "criteria": "Prefer the friendlier one."},
    ])


@pytest.mark.parametrize("line, named", [
    ({"prompt": "p"}, "line 2: field 'candidates': missing"),
    ({"prompt": "p", "candidates": "abc"}, "line 2: field 'candidates': must be a non-empty list of strings"),
    ({"prompt": "p", "candidates": []}, "line 2: field 'candidates': must be a non-empty list of strings"),
    ({"prompt": "p", "candidates": ["a", 3]}, "line 2: field 'candidates[1]': must be a string, got int"),
    ({"prompt": " ", "candidates": ["a"]}, "line 2: field 'prompt': empty text"),
    ({"candidates": ["a"]}, "line 2: field 'prompt': missing"),
])
def test_a_bad_line_is_named_and_stops_the_run_unless_skip_bad(tmp_path, line, named):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"prompt": "q", "candidates": ["x", ""]}) + "\n" + json.dumps(line) + "\n")
    out = tmp_path / "out.jsonl"
    stopped = runner.invoke(app, ["rerank", str(src), "--out", str(out), "--model", "content:x"])
    assert stopped.exit_code == 1 and named in " ".join(stopped.output.split()) and not out.exists()
    skipped = runner.invoke(app, ["rerank", str(src), "--out", str(out), "--model", "content:x", "--skip-bad"])
    assert skipped.exit_code == 0 and "1 bad" in skipped.output
    assert [r["id"] for r in _lines(out)] == ["line:1"]  # the empty candidate was judged, not refused
    assert _lines(out)[0]["judged"] == 1 and _lines(out)[0]["invalid"] == 0


def test_a_separate_mode_tournament_plays_each_pair_once_and_picks_what_the_benchmark_picks(tmp_path, pools):
    items = [it for p in pools for it in cr.pair_items(p)]
    rows = judge_all([Prepared(cr.BENCHMARK, None, items)], content_judge(),
                     RunOptions(batch_size=16, pairwise="separate"))[cr.NAME]
    benchmark = {p["task_id"]: p["picked"] for p in cr.aggregate_tournament(rows)["tables"]["problems"]}
    picks = {}
    for method in ("tournament", "pointwise"):
        out = tmp_path / f"{method}.jsonl"
        ran = runner.invoke(app, ["rerank", str(_rerank_file(tmp_path, pools)), "--out", str(out),
                                  "--model", "content:x", "--no-cache", "--pairwise", "separate", "--method", method])
        assert ran.exit_code == 0, ran.output
        picks[method] = _picked_samples(pools, out)
    tournament = _lines(tmp_path / "tournament.jsonl")
    assert [(line["judged"], sum(line["wins"])) for line in tournament] == [(45, 45)] * len(pools)  # one game a pair
    assert picks["tournament"] == benchmark == picks["pointwise"]  # games won rank by each response's own score
