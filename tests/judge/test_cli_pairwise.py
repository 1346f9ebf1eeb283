"""`--pairwise separate` (each response scored on its own) through `flame judge` and
`flame eval run`, and a model's own default from its judge.json, on the tiny model."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from flame.cli.eval import app as eval_app
from flame.cli.judge import app as judge_app

pytest.importorskip("torch")
runner = CliRunner()
PAIR = ["pairwise", "--prompt", "What is 2+2?", "--a", "4", "--b", "I think the answer is definitely five, because reasons"]


@pytest.fixture(scope="module")
def adapter(tmp_path_factory, tiny_model_dir):
    """A LoRA adapter on the tiny model, as `flame train card` publishes one (no judge.json yet)."""
    peft = pytest.importorskip("peft")
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    lora = peft.get_peft_model(base, peft.LoraConfig(r=4, target_modules=["q_proj", "v_proj"], init_lora_weights=False))
    out = tmp_path_factory.mktemp("judge") / "adapter"
    lora.save_pretrained(out)
    return out


def test_judge_pairwise_separate_shows_each_responses_probability(tiny_model_dir):
    args = PAIR + ["--model", str(tiny_model_dir), "--pairwise", "separate"]
    j = json.loads(runner.invoke(judge_app, args + ["--format", "json"]).stdout)
    assert j["valid"] and j["probs"]["A"] + j["probs"]["B"] == pytest.approx(1.0)
    assert j["order_probs"] == {} and j["orders_agree"] is None and j["first_order"] is None
    text = runner.invoke(judge_app, args)
    assert text.exit_code == 0, text.output
    assert f"Verdict: {j['label']}" in text.output
    cells = [line.replace("│", " ").split() for line in text.output.splitlines()]
    assert ["A", f"{j['probs']['A']:.3f}"] in cells and ["B", f"{j['probs']['B']:.3f}"] in cells
    assert f"{j['probs']['A']:.3f}" != f"{j['probs']['B']:.3f}"  # the two rows are told apart
    assert "scored on its own" in text.output
    assert "order AB" not in text.output and "candidate orders" not in text.output  # no orders to report
    ab = runner.invoke(judge_app, PAIR + ["--model", str(tiny_model_dir), "--pairwise", "ab"])
    assert "order AB" in ab.output and "candidate orders" in ab.output


def test_judge_file_separate_reports_no_order_disagreements(tmp_path, tiny_model_dir, jsonl):
    src = jsonl(tmp_path / "in.jsonl", [{"prompt": "2+2?", "response_a": "4", "response_b": "5"},
                                        {"prompt": "Capital of France?", "response_a": "Rome", "response_b": "Paris"}])
    out = tmp_path / "out.jsonl"
    args = ["file", str(src), "--task", "pairwise", "--out", str(out), "--model", str(tiny_model_dir), "--no-cache"]
    result = runner.invoke(judge_app, args + ["--pairwise", "separate"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 2 and all(r["valid"] and r["order_probs"] == {} for r in rows)
    assert "each response scored on its own" in result.output and "disagreeing" not in result.output
    wrong = runner.invoke(judge_app, ["file", str(src), "--task", "pointwise", "--out", str(tmp_path / "p.jsonl"),
                                      "--pairwise", "separate"])
    assert wrong.exit_code == 2 and "--pairwise applies to --task pairwise" in wrong.output
    bogus = runner.invoke(judge_app, args + ["--pairwise", "both"])
    assert bogus.exit_code == 2 and "--pairwise" in bogus.output and "ab, separate" in bogus.output


def test_eval_run_separate_records_the_mode_and_writes_rows_without_orders(tmp_path, tiny_model_dir):
    result = runner.invoke(eval_app, ["run", "heldout", "--model", str(tiny_model_dir), "--pairwise", "separate",
                                      "--limit", "2", "--no-cache", "--no-progress", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    (path,) = tmp_path.glob("*.json")
    doc = json.loads(path.read_text())
    assert doc["manifest"]["judging"]["pairwise"] == "separate"
    rows = doc["rows"]
    assert len(rows) == 2 * len(doc["benchmarks"]["heldout"]["aggregates"]["categories"])
    assert all(r["valid"] and r["order_labels"] == {} and r["order_probs"] == {} and r["orders_agree"] is None
               and r["first_order"] is None for r in rows)
    assert all(r["probs"]["A"] + r["probs"]["B"] == pytest.approx(1.0) for r in rows)


def test_a_models_judge_json_sets_its_default_and_an_option_overrides_it(tiny_model_dir, adapter):
    spec = f"hf:{tiny_model_dir}+adapter:{adapter}"
    (adapter / "judge.json").write_text('{"pairwise": "separate"}')
    try:
        by_default = json.loads(runner.invoke(judge_app, PAIR + ["--model", spec, "--format", "json"]).stdout)
        assert by_default["order_probs"] == {} and by_default["orders_agree"] is None  # judged separately
        told = json.loads(runner.invoke(judge_app, PAIR + ["--model", spec, "--format", "json",
                                                           "--pairwise", "ab"]).stdout)
        assert set(told["order_probs"]) == {"AB", "BA"}
        (adapter / "judge.json").write_text('{"pairwise": "seperate"}')
        bad = runner.invoke(judge_app, PAIR + ["--model", spec])
        assert bad.exit_code == 2
        assert str(adapter / "judge.json") in bad.output.replace("\n", "") and "'seperate'" in bad.output
    finally:
        (adapter / "judge.json").unlink()
