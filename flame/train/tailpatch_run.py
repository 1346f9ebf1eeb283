"""The tail-patch driver (FLAMe-Opt-RM, PAPER.md §6.1): per-task fine-tunes, evaluations, the `opt-rm` mixture.

    flame train tailpatch --init runs/flame-smollm2/checkpoints/step-000300 --steps 20 --eval-limit 32 --train

1. The starting checkpoint (`--init`, a partially trained FLAMe run) is judged on the
   target's categories (flame.train.tailpatch_eval): the baseline.
2. For each training task: the SFT recipe continues the checkpoint on that task alone for
   K steps (one-task mixture; the checkpoint's own config otherwise: model, LoRA, lr,
   dropout, length), saving up to E evenly spaced checkpoints; each is judged the same way,
   giving the task's curve per category.
3. The curves are rated and bundled by flame.train.tailpatch (thresholds documented there)
   and the `opt-rm` mixture YAML is written; with `--train`, FLAMe-Opt-RM is trained on it
   from the base model (paper: 5K steps, batch 8).

Each task's result (curves, training losses, the config hash) is written atomically to
OUT/tasks/TASK.json, and the baseline to OUT/baseline.json. A rerun with the same settings
skips what is there; a result whose hash differs (other init weights, steps, batch, sample,
...) is recomputed. A task interrupted mid-way is retrained from the start. Each task's
training run (OUT/runs/TASK) is deleted once judged, unless keep_runs.

`tailpatch(TailpatchConfig(...))` is the whole of `flame train tailpatch` but its table: the
start config, the RewardBench evaluator, the run, and FLAMe-Opt-RM when asked.
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import ConfigError, TrainConfig
from .rm import saved_config
from .tailpatch import Thresholds, opt_rm_weights, write_opt_rm

Evaluate = Callable[[str], "dict[str, float]"]  # model spec -> {category: score}
OPT_RM_STEPS, OPT_RM_BATCH = 5000, 8  # PAPER.md §6.1 step 7


@dataclass
class TailpatchConfig:
    """What `flame train tailpatch` takes, with its defaults (the options' help says more)."""

    init: Path  # a partially trained FLAMe checkpoint (or run directory)
    collection: str | None = None  # the built collection; None: the checkpoint's
    tasks: Sequence[str] = ()  # tasks to tail-patch, each item possibly comma-separated; empty: every training task
    steps: int = 20  # fine-tuning steps per task
    batch: int = 8  # examples per step
    evals: int = 1  # evaluations per tail-patch, evenly spaced, the last at steps
    eval_limit: int = 32  # benchmark items per category (a fixed, seeded sample)
    data: str = "auto"  # RewardBench data: auto, mirror, official, or a file
    seed: int = 0  # seed of the evaluation sample
    out: Path = Path("runs/tailpatch")  # results (one JSON per task, resumable) and runs
    helpful: float = 0.03  # rating thresholds (flame.train.tailpatch.Thresholds)
    somewhat: float = 0.01
    harmful: float = -0.03
    train_opt_rm: bool = False  # then train FLAMe-Opt-RM from the base model on the opt-rm mixture
    opt_steps: int = OPT_RM_STEPS
    opt_batch: int = OPT_RM_BATCH
    resume: bool = False  # continue an interrupted FLAMe-Opt-RM training run
    keep_runs: bool = False  # keep each task's training checkpoints after judging
    config: Path | None = None  # base config; None: the one the checkpoint was trained with
    overrides: Sequence[str] = ()  # config overrides, key=value


@dataclass
class TailPatchSummary:
    """What a tail-patch run produced."""

    base: dict[str, float]
    curves: dict[str, dict[str, list[float]]]
    weights: dict[str, float]
    report: dict[str, dict]
    mixture: Path
    missing: dict[str, str]
    skipped: list[str] = field(default_factory=list)  # tasks whose cached result was reused
    trained: list[str] = field(default_factory=list)


def start_config(init: str | Path, base: TrainConfig | None = None, collection: str | None = None,
                 overrides: Sequence[str] = ()) -> TrainConfig:
    """The config the tail-patches start from: base, else the one the checkpoint was trained with."""
    if not Path(init).exists():
        raise ConfigError(f"--init {init}: no such checkpoint")
    start = base or saved_config(init)
    if start is None:
        raise ConfigError(f"--init {init} is not a flame checkpoint: give --config for the model and collection")
    start = start.with_overrides(overrides)
    return start.replace(collection=str(collection)) if collection else start


def task_config(start: TrainConfig, init: str | Path, task: str, out: Path, steps: int, batch: int,
                evals: int) -> TrainConfig:
    """The tail-patch run of one task: `steps` steps at `batch` on it alone, from init, up to `evals` checkpoints."""
    if steps < 1 or batch < 1 or evals < 1:
        raise ConfigError(f"steps, batch and evals must be positive (got {steps}, {batch}, {evals})")
    every = math.ceil(steps / min(evals, steps))
    # No validation loss: the benchmark judges each tail-patched checkpoint.
    return start.replace(init=str(init), mixture=str(_task_mixture(out, task)), max_steps=steps, batch_size=batch,
                         micro_batch_size=math.gcd(batch, start.micro_batch_size), warmup_steps=0,
                         output_dir=str(out / "runs" / task), save_every=every, keep_checkpoints=evals,
                         eval_every=0, eval_examples=0, log_every=1)


def opt_rm_config(start: TrainConfig, mixture: Path, out: Path, steps: int = OPT_RM_STEPS,
                  batch: int = OPT_RM_BATCH) -> TrainConfig:
    """FLAMe-Opt-RM: the base model (no init) trained on the opt-rm mixture (paper: 5K steps, batch 8)."""
    return start.replace(init="", mixture=str(mixture), max_steps=steps, batch_size=batch,
                         micro_batch_size=math.gcd(batch, start.micro_batch_size), warmup_steps=0,
                         output_dir=str(out / "opt-rm"), save_every=min(start.save_every, steps),
                         eval_every=min(start.eval_every, steps))


def _task_mixture(out: Path, task: str) -> Path:
    name = f"tailpatch-{task}"
    return out / "mixtures" / f"{name}.yaml"


def _write_task_mixture(out: Path, task: str) -> Path:
    import yaml

    path = _task_mixture(out, task)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"name": path.stem, "description": f"tail-patch: {task} alone", "tasks": [task]}))
    return path


