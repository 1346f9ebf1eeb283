"""Benchmark training throughput: the SFT recipe against a bare PyTorch loop on the same batches.

    .venv/bin/python bench/train_throughput.py --layers 4 --steps 10 --batch 8 --micro 4 --max-length 256 --mixture flame-rm

Variants (same model, LoRA settings, optimizer and batches, one process, this CPU):
  recipe   flame.train.sft.train, as `flame train sft --config configs/train/flame-smollm2.yaml`
           runs it (accelerate, the mixture stream read and tokenized on the fly, LR scheduler,
           history, callbacks)
  bare     a plain PyTorch loop: the model from the same loader, AdamW on the same trainable
           parameters, the same batches pre-tokenized and collated before the clock starts,
           forward + backward per micro-batch, optimizer step; no accelerate, checkpoint or
           progress bar. It computes the same target-only loss (flame.train.data.token_loss_sum),
           so the difference is the recipe's overhead, not a different computation.

The two alternate step by step in the same run (A B A B ...): a recipe callback runs the
bare loop's step on the same batch after each recipe step, timed apart, so a machine shared
with other jobs loads both alike. Reported: tokens/s of each over steps 2 .. N-1 (step 1
warms up; step N is where the recipe validates and writes its checkpoint, reported apart:
the SmolLM2 config does that every 500 steps), and the median of the per-step time ratios.
Results replace the `bench:train_throughput` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from docs_section import DOC, write_section

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "configs" / "train" / "flame-smollm2.yaml"


def truncated_model(name: str, layers: int, out: Path) -> str:
    """A local copy of the model keeping only its first `layers` decoder layers (real weights,
    width, tokenizer and chat template), for machines too slow for the whole model."""
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    from flame.train.model import resolve_model

    path = resolve_model(name)
    config = AutoConfig.from_pretrained(path)
    if layers >= config.num_hidden_layers:
        return name
    config.num_hidden_layers = layers
    AutoModelForCausalLM.from_pretrained(path, config=config).save_pretrained(out)
    AutoTokenizer.from_pretrained(path).save_pretrained(out)
    return str(out)


def make_config(args, out: Path, model: str):
    from flame.train.config import TrainConfig

    return TrainConfig.from_yaml(CONFIG, [
        f"collection={args.collection}", f"model={model}", f"lora={str(args.lora).lower()}",
        f"max_steps={args.steps}", f"batch_size={args.batch}", f"micro_batch_size={args.micro}",
        f"max_length={args.max_length}", f"output_dir={out}", f"save_every={args.steps}", "eval_every=0",
        "eval_examples=1", "log_every=1", f"mixture={args.mixture}",
    ])


def prepare_batches(cfg):
    """The recipe's batches: the same mixture stream, seed and encoding, as collated micro-batches."""
    from flame.data.mixture import load_mixture
    from flame.train.data import collate, encode, micro_batches, prepare_prompt
    from flame.train.model import load_tokenizer, resolve_model

    tok = load_tokenizer(resolve_model(cfg.model))
    stream = load_mixture(cfg.mixture).resolve(cfg.collection, "train").stream(seed=cfg.seed, buffer=cfg.shuffle_buffer)
    steps = []
    for _ in range(cfg.max_steps):
        rows = stream.take(cfg.batch_size)
        enc = [encode(tok, prepare_prompt(tok, r["prompt"], cfg.chat), r["target"], cfg.max_length, r["task"])
               for r in rows]
        targets = sum(e.target_tokens for e in enc)
        micros = [collate(m, tok.pad_token_id) for m in micro_batches(enc, cfg.micro_batch_size)]
        steps.append((micros, targets, sum(len(e.input_ids) for e in enc)))
    return steps


