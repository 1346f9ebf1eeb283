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


@app.command()
def sft(
    config: Path = typer.Option(..., "--config", help="A training config: a YAML file, or the name of a shipped one (`flame train configs`), e.g. flame-prefs-smollm2."),
    overrides: list[str] | None = OVERRIDES,
    resume: bool = typer.Option(False, "--resume", help="Continue exactly from the newest checkpoint in output_dir."),
) -> None:
    """Multitask supervised fine-tuning on a mixture (FLAMe)."""
    from flame.train.config import TrainConfig
    from flame.train.run import train_and_report

    with user_errors():
        cfg = TrainConfig.from_yaml(config, overrides or [])
        train_and_report(cfg, resume, log=typer.echo)


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
    from flame.train.run import train_and_report

    with user_errors():
        base = TrainConfig.from_yaml(config) if config else None
        cfg = rm_config(init, mixture=mixture, steps=steps, batch=batch, base=base, overrides=overrides or [])
        train_and_report(cfg, resume, log=typer.echo)


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
    from flame.train import tailpatch_run

    from .output import print_table

    def report(summary: tailpatch_run.TailPatchSummary) -> None:
        """The table of final scores and ratings, the baseline and the mixture written."""
        cats = list(summary.base)
        rows = [[task, *(f"{summary.curves[task][c][-1]:.3f} ({r['ratings'][c]:+d})" if c in r["ratings"] else "-"
                         for c in cats),
                 ", ".join(r["bundles"]) or "others", f"{summary.weights[task]:,.0f}"]
                for task, r in sorted(summary.report.items(), key=lambda kv: -summary.weights[kv[0]])]
        print_table("tail-patch: final score (rating) per category", ["task", *cats, "bundles", "weight"], rows)
        typer.echo("baseline: " + ", ".join(f"{c} {v:.3f}" for c, v in summary.base.items()))
        typer.echo(f"wrote {summary.mixture} ({len(summary.trained)} tasks tail-patched, {len(summary.skipped)} cached)")

    with user_errors():
        cfg = tailpatch_run.TailpatchConfig(
            init=init, collection=collection, tasks=tasks or [], steps=steps, batch=batch, evals=evals,
            eval_limit=eval_limit, data=data, seed=seed, out=out, helpful=helpful, somewhat=somewhat, harmful=harmful,
            train_opt_rm=train_opt_rm, opt_steps=opt_steps, opt_batch=opt_batch, resume=resume, keep_runs=keep_runs,
            config=config, overrides=overrides or [])
        tailpatch_run.tailpatch(cfg, log=typer.echo, report=report)


@app.command()
def card(
    ckpt: Path = typer.Argument(..., help="The checkpoint to publish (runs/NAME/checkpoints/step-NNNNNN)."),
    name: str = typer.Option(..., "--name", help="The judge's name, e.g. flame-smollm2-135m."),
    out: Path = typer.Option(..., "--out", help="Folder for the adapter and its model card (e.g. flame/models/NAME in a checkout)."),
    compare: list[str] | None = typer.Option(None, "--compare", help="LABEL=results.json from `flame eval run` (repeat; base first, this judge's run last: it is compared item by item with each other run)."),
    wall: str = typer.Option(..., "--wall-time", help="Training wall time, in words (e.g. '62 min, 2 sessions')."),
    hardware: str | None = typer.Option(None, "--hardware", help="Where it trained; default: this machine."),
    summary: str = typer.Option("", "--summary", help="The card's opening paragraph (or @FILE)."),
) -> None:
    """Publish a checkpoint's LoRA adapter with a model card (data, steps, losses, results)."""
    from flame.train.card import publish

    with user_errors():
        path = publish(ckpt, out, name=name, compare=compare or [], wall=wall, hardware=hardware, summary=summary)
        typer.echo(f"wrote {out}/adapter_model.safetensors and {path}")
