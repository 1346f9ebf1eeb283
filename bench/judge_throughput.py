"""Benchmark judging throughput on real LLMBar pairs, one model, one machine, one run.

    .venv/bin/python bench/judge_throughput.py --n 200 [--gen-n 200] [--llamacpp-n 200]

Configurations (the bundled SmolLM2-135M-Instruct; no result cache):
  roofline       the model's decoder over every prompt (both candidate orders), 8 prompts
                 per forward pass, LM head on the last position only: the least work a
                 scoring judge can do, in prompt tokens/s
  hf-score b1    Autorater, log-likelihood scoring on the batched schedule (bench/judge_schedule.py
                 compares it with the sequential one), one example (its 2 orders) per call
  hf-score b8    the same, 8 examples (16 prompts) per call
  hf-score 1ord  b8 with swap=False: one candidate order
  hf-score seq   the sequential schedule, the default on CPU (one prompt at a time on a KV cache
                 kept between prompts), 8 examples per call: what `flame eval` and `flame judge` use
  generate       the generate-then-parse baseline (Prometheus style): greedy generation of
                 up to --gen-tokens tokens after the prompt, then a regex for the verdict,
                 both orders, 8 examples per call
  llamacpp       llama.cpp scoring on the same GGUF, with and without reusing the KV cache
                 of the prefix shared with the previous prompt (the instruction prefix)
Results replace the `bench:judge_throughput` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shlex
import sys
import time
from pathlib import Path

from docs_section import write_section

REPO = Path(__file__).resolve().parents[1]
LLMBAR_TASKS = ("llmbar_natural", "llmbar_adver_neighbor", "llmbar_adver_gptinst", "llmbar_adver_gptout")
VERDICT = re.compile(r"choice:\s*([AB])\b")


def load_items(n: int):
    """The first n pairwise items of the LLMBar tasks, from the mirror."""
    from flame.data.files import SourceFiles
    from flame.data.sources import SOURCES

    source = SOURCES.get("llmbar")
    files = SourceFiles(source)
    items = []
    for name in LLMBAR_TASKS:
        task = source.task(name)
        for ex in source.examples(files, task=name):
            items.append((task, ex))
            if len(items) == n:
                return items
    return items


def prompts_of(backend, items):
    """Every prepared prompt the judge reads: both candidate orders of each item."""
    from flame.core.template import render
    from flame.judge.autorater import swap_candidates

    return [backend.prepare(render(t, e).text) for t, ex in items for e in (ex, swap_candidates(ex))]


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def roofline(hf, prompts, batch: int) -> float:
    """Seconds for the decoder over all prompts, `batch` per pass, head on the last token."""
    import torch

    seqs = sorted((hf.encode(p) for p in prompts), key=len, reverse=True)
    start = time.perf_counter()
    with torch.inference_mode():
        for i in range(0, len(seqs), batch):
            ids, mask = hf._pad(seqs[i : i + batch])
            hidden = hf._decoder(input_ids=ids, attention_mask=mask, use_cache=False).last_hidden_state
            hf._head(hidden[torch.arange(len(ids)), mask.sum(1) - 1])
    return time.perf_counter() - start


def generate_baseline(hf, items, max_tokens: int, batch: int):
    """Generate after each prompt (both orders) and regex the verdict; (seconds, unparsed)."""
    from flame.judge.backends.base import GenerateRequest

    prompts = prompts_of(hf, items)
    reqs = [GenerateRequest(p, max_tokens=max_tokens) for p in prompts]
    start = time.perf_counter()
    texts = []
    for i in range(0, len(reqs), 2 * batch):
        texts += hf.generate(reqs[i : i + 2 * batch])
    seconds = time.perf_counter() - start
    return seconds, sum(1 for t in texts if not VERDICT.search(t))


def llamacpp_runs(items, prefix_cache: bool) -> float | None:
    """Seconds for llama.cpp to score all items (both orders), or None when not installed."""
    try:
        from flame.judge.backends.llamacpp import LlamaCppBackend
        from flame.judge.bundled import gguf_path
    except ImportError:
        return None
    from flame.judge.autorater import Autorater

    try:
        backend = LlamaCppBackend.load(gguf_path(), fingerprint="bench", prefix_cache=prefix_cache)
    except ImportError:
        return None
    _, seconds = timed(lambda: list(Autorater(backend).iter_judge(items, batch_size=8)))
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=200, help="LLMBar pairs to judge")
    ap.add_argument("--gen-n", type=int, default=None, help="pairs for the generate baseline (default: --n)")
    ap.add_argument("--gen-tokens", type=int, default=64, help="max tokens the generate baseline writes")
    ap.add_argument("--llamacpp-n", type=int, default=None, help="pairs for llama.cpp (default: --n)")
    ap.add_argument("--no-write", action="store_true", help="print, do not update docs/benchmarks.md")
    args = ap.parse_args()
    load_start = os.getloadavg()[0]

    import torch

    from flame.judge import bundled
    from flame.judge.autorater import Autorater
    from flame.judge.backends.hf import HFBackend

    items = load_items(args.n)
    gen_items = items[: args.gen_n or args.n]
    cpp_items = items[: args.llamacpp_n or args.n]
    # The batched schedule (one padded pass per call); bench/judge_schedule.py compares it with the
    # sequential one that is the default on CPU.
    hf = HFBackend.load(bundled.ensure_converted(), fingerprint=bundled.fingerprint(), sequential=False)
    prompts = prompts_of(hf, items)
    tokens = sum(len(hf.encode(p)) for p in prompts)
    n = len(items)
    print(f"{n} pairs, {len(prompts)} prompts, {tokens} prompt tokens (mean {tokens / len(prompts):.0f})", flush=True)

    rows = []  # (name, pairs, seconds, prompt tokens)

    def run(name, pairs, seconds, toks):
        rows.append((name, pairs, seconds, toks))
        print(f"{name:<28} {pairs / seconds:8.2f} pairs/s {toks / seconds:9.0f} tok/s  ({seconds:.1f}s)", flush=True)

    roofline(hf, prompts[:16], 8)  # warm-up
    run("roofline (forward, 8/pass)", n, roofline(hf, prompts, 8), tokens)
    _, s = timed(lambda: list(Autorater(hf).iter_judge(items, batch_size=1)))
    run("hf score, batch 1", n, s, tokens)
    judged, s = timed(lambda: list(Autorater(hf).iter_judge(items, batch_size=8)))
    run("hf score, batch 8", n, s, tokens)
    _, s1 = timed(lambda: list(Autorater(hf, swap=False).iter_judge(items, batch_size=8)))
    run("hf score, batch 8, 1 order", n, s1, tokens // 2)
    seq = HFBackend(hf.model, hf.tokenizer, fingerprint=bundled.fingerprint(), sequential=True)  # same weights
    _, s = timed(lambda: list(Autorater(seq).iter_judge(items, batch_size=8)))
    run("hf score, sequential, batch 8", n, s, tokens)
    gen_tokens = sum(len(hf.encode(p)) for p in prompts_of(hf, gen_items))
    s, unparsed = generate_baseline(hf, gen_items, args.gen_tokens, 8)
    run(f"generate+parse ({args.gen_tokens} tok)", len(gen_items), s, gen_tokens)
    cpp_tokens = sum(len(hf.encode(p)) for p in prompts_of(hf, cpp_items))
    cpp = {}
    for prefix in (False, True):
        s = llamacpp_runs(cpp_items, prefix)
        if s is not None:
            cpp[prefix] = s
            run(f"llamacpp score{', prefix KV' if prefix else ''}", len(cpp_items), s, cpp_tokens)

    load_end = os.getloadavg()[0]
    rate = {name: pairs / sec for name, pairs, sec, _ in rows}
    generate = rate[f"generate+parse ({args.gen_tokens} tok)"]
    accuracy = sum(j.correct for j in judged) / len(judged)
    agree = sum(bool(j.orders_agree) for j in judged) / len(judged)
    lines = [
        "## Judge throughput (`bench/judge_throughput.py`)",
        "",
        "Command: `.venv/bin/python bench/judge_throughput.py " + " ".join(shlex.quote(a) for a in sys.argv[1:]) + "`",
        "",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPU cores "
        f"(torch threads {torch.get_num_threads()}), load average {load_start:.1f} at the start and "
        f"{load_end:.1f} at the end; "
        f"Python {sys.version.split()[0]}, torch {torch.__version__}. Model: bundled SmolLM2-135M-Instruct "
        f"(float32, chat template). Data: {n} LLMBar pairs from the mirror ({len(prompts)} prompts, "
        f"mean {tokens / len(prompts):.0f} tokens). Both candidate orders unless noted; no result cache.",
        "",
        "| configuration | pairs | pairs/s | prompt tokens/s | seconds |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [f"| {name} | {pairs} | {pairs / sec:.2f} | {toks / sec:.0f} | {sec:.1f} |" for name, pairs, sec, toks in rows]
    lines += [
        "",
        "Ratios (same run):",
        f"- scoring vs generate-then-parse: **{rate['hf score, sequential, batch 8'] / generate:.1f}x** on the CPU "
        f"default (sequential) schedule, {rate['hf score, batch 8'] / generate:.1f}x on the batched one (target >= 10x); "
        f"the baseline left {unparsed} of {2 * len(gen_items)} outputs without a parsable verdict",
        f"- scoring (batch 8) vs raw forward roofline: **{rate['hf score, batch 8'] / rate[rows[0][0]]:.2f}** "
        f"of roofline throughput (target >= 0.85)",
        f"- scoring batch 8 vs batch 1: {rate['hf score, batch 8'] / rate['hf score, batch 1']:.2f}x",
        f"- both orders vs one order: **{rows[2][2] / rows[3][2]:.2f}x** the time (target <= 2.1x)",
    ]
    if len(cpp) == 2:
        lines.append(f"- llama.cpp prefix KV reuse: {cpp[False] / cpp[True]:.2f}x faster than re-evaluating every prompt")
    elif not cpp:
        lines.append("- llama.cpp: not measured (llama-cpp-python not installed)")
    lines += [
        f"- quality on these pairs (batch 8, both orders): accuracy {accuracy:.3f}, orders agree on {agree:.0%}",
        "",
        "The transformers backend's batched schedule runs the tokens all prompts of a call share (chat",
        "header, INSTRUCTIONS block) once and shares their KV cache, runs each distinct prompt once per",
        "call, and applies the LM head only where it scores; its sequential schedule (the default on CPU)",
        "runs one prompt at a time on a KV cache kept between prompts and cut back to the prefix the next",
        "one shares, with no padding. llama.cpp reuses the KV cache of the prefix each prompt shares with",
        "the previous one (the `prefix KV` row; without it every prompt is evaluated from scratch).",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        write_section("judge_throughput", text)


if __name__ == "__main__":
    main()
