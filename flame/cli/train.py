"""`flame train`: the FLAMe (sft) and FLAMe-RM (rm) recipes.

Multi-process / multi-GPU: `accelerate launch --config_file configs/accelerate/<cfg>.yaml -m flame.train sft ...`.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from .output import user_errors

app = typer.Typer(no_args_is_help=True, help="Train judges: FLAMe multitask SFT and FLAMe-RM.")

OVERRIDES = typer.Argument(None, help="Config overrides, key=value (e.g. max_steps=100 lora=true).")


def _run(cfg, resume: bool) -> None:
    from flame.train.progress import ProgressBar
    from flame.train.sft import train

    bar = ProgressBar()
    try:
        state = train(cfg, callbacks=[bar], resume=resume)
    finally:
        bar.close()
    if state.is_main_process:
        last = next((h for h in reversed(state.history) if "loss" in h), {})
        typer.echo(f"trained {state.step} steps, {state.tokens} tokens; last loss {last.get('loss', float('nan')):.4f}; "
                   f"model: {Path(cfg.output_dir) / 'checkpoints' / f'step-{state.step:06d}' / 'model'}")


@app.command()
def sft(
    config: Path = typer.Option(..., "--config", help="A training config YAML (e.g. configs/train/flame-smollm2.yaml)."),
    overrides: Optional[List[str]] = OVERRIDES,
    resume: bool = typer.Option(False, "--resume", help="Continue exactly from the newest checkpoint in output_dir."),
) -> None:
    """Multitask supervised fine-tuning on a mixture (FLAMe)."""
    from flame.train.config import TrainConfig

    with user_errors():
        cfg = TrainConfig.from_yaml(config, overrides or [])
        _run(cfg, resume)


@app.command()
def rm(
    init: Path = typer.Option(..., "--init", help="The FLAMe checkpoint (or run directory) to start from."),
    mixture: str = typer.Option("flame-rm", "--mixture", help="The mixture to fine-tune on."),
    steps: int = typer.Option(50, "--steps", help="Optimizer steps (paper: 50)."),
    batch: int = typer.Option(8, "--batch", help="Examples per step (paper: 8)."),
    config: Optional[Path] = typer.Option(None, "--config", help="Base config; default: the one the checkpoint was trained with."),
    overrides: Optional[List[str]] = OVERRIDES,
    resume: bool = typer.Option(False, "--resume", help="Continue an interrupted FLAMe-RM run."),
) -> None:
    """FLAMe-RM: continue a FLAMe checkpoint on the balanced pairwise mixture."""
    from flame.train.config import TrainConfig
    from flame.train.rm import rm_config

    with user_errors():
        base = TrainConfig.from_yaml(config) if config else None
        cfg = rm_config(init, mixture=mixture, steps=steps, batch=batch, base=base, overrides=overrides or [])
        _run(cfg, resume)
