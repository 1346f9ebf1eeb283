"""Benchmark the transformers backend's two scoring schedules on real benchmark items.

    .venv/bin/python bench/judge_schedule.py --n 48 [--benchmarks heldout cobbler ...] [--batch 8 32]

For each benchmark, the first --n items in loader order (as `flame eval run` reads them) are
judged by the bundled SmolLM2-135M-Instruct through the Autorater, both candidate orders,
no result cache, once per schedule (see flame/judge/backends/hf.py):

  batched     padded batches; the prefix every context of a call shares is run once
              (the schedule before the sequential one existed; the default on CUDA)
  sequential  one context at a time in token order on a kept KV cache cut back to the
              prefix shared with the previous context (the default on CPU)

`--batch` is the Autorater's examples per backend call (the runner's --batch-size). The
batched schedule at batch 8 is the baseline; each row gives its speed-up over it and the
largest difference of any label probability from it (float rounding only, if both are right).
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
    """The first n (task, example) pairs of a benchmark, in loader order."""
    from flame.evals.benchmarks import BENCHMARKS

    return [(it.task, it.example) for it in BENCHMARKS.get(name).load("auto").items[:n]]


def judge(hf, items, batch: int):
    """(seconds, judgments) for judging items on a backend, `batch` examples per call."""
    from flame.judge.autorater import Autorater

    start = time.perf_counter()
    judged = list(Autorater(hf).iter_judge(items, batch_size=batch))
    return time.perf_counter() - start, judged


def max_prob_diff(a, b) -> float:
    """The largest difference of any per-order label probability between two runs."""
    return max(abs(x.order_probs[o][lab] - y.order_probs[o][lab])
               for x, y in zip(a, b) for o in x.order_probs for lab in x.order_probs[o])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=48, help="items per benchmark")
    ap.add_argument("--benchmarks", nargs="+", default=list(DEFAULT_BENCHMARKS))
    ap.add_argument("--batch", type=int, nargs="+", default=[8, 32], help="examples per call")
    ap.add_argument("--no-write", action="store_true", help="print, do not update docs/benchmarks.md")
    args = ap.parse_args()

    import torch

    from flame.judge import bundled
    from flame.judge.backends.hf import HFBackend

    base = HFBackend.load(bundled.ensure_converted(), fingerprint=bundled.fingerprint())
    load = os.getloadavg()[0]
    table = ["| benchmark | items | schedule | examples per call | seconds | items/s | speed-up | max prob diff |",
             "|---|---:|---|---:|---:|---:|---:|---:|"]
    for name in args.benchmarks:
        items = items_of(name, args.n)
        baseline = None
        for sequential in (False, True):
            for batch in args.batch:
                hf = HFBackend(base.model, base.tokenizer, fingerprint="bench", sequential=sequential)
                seconds, judged = judge(hf, items, batch)
                if baseline is None:
                    baseline = (seconds, judged)
                schedule = "sequential" if sequential else "batched"
                row = (f"| {name} | {len(items)} | {schedule} | {batch} | {seconds:.1f} | {len(items) / seconds:.2f} "
                       f"| {baseline[0] / seconds:.2f}x | {max_prob_diff(baseline[1], judged):.1e} |")
                table.append(row)
                print(row, flush=True)
    lines = [
        "## Scoring schedules of the transformers backend (`bench/judge_schedule.py`)",
        "",
        f"Command: `.venv/bin/python bench/judge_schedule.py --n {args.n} --benchmarks {' '.join(args.benchmarks)} "
        f"--batch {' '.join(map(str, args.batch))}`",
        "",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPU cores (torch threads "
        f"{torch.get_num_threads()}), load average {load:.1f} at the start; Python {sys.version.split()[0]}, "
        f"torch {torch.__version__}. Model: bundled SmolLM2-135M-Instruct (float32, chat template). "
        f"Items: the first {args.n} of each benchmark in loader order, both candidate orders, no result cache.",
        "",
        *table,
        "",
        "Speed-up is against the batched schedule at the first batch size, on the same items in the same run.",
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
