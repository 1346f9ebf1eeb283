"""Benchmark training throughput: pairwise examples per hour under the old and the new settings.

    .venv/bin/python bench/train_throughput.py --steps 6 --batch 8 [--variants old,separate-top10]

Every variant trains the whole bundled SmolLM2-135M-Instruct (30 decoder layers, fp32, one
process, this CPU) with the recipe (`flame.train.sft.train`) on the same rows: the same
mixture stream and seed, so step k of every variant sees the same pairwise examples.

  old              the settings that trained flame/models/flame-smollm2-135m: A/B verdicts, one
                   candidate order, LoRA r 16 on all linear layers of all 30 layers, LoRA
                   dropout 0.05, dropout 0, max length 512
  ab-swap          A/B verdicts trained in both candidate orders (swap augmentation), the same
                   LoRA: twice the sequences per example
  ab-swap-top10    the same with LoRA on the top 10 layers only
  separate-all     each candidate scored alone, Bradley-Terry loss, the pair's shared prefix run
                   once; LoRA on all 30 layers
  separate-top10   the same with LoRA on the top 10 layers (flame/configs/train/flame-prefs-smollm2.yaml)

Reported: seconds per step (median over steps 2..N; step 1 warms up, the last step writes a
checkpoint), pairwise examples per hour, and the ratio against `old` measured in the same
run. The variants run one after another, so a machine shared with other jobs can move them
unequally: the load averages are recorded. Results replace the `bench:train_throughput`
section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from docs_section import DOC, write_section

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "flame" / "configs" / "train" / "flame-prefs-smollm2.yaml"
VARIANTS = {
    "old": ["pairwise=ab", "swap_augment=false", "lora_layers=0", "lora_dropout=0.05"],
    "ab-swap": ["pairwise=ab", "swap_augment=true", "lora_layers=0", "lora_dropout=0.05"],
    "ab-swap-top10": ["pairwise=ab", "swap_augment=true", "lora_layers=10", "lora_dropout=0"],
    "separate-all": ["pairwise=separate", "lora_layers=0", "lora_dropout=0"],
    "separate-top10": ["pairwise=separate", "lora_layers=10", "lora_dropout=0"],
}


class StepTimer:
    """Training callback: wall seconds and tokens of every step."""

    def __init__(self) -> None:
        self.seconds: list[float] = []
        self.tokens: list[int] = []
        self._last = time.perf_counter()

    def on_train_begin(self, state) -> None:
        self._last = time.perf_counter()

    def on_step_end(self, state, metrics) -> None:
        now = time.perf_counter()
        self.seconds.append(now - self._last)
        self.tokens.append(int(metrics["tokens"]))
        self._last = now


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--collection", default=str(REPO / "build" / "collection"))
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--micro", type=int, default=4)
    ap.add_argument("--max-length", type=int, default=512)
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--no-write", action="store_true", help="print the section, do not write docs/benchmarks.md")
    args = ap.parse_args()
    names = [v.strip() for v in args.variants.split(",")]
    if names[0] != "old" or any(n not in VARIANTS for n in names):
        ap.error(f"--variants: a comma list starting with old, of {', '.join(VARIANTS)}")
    if args.steps < 3:
        ap.error("--steps must be at least 3 (step 1 warms up, the last step writes a checkpoint)")

    import torch

    from flame.train.config import TrainConfig
    from flame.train.sft import train

    load_start = os.getloadavg()
    wall_start = time.perf_counter()
    results = {}
    with tempfile.TemporaryDirectory(prefix="flame-bench-train-") as tmp:
        for name in names:
            cfg = TrainConfig.from_yaml(CONFIG, [
                f"collection={args.collection}", f"output_dir={Path(tmp) / name}", f"max_steps={args.steps}",
                f"batch_size={args.batch}", f"micro_batch_size={args.micro}", f"max_length={args.max_length}",
                f"save_every={args.steps}", "eval_every=0", "eval_examples=0", "warmup_steps=0", *VARIANTS[name]])
            timer = StepTimer()
            train(cfg, callbacks=[timer])
            inner = timer.seconds[1:-1]
            results[name] = {"s_step": statistics.median(inner), "tokens": statistics.median(timer.tokens[1:-1]),
                             "steps": timer.seconds}
            print(f"{name}: {results[name]['s_step']:.1f} s/step", flush=True)
    load_end = os.getloadavg()
    wall = time.perf_counter() - wall_start

    base = results["old"]["s_step"]
    rows = [f"| {name} | {' '.join(VARIANTS[name])} | {r['tokens']:,.0f} | {r['s_step']:.1f} | "
            f"{3600 * args.batch / r['s_step']:,.0f} | **{base / r['s_step']:.2f}x** |" for name, r in results.items()]
    cmd = (f".venv/bin/python bench/train_throughput.py --steps {args.steps} --batch {args.batch} --micro {args.micro} "
           f"--max-length {args.max_length} --variants {','.join(names)}")
    text = "\n".join([
        "## Training throughput (`bench/train_throughput.py`)",
        "",
        f"Command: `{cmd}`",
        "",
        f"Machine: {os.cpu_count()} CPUs, torch {torch.__version__} ({torch.get_num_threads()} threads), Python "
        f"{platform.python_version()}; load average {load_start[0]:.1f} at the start, {load_end[0]:.1f} at the end; "
        f"wall time {wall / 60:.1f} min.",
        "",
        f"Setting: the whole SmolLM2-135M-Instruct (30 layers), fp32, one process, LoRA r 16, the `flame-prefs` mixture, "
        f"{args.steps} steps of {args.batch} pairwise examples (micro-batches of {args.micro}), max length "
        f"{args.max_length}, dropout 0, the same rows for every variant. Seconds per step: median over steps "
        f"2..{args.steps - 1}. Tokens: per step, as the recipe counts them (every sequence it runs, shared prefixes "
        "counted twice).",
        "",
        "| variant | overrides | tokens per step | s per step | pairwise examples per hour | vs old |",
        "|---|---|---:|---:|---:|---:|",
        *rows,
    ])
    print(text)
    if not args.no_write:
        write_section("train_throughput", text)
        print(f"wrote the train_throughput section of {DOC}")


if __name__ == "__main__":
    main()
