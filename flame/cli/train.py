"""`flame train`: the FLAMe (sft) and FLAMe-RM (rm) recipes, and tail-patch mixture optimisation (FLAMe-Opt-RM).

Multi-process / multi-GPU: `accelerate launch --config_file ACCELERATE.yaml -m flame.train sft ...`
(`flame train configs` lists the training and accelerate configs shipped with flame, with their paths).
"""

from __future__ import annotations

from pathlib import Path

import typer

from .output import user_errors

app = typer.Typer(no_args_is_help=True, help="Train judges: FLAMe multitask SFT, FLAMe-RM, tail-patch / FLAMe-Opt-RM.")

OVERRIDES = typer.Argument(None, help="Config overrides, key=value (e.g. max_steps=100 lora=true).")


def _run(cfg, resume: bool) -> None:
    import sys

    from flame.train.progress import LogLines, ProgressBar
    from flame.train.sft import train

    bar = ProgressBar()
    callbacks = [bar] if sys.stdout.isatty() else [LogLines(cfg.log_every)]
    try:
        state = train(cfg, callbacks=callbacks, resume=resume)
    finally:
        bar.close()
    if state.is_main_process:
        last = next((h for h in reversed(state.history) if "loss" in h), {})
        typer.echo(f"trained {state.step} steps, {state.tokens} tokens; last loss {last.get('loss', float('nan')):.4f}; "
                   f"model: {Path(cfg.output_dir) / 'checkpoints' / f'step-{state.step:06d}' / 'model'}")


@app.command()
def sft(
    config: Path = typer.Option(..., "--config", help="A training config: a YAML file, or the name of a shipped one (`flame train configs`), e.g. flame-prefs-smollm2."),
    overrides: list[str] | None = OVERRIDES,
    resume: bool = typer.Option(False, "--resume", help="Continue exactly from the newest checkpoint in output_dir."),
) -> None:
    """Multitask supervised fine-tuning on a mixture (FLAMe)."""
    from flame.train.config import TrainConfig

    with user_errors():
        cfg = TrainConfig.from_yaml(config, overrides or [])
        _run(cfg, resume)


@app.command()
def configs() -> None:
    """List the training and accelerate configs shipped with flame, with their paths."""
    from flame.train.config import shipped_configs

    from .output import print_table

    rows = [[kind, name, str(path)] for kind in ("train", "accelerate") for name, path in shipped_configs(kind).items()]
    print_table("configs shipped with flame (sft --config takes the name; accelerate --config_file the path)",
                ["kind", "name", "path"], rows)


@app.command()
def rm(
    init: Path = typer.Option(..., "--init", help="The FLAMe checkpoint (or run directory) to start from."),
    mixture: str = typer.Option("flame-rm", "--mixture", help="The mixture to fine-tune on."),
    steps: int = typer.Option(50, "--steps", help="Optimizer steps (paper: 50)."),
    batch: int = typer.Option(8, "--batch", help="Examples per step (paper: 8)."),
    config: Path | None = typer.Option(None, "--config", help="Base config; default: the one the checkpoint was trained with."),
    overrides: list[str] | None = OVERRIDES,
    resume: bool = typer.Option(False, "--resume", help="Continue an interrupted FLAMe-RM run."),
) -> None:
    """FLAMe-RM: continue a FLAMe checkpoint on the balanced pairwise mixture."""
    from flame.train.config import TrainConfig
    from flame.train.rm import rm_config

    with user_errors():
        base = TrainConfig.from_yaml(config) if config else None
        cfg = rm_config(init, mixture=mixture, steps=steps, batch=batch, base=base, overrides=overrides or [])
        _run(cfg, resume)


