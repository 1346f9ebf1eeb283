"""Benchmark the transformers backend's two scoring schedules on real benchmark items.

    .venv/bin/python bench/judge_schedule.py --n 48 [--benchmarks heldout cobbler ...] [--batch 8]

For each benchmark, about --n items (the first n/k of each of its k subsets, in loader
order) are judged by the bundled
SmolLM2-135M-Instruct through the Autorater, both candidate orders, no result cache:

  batched, loader order       padded batches, the prefix every context of a call shares run
                              once; items in loader order (what `flame eval run` did before)
  sequential, loader order    one context at a time in token order on a kept KV cache cut back
                              to the prefix shared with the previous context
  sequential, prompt order    the same with items judged in prompt order (`judging_order`),
                              what `flame eval run` does now on CPU

The first row is the baseline; each row gives its speed-up over it and the largest difference
of any label probability from it (float rounding only, if both are right). `--batch` is the
examples per backend call (the runner's --batch-size).
Results replace the `bench:judge_schedule` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

from docs_section import write_section

DEFAULT_BENCHMARKS = ("heldout", "rewardbench", "cobbler", "code-rerank")


def items_of(name: str, n: int):
    """About n (task, example) pairs of a benchmark: the first n/k items of each of its k
    subsets, in loader order (for CoBBLEr: the same pairs under each of the four probes)."""
    from flame.evals.benchmarks import BENCHMARKS

    by_subset: dict[str, list] = {}
    for it in BENCHMARKS.get(name).load("auto").items:
        by_subset.setdefault(it.subset, []).append((it.task, it.example))
    per = -(-n // len(by_subset))
    return [pair for pairs in by_subset.values() for pair in pairs[:per]]


def judge(hf, items, batch: int, order: list[int]):
    """(seconds, judgments in item order) for judging items in `order`, `batch` per call."""
    from flame.judge.autorater import Autorater

    start = time.perf_counter()
    judged = list(Autorater(hf).iter_judge([items[i] for i in order], batch_size=batch))
    seconds = time.perf_counter() - start
    out = [None] * len(items)
    for i, j in zip(order, judged):
        out[i] = j
    return seconds, out


def max_prob_diff(a, b) -> float:
    """The largest difference of any per-order label probability between two runs."""
    return max(abs(x.order_probs[o][lab] - y.order_probs[o][lab])
               for x, y in zip(a, b) for o in x.order_probs for lab in x.order_probs[o])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=48, help="items per benchmark")
    ap.add_argument("--benchmarks", nargs="+", default=list(DEFAULT_BENCHMARKS))
    ap.add_argument("--batch", type=int, default=8, help="examples per backend call")
    ap.add_argument("--no-write", action="store_true", help="print, do not update docs/benchmarks.md")
    args = ap.parse_args()

    import torch

    from flame.evals.benchmarks import Item
    from flame.evals.runner import judging_order
    from flame.judge import bundled
    from flame.judge.backends.hf import HFBackend

    base = HFBackend.load(bundled.ensure_converted(), fingerprint=bundled.fingerprint())
    load = os.getloadavg()[0]
    table = ["| benchmark | items | schedule | item order | seconds | items/s | speed-up | max prob diff |",
             "|---|---:|---|---|---:|---:|---:|---:|"]
    for name in args.benchmarks:
        items = items_of(name, args.n)
        loader = list(range(len(items)))
        prompt = judging_order([Item("", task, ex) for task, ex in items])
        baseline = None
        for sequential, order_name, order in ((False, "loader", loader), (True, "loader", loader),
                                              (True, "prompt", prompt)):
            hf = HFBackend(base.model, base.tokenizer, fingerprint="bench", sequential=sequential)
            seconds, judged = judge(hf, items, args.batch, order)
            baseline = baseline or (seconds, judged)
            row = (f"| {name} | {len(items)} | {'sequential' if sequential else 'batched'} | {order_name} "
                   f"| {seconds:.1f} | {len(items) / seconds:.2f} | {baseline[0] / seconds:.2f}x "
                   f"| {max_prob_diff(baseline[1], judged):.1e} |")
            table.append(row)
            print(row, flush=True)
    lines = [
        "## Scoring schedules of the transformers backend (`bench/judge_schedule.py`)",
        "",
        f"Command: `.venv/bin/python bench/judge_schedule.py --n {args.n} --benchmarks {' '.join(args.benchmarks)} "
        f"--batch {args.batch}`",
        "",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPU cores (torch threads "
        f"{torch.get_num_threads()}), load average {load:.1f} at the start; Python {sys.version.split()[0]}, "
        f"torch {torch.__version__}. Model: bundled SmolLM2-135M-Instruct (float32, chat template). "
        f"Items: about {args.n} per benchmark, the first of each subset in loader order (CoBBLEr: the same pairs "
        f"under each probe), both candidate orders, no result cache.",
        "",
        *table,
        "",
        "Speed-up is against the batched schedule in loader order, on the same items in the same run.",
        "The sequential schedule computes no padding and reuses the KV cache of the prefix each prompt shares",
        "with the previous one in token order: both orders of a pair share the question, CoBBLEr pairs of one",
        "instruction and code-rerank games of one problem share it too (and often the first response).",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        write_section("judge_schedule", text)


if __name__ == "__main__":
    main()