class Paired:
    """Training callback that alternates the variants step by step: after each recipe step it runs
    the bare loop's step on the same batch, timed apart. A recipe step's time runs from the end of
    the previous callback to its own on_step_end."""

    def __init__(self, cfg, batches) -> None:
        self.cfg, self.batches = cfg, batches
        self.recipe: dict[str, list] = {"step_s": [], "tokens": [], "losses": []}
        self.bare: dict[str, list] = {"step_s": [], "tokens": [], "losses": []}
        self._resumed = 0.0

    def on_train_begin(self, state) -> None:
        import torch

        from flame.train.model import load_model, resolve_model

        cfg = self.cfg
        torch.manual_seed(cfg.seed)
        lora = {"r": cfg.lora_r, "alpha": cfg.lora_alpha, "dropout": cfg.lora_dropout,
                "targets": cfg.lora_targets} if cfg.lora else None
        self.model = load_model(resolve_model(cfg.model), dropout=cfg.dropout, dtype=cfg.dtype, lora=lora)
        self.model.train()
        params = [p for p in self.model.parameters() if p.requires_grad]
        self.opt = torch.optim.AdamW(params, lr=cfg.lr, betas=(cfg.adam_beta1, cfg.adam_beta2), eps=cfg.adam_eps,
                                     weight_decay=cfg.weight_decay)
        self._resumed = time.perf_counter()

    def on_step_end(self, state, metrics) -> None:
        ended = time.perf_counter()
        self.recipe["step_s"].append(ended - self._resumed)
        self.recipe["tokens"].append(int(metrics["tokens"]))
        self.recipe["losses"].append(float(metrics["loss"]))
        self.bare_step(*self.batches[state.step - 1])
        self._resumed = time.perf_counter()

    def bare_step(self, micros, targets, n_tokens) -> None:
        """The bare loop's step: forward + backward per micro-batch, optimizer step."""
        from flame.train.data import token_loss_sum

        started = time.perf_counter()
        total = 0.0
        for batch in micros:
            loss = token_loss_sum(self.model, batch)
            (loss / targets).backward()
            total += loss.item()
        self.opt.step()
        self.opt.zero_grad()
        self.bare["step_s"].append(time.perf_counter() - started)
        self.bare["tokens"].append(n_tokens)
        self.bare["losses"].append(total / targets)


