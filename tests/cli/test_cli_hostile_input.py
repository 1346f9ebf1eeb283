"""Careless and hostile input to the JSONL commands, from a user's seat (issue 18, items 3-5):
a resume checks what it resumes, lines and rows count from 1, and bad bytes, deep nesting
and bad paths get a message naming the file and line, never a traceback.

The judge is a fake backend that prefers response A, and fails (a BackendError) on any
prompt holding a word in FAILING, as a model server that went away would."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from flame.cli.main import app
from flame.judge.backends.base import BackendError
from flame.judge.models import BACKENDS

runner = CliRunner()
FAILING: set[str] = set()


class FlakyJudge:
    """Log-likelihood -0.1 for "A" (or "Yes"), -2 for anything else; raises on FAILING words."""

    def __init__(self, version: str) -> None:
        self.fingerprint = f"flaky:{version}"

    def prepare(self, prompt: str) -> str:
        return prompt

    def score(self, requests):
        for r in requests:
            if any(word in r.context for word in FAILING):
                raise BackendError("the model server went away")
        return [-0.1 if r.continuation in ("A", "Yes") else -2.0 for r in requests]

    def generate(self, requests):
        raise AssertionError("judged by likelihood")


@pytest.fixture(autouse=True)
def flaky_backend():
    BACKENDS.register("flaky", lambda spec, **options: FlakyJudge(spec.path))
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
