"""Benchmark `flame serve`: throughput and latency with micro-batching against one item at a
time, in the same run, on the same loaded model, over real HTTP on 127.0.0.1.

    .venv/bin/python bench/serve_load.py --model smollm2-135m tiny --clients 16 --requests 50

Each mode starts a server (uvicorn in a thread) on the one loaded backend, warms it up,
then `--clients` concurrent clients each send `--requests` pairwise requests one after
another (every request distinct; the result cache is off). Reported: successful requests
per second, p50/p99 latency, errors, and the mean items per model batch (from /metrics).
Results replace the `bench:serve_load` section of docs/benchmarks.md.

`--hostile` adds, per model, the same normal load (server defaults: 30 s timeout, at most 32
chunks per request) run twice: alone, and with one hostile classify request sent at its start
(a `--hostile-chars` text with `split_long`, judged in chunks). Reported for each: the normal
requests' p50/p99 and errors (504s), and the hostile request's status and seconds.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shlex
import sys
import tempfile
from pathlib import Path

from docs_section import DOC, write_section

REPO = Path(__file__).resolve().parents[1]


def bodies(n: int) -> list[dict]:
    """n distinct pairwise requests of everyday length."""
    return [{"prompt": f"Explain in one sentence why the sky looks blue (variant {i}).",
             "response_a": f"Sunlight scatters off air molecules, and blue light scatters most ({i}).",
             "response_b": f"Because the ocean reflects onto the sky, mostly on day {i}.", "id": i}
            for i in range(n)]


def _batches(metrics: str) -> tuple[float, float]:
    """(model batches, items judged) so far, from the Prometheus text."""
    count = re.search(r"^flame_batch_size_count (\S+)$", metrics, re.MULTILINE)
    items = re.search(r"^flame_batch_size_sum (\S+)$", metrics, re.MULTILINE)
    return float(count[1]) if count else 0.0, float(items[1]) if items else 0.0


def measure(backend, name: str, max_batch: int, max_wait_ms: float, clients: int, requests: int) -> dict:
    """One mode: serve the backend with these batching settings and put the load on it."""
    import httpx

    from flame.judge.autorater import Autorater
    from flame.serve import Settings, create_app
    from flame.serve.loadgen import run_load, serving

    total = clients * requests
    settings = Settings(max_batch=max_batch, max_wait_ms=max_wait_ms, queue_size=max(256, total),
                        timeout_s=3600, state_dir=Path(tempfile.mkdtemp(prefix="flame-bench-serve-")))
    app = create_app(Autorater(backend), settings)
    with serving(app) as (url, _):
        warm = run_load(url + "/v1/judge/pairwise", bodies(total)[-clients:], clients=clients, timeout=3600)
        before = _batches(httpx.get(url + "/metrics").text)
        result = run_load(url + "/v1/judge/pairwise", bodies(total), clients=clients, timeout=3600)
        after = _batches(httpx.get(url + "/metrics").text)
    count, items = after[0] - before[0], after[1] - before[1]
    return {"mode": name, "max_batch": max_batch, "max_wait_ms": max_wait_ms, "requests": total,
            "errors": len(result.errors) + len(warm.errors), "first_error": (result.errors or warm.errors or [""])[0],
            "throughput": result.throughput, "p50_ms": 1000 * result.percentile(50),
            "p99_ms": 1000 * result.percentile(99), "elapsed_s": result.elapsed_s,
            "mean_batch": items / count if count else 0.0, "batches": int(count)}


def hostile_text(chars: int) -> str:
    """About `chars` characters of distinct everyday sentences (a long document to split)."""
    sentences, size, i = [], 0, 0
    while size < chars:
        sentence = f"Sentence {i} of the report says the shipment left the harbour on a grey morning."
        sentences.append(sentence)
        size, i = size + len(sentence) + 1, i + 1
    return " ".join(sentences)


def measure_hostile(backend, max_batch: int, max_wait_ms: float, clients: int, requests: int, chars: int) -> list[dict]:
    """Normal pairwise load alone, then the same load with one long split_long classify request
    sent at its start: the normal requests' latency and errors, and what the hostile one got."""
    import threading
    import time

    import httpx

    from flame.judge.autorater import Autorater
    from flame.serve import Settings, create_app
    from flame.serve.loadgen import run_load, serving

    total = clients * requests
    settings = Settings(max_batch=max_batch, max_wait_ms=max_wait_ms, queue_size=max(256, total),
                        state_dir=Path(tempfile.mkdtemp(prefix="flame-bench-serve-")))  # default timeout and limits
    app = create_app(Autorater(backend), settings)
    hostile = {"text": hostile_text(chars), "classes": ["Yes", "No"], "question": "Does it name a harbour?",
               "split_long": "Yes"}
    rows = []
    with serving(app) as (url, _):
        run_load(url + "/v1/judge/pairwise", bodies(total)[-clients:], clients=clients, timeout=3600)  # warm-up
        for mode in ("normal only", "normal + 1 hostile"):
            got: dict = {}

            def send_hostile() -> None:
                start = time.perf_counter()
                try:
                    r = httpx.post(url + "/v1/judge/classify", json=hostile, timeout=3600)
                    got.update(status=str(r.status_code), detail=r.text[:200])
                except Exception as e:
                    got.update(status=type(e).__name__, detail=str(e)[:200])
                got["seconds"] = time.perf_counter() - start

            thread = threading.Thread(target=send_hostile) if mode != "normal only" else None
            if thread:
                thread.start()
                time.sleep(0.2)  # the hostile request reaches the queue first
            result = run_load(url + "/v1/judge/pairwise", bodies(total), clients=clients, timeout=3600)
            if thread:
                thread.join()
            time.sleep(0.5)
            depth = httpx.get(url + "/health").json()["queue_depth"]
            rows.append({"mode": mode, "requests": total, "errors": len(result.errors),
                         "first_error": (result.errors or [""])[0], "p50_ms": 1000 * result.percentile(50),
                         "p99_ms": 1000 * result.percentile(99), "hostile_status": got.get("status", "-"),
                         "hostile_s": got.get("seconds"), "hostile_detail": got.get("detail", ""),
                         "queue_depth_after": depth})
    return rows


