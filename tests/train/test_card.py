"""Publishing a trained judge: adapter export and a model card read from the run and results files."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flame.cli.train import app as train_app
from flame.core.errors import DataError
from flame.data.mixture import drawn_per_task, load_mixture
from flame.evals.benchmarks import BENCHMARKS
from flame.evals.runner import RunOptions, run
from flame.testing import FakeBackend
from flame.train.card import publish

REPO = Path(__file__).resolve().parents[2]
TINY = REPO / "flame" / "configs" / "train" / "tiny.yaml"


def always_a(context: str, label: str) -> float:
    """A judge that answers "A" whatever it is shown (the untrained base model's habit)."""
    return -0.1 if label == "A" else -2.0


def always_b(context: str, label: str) -> float:
    """A judge that answers "B" whatever it is shown."""
    return -0.1 if label == "B" else -2.0


def test_replayed_draws_match_what_the_stream_gave(collection):
    mixture = load_mixture("flame").resolve(collection, "train")
    stream = mixture.stream(seed=3)
    seen = Counter(row["task"] for row in stream.take(200))
    assert drawn_per_task(mixture.rates, 3, 200) == {t: seen.get(t, 0) for t in sorted(mixture.rates)}


def test_card_publishes_the_adapter_with_its_training_facts_and_results(tiny_model, collection, tmp_path, mirror,
                                                                       monkeypatch):
    runner = CliRunner()
    out = tmp_path / "run"
    trained = runner.invoke(train_app, ["sft", "--config", str(TINY), f"model={tiny_model}", f"collection={collection}",
                                        f"output_dir={out}", "lora=true", "lora_r=4", "eval_every=0"])
    assert trained.exit_code == 0, trained.output
    monkeypatch.setenv("FLAME_MIRROR", str(mirror))
    heldout = [BENCHMARKS.get("heldout")]
    base = run(heldout, FakeBackend(always_a, fingerprint="always-a"), model="always-a", out=tmp_path / "base.json",
               options=RunOptions(limit=2), progress=False)
    judge = run(heldout, FakeBackend(always_b, fingerprint="always-b"), model="always-b",
                out=tmp_path / "judge.json", options=RunOptions(limit=2), progress=False)
    ckpt = out / "checkpoints" / "step-000004"
    published = tmp_path / "models" / "flame-tiny"
    result = runner.invoke(train_app, ["card", str(ckpt), "--name", "flame-tiny", "--out", str(published),
                                       "--compare", f"base={base}", "--compare", f"trained={judge}", "--wall-time", "9 s",
                                       "--summary", "A tiny test judge."])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in published.iterdir()) == ["README.md", "adapter_config.json",
                                                           "adapter_model.safetensors", "judge.json", "learning_curve.png"]
    assert json.loads((published / "judge.json").read_text()) == {"pairwise": "ab"}  # trained on A/B verdicts
    config = json.loads((published / "adapter_config.json").read_text())
    assert config["base_model_name_or_path"] == "HuggingFaceTB/SmolLM2-135M-Instruct"
    card = (published / "README.md").read_text()
    assert "base_model: HuggingFaceTB/SmolLM2-135M-Instruct" in card and "A tiny test judge." in card
    assert "- Steps: 4 x batch 4 = 16 examples" in card and "- Wall time: 9 s" in card
    # the learning curve: the end-of-run validation (eval_every=0), per task, and its plot
    curve = next(line for line in card.splitlines() if line.startswith("| 4 | 16 |"))
    state = json.loads((ckpt / "trainer_state.json").read_text())
    assert f"| {100 * state['history'][-1]['val_accuracy']:.1f} |" in curve
    assert "| step | examples | accuracy | orders agree | first shown picked | hh_rlhf_harmlessness |" in card
    assert "![learning curve](learning_curve.png)" in card
    drawn = [int(line.rsplit("|", 2)[1]) for line in card.splitlines()
             if line.startswith("| ") and line.count("|") == 3 and line.rsplit("|", 2)[1].strip().isdigit()]
    assert sum(drawn) == 16  # examples per task add up to what the run saw
    # the always-A judge: its orders never agree, and it says A first every time
    assert "| candidate orders agree | 0.0 (12) |" in card
    assert "| verdicts for the candidate shown first | 100.0 |" in card
    # the judge's run (the last --compare) item by item against the base, on the 12 items both judged
    paired = card[card.index("### Paired comparison: B = trained against A = base"):]
    assert "| | n | A: base | B: trained | B - A | 95% interval | McNemar p | verdict |" in paired
    assert "| mean | 12 |" in paired

    full = runner.invoke(train_app, ["sft", "--config", str(TINY), f"model={tiny_model}", f"collection={collection}",
                                     f"output_dir={tmp_path / 'full'}", "max_steps=1", "eval_every=0"])
    assert full.exit_code == 0, full.output
    refused = runner.invoke(train_app, ["card", str(tmp_path / "full" / "checkpoints" / "step-000001"), "--name", "x",
                                        "--out", str(tmp_path / "x"), "--wall-time", "1 s"])
    assert refused.exit_code == 1 and "holds no LoRA adapter" in refused.output


def test_publish_refuses_a_compare_without_a_label(tmp_path):
    with pytest.raises(DataError, match="--compare takes LABEL=results.json"):
        publish(tmp_path / "ckpt", tmp_path / "out", name="x", compare=["results.json"], wall="1 s")
    assert not (tmp_path / "out").exists()


def test_a_judge_trained_in_two_stages_gets_both_on_its_card(tiny_model, collection, tmp_path):
    runner = CliRunner()
    common = ["--config", str(TINY), f"model={tiny_model}", f"collection={collection}", "lora=true", "lora_r=4"]
    first = runner.invoke(train_app, ["sft", *common, f"output_dir={tmp_path / 'one'}", "eval_every=2"])
    assert first.exit_code == 0, first.output
    stage_one = tmp_path / "one" / "checkpoints" / "step-000004"
    second = runner.invoke(train_app, ["sft", *common, f"output_dir={tmp_path / 'two'}", f"init={stage_one}",
                                       "max_steps=2", "eval_every=0"])
    assert second.exit_code == 0, second.output
    out = tmp_path / "published"
    result = runner.invoke(train_app, ["card", str(tmp_path / "two" / "checkpoints" / "step-000002"), "--name", "x",
                                       "--out", str(out), "--wall-time", "2 s"])
    assert result.exit_code == 0, result.output
    card = (out / "README.md").read_text()
    assert "Trained in 2 stages, the first from " in card and ": 24 examples and " in card  # 4 x 4, then 2 x 4
    assert f"| 1 | `{stage_one}` | `flame` |" in card and "| 4 x 4 | 16 | 16 |" in card and "| 2 x 4 | 8 | 24 |" in card
    # examples drawn per task: one column per stage, each adding up to what that stage saw
    table = card[card.index("| task | stage 1 | stage 2 | all |"):].split("\n\n")[0].splitlines()[2:]
    columns = [[int(c) for c in line.strip("| ").split(" | ")[1:]] for line in table]
    assert [sum(col) for col in zip(*columns)] == [16, 8, 24]
    # the learning curve runs over both stages, counted in examples seen
    assert "| 2 (stage 1) | 8 |" in card and "| 4 (stage 1) | 16 |" in card and "| 2 (stage 2) | 24 |" in card
    assert "stage 1: 1:" in card and "stage 2: 1:" in card