def model_spec(model_dir: Path, start: TrainConfig) -> str:
    """The judge's model spec for a flame checkpoint's model folder (full weights or LoRA adapter)."""
    from .model import checkpoint_model_dir, resolve_model

    model_dir = checkpoint_model_dir(model_dir)
    if not (model_dir / "adapter_config.json").is_file():
        return f"hf:{model_dir}"
    # A fresh adapter trained over full init weights has those as its base; else the config's model.
    init_dir = checkpoint_model_dir(start.init) if start.init else None
    full_init = init_dir is not None and not (init_dir / "adapter_config.json").is_file()
    return f"hf:{init_dir if full_init else resolve_model(start.model)}+adapter:{model_dir}"


def _hash(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _read(path: Path, expected_hash: str) -> dict[str, Any] | None:
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return doc if doc.get("config_hash") == expected_hash else None


def _write(path: Path, doc: dict[str, Any]) -> None:
    from flame.core.files import atomic_write_json

    atomic_write_json(path, doc)


def _train_task(cfg: TrainConfig) -> dict[str, Any]:
    from .sft import train

    shutil.rmtree(cfg.output_dir, ignore_errors=True)  # an interrupted earlier attempt restarts
    started = time.perf_counter()
    state = train(cfg)
    return {"loss": [h["loss"] for h in state.history if "loss" in h], "tokens": state.tokens,
            "wall_s": round(time.perf_counter() - started, 2)}


def run_tailpatch(init: str | Path, out: str | Path, *, start: TrainConfig, tasks: Sequence[str] | None = None,
                  steps: int = 20, batch: int = 8, evals: int = 1, evaluate: Evaluate,
                  eval_description: dict[str, Any], missing: dict[str, str] | None = None,
                  thresholds: Thresholds | None = None, mixture_dir: Path | None = None, keep_runs: bool = False,
                  log: Callable[[str], None] = print) -> TailPatchSummary:
    """Tail-patch every task (or `tasks`) from init, rate them, and write the opt-rm mixture.

    evaluate(model_spec) -> {category: score} judges a model on the target's categories
    (CategoryEvaluator in practice); eval_description names everything about it that moves
    a score and goes into the cache key, with missing the categories it cannot score.
    """
    from flame.data.mixture import Collection
    from flame.judge.models import files_fingerprint

    from .model import checkpoint_model_dir

    out = Path(out)
    init_dir = checkpoint_model_dir(init)
    available = Collection(start.collection).counts("train")
    tasks = list(tasks) if tasks else sorted(available)
    unknown = [t for t in tasks if t not in available]
    if unknown:
        raise ConfigError(f"task(s) {unknown} have no training examples in {start.collection}/train")
    weights_id = files_fingerprint(init_dir)
    common = {"init": weights_id, "evaluation": eval_description}

    base_hash = _hash(common)
    baseline = _read(out / "baseline.json", base_hash)
    if baseline is None:
        log(f"baseline: judging {init_dir}")
        scores = evaluate(model_spec(init_dir, start))
        baseline = {"init": str(init), "config_hash": base_hash, "scores": scores}
        _write(out / "baseline.json", baseline)
    base_scores = baseline["scores"]
    log("baseline: " + ", ".join(f"{c} {v:.3f}" for c, v in base_scores.items()))

    curves: dict[str, dict[str, list[float]]] = {}
    skipped, trained = [], []
    for i, task in enumerate(tasks, 1):
        cfg = task_config(start, init, task, out, steps, batch, evals)
        run_settings = {k: v for k, v in cfg.to_dict().items() if k not in ("output_dir", "mixture", "init")}
        task_hash = _hash({**common, "task": task, "train": run_settings, "evals": evals})
        path = out / "tasks" / f"{task}.json"
        done = _read(path, task_hash)
        if done is None:
            _write_task_mixture(out, task)
            log(f"[{i}/{len(tasks)}] {task}: training {steps} steps at batch {batch}")
            training = _train_task(cfg)
            ckpts = sorted((Path(cfg.output_dir) / "checkpoints").glob("step-*"))
            points, per_cat = [], {}
            for ckpt in ckpts:
                scores = evaluate(model_spec(ckpt / "model", cfg))
                points.append(int(ckpt.name.removeprefix("step-")))
                for c, v in scores.items():
                    per_cat.setdefault(c, []).append(v)
            done = {"task": task, "config_hash": task_hash, "steps": points, "curves": per_cat, "train": training}
            _write(path, done)
            if not keep_runs:
                shutil.rmtree(cfg.output_dir, ignore_errors=True)
            trained.append(task)
        else:
            skipped.append(task)
        curves[task] = done["curves"]
        log(f"[{i}/{len(tasks)}] {task}{' (cached)' if task in skipped else ''}: " + ", ".join(
            f"{c} {v[-1]:.3f} ({v[-1] - base_scores[c]:+.3f})" for c, v in done["curves"].items() if c in base_scores))

    thresholds = thresholds or Thresholds()
    weights, report = opt_rm_weights(curves, base_scores, thresholds)
    missing = missing or {}
    source = (f"tail-patch of {init} ({steps} steps at batch {batch}, {len(tasks)} tasks); categories "
              f"{', '.join(base_scores)}" + (f"; not available: {', '.join(missing)}" if missing else ""))
    mixture = write_opt_rm(weights, report, folder=mixture_dir, source=source)
    _write(out / "summary.json", {"init": str(init), "base": base_scores, "missing": missing,
                                  "thresholds": vars(thresholds), "tasks": report, "mixture": str(mixture)})
    return TailPatchSummary(base_scores, curves, weights, report, mixture, missing, skipped, trained)


def tailpatch(cfg: TailpatchConfig, log: Callable[[str], None] = print,
              report: Callable[[TailPatchSummary], None] | None = None) -> TailPatchSummary:
    """Tail-patch cfg.init on RewardBench's categories and write the opt-rm mixture; then, with
    cfg.train_opt_rm, train FLAMe-Opt-RM on it (progress as `flame train sft` shows it).

    Categories the evaluator cannot score are logged; report(summary) is called once the
    mixture is written, before FLAMe-Opt-RM trains (the CLI prints its table there).
    """
    from .run import train_and_report
    from .tailpatch_eval import CategoryEvaluator

    base = TrainConfig.from_yaml(cfg.config) if cfg.config else None
    start = start_config(cfg.init, base=base, collection=cfg.collection, overrides=cfg.overrides)
    names = [t.strip() for item in cfg.tasks for t in item.split(",") if t.strip()]
    evaluator = CategoryEvaluator(limit=cfg.eval_limit, seed=cfg.seed, data=cfg.data, chat=start.chat)
    missing = evaluator.missing
    for cat, why in missing.items():
        log(f"category {cat} not available: {why}")
    summary = run_tailpatch(cfg.init, cfg.out, start=start, tasks=names or None, steps=cfg.steps, batch=cfg.batch,
                            evals=cfg.evals, evaluate=evaluator, eval_description=evaluator.describe(),
                            missing=missing, keep_runs=cfg.keep_runs, log=log,
                            thresholds=Thresholds(helpful=cfg.helpful, somewhat=cfg.somewhat, harmful=cfg.harmful))
    if report is not None:
        report(summary)
    if cfg.train_opt_rm:
        train_and_report(opt_rm_config(start, summary.mixture, Path(cfg.out), steps=cfg.opt_steps,
                                       batch=cfg.opt_batch), resume=cfg.resume, log=log)
    return summary


__all__ = ["TailPatchSummary", "TailpatchConfig", "model_spec", "opt_rm_config", "run_tailpatch", "start_config",
           "tailpatch", "task_config"]
