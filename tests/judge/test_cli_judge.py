"""`flame judge ...` through Typer's CliRunner, on the tiny model and real LLMBar items."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from flame.cli.judge import app

pytest.importorskip("torch")
runner = CliRunner()


def _rows(llmbar, n):
    _, examples = llmbar(n)
    return [{"id": f"item-{i}", "prompt": ex.inputs["instruction"], "response_a": ex.inputs["response_a"],
             "response_b": ex.inputs["response_b"]} for i, ex in enumerate(examples)]


def _out_lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_pairwise_prints_the_verdict_and_both_order_probabilities(tiny_model_dir):
    args = ["pairwise", "--prompt", "What is 2+2?", "--a", "4", "--b", "5", "--model", str(tiny_model_dir)]
    text = runner.invoke(app, args)
    assert text.exit_code == 0, text.output
    assert "Verdict:" in text.output and "order AB" in text.output and "order BA" in text.output
    as_json = runner.invoke(app, args + ["--format", "json"])
    j = json.loads(as_json.stdout)
    assert j["valid"] and j["label"] in ("A", "B") and set(j["order_probs"]) == {"AB", "BA"}
    assert f"Verdict: {j['label']}" in text.output
    one = json.loads(runner.invoke(app, args + ["--format", "json", "--no-swap"]).stdout)
    assert list(one["order_probs"]) == [one["first_order"]] and one["orders_agree"] is None


def test_pointwise_and_classify(tiny_model_dir):
    p = runner.invoke(app, ["pointwise", "--prompt", "Say hi", "--response", "Hello!", "--criteria", "friendly?",
                            "--scale", "1-7", "--model", str(tiny_model_dir), "--format", "json"])
    j = json.loads(p.stdout)
    assert set(j["probs"]) == {str(k) for k in range(1, 8)} and 1 <= j["expected"] <= 7
    c = runner.invoke(app, ["classify", "--text", "The cat sat.", "--classes", "Yes,No,Unsure",
                            "--question", "Is it about an animal?", "--model", str(tiny_model_dir), "--format", "json"])
    assert json.loads(c.stdout)["label"] in ("Yes", "No", "Unsure")
    bad = runner.invoke(app, ["pointwise", "--prompt", "x", "--response", "y", "--scale", "5-1"])
    assert bad.exit_code != 0 and "LOW < HIGH" in bad.output


def test_file_resumes_after_a_kill_without_judging_twice(tmp_path, tiny_model_dir, llmbar, jsonl):
    src = jsonl(tmp_path / "in.jsonl", _rows(llmbar, 5))
    full = tmp_path / "full.jsonl"
    args = ["file", str(src), "--task", "pairwise", "--model", str(tiny_model_dir), "--no-cache", "--batch-size", "2"]
    assert runner.invoke(app, args + ["--out", str(full)]).exit_code == 0
    complete = _out_lines(full)
    assert [r["id"] for r in complete] == [f"item-{i}" for i in range(5)] and all(r["valid"] for r in complete)

    # A run killed while writing its third line: two whole lines and a torn one.
    killed = tmp_path / "killed.jsonl"
    lines = full.read_text().splitlines(keepends=True)
    killed.write_text(lines[0] + lines[1] + lines[2][:40])
    (tmp_path / "killed.jsonl.meta.json").write_bytes((tmp_path / "full.jsonl.meta.json").read_bytes())
    resumed = runner.invoke(app, args + ["--out", str(killed)])
    assert resumed.exit_code == 0, resumed.output
    assert "2 already judged, 3 to judge" in resumed.output
    assert _out_lines(killed) == complete

    again = runner.invoke(app, args + ["--out", str(killed)])
    assert "0 to judge" in again.output and _out_lines(killed) == complete


def test_a_bad_line_stops_the_run_unless_skip_bad(tmp_path, tiny_model_dir, llmbar, jsonl):
    rows = _rows(llmbar, 3)
    del rows[1]["response_b"]
    src = jsonl(tmp_path / "in.jsonl", [rows[0], rows[1], "{not json", rows[2]])
    out = tmp_path / "out.jsonl"
    args = ["file", str(src), "--task", "pairwise", "--out", str(out), "--model", str(tiny_model_dir), "--no-cache"]
    stopped = runner.invoke(app, args)
    assert stopped.exit_code == 1
    assert "line 2" in stopped.output and "response_b" in stopped.output and "--skip-bad" in stopped.output
    assert not out.exists()  # nothing judged before the input is known to be good

    skipped = runner.invoke(app, args + ["--skip-bad"])
    assert skipped.exit_code == 0, skipped.output
    assert "line 2" in skipped.output and "line 3" in skipped.output and "not valid JSON" in skipped.output
    assert [r["id"] for r in _out_lines(out)] == ["item-0", "item-2"]
    assert [r["line"] for r in _out_lines(out)] == [1, 4]


def test_classify_a_text_longer_than_the_context_with_split_long(tiny_model_dir, mirror):
    from flame.data.files import SourceFiles
    from flame.data.sources import SOURCES

    source = SOURCES.get("wice")  # a real WiCE document far longer than the tiny model's 4,096 tokens
    doc = max((ex.inputs["document"] for ex in source.examples(SourceFiles(source, mirror=mirror), task="wice_test")),
              key=len)
    args = ["classify", "--text", doc, "--classes", "Yes,No", "--question", "Does it name a city?",
            "--model", str(tiny_model_dir), "--format", "json", "--no-cache"]
    plain = runner.invoke(app, args)
    assert plain.exit_code == 1 and "tokens" in json.loads(plain.stdout)["error"]
    split = runner.invoke(app, args + ["--split-long", "Yes"])
    j = json.loads(split.stdout)
    assert split.exit_code == 0 and j["valid"] and j["chunks"] >= 2
    wrong = runner.invoke(app, args + ["--split-long", "Maybe"])
    assert wrong.exit_code != 0 and "one of the classes" in wrong.output