def steady(run: dict) -> tuple[float, int, float]:
    """(seconds, tokens, tokens/s) over steps 2 .. N-1."""
    secs, toks = sum(run["step_s"][1:-1]), sum(run["tokens"][1:-1])
    return secs, toks, toks / secs


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="smollm2-135m")
    ap.add_argument("--layers", type=int, default=0, help="keep only the model's first N decoder layers (0: all)")
    ap.add_argument("--lora", action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument("--collection", default=str(REPO / "build" / "collection"))
    ap.add_argument("--mixture", default="flame")
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--micro", type=int, default=4)
    ap.add_argument("--max-length", type=int, default=512)
    ap.add_argument("--no-write", action="store_true", help="print the section, do not write docs/benchmarks.md")
    args = ap.parse_args()
    if args.steps < 3:
        ap.error("--steps must be at least 3 (step 1 warms up, the last step validates and checkpoints)")

    import torch
    import transformers

    from flame.judge.bundled import NAME
    from flame.train.sft import train

    load_start = os.getloadavg()
    wall_start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="flame-bench-train-") as tmp:
        model_path = truncated_model(args.model, args.layers, Path(tmp) / "model") if args.layers else args.model
        cfg = make_config(args, Path(tmp) / "run", model_path)
        batches = prepare_batches(cfg)
        pair = Paired(cfg, batches)
        train(cfg, callbacks=[pair])
    load_end = os.getloadavg()
    wall = time.perf_counter() - wall_start
    runs = {"recipe": pair.recipe, "bare": pair.bare}

    if pair.recipe["tokens"] != pair.bare["tokens"]:
        sys.exit(f"the recipe trained on other batches: {pair.recipe['tokens']} vs {pair.bare['tokens']}")
    inner = slice(1, -1)  # steps 2 .. N-1
    med_tps = {v: statistics.median(t / x for t, x in zip(r["tokens"][inner], r["step_s"][inner])) for v, r in runs.items()}
    mean_tps = {v: steady(r)[2] for v, r in runs.items()}
    spread = {v: max(r["step_s"][inner]) / statistics.median(r["step_s"][inner]) for v, r in runs.items()}
    step_ratios = [r / b for r, b in zip(pair.recipe["step_s"][inner], pair.bare["step_s"][inner])]
    overhead = statistics.median(step_ratios) - 1  # extra time per step, median over the paired steps
    last, fastest = pair.recipe["step_s"][-1], min(pair.recipe["step_s"][inner])
    loss_gap = max(abs(a - b) for a, b in zip(pair.recipe["losses"], pair.bare["losses"]))
    model = "SmolLM2-135M-Instruct" if args.model == NAME else args.model
    if args.layers:
        model += f" cut to its first {args.layers} of 30 decoder layers (real weights, width 576, tokenizer)"

    rows = [f"| {k + 1} | {pair.recipe['tokens'][k]:,} | {pair.recipe['step_s'][k]:.2f} | {pair.bare['step_s'][k]:.2f} | "
            f"{pair.recipe['step_s'][k] / pair.bare['step_s'][k]:.3f} |" for k in range(args.steps)]
    cmd = (f".venv/bin/python bench/train_throughput.py --steps {args.steps} --batch {args.batch} --micro {args.micro} "
           f"--max-length {args.max_length}" + (f" --layers {args.layers}" if args.layers else "")
           + ("" if args.lora else " --no-lora") + ("" if args.mixture == "flame" else f" --mixture {args.mixture}"))
    text = "\n".join([
        "## Training throughput (`bench/train_throughput.py`)",
        "",
        f"Command: `{cmd}`",
        "",
        f"Machine: {os.cpu_count()} CPUs ({cpu_name()}), torch {torch.__version__} ({torch.get_num_threads()} threads), "
        f"transformers {transformers.__version__}, Python {platform.python_version()}. **Shared with other jobs**: load "
        f"average {load_start[0]:.1f} at the start, {load_end[0]:.1f} at the end. The variants alternate step by step in "
        f"one run (A B A B ...), so both see the same contention. Wall time {wall / 60:.1f} min.",
        "",
        f"Setting: {model}{' with a LoRA adapter (r 16, all linear layers)' if args.lora else ', full fine-tuning'}, "
        f"the `{args.mixture}` mixture of the mirror collection, {args.steps} steps of {args.batch} examples "
        f"(micro-batches of {args.micro}, so 2 accumulation steps when batch = 2 x micro), max length {args.max_length}, "
        f"float32, one process; the configs/train/flame-smollm2.yaml settings otherwise. Both variants train on the "
        f"same batches (identical token counts per step; their losses differ by up to {loss_gap:.2f} because the two "
        f"models draw different dropout masks).",
        "",
        "| Step | Tokens | Recipe s | Bare s | Recipe / bare |",
        "|---:|---:|---:|---:|---:|",
        *rows,
        "",
        f"- Steps 2..{args.steps - 1}, median per step: recipe {med_tps['recipe']:,.0f} tokens/s, bare loop "
        f"{med_tps['bare']:,.0f} tokens/s (ratio {med_tps['recipe'] / med_tps['bare']:.3f}). Median of the paired "
        f"per-step time ratios recipe / bare: **{1 + overhead:.3f}**, i.e. **{overhead * 100:+.1f}%** time per step.",
        f"- Means over the same steps, which load spikes from other jobs move (slowest / median step: recipe "
        f"{spread['recipe']:.1f}x, bare {spread['bare']:.1f}x): recipe {mean_tps['recipe']:,.0f}, bare "
        f"{mean_tps['bare']:,.0f} tokens/s.",
        f"- Target overhead at most 10%: **{'met' if overhead <= 0.10 else 'missed'}**.",
        f"- Step {args.steps} of the recipe also validated (1 example per task) and wrote a checkpoint: {last:.1f} s, "
        f"against {fastest:.1f} s for its fastest other step (the SmolLM2 config does this every 500 steps).",
        "- The bare loop reads pre-tokenized tensors; the recipe's time includes reading the mixture stream and "
        "tokenizing, accelerate's wrappers, the LR scheduler and its bookkeeping.",
    ])
    print(text)
    if not args.no_write:
        write_section("train_throughput", text)
        print(f"wrote the train_throughput section of {DOC}")


if __name__ == "__main__":
    main()