def hostile_table(model: str, requests: int, rows: list[dict], args) -> list[str]:
    """The --hostile table of one model."""
    lines = [
        f"#### `{model}`: one hostile long request among normal traffic",
        "",
        (f"{args.clients} concurrent clients x {requests} pairwise requests, alone and with one classify request "
         f"of a {args.hostile_chars:,}-character text with `split_long` sent first; server defaults "
         "(30 s timeout, at most 32 chunks per request)."),
        "",
        "| mode | normal requests | normal errors | normal p50 (ms) | normal p99 (ms) | hostile status | hostile (s) | queue depth after |",
        "|---|---:|---:|---:|---:|---|---:|---:|",
    ]
    for r in rows:
        seconds = f"{r['hostile_s']:.1f}" if r["hostile_s"] is not None else "-"
        lines.append(f"| {r['mode']} | {r['requests']} | {r['errors']} | {r['p50_ms']:.0f} | {r['p99_ms']:.0f} | "
                     f"{r['hostile_status']} | {seconds} | {r['queue_depth_after']} |")
    return [*lines, ""]


def machine(threads: int) -> str:
    """CPU model, cores, torch threads and versions, in one line."""
    import torch

    cpu = platform.processor() or "unknown CPU"
    try:
        cpu = next(ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                   if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"
    return (f"{cpu}, {os.cpu_count()} cores, {device}; torch {torch.__version__} with {threads} thread(s); "
            f"Python {platform.python_version()}, {platform.system()} {platform.release()}; "
            f"load average at start {os.getloadavg()[0]:.1f}")


def table(model: str, fingerprint: str, requests: int, rows: list[dict], args) -> list[str]:
    """One model's markdown table and batching ratio."""
    batched, single = rows
    ratio = batched["throughput"] / single["throughput"] if single["throughput"] else float("nan")
    about = " A random 2-layer model: this measures the server and its batching, not a judge." if model == "tiny" else ""
    lines = [
        f"### `{model}`",
        "",
        (f"`{fingerprint}`; {args.clients} concurrent clients x {requests} pairwise requests each "
         f"(both candidate orders judged).{about}"),
        "",
        "| mode | max batch | max wait (ms) | requests | errors | requests/s | p50 (ms) | p99 (ms) | mean items per model batch |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(f"| {r['mode']} | {r['max_batch']} | {r['max_wait_ms']:g} | {r['requests']} | {r['errors']} | "
                     f"{r['throughput']:.1f} | {r['p50_ms']:.0f} | {r['p99_ms']:.0f} | {r['mean_batch']:.1f} |")
    return [*lines, "", f"Throughput with batching / one at a time: **{ratio:.2f}x**.", ""]


def report(tables: list[list[str]], where: str) -> str:
    """The markdown section (between the markers)."""
    command = ".venv/bin/python bench/serve_load.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    lines = [
        "## Judge server under load (`flame serve`)",
        "",
        f"Command: `{command.strip()}`  ",
        f"Machine: {where}  ",
        "Over HTTP on 127.0.0.1 (uvicorn in the benchmark process), result cache off; each mode on the same "
        "loaded model, after a warm-up of one request per client.",
        "",
    ]
    for t in tables:
        lines += t
    return "\n".join([*lines, ""])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", nargs="+", default=["smollm2-135m"],
                        help="model specs (see `flame judge --help`); 'tiny': a tiny random model built on the fly")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, nargs="+", default=[50],
                        help="requests per client: one number, or one per --model")
    parser.add_argument("--max-batch", type=int, default=16)
    parser.add_argument("--max-wait-ms", type=float, default=10.0)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    parser.add_argument("--hostile", action="store_true",
                        help="also measure normal traffic with one hostile long split_long request (module docstring)")
    parser.add_argument("--hostile-chars", type=int, default=115_000, help="characters of the hostile text")
    parser.add_argument("--no-write", action="store_true", help="print the section, leave docs/ alone")
    args = parser.parse_args()

    import torch

    from flame.judge.models import load_backend

    if args.threads:
        torch.set_num_threads(args.threads)
    where = machine(torch.get_num_threads())
    counts = args.requests * len(args.model) if len(args.requests) == 1 else args.requests
    if len(counts) != len(args.model):
        parser.error("give one --requests number, or one per --model")
    tables, errors = [], 0
    for model, requests in zip(args.model, counts):
        spec = model
        if model == "tiny":
            from flame.testing import build_tiny_model

            spec = str(build_tiny_model(Path(tempfile.mkdtemp(prefix="flame-tiny-model-"))))
        backend = load_backend(spec, batch_size=args.max_batch * 16, cache=False)
        rows = [measure(backend, "batched", args.max_batch, args.max_wait_ms, args.clients, requests),
                measure(backend, "one at a time", 1, 0.0, args.clients, requests)]
        tables.append(table(model, backend.fingerprint, requests, rows, args))
        if args.hostile:
            hostile_rows = measure_hostile(backend, args.max_batch, args.max_wait_ms, args.clients, requests,
                                           args.hostile_chars)
            tables.append(hostile_table(model, requests, hostile_rows, args))
            for r in hostile_rows:
                print(f"{model} {r['mode']}: hostile {r['hostile_status']} {r['hostile_detail']}", file=sys.stderr)
                if r["errors"]:
                    print(f"{model} {r['mode']}: {r['errors']} normal errors, first: {r['first_error']}", file=sys.stderr)
        for r in rows:
            if r["errors"]:
                errors += r["errors"]
                print(f"{model} {r['mode']}: {r['errors']} errors, first: {r['first_error']}", file=sys.stderr)
    text = report(tables, where)
    print(text)
    if not args.no_write:
        write_section("serve_load", text)
        print(f"wrote {DOC}", file=sys.stderr)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
