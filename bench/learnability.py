"""Learnability check of the whole training pipeline on a pairwise task easy by construction.

    .venv/bin/python bench/learnability.py --collection build/collection [--pairwise separate] [--steps 60]

Every pair of the synthetic task is a question with its real (human-preferred) answer against
the preferred answer to a *different* question of the same split: a judge that reads the
question at all can tell them apart. The rows use the TaskSpec of a real pairwise task
(`--task`, default truthfulqa_pairwise_truthfulness), so prompts, chat template, label
tokens, masking, truncation, LoRA and the optimizer are exactly the recipe's; only the
pairs are synthetic. The run trains the bundled SmolLM2-135M-Instruct on them with the
recipe (`flame.train.sft.train`) and validates through the Autorater every `--eval-every`
steps on the synthetic validation split. It must reach 90% validation accuracy; if it
cannot, something in the recipe is wrong, and hours of training would be wasted.
Results replace the `bench:learnability` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from docs_section import DOC, write_section

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "flame" / "configs" / "train" / "flame-smollm2.yaml"
TARGET = 0.90


def synthetic_collection(collection: Path, task: str, out: Path, per_split: dict[str, int]) -> dict[str, int]:
    """Write the synthetic task in the built-collection layout under out; rows per split."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from flame.core.template import render
    from flame.data.common import RESPONSE_A, RESPONSE_B, pairwise_example
    from flame.train.data import row_example, row_task

    counts = {}
    for split, n in per_split.items():
        rows = []
        for shard in sorted((collection / split / task).glob("*.parquet")):
            rows += pq.read_table(shard).to_pylist()
        # one pair per question: the first row of each distinct context
        seen, firsts = set(), []
        for r in rows:
            ex = row_example(r)
            context = {k: v for k, v in ex.inputs.items() if k not in (RESPONSE_A, RESPONSE_B)}
            key = json.dumps(context, sort_keys=True)
            if key not in seen and ex.targets.get("choice") in ("A", "B"):
                seen.add(key)
                firsts.append((r, ex, context))
            if len(firsts) > n:
                break
        spec = row_task(rows[0])
        out_rows = []
        for i, (r, ex, context) in enumerate(firsts[:n]):
            real = ex.inputs[RESPONSE_A if ex.targets["choice"] == "A" else RESPONSE_B]
            _, other, _ = firsts[(i + 1) % len(firsts)]
            other_ex = other
            wrong = other_ex.inputs[RESPONSE_A if other_ex.targets["choice"] == "A" else RESPONSE_B]
            pair = pairwise_example(task, ex.provenance, context, real, wrong)
            prompt = render(spec, pair)
            out_rows.append({**pair.to_dict(), "inputs": json.dumps(dict(pair.inputs), sort_keys=True),
                             "targets": json.dumps(dict(pair.targets), sort_keys=True),
                             "row": str(pair.provenance.row), "prompt": prompt.text, "target": prompt.target})
        folder = out / split / task
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(out_rows), folder / "part-00000.parquet")
        counts[split] = len(out_rows)
    return counts