@app.command()
def tailpatch(
    init: Path = typer.Option(..., "--init", help="A partially trained FLAMe checkpoint (or run directory)."),
    collection: str | None = typer.Option(None, "--collection", help="Built collection; default: the checkpoint's."),
    tasks: list[str] | None = typer.Option(None, "--tasks", help="Tasks to tail-patch (repeat or comma-separate); default: every training task."),
    steps: int = typer.Option(20, "--steps", help="Fine-tuning steps per task (paper: up to 3,000; small for a CPU)."),
    batch: int = typer.Option(8, "--batch", help="Examples per step."),
    evals: int = typer.Option(1, "--evals", help="Evaluations per tail-patch, evenly spaced, the last at --steps (the curve the ratings read)."),
    eval_limit: int = typer.Option(32, "--eval-limit", help="Benchmark items per category (a fixed, seeded sample)."),
    data: str = typer.Option("auto", "--data", help="RewardBench data: auto, mirror, official, or a file."),
    seed: int = typer.Option(0, "--seed", help="Seed of the evaluation sample."),
    out: Path = typer.Option(Path("runs/tailpatch"), "--out", help="Results (one JSON per task, resumable) and runs."),
    helpful: float = typer.Option(0.03, "--helpful", help="+2 if every evaluation in the second half gains at least this."),
    somewhat: float = typer.Option(0.01, "--somewhat", help="+1 if the final score gains at least this."),
    harmful: float = typer.Option(-0.03, "--harmful", help="-1 if the final score changes by at most this."),
    train_opt_rm: bool = typer.Option(False, "--train", help="Then train FLAMe-Opt-RM from the base model on the opt-rm mixture."),
    opt_steps: int = typer.Option(5000, "--opt-steps", help="FLAMe-Opt-RM steps (paper: 5,000)."),
    opt_batch: int = typer.Option(8, "--opt-batch", help="FLAMe-Opt-RM batch (paper: 8)."),
    resume: bool = typer.Option(False, "--resume", help="Continue an interrupted FLAMe-Opt-RM training run."),
    keep_runs: bool = typer.Option(False, "--keep-runs", help="Keep each task's training checkpoints after judging."),
    config: Path | None = typer.Option(None, "--config", help="Base config; default: the one the checkpoint was trained with."),
    overrides: list[str] | None = OVERRIDES,
) -> None:
    """Tail-patch each task from a checkpoint, rate it on RewardBench's categories, write `opt-rm` (FLAMe §6.1)."""
    from flame.train.config import TrainConfig
    from flame.train.tailpatch import Thresholds
    from flame.train.tailpatch_eval import CategoryEvaluator
    from flame.train.tailpatch_run import opt_rm_config, run_tailpatch, start_config

    from .output import print_table

    with user_errors():
        base = TrainConfig.from_yaml(config) if config else None
        start = start_config(init, base=base, collection=collection, overrides=overrides or [])
        names = [t.strip() for item in tasks or [] for t in item.split(",") if t.strip()]
        evaluator = CategoryEvaluator(limit=eval_limit, seed=seed, data=data, chat=start.chat)
        missing = evaluator.missing
        for cat, why in missing.items():
            typer.echo(f"category {cat} not available: {why}")
        summary = run_tailpatch(init, out, start=start, tasks=names or None, steps=steps, batch=batch, evals=evals,
                                evaluate=evaluator, eval_description=evaluator.describe(), missing=missing,
                                thresholds=Thresholds(helpful=helpful, somewhat=somewhat, harmful=harmful),
                                log=typer.echo)
        cats = list(summary.base)
        rows = [[task, *(f"{summary.curves[task][c][-1]:.3f} ({r['ratings'][c]:+d})" if c in r["ratings"] else "-"
                         for c in cats),
                 ", ".join(r["bundles"]) or "others", f"{summary.weights[task]:,.0f}"]
                for task, r in sorted(summary.report.items(), key=lambda kv: -summary.weights[kv[0]])]
        print_table("tail-patch: final score (rating) per category", ["task", *cats, "bundles", "weight"], rows)
        typer.echo("baseline: " + ", ".join(f"{c} {v:.3f}" for c, v in summary.base.items()))
        typer.echo(f"wrote {summary.mixture} ({len(summary.trained)} tasks tail-patched, {len(summary.skipped)} cached)")
        if train_opt_rm:
            _run(opt_rm_config(start, summary.mixture, out, steps=opt_steps, batch=opt_batch), resume)


def _hardware() -> str:
    import os
    import platform

    return f"{os.cpu_count()}-core {platform.machine()} CPU ({platform.system()}), no GPU"


@app.command()
def card(
    ckpt: Path = typer.Argument(..., help="The checkpoint to publish (runs/NAME/checkpoints/step-NNNNNN)."),
    name: str = typer.Option(..., "--name", help="The judge's name, e.g. flame-smollm2-135m."),
    out: Path = typer.Option(..., "--out", help="Folder for the adapter and its model card (e.g. flame/models/NAME in a checkout)."),
    compare: list[str] | None = typer.Option(None, "--compare", help="LABEL=results.json from `flame eval run` (repeat; base first)."),
    wall: str = typer.Option(..., "--wall-time", help="Training wall time, in words (e.g. '62 min, 2 sessions')."),
    hardware: str | None = typer.Option(None, "--hardware", help="Where it trained; default: this machine."),
    summary: str = typer.Option("", "--summary", help="The card's opening paragraph (or @FILE)."),
) -> None:
    """Publish a checkpoint's LoRA adapter with a model card (data, steps, losses, results)."""
    from flame.core.errors import DataError
    from flame.data.mixture import load_mixture
    from flame.evals.report import load_results
    from flame.train.card import export_adapter, read_state, write_card

    with user_errors():
        runs = []
        for item in compare or []:
            label, sep, path = item.partition("=")
            if not sep:
                raise DataError(item, "--compare takes LABEL=results.json")
            runs.append((label, load_results([Path(path)])[0][1]))
        cfg = read_state(ckpt)["config"]
        rates = None
        if Path(cfg["collection"]).is_dir():
            rates = load_mixture(cfg["mixture"]).resolve(cfg["collection"], "train").rates
        text = Path(summary[1:]).read_text().strip() if summary.startswith("@") else summary
        export_adapter(ckpt, out)
        path = write_card(out, name=name, ckpt=ckpt, runs=runs, wall=wall, hardware=hardware or _hardware(),
                          summary=text, rates=rates)
        typer.echo(f"wrote {out}/adapter_model.safetensors and {path}")
