"""An empty candidate response is judged, not refused: LLMEval^2 (public, in the mirror) has
one (row 169's output_2 is only whitespace), judged end to end by `flame eval file` and
`flame judge file`; bad rows still fail clearly, or are skipped and listed with --skip-invalid."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from flame.cli.main import app
from flame.judge.models import BACKENDS
from flame.testing import FakeBackend, hash_score

runner = CliRunner()
EMPTY_ROW = 169  # LLMEval^2's row whose output_2 is whitespace only
ROWS = range(160, 176)


@pytest.fixture(autouse=True)
def hash_backend():
    BACKENDS.register("hashjudge", lambda spec, **options: FakeBackend(hash_score, fingerprint="hash:1"))
    yield
    BACKENDS.unregister("hashjudge")


@pytest.fixture
def llmeval2(mirror, tmp_path):
    """Rows 160-175 of LLMEval^2 in `flame eval file`'s pairwise layout (label 1 = output_1 = A)."""
    data = json.loads((mirror / "llmbar" / "Processed" / "LLMEval2" / "dataset.json").read_text())
    assert not data[EMPTY_ROW]["output_2"].strip()  # the public file's empty response
    path = tmp_path / "llmeval2.jsonl"
    path.write_text("".join(json.dumps({"id": f"llmeval2-{i}", "prompt": data[i]["input"],
                                        "response_a": data[i]["output_1"], "response_b": data[i]["output_2"],
                                        "label": "A" if data[i]["label"] == 1 else "B"}) + "\n" for i in ROWS))
    return path


def _eval_file(path, out, *extra):
    return runner.invoke(app, ["eval", "file", str(path), "--task", "pairwise", "--model", "hashjudge:x",
                               "--out", str(out), "--no-progress", "--no-cache", *extra])


def test_eval_file_judges_the_empty_response(llmeval2, tmp_path):
    result = _eval_file(llmeval2, tmp_path / "results.json")
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "results.json").read_text())
    rows = {r["row"]: r for r in doc["rows"]}
    assert len(rows) == len(ROWS)
    empty = rows[f"llmeval2-{EMPTY_ROW}"]
    assert empty["valid"] and empty["verdict"] in ("A", "B") and empty["len_b"] == 0 and empty["target"] == "A"
    assert doc["manifest"]["skipped_rows"] == {} and doc["benchmarks"]["file:llmeval2.jsonl"]["dropped"] == {}


def test_judge_file_judges_the_empty_response_and_refuses_an_empty_prompt(llmeval2, tmp_path):
    out = tmp_path / "judged.jsonl"
    ok = runner.invoke(app, ["judge", "file", str(llmeval2), "--task", "pairwise", "--model", "hashjudge:x",
                             "--out", str(out), "--no-cache"])
    assert ok.exit_code == 0, ok.output
    judged = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert len(judged) == len(ROWS) and judged[f"llmeval2-{EMPTY_ROW}"]["valid"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text(llmeval2.read_text() + json.dumps({"prompt": "  ", "response_a": "a", "response_b": "b"}) + "\n")
    refused = runner.invoke(app, ["judge", "file", str(bad), "--task", "pairwise", "--model", "hashjudge:x",
                                  "--out", str(tmp_path / "o.jsonl")])
    assert refused.exit_code == 1 and "line 17: field 'prompt': empty text" in " ".join(refused.output.split())


BAD_ROWS = [
    ({"prompt": "p", "response_b": "b", "label": "A"}, "response_a", "missing"),
    ({"prompt": 3, "response_a": "a", "response_b": "b", "label": "A"}, "prompt", "must be a string, got int"),
    ({"prompt": " ", "response_a": "a", "response_b": "b", "label": "B"}, "prompt", "empty text"),
    ({"prompt": "p", "response_a": "a", "response_b": "b", "label": "C"}, "label", "'C' is not one of A, B"),
    ({"prompt": "p", "response_a": "a", "response_b": "b"}, "label", "missing"),
]


def test_bad_rows_stop_the_run_or_are_skipped_and_listed_with_their_reasons(llmeval2, tmp_path):
    path = tmp_path / "mixed.jsonl"
    lines = llmeval2.read_text().splitlines()
    path.write_text("\n".join(lines[:3] + [json.dumps(r) for r, _, _ in BAD_ROWS] + ["{not json"] + lines[3:]) + "\n")

    stopped = _eval_file(path, tmp_path / "stopped.json")
    assert stopped.exit_code == 1 and "row 4: field 'response_a': missing" in " ".join(stopped.output.split())
    assert not (tmp_path / "stopped.json").exists()

    result = _eval_file(path, tmp_path / "results.json", "--skip-invalid")
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "results.json").read_text())
    skipped = doc["manifest"]["skipped_rows"]["file:mixed.jsonl"]
    assert sorted((s["row"], s["field"]) for s in skipped) == [(4, "response_a"), (5, "prompt"), (6, "prompt"),
                                                               (7, "label"), (8, "label"), (9, None)]
    reasons = {(s["field"], s["reason"]) for s in skipped}
    assert {(f, r) for _, f, r in BAD_ROWS} | {(None, "not valid JSON (Expecting property name enclosed in "
                                                     "double quotes)")} == reasons
    assert len(doc["rows"]) == len(ROWS)  # every good row judged, the empty response among them
    assert sum(doc["benchmarks"]["file:mixed.jsonl"]["dropped"].values()) == 6
    assert "skipped (file:mixed.jsonl): 6 invalid row(s)" in " ".join(result.output.split())
