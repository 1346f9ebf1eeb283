"""The SFT recipe: loss only on target tokens, exact resume, the CLI with the tiny config, FLAMe-RM."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flame.cli.train import app as train_app
from flame.core.errors import FlameError
from flame.train.config import ConfigError, TrainConfig
from flame.judge.prompting import prepare
from flame.train.data import IGNORE, encode

REPO = Path(__file__).resolve().parents[2]
TINY = REPO / "flame" / "configs" / "train" / "tiny.yaml"


def _config(tiny_model, collection, out, **changes) -> TrainConfig:
    base = TrainConfig.from_yaml(TINY, [f"model={tiny_model}", f"collection={collection}", f"output_dir={out}"])
    return base.replace(**changes)


class Kill(Exception):
    """A run killed on purpose."""


class KillAfter:
    """A training callback that kills the run after `step`."""

    def __init__(self, step: int) -> None:
        self.step = step

    def on_step_end(self, state, metrics):
        if state.step == self.step:
            raise Kill


def _weights(folder: Path) -> dict:
    from safetensors.torch import load_file

    return load_file(folder / "model.safetensors")


def test_loss_falls_on_target_tokens_only(tokenizer_dir, collection):
    import pyarrow.parquet as pq
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    from flame.train.data import collate, token_loss_sum

    tok = AutoTokenizer.from_pretrained(tokenizer_dir)
    row = pq.read_table(sorted((collection / "train" / "hh_rlhf_harmlessness").glob("*.parquet"))[0]).to_pylist()[0]
    prompt = prepare(tok, row["prompt"], chat=True)
    assert prompt.endswith("<|im_start|>assistant\nEVALUATION:\n")  # the judge's chat layout
    enc = encode(tok, prompt, row["target"], max_length=4096)
    target_ids = [t for t in enc.labels if t != IGNORE]
    assert tok.decode(target_ids) == row["target"] + tok.eos_token  # exactly the target, then eos
    n_prompt = enc.labels.index(target_ids[0])
    assert enc.labels[:n_prompt] == [IGNORE] * n_prompt and enc.input_ids[n_prompt:] == target_ids

    # changing prompt tokens' labels cannot matter; the loss equals a hand-computed target-only CE
    torch.manual_seed(0)
    model = LlamaForCausalLM(LlamaConfig(vocab_size=len(tok), hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                                         num_attention_heads=2, num_key_value_heads=1)).eval()
    batch = collate([enc], tok.pad_token_id)
    with torch.no_grad():
        loss = token_loss_sum(model, batch)
        logp = torch.log_softmax(model(input_ids=batch["input_ids"]).logits[0].float(), -1)
    ids = enc.input_ids
    expected = -sum(logp[i - 1, ids[i]] for i in range(n_prompt, len(ids)))
    assert loss.item() == pytest.approx(expected.item(), rel=1e-5)

    # a long prompt loses its middle: instructions and the EVALUATION header survive, the target is whole
    short = encode(tok, prompt, row["target"], max_length=64)
    assert len(short.input_ids) == 64 and [t for t in short.labels if t != IGNORE] == target_ids
    assert short.input_ids[:10] == enc.input_ids[:10] and short.input_ids[:-len(target_ids)][-6:] == ids[n_prompt - 6 : n_prompt]


def test_config_yaml_overrides_and_errors(tmp_path):
    cfg = TrainConfig.from_yaml(REPO / "flame" / "configs" / "train" / "flame-smollm2.yaml", ["max_steps=300", "lora=false"])
    assert (cfg.lr, cfg.dropout, cfg.batch_size, cfg.max_steps, cfg.lora) == (1e-4, 0.05, 32, 300, False)
    with pytest.raises(ConfigError, match="did you mean max_steps"):
        TrainConfig.from_yaml(TINY, ["max_step=3"])
    with pytest.raises(ConfigError, match="expected int"):
        TrainConfig.from_yaml(TINY, ["max_steps=many"])
    with pytest.raises(ConfigError, match="multiple of micro_batch_size"):
        TrainConfig(batch_size=6, micro_batch_size=4)
    bad = tmp_path / "bad.yaml"
    bad.write_text("learning_rate: 0.1\n")
    with pytest.raises(Exception, match=r"bad\.yaml.*'learning_rate'"):
        TrainConfig.from_yaml(bad)


def test_a_shipped_config_is_named_and_a_file_of_that_name_comes_first(tmp_path, monkeypatch):
    assert TrainConfig.from_yaml("flame-smollm2") == TrainConfig.from_yaml(REPO / "flame/configs/train/flame-smollm2.yaml")
    with pytest.raises(ConfigError, match="no config shipped with flame is named 'flame-smollm3' "
                                          r"\(shipped: flame-pairs-smollm2, flame-prefs-smollm2, flame-smollm2, tiny\)"):
        TrainConfig.from_yaml("flame-smollm3")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tiny").write_text("max_steps: 7\n")  # a user's file named like a shipped config
    assert TrainConfig.from_yaml("tiny").max_steps == 7


def test_a_lora_checkpoint_keeps_only_the_adapter_and_older_full_checkpoints_still_resume(tiny_model, collection,
                                                                                          tmp_path, monkeypatch):
    from safetensors.torch import load_file

    from flame.train import sft
    from flame.train.sft import train

    whole = _config(tiny_model, collection, tmp_path / "whole", max_steps=4, save_every=2, eval_every=0, lora=True)
    train(whole)
    kept = load_file(tmp_path / "whole" / "checkpoints" / "step-000004" / "accelerate" / "model.safetensors")
    assert kept and all("lora_" in k for k in kept)  # the frozen base is not copied into every checkpoint

    broken = whole.replace(output_dir=str(tmp_path / "broken"))
    with monkeypatch.context() as m:  # written as before: every weight in accelerate's copy
        m.setattr(sft, "save_trainable_only", lambda accelerator: None)
        with pytest.raises(Kill):
            train(broken, callbacks=[KillAfter(2)])
    full = load_file(tmp_path / "broken" / "checkpoints" / "step-000002" / "accelerate" / "model.safetensors")
    assert len(full) > len(kept)
    assert train(broken, resume=True).step == 4
    a = load_file(tmp_path / "whole" / "checkpoints" / "step-000004" / "model" / "adapter_model.safetensors")
    b = load_file(tmp_path / "broken" / "checkpoints" / "step-000004" / "model" / "adapter_model.safetensors")
    assert a.keys() == b.keys() and max((a[k] - b[k]).abs().max().item() for k in a) <= 1e-6

    top = whole.replace(output_dir=str(tmp_path / "top"), lora_layers=1, max_steps=2)
    train(top)
    state_file = tmp_path / "top" / "checkpoints" / "step-000002" / "trainer_state.json"
    state = json.loads(state_file.read_text())
    del state["config"]["lora_layers"]  # as a checkpoint from before the option existed
    state_file.write_text(json.dumps(state))
    with pytest.raises(FlameError, match="no saved value for .* trained weights"):  # layer 0's adapter
        train(top.replace(lora_layers=0, max_steps=4), resume=True)


def test_a_resume_that_would_change_the_run_is_refused_by_option(tiny_model, collection, tmp_path):
    from flame.train.sft import train

    run = _config(tiny_model, collection, tmp_path / "run", max_steps=2, save_every=2, eval_every=0)
    train(run)
    with pytest.raises(ConfigError, match=r"mixture: 'flame' in the checkpoint, 'flame-rm' now; lr: 0\.001 in the "
                                          r"checkpoint, 0\.01 now \(only eval_every, .* may change\)"):
        train(run.replace(lr=1e-2, mixture="flame-rm", max_steps=4), resume=True)
    assert train(run.replace(max_steps=3, eval_every=3, log_every=3), resume=True).step == 3


def test_resume_gives_the_same_weights_as_an_uninterrupted_run(tiny_model, collection, tmp_path):
    from flame.train.sft import train

    whole = _config(tiny_model, collection, tmp_path / "whole", max_steps=4, save_every=2, eval_every=0)
    train(whole)

    broken = whole.replace(output_dir=str(tmp_path / "broken"))
    with pytest.raises(Kill):
        train(broken, callbacks=[KillAfter(2)])
    assert sorted(p.name for p in (tmp_path / "broken" / "checkpoints").iterdir()) == ["step-000002"]
    resumed = train(broken, resume=True)
    assert resumed.step == 4

    a = _weights(tmp_path / "whole" / "checkpoints" / "step-000004" / "model")
    b = _weights(tmp_path / "broken" / "checkpoints" / "step-000004" / "model")
    start = _weights(Path(tiny_model))
    assert a.keys() == b.keys()
    assert max((a[k] - b[k]).abs().max().item() for k in a) <= 1e-6
    assert max((a[k] - start[k]).abs().max().item() for k in a) > 1e-4  # training did change the weights
    hist_a = json.loads((tmp_path / "whole" / "checkpoints" / "step-000004" / "trainer_state.json").read_text())
    hist_b = json.loads((tmp_path / "broken" / "checkpoints" / "step-000004" / "trainer_state.json").read_text())
    losses = [[h["loss"] for h in hist["history"] if "loss" in h] for hist in (hist_a, hist_b)]
    assert len(losses[0]) == 4 and losses[0] == pytest.approx(losses[1], abs=1e-6)
    assert hist_a["mixture"] == hist_b["mixture"]


def test_cli_tiny_config_trains_validates_and_rm_continues(tiny_model, collection, tmp_path):
    runner = CliRunner()
    out = tmp_path / "run"
    result = runner.invoke(train_app, ["sft", "--config", str(TINY), f"model={tiny_model}",
                                       f"collection={collection}", f"output_dir={out}"])
    assert result.exit_code == 0, result.output
    assert "trained 4 steps" in result.output
    ckpts = sorted(p.name for p in (out / "checkpoints").iterdir())
    assert ckpts == ["step-000002", "step-000004"]
    state = json.loads((out / "checkpoints" / "step-000004" / "trainer_state.json").read_text())
    evals = [h for h in state["history"] if "val_accuracy" in h]
    assert [h["step"] for h in evals] == [0, 2, 4]  # from the untrained model on
    # validation judges every task's examples as benchmarks do: pairwise ones in both orders
    assert {"val_accuracy/hh_rlhf_harmlessness", "val_orders_agree/hh_rlhf_harmlessness",
            "val_first_shown/wmt_mqm_pairwise"} <= set(evals[-1])
    losses = [h["loss"] for h in state["history"] if "loss" in h]
    assert len(losses) == 4 and all(l > 0 for l in losses)

    rm = runner.invoke(train_app, ["rm", "--init", str(out / "checkpoints" / "step-000004"), "--steps", "2",
                                   "--batch", "4", "save_every=2"])
    assert rm.exit_code == 0, rm.output
    rm_state = json.loads((Path(f"{out}-rm") / "checkpoints" / "step-000002" / "trainer_state.json").read_text())
    assert rm_state["config"]["mixture"] == "flame-rm" and rm_state["config"]["init"].endswith("step-000004")
    assert set(rm_state["mixture"]["tasks"]) == {"hh_rlhf_harmlessness", "wmt_mqm_pairwise", "truthfulqa_pairwise_truthfulness"}

    missing = runner.invoke(train_app, ["sft", "--config", str(TINY), f"collection={tmp_path / 'nowhere'}",
                                        f"model={tiny_model}"])
    assert missing.exit_code == 1 and "flame data build" in missing.output
