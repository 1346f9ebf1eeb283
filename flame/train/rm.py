"""FLAMe-RM (PAPER.md §5): the SFT recipe, started from a FLAMe checkpoint, on the balanced
pairwise `flame-rm` mixture for 50 steps at batch 8 (Adam, lr 1e-4, dropout 0.05 as for FLAMe)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Iterable

from .checkpoint import STATE_FILE, latest_checkpoint
from .config import ConfigError, TrainConfig

RM_MIXTURE, RM_STEPS, RM_BATCH = "flame-rm", 50, 8


def saved_config(init: str | Path) -> TrainConfig | None:
    """The config a flame checkpoint (or run directory) was trained with, if it records one."""
    path = Path(init)
    if path.name == "model":
        path = path.parent
    ckpt = path if (path / STATE_FILE).is_file() else latest_checkpoint(path)
    if ckpt is None:
        return None
    return TrainConfig(**json.loads((ckpt / STATE_FILE).read_text())["config"])


def rm_config(init: str | Path, *, mixture: str = RM_MIXTURE, steps: int = RM_STEPS, batch: int = RM_BATCH,
              base: TrainConfig | None = None, overrides: Iterable[str] = ()) -> TrainConfig:
    """The FLAMe-RM run of checkpoint init.

    Options not set here come from base, else from the config the checkpoint was trained
    with (same model, collection, LoRA settings, ...); the run writes to `<output_dir>-rm`.
    """
    if not Path(init).exists():
        raise ConfigError(f"--init {init}: no such checkpoint")
    start = base or saved_config(init)
    if start is None:
        raise ConfigError(f"--init {init} is not a flame checkpoint: give --config for the model and collection")
    micro = math.gcd(batch, start.micro_batch_size)
    cfg = start.replace(init=str(init), mixture=mixture, max_steps=steps, batch_size=batch, micro_batch_size=micro,
                        output_dir=start.output_dir.rstrip("/") + "-rm", warmup_steps=0,
                        save_every=min(start.save_every, steps), eval_every=min(start.eval_every, steps))
    return cfg.with_overrides(overrides)