class Curve:
    """Training callback: validation metrics and wall time after each validation."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.points: list[dict] = []
        self.pair_accuracy: list[float] = []

    def on_step_end(self, state, metrics) -> None:
        if "pair_accuracy" in metrics:
            self.pair_accuracy.append(metrics["pair_accuracy"])

    def on_validation(self, state, metrics) -> None:
        self.points.append({"step": state.step, "examples": state.examples,
                            "minutes": (time.perf_counter() - self.started) / 60, **metrics})
        print(f"step {state.step}: {json.dumps({k: round(v, 3) for k, v in metrics.items() if '/' not in k})}",
              flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--collection", default=str(REPO / "build" / "collection"))
    ap.add_argument("--task", default="truthfulqa_pairwise_truthfulness")
    ap.add_argument("--pairwise", default="separate", choices=("ab", "separate"))
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--micro", type=int, default=4)
    ap.add_argument("--lr", type=float, default=2e-4)
    ap.add_argument("--lora-layers", type=int, default=10)
    ap.add_argument("--max-length", type=int, default=512)
    ap.add_argument("--eval-every", type=int, default=20)
    ap.add_argument("--eval-examples", type=int, default=64)
    ap.add_argument("--no-write", action="store_true", help="print the section, do not write docs/benchmarks.md")
    args = ap.parse_args()

    import torch

    from flame.train.config import TrainConfig
    from flame.train.sft import train

    load_start = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="flame-learnability-") as tmp:
        tmp = Path(tmp)
        counts = synthetic_collection(Path(args.collection), args.task, tmp / "collection",
                                      {"train": args.steps * args.batch, "validation": args.eval_examples})
        mixture = tmp / "synthetic.yaml"
        mixture.write_text(f"name: synthetic\nrate: equal\ntasks: [{args.task}]\n")
        overrides = [f"collection={tmp / 'collection'}", f"mixture={mixture}", f"output_dir={tmp / 'run'}",
                     f"pairwise={args.pairwise}", f"max_steps={args.steps}", f"batch_size={args.batch}",
                     f"micro_batch_size={args.micro}", f"lr={args.lr}", f"lora_layers={args.lora_layers}",
                     f"max_length={args.max_length}", f"eval_every={args.eval_every}",
                     f"eval_examples={args.eval_examples}", f"save_every={args.steps}", "dropout=0", "lora_dropout=0"]
        cfg = TrainConfig.from_yaml(CONFIG, overrides)
        curve = Curve()
        train(cfg, callbacks=[curve])
    load_end = os.getloadavg()
    best = max(p.get("val_accuracy", 0.0) for p in curve.points)
    reached = next((p for p in curve.points if p.get("val_accuracy", 0.0) >= TARGET), None)

    rows = [f"| {p['step']} | {p['examples']:,} | {p['minutes']:.1f} | {100 * p.get('val_accuracy', float('nan')):.1f} | "
            + (f"{100 * p['val_orders_agree']:.1f} | {100 * p['val_first_shown']:.1f} |" if "val_orders_agree" in p
               else "– | – |") for p in curve.points]
    cmd = (f".venv/bin/python bench/learnability.py --pairwise {args.pairwise} --steps {args.steps} --batch {args.batch} "
           f"--micro {args.micro} --lr {args.lr} --lora-layers {args.lora_layers} --max-length {args.max_length} "
           f"--eval-every {args.eval_every} --eval-examples {args.eval_examples}")
    verdict = (f"**passed**: {100 * reached['val_accuracy']:.1f}% at step {reached['step']} "
               f"({reached['examples']:,} training pairs)" if reached else f"**failed**: best {100 * best:.1f}%")
    text = "\n".join([
        f"## Learnability check, pairwise={args.pairwise} (`bench/learnability.py`)",
        "",
        f"Command: `{cmd}`",
        "",
        f"Machine: {os.cpu_count()} CPUs, torch {torch.__version__} ({torch.get_num_threads()} threads), Python "
        f"{platform.python_version()}; load average {load_start[0]:.1f} at the start, {load_end[0]:.1f} at the end.",
        "",
        f"Task: {args.task}'s prompts with synthetic pairs, each question's real preferred answer against the preferred "
        f"answer to another question ({counts['train']:,} training pairs, {counts['validation']} validation pairs). "
        f"Model: SmolLM2-135M-Instruct, LoRA r 16 on all linear layers of the top {args.lora_layers} of 30 decoder "
        f"layers, lr {args.lr}, dropout 0, max length {args.max_length}. Validation: the Autorater on the validation "
        f"pairs" + (", both candidate orders." if args.pairwise == "ab" else ", each answer scored on its own."),
        "",
        "| step | pairs seen | minutes | validation accuracy | orders agree | first shown picked |",
        "|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        f"Target: at least {100 * TARGET:.0f}% validation accuracy: {verdict}.",
    ])
    print(text)
    if not args.no_write:
        write_section(f"learnability_{args.pairwise}", text)
        print(f"wrote the learnability_{args.pairwise} section of {DOC}")
    sys.exit(0 if reached else 1)


if __name__ == "__main__":
    main()
