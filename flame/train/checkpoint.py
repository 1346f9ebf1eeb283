"""Checkpoints: everything needed to continue a run exactly, written atomically.

    OUTPUT_DIR/checkpoints/step-000123/
      model/               the model (or LoRA adapter) and tokenizer, loadable by transformers / PEFT
      accelerate/          accelerate's state: weights, optimizer, LR scheduler, RNG states of every process
      trainer_state.json   step, tokens and examples seen, mixture-stream position, loss history, config

A checkpoint is written to a hidden temporary directory and renamed into place, so a killed
run never leaves a partial checkpoint that `--resume` would pick up.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

STATE_FILE = "trainer_state.json"


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


def load_checkpoint(accelerator: Any, path: Path) -> dict[str, Any]:
    """Restore accelerate's state from a checkpoint and return its trainer state."""
    accelerator.load_state(str(path / "accelerate"))
    return json.loads((path / STATE_FILE).read_text())
