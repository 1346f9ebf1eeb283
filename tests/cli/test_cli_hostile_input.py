"""Careless and hostile input to the JSONL commands, from a user's seat (issue 18, items 3-5):
a resume checks what it resumes, lines and rows count from 1, and bad bytes, deep nesting
and bad paths get a message naming the file and line, never a traceback.

The judge is flame.testing's FakeBackend with a rule that prefers response A, and fails (a
BackendError) on any prompt holding a word in FAILING, as a model server that went away would."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from flame.cli.main import app
from flame.judge.backends.base import BackendError
from flame.judge.models import BACKENDS
from flame.testing import FakeBackend

runner = CliRunner()
FAILING: set[str] = set()


def flaky_rule(context: str, continuation: str) -> float:
    """Log-likelihood -0.1 for "A" (or "Yes"), -2 for anything else; raises on FAILING words."""
    if any(word in context for word in FAILING):
        raise BackendError("the model server went away")
    return -0.1 if continuation in ("A", "Yes") else -2.0


@pytest.fixture(autouse=True)
def flaky_backend():
    BACKENDS.register("flaky", lambda spec, **options: FakeBackend(flaky_rule, fingerprint=f"flaky:{spec.path}"))
    FAILING.clear()
    yield
    FAILING.clear()
    BACKENDS.unregister("flaky")


PAIRS = [{"id": w, "prompt": f"Say {w}.", "response_a": w, "response_b": "no"} for w in ("alpha", "beta", "gamma")]
CANDIDATES = [{"id": w, "prompt": f"Say {w}.", "candidates": [w, "no"]} for w in ("alpha", "beta", "gamma")]


def _write(path, rows):
    path.write_bytes(b"".join((r if isinstance(r, bytes) else json.dumps(r).encode()) + b"\n" for r in rows))
    return path


def _lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def _judge(src, out, *extra, model="flaky:v1"):
    return runner.invoke(app, ["judge", "file", str(src), "--task", "pairwise", "--out", str(out),
                               "--model", model, "--no-cache", *extra])


def _rerank(src, out, *extra, model="flaky:v1"):
    return runner.invoke(app, ["rerank", str(src), "--out", str(out), "--model", model, "--no-cache", *extra])


COMMANDS = {"judge file": (_judge, PAIRS), "rerank": (_rerank, CANDIDATES)}


def _said(result) -> str:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return " ".join(result.output.split())


# -- item 3: resume checks what it resumes ---------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS)
def test_out_equal_to_the_input_is_refused_and_the_input_kept(tmp_path, command):
    run, rows = COMMANDS[command]
    src = _write(tmp_path / "same.jsonl", rows)
    before = src.read_bytes()
    result = run(src, src)
    assert result.exit_code == 2 and "is the input file" in _said(result)
    assert src.read_bytes() == before


@pytest.mark.parametrize("command", COMMANDS)
def test_a_resume_with_another_input_model_or_settings_is_refused(tmp_path, command):
    run, rows = COMMANDS[command]
    src, out = _write(tmp_path / "in.jsonl", rows), tmp_path / "out.jsonl"
    assert run(src, out).exit_code == 0
    done = out.read_bytes()

    other_model = run(src, out, model="flaky:v2")
    assert other_model.exit_code == 2 and "model: \"flaky:v1\" then, \"flaky:v2\" now" in _said(other_model)
    other_settings = run(src, out, "--criteria", "Prefer the shorter one.")
    assert other_settings.exit_code == 2 and "settings:" in _said(other_settings)
    _write(src, rows + [dict(rows[0], id="delta")])
    other_input = run(src, out)
    assert other_input.exit_code == 2 and "input file (sha256)" in _said(other_input)
    assert "delete" in _said(other_input) and out.read_bytes() == done  # nothing mixed in

    (tmp_path / "out.jsonl.meta.json").unlink()
    _write(src, rows)
    unknown = run(src, out)
    assert unknown.exit_code == 2 and "out.jsonl.meta.json" in _said(unknown) and out.read_bytes() == done


def test_judgments_that_failed_on_a_backend_error_are_judged_again_on_resume(tmp_path):
    src, out = _write(tmp_path / "in.jsonl", PAIRS), tmp_path / "out.jsonl"
    FAILING.add("beta")
    first = _judge(src, out, "--batch-size", "1")
    assert first.exit_code == 0, first.output
    assert [(r["id"], r["valid"]) for r in _lines(out)] == [("alpha", True), ("beta", False), ("gamma", True)]
    assert "backend error" in _lines(out)[1]["error"]

    FAILING.clear()  # the server is back
    resumed = _judge(src, out)
    assert resumed.exit_code == 0, resumed.output
    assert "2 already judged, 1 to judge (1 failed on a backend error before: judged again)" in _said(resumed)
    assert sorted((r["id"], r["valid"], r["line"]) for r in _lines(out)) == [
        ("alpha", True, 1), ("beta", True, 2), ("gamma", True, 3)]  # one line per id
    assert "0 to judge" in _said(_judge(src, out))


def test_rerank_lines_that_failed_on_a_backend_error_are_reranked_again(tmp_path):
    src, out = _write(tmp_path / "in.jsonl", CANDIDATES), tmp_path / "out.jsonl"
    FAILING.add("gamma")
    assert _rerank(src, out).exit_code == 0
    assert [r["best"] for r in _lines(out)] == [0, 0, None]
    FAILING.clear()
    resumed = _rerank(src, out)
    assert "1 to rerank (1 failed on a backend error before: reranked again)" in _said(resumed)
    assert sorted((r["id"], r["best"]) for r in _lines(out)) == [("alpha", 0), ("beta", 0), ("gamma", 0)]


@pytest.mark.parametrize("command", COMMANDS)
def test_a_run_in_which_every_line_failed_exits_non_zero(tmp_path, command):
    run, rows = COMMANDS[command]
    src = _write(tmp_path / "in.jsonl", rows)
    FAILING.update({"alpha", "beta", "gamma"})
    failed = run(src, tmp_path / "out.jsonl")
    assert failed.exit_code == 1 and "every line failed" in _said(failed)
    FAILING.clear()
    all_bad = run(_write(tmp_path / "bad.jsonl", [b"{not json", b"[1]"]), tmp_path / "o.jsonl", "--skip-bad")
    assert all_bad.exit_code == 1 and "every line failed" in _said(all_bad)


# -- item 4: rows counted from 1 -------------------------------------------------------------


def test_eval_file_counts_rows_from_1_in_errors_and_in_skipped_rows(tmp_path):
    src = _write(tmp_path / "labels.jsonl", [dict(PAIRS[0], label="A"), {"prompt": "p", "response_a": "a", "label": "B"},
                                             dict(PAIRS[2], label="A")])
    args = ["eval", "file", str(src), "--task", "pairwise", "--model", "flaky:v1", "--no-cache", "--no-progress",
            "--out", str(tmp_path / "r.json")]
    stopped = runner.invoke(app, args)
    assert stopped.exit_code == 1 and "labels.jsonl, row 2: field 'response_b': missing" in _said(stopped)
    skipped = runner.invoke(app, args + ["--skip-invalid"])
    assert skipped.exit_code == 0, skipped.output
    doc = json.loads((tmp_path / "r.json").read_text())
    assert [s["row"] for s in doc["manifest"]["skipped_rows"]["file:labels.jsonl"]] == [2]


# -- item 5: no tracebacks for bad bytes, deep nesting or bad paths ---------------------------


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("line, named", [
    (b'{"id": "x", "prompt": "caf\xe9"}', "line 2: not valid UTF-8 (byte 0xe9"),
    (b"[" * 100_000 + b"]" * 100_000, "line 2: JSON nested too deeply"),
])
def test_a_bad_byte_or_deep_nesting_names_the_file_and_line(tmp_path, command, line, named):
    run, rows = COMMANDS[command]
    src, out = _write(tmp_path / "in.jsonl", [rows[0], line, rows[1]]), tmp_path / "out.jsonl"
    stopped = run(src, out)
    assert stopped.exit_code == 1 and f"in.jsonl, {named}" in _said(stopped) and not out.exists()
    skipped = run(src, out, "--skip-bad")
    assert skipped.exit_code == 0 and f"skipped {src}, {named}" in _said(skipped)
    assert [r["id"] for r in _lines(out)] == [rows[0]["id"], rows[1]["id"]]


def test_eval_file_names_the_row_of_a_bad_byte(tmp_path):
    src = _write(tmp_path / "labels.jsonl", [dict(PAIRS[0], label="A"), b'{"prompt": "\xff"}'])
    result = runner.invoke(app, ["eval", "file", str(src), "--task", "pairwise", "--model", "flaky:v1",
                                 "--no-progress", "--out", str(tmp_path / "r.json")])
    assert result.exit_code == 1 and "labels.jsonl, row 2: not valid UTF-8 (byte 0xff" in _said(result)


@pytest.mark.parametrize("command", COMMANDS)
def test_out_pointing_at_a_directory_or_below_a_file_is_named(tmp_path, command):
    run, rows = COMMANDS[command]
    src = _write(tmp_path / "in.jsonl", rows)
    (tmp_path / "results").mkdir()
    into_dir = run(src, tmp_path / "results")
    assert into_dir.exit_code == 2 and "results is a directory" in _said(into_dir)
    below_file = run(src, src.parent / "in.jsonl" / "out.jsonl")
    assert below_file.exit_code == 2 and "in.jsonl is not a directory" in _said(below_file)


@pytest.mark.parametrize("command", COMMANDS)
def test_an_empty_input_writes_an_empty_output_and_says_so(tmp_path, command):
    run, _ = COMMANDS[command]
    src, out = tmp_path / "empty.jsonl", tmp_path / "out.jsonl"
    src.write_text("\n  \n")
    result = run(src, out)
    assert result.exit_code == 0 and "has no lines" in _said(result) and f"wrote an empty {out}" in _said(result)
    assert out.read_text() == ""


def test_data_build_out_naming_a_file_is_refused_with_a_message(tmp_path):
    target = tmp_path / "collection.parquet"
    target.write_text("not a folder")
    result = runner.invoke(app, ["data", "build", "--out", str(target), "--sources", "hh_rlhf"])
    assert result.exit_code == 1 and f"--out {target} is a file, not a directory" in _said(result)
    below = runner.invoke(app, ["data", "build", "--out", str(target / "sub"), "--sources", "hh_rlhf"])
    assert below.exit_code == 1 and f"cannot be made: {target} is a file" in _said(below)
    assert target.read_text() == "not a folder"


@pytest.mark.parametrize("out, named", [
    ("results.json", "results.json is a directory"),
    ("notes.txt", "notes.txt is a file, not a directory"),
    ("notes.txt/r.json", "cannot be written: {tmp}/notes.txt is a file"),
])
def test_eval_file_out_that_cannot_be_written_is_named(tmp_path, out, named):
    (tmp_path / "results.json").mkdir()
    (tmp_path / "notes.txt").write_text("mine")
    src = _write(tmp_path / "labels.jsonl", [dict(PAIRS[0], label="A")])
    result = runner.invoke(app, ["eval", "file", str(src), "--task", "pairwise", "--model", "flaky:v1", "--no-cache",
                                 "--no-progress", "--out", str(tmp_path / out)])
    assert result.exit_code == 1 and named.format(tmp=tmp_path) in _said(result)
