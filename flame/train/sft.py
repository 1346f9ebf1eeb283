"""The FLAMe recipe: supervised multitask fine-tuning on a mixture of a built collection.

Read top to bottom: `setup` (model, optimizer, data), `train` (the loop), `save`. It runs
as a plain Python call on one CPU and, unchanged, under `accelerate launch` on many
processes (DDP, FSDP or DeepSpeed, chosen by the accelerate config).

The global batch (`batch_size` examples) is drawn from the mixture stream identically on
every process, sorted by length and cut into micro-batches; process r takes micro-batches
r, r + world, ... . The loss is the sum of target-token cross-entropies divided by the
target tokens of the *whole* global batch, so a step's update does not depend on how the
batch is split across processes and accumulation steps.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, Sequence

from .checkpoint import STATE_FILE, latest_checkpoint, load_checkpoint, save_checkpoint, save_trainable_only
from .config import RESUME_MAY_CHANGE, ConfigError, TrainConfig
from .data import Encoded, Pair, collate, encode_row, label_token_ids, preference_loss_sum, token_loss_sum, unit_micro_batches


@dataclass
class TrainState:
    """What the loop knows after each step; callbacks read it."""

    step: int = 0
    max_steps: int = 0
    tokens: int = 0  # prompt + target tokens trained on, all processes
    examples: int = 0
    history: list[dict[str, float]] = field(default_factory=list)  # one entry per logged step / validation
    is_main_process: bool = True


class Callback(Protocol):
    """Optional hooks; implement any subset (see ProgressBar in flame.train.progress)."""

    def on_train_begin(self, state: TrainState) -> None: ...
    def on_step_end(self, state: TrainState, metrics: dict[str, float]) -> None: ...
    def on_validation(self, state: TrainState, metrics: dict[str, float]) -> None: ...
    def on_train_end(self, state: TrainState) -> None: ...


def _call(callbacks: Sequence[Any], hook: str, *args: Any) -> None:
    for cb in callbacks:
        fn = getattr(cb, hook, None)
        if fn is not None:
            fn(*args)


@dataclass
class Run:
    """The objects a run trains with (built by `setup`)."""

    config: TrainConfig
    accelerator: Any
    model: Any
    tokenizer: Any
    optimizer: Any
    scheduler: Any
    stream: Any
    validation_rows: dict[str, list[dict[str, str]]]
    accumulation: int
    label_ids: list[int]  # Yes, No: what the Bradley-Terry loss compares (pairwise="separate")


def setup(cfg: TrainConfig) -> Run:
    """Build the accelerator, model, optimizer, LR schedule and mixture stream for cfg."""
    import torch
    from accelerate import Accelerator

    from flame.data.mixture import Collection, load_mixture

    from .model import load_model, load_tokenizer, resolve_model

    if not cfg.collection:
        raise ConfigError("collection is not set: give collection=DIR (a built collection, flame data build --out DIR)")
    # Without a GPU, processes started by `accelerate launch` join through gloo on the CPU.
    accelerator = Accelerator(cpu=not torch.accelerator.is_available())
    world = accelerator.num_processes
    if cfg.batch_size % (cfg.micro_batch_size * world):
        raise ConfigError(f"batch_size {cfg.batch_size} must be a multiple of micro_batch_size x processes "
                          f"({cfg.micro_batch_size} x {world})")
    accumulation = cfg.batch_size // (cfg.micro_batch_size * world)
    accelerator.gradient_accumulation_steps = accumulation

    mixture = load_mixture(cfg.mixture).resolve(cfg.collection, "train")
    stream = mixture.stream(seed=cfg.seed, buffer=cfg.shuffle_buffer)
    collection = Collection(cfg.collection)
    validation_rows = {t: rows for t in mixture.rates if (rows := collection.head("validation", t, cfg.eval_examples))}

    torch.manual_seed(cfg.seed)  # LoRA initialisation
    path = resolve_model(cfg.model)
    tokenizer = load_tokenizer(path)
    lora = ({"r": cfg.lora_r, "alpha": cfg.lora_alpha, "dropout": cfg.lora_dropout, "targets": cfg.lora_targets,
             "layers": cfg.lora_layers} if cfg.lora else None)
    model = load_model(path, dropout=cfg.dropout, dtype=cfg.dtype, lora=lora, init=cfg.init)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=cfg.lr, betas=(cfg.adam_beta1, cfg.adam_beta2), eps=cfg.adam_eps,
                                  weight_decay=cfg.weight_decay)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, _schedule(cfg))
    model, optimizer = accelerator.prepare(model, optimizer)
    # The scheduler is stepped by hand once per optimizer step (accelerate's wrapper would
    # step it once per process); registering it puts it in accelerate's checkpoints.
    accelerator.register_for_checkpointing(scheduler)
    save_trainable_only(accelerator)
    label_ids = label_token_ids(tokenizer) if cfg.pairwise == "separate" else []
    return Run(cfg, accelerator, model, tokenizer, optimizer, scheduler, stream, validation_rows, accumulation, label_ids)


def _checkpoint_to_resume(cfg: TrainConfig) -> Path:
    """The newest checkpoint in cfg.output_dir, refused when cfg changes what the run trains on or how."""
    ckpt = latest_checkpoint(cfg.output_dir)
    if ckpt is None:
        raise ConfigError(f"--resume: no checkpoint in {cfg.output_dir}/checkpoints")
    conflicts = cfg.resume_conflicts(json.loads((ckpt / STATE_FILE).read_text())["config"])
    if conflicts:
        raise ConfigError(f"--resume: {ckpt} was trained with other settings, so the run would not continue "
                          f"exactly: {'; '.join(conflicts)} (only {', '.join(sorted(RESUME_MAY_CHANGE))} may change)")
    return ckpt


def _schedule(cfg: TrainConfig):
    def factor(step: int) -> float:
        if step < cfg.warmup_steps:
            return (step + 1) / cfg.warmup_steps
        if cfg.schedule == "constant":
            return 1.0
        progress = (step - cfg.warmup_steps) / max(1, cfg.max_steps - cfg.warmup_steps)
        return max(0.0, 1 - progress) if cfg.schedule == "linear" else 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))

    return factor


def train(cfg: TrainConfig, callbacks: Sequence[Any] = (), resume: bool = False) -> TrainState:
    """Run the recipe to cfg.max_steps; with resume, continue from the newest checkpoint in output_dir.

    The trained model (or LoRA adapter) is the `model/` folder of the last checkpoint,
    OUTPUT_DIR/checkpoints/step-<max_steps>/model.
    """
    ckpt = _checkpoint_to_resume(cfg) if resume else None
    run = setup(cfg)
    acc = run.accelerator
    state = TrainState(max_steps=cfg.max_steps, is_main_process=acc.is_main_process)
    if ckpt is not None:
        saved = load_checkpoint(acc, run.model, ckpt)
        run.stream.load_state_dict(saved["mixture"])
        state.step, state.tokens, state.examples = saved["step"], saved["tokens"], saved["examples"]
        state.history = saved["history"]
    _call(callbacks, "on_train_begin", state)
    if cfg.eval_every and state.step == 0:  # the learning curve starts at the untrained model
        _validate(run, state, callbacks)

    while state.step < cfg.max_steps:
        started = time.perf_counter()
        metrics = train_step(run, run.stream.take(cfg.batch_size))
        state.step += 1
        state.tokens += int(metrics["tokens"])
        state.examples += cfg.batch_size
        metrics["tokens_per_s"] = metrics["tokens"] / max(1e-9, time.perf_counter() - started)
        metrics["lr"] = run.scheduler.get_last_lr()[0]
        if state.step % cfg.log_every == 0 or state.step == cfg.max_steps:
            state.history.append({"step": state.step, "loss": metrics["loss"], "lr": metrics["lr"],
                                  **({"pair_accuracy": metrics["pair_accuracy"]} if "pair_accuracy" in metrics else {})})
        if cfg.eval_every and state.step % cfg.eval_every == 0 or state.step == cfg.max_steps:
            _validate(run, state, callbacks)
        if state.step % cfg.save_every == 0 or state.step == cfg.max_steps:
            save(run, state)
        _call(callbacks, "on_step_end", state, metrics)

    _call(callbacks, "on_train_end", state)
    return state


def train_step(run: Run, rows: Sequence[dict[str, str]]) -> dict[str, float]:
    """One optimizer step on a global batch of collection rows; returns loss and token counts.

    The loss is the mean target-token cross-entropy of the rows trained as text plus the
    mean Bradley-Terry loss of the pairs trained separately (config `pairwise`), each over
    the whole global batch.
    """
    import torch

    cfg, acc, model = run.config, run.accelerator, run.model
    units = [encode_row(run.tokenizer, r, max_length=cfg.max_length, chat=cfg.chat, pairwise=cfg.pairwise,
                        swap_augment=cfg.swap_augment) for r in rows]
    texts = [x for u in units for x in u if isinstance(x, Encoded)]
    pairs = [x for u in units for x in u if isinstance(x, Pair)]
    targets = sum(e.target_tokens for e in texts)
    mine = unit_micro_batches(units, cfg.micro_batch_size)[acc.process_index :: acc.num_processes]
    # accelerate averages gradients over processes and divides the loss by the accumulation
    # steps; scaling by both makes the update the mean over the global batch.
    scale = acc.num_processes * run.accumulation
    text_sum = torch.zeros((), device=acc.device)
    pair_sum = torch.zeros((), device=acc.device)
    wins = 0
    for micro in mine:
        micro_texts = [x for u in micro for x in u if isinstance(x, Encoded)]
        micro_pairs = [x for u in micro for x in u if isinstance(x, Pair)]
        with acc.accumulate(model):
            loss = torch.zeros((), device=acc.device)
            if micro_texts:
                batch = {k: v.to(acc.device) for k, v in collate(micro_texts, run.tokenizer.pad_token_id).items()}
                text_loss = token_loss_sum(model, batch)
                loss = loss + text_loss / targets
                text_sum += text_loss.detach()
            if micro_pairs:
                pair_loss, won = preference_loss_sum(model, micro_pairs, run.tokenizer.pad_token_id, run.label_ids)
                loss = loss + pair_loss / len(pairs)
                pair_sum += pair_loss.detach()
                wins += won
            if loss.requires_grad:
                acc.backward(loss * scale)
    if cfg.max_grad_norm:
        acc.clip_grad_norm_(model.parameters(), cfg.max_grad_norm)
    run.optimizer.step()
    run.scheduler.step()
    run.optimizer.zero_grad()
    text_total = acc.reduce(text_sum, reduction="sum").item()
    pair_total = acc.reduce(pair_sum, reduction="sum").item()
    wins = int(acc.reduce(torch.tensor(float(wins), device=acc.device), reduction="sum").item())
    metrics = {"loss": (text_total / targets if targets else 0.0) + (pair_total / len(pairs) if pairs else 0.0),
               "tokens": float(sum(len(e.input_ids) for e in texts) + sum(len(p.chosen) + len(p.rejected) for p in pairs)),
               "target_tokens": float(targets)}
    if pairs:
        metrics["pair_accuracy"] = wins / len(pairs)
    return metrics


def _validate(run: Run, state: TrainState, callbacks: Sequence[Any]) -> None:
    from .validate import validate

    if not run.validation_rows:
        return
    metrics = validate(run.accelerator.unwrap_model(run.model), run.tokenizer, run.validation_rows,
                       chat=run.config.chat, pairwise=run.config.pairwise)
    state.history.append({"step": state.step, **metrics})
    _call(callbacks, "on_validation", state, metrics)


def save(run: Run, state: TrainState) -> None:
    """Write a checkpoint of the current step (all processes take part)."""
    trainer_state = {
        "step": state.step, "tokens": state.tokens, "examples": state.examples,
        "mixture": run.stream.state_dict(), "history": state.history, "config": run.config.to_dict(),
    }
    save_checkpoint(run.accelerator, run.model, run.tokenizer, run.config.output_dir, state.step, trainer_state,
                    run.config.keep_checkpoints)


__all__ = ["Callback", "Encoded", "Run", "TrainState", "setup", "train", "train_step", "save"]
