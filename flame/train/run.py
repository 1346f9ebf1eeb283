"""Running one training config to the end with the progress a person or a log file wants:
a rich progress bar on a terminal, one plain line per `log_every` steps otherwise, then a
line naming what was trained. `flame train sft|rm|tailpatch --train` and
`python -m flame.train` (what `accelerate launch` runs) both train through it."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from .config import TrainConfig
from .progress import LogLines, ProgressBar


def train_and_report(cfg: TrainConfig, resume: bool = False, log: Callable[[str], None] = print):
    """Train cfg (from its newest checkpoint when resume), showing progress, and on the main
    process log "trained N steps, T tokens; last loss L; model: DIR"; returns the TrainState."""
    from .sft import train

    bar = ProgressBar()
    callbacks = [bar] if sys.stdout.isatty() else [LogLines(cfg.log_every)]
    try:
        state = train(cfg, callbacks=callbacks, resume=resume)
    finally:
        bar.close()
    if state.is_main_process:
        last = next((h for h in reversed(state.history) if "loss" in h), {})
        log(f"trained {state.step} steps, {state.tokens} tokens; last loss {last.get('loss', float('nan')):.4f}; "
            f"model: {Path(cfg.output_dir) / 'checkpoints' / f'step-{state.step:06d}' / 'model'}")
    return state
