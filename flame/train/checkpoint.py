"""Checkpoints: everything needed to continue a run exactly, written atomically.

    OUTPUT_DIR/checkpoints/step-000123/
      model/               the model (or LoRA adapter) and tokenizer, loadable by transformers / PEFT
      accelerate/          accelerate's state: the weights being trained, optimizer, LR scheduler, RNG states
      trainer_state.json   step, tokens and examples seen, mixture-stream position, loss history, config

A checkpoint is written to a hidden temporary directory and renamed into place, so a killed
run never leaves a partial checkpoint that `--resume` would pick up. accelerate's copy of the
weights holds only the trainable ones (`save_trainable_only`): a LoRA run on SmolLM2-135M writes
its adapter (about 10 MB) instead of the whole frozen base (540 MB) every `save_every` steps;
the frozen weights come from the base model when a run resumes. Checkpoints written before,
with every weight, resume too.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from flame.core.errors import FlameError

STATE_FILE = "trainer_state.json"


def _trainable(model: Any) -> set[str]:
    """Names of the parameters a model trains (as its state dict names them)."""
    return {name for name, p in model.named_parameters() if p.requires_grad}


def save_trainable_only(accelerator: Any) -> None:
    """Have accelerate's checkpoints of this accelerator's models keep only trainable weights."""
    def drop_frozen(models: list[Any], weights: list[dict[str, Any]], output_dir: str) -> None:
        for model, state in zip(models, weights):
            trainable = _trainable(model)
            for key in [k for k in state if k not in trainable]:
                del state[key]

    accelerator.register_save_state_pre_hook(drop_frozen)


def checkpoint_dir(output_dir: str | Path, step: int) -> Path:
    return Path(output_dir) / "checkpoints" / f"step-{step:06d}"


def latest_checkpoint(output_dir: str | Path) -> Path | None:
    """The complete checkpoint with the highest step, or None."""
    folder = Path(output_dir) / "checkpoints"
    done = sorted(p for p in folder.glob("step-*") if (p / STATE_FILE).is_file()) if folder.is_dir() else []
    return done[-1] if done else None


def save_checkpoint(accelerator: Any, model: Any, tokenizer: Any, output_dir: str | Path, step: int,
                    state: dict[str, Any], keep: int) -> Path:
    """Write the checkpoint of step (all processes call this), then keep the newest `keep`."""
    final = checkpoint_dir(output_dir, step)
    tmp = final.parent / f".{final.name}.tmp"
    if accelerator.is_main_process:
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
    accelerator.wait_for_everyone()
    accelerator.save_state(str(tmp / "accelerate"), safe_serialization=True)
    export_model(accelerator, model, tokenizer, tmp / "model")
    if accelerator.is_main_process:
        (tmp / STATE_FILE).write_text(json.dumps(state, indent=1))
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
        for old in sorted(final.parent.glob("step-*"))[:-keep]:
            shutil.rmtree(old, ignore_errors=True)
    accelerator.wait_for_everyone()
    return final


def export_model(accelerator: Any, model: Any, tokenizer: Any, out: Path) -> None:
    """Save the trained model (full weights, or only the adapter for LoRA) with its tokenizer."""
    state_dict = accelerator.get_state_dict(model)
    unwrapped = accelerator.unwrap_model(model)
    if accelerator.is_main_process:
        unwrapped.save_pretrained(out, state_dict=state_dict, safe_serialization=True)
        tokenizer.save_pretrained(out)


def load_checkpoint(accelerator: Any, model: Any, path: Path) -> dict[str, Any]:
    """Restore accelerate's state from a checkpoint and return its trainer state; an error when
    the checkpoint lacks a weight that this run trains."""
    saved = path / "accelerate" / "model.safetensors"
    if saved.is_file():
        from safetensors import safe_open

        with safe_open(str(saved), framework="pt") as f:
            missing = _trainable(model) - set(f.keys())
        if missing:
            raise FlameError(f"{path}: the checkpoint has no saved value for {len(missing)} trained weights "
                             f"(e.g. {sorted(missing)[0]}); it was written by a run with other trainable weights")
    accelerator.load_state(str(path / "accelerate"), strict=False)  # frozen weights come from the base model
    return json.loads((path / STATE_FILE).read_text())
