"""Benchmark the collection build: the mirror collection and a synthetic source of --n examples.

    .venv/bin/python bench/data_build.py --n 2000000

Each phase runs in its own process so its peak RSS (getrusage ru_maxrss) is its own:
  mirror     build_collection over every registered train source that imports
  synthetic  build_collection over a source generated on the fly (4 tasks, ~1-2 KB per example,
             0.1% exact duplicates, 0.01% invalid labels)
  read       the synthetic source alone (generation, Example uids, validation), to isolate the build's cost
  baseline   the same generated examples written as json.dumps(example.to_dict()) lines (JSONL)
Results replace the `bench:data_build` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from docs_section import write_section

REPO = Path(__file__).resolve().parents[1]
TARGET_RATE, TARGET_RSS_GB = 20_000, 1.5
SYNTH = "bench_synthetic"


# ---------------------------------------------------------------- the synthetic source

def _sentences(count: int = 4096) -> list[str]:
    rng = random.Random(0)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9)))
             for _ in range(3000)]
    return [" ".join(rng.choice(words) for _ in range(rng.randint(10, 24))).capitalize() + "."
            for _ in range(count)]


def synthetic_source(n: int):
    """A source of n examples over four tasks (one per task type), generated deterministically."""
    from flame.core.records import (
        Capability,
        Example,
        InputField,
        LabelSpace,
        OutputField,
        Provenance,
        Role,
        TaskSpec,
        TaskType,
    )
    from flame.data.common import pairwise_example, pairwise_task
    from flame.data.source import Source

    lic = "CC-BY-4.0"
    desc = ("Read the context and judge the response as a careful human annotator would, following the "
            "annotation guidelines of the original study: consider accuracy, relevance, completeness, "
            "clarity and harmlessness, and ignore length and style unless they hide errors. ") * 2
    pair = pairwise_task(f"{SYNTH}_pairwise", title="Which response is better?", description=desc,
                         context=(InputField("prompt"),), capability=Capability.GENERAL, source=SYNTH, license=lic)

    def task(name, ttype, cap, output):
        return TaskSpec(f"{SYNTH}_{name}", ttype, cap, f"Judge the {name}.", desc,
                        (InputField("prompt"), InputField("response")), (output,), SYNTH, lic)

    rating = task("rating", TaskType.POINTWISE, Capability.FACTUALITY, OutputField("score", LabelSpace.likert(1, 5)))
    safe = task("safety", TaskType.CLASSIFICATION, Capability.SAFETY, OutputField("answer", LabelSpace.classes("Yes", "No")))
    explain = task("explain", TaskType.GENERATIVE, Capability.CODING, OutputField("explanation", LabelSpace.free_text()))
    pool = _sentences()
    mask = len(pool) - 1

    def text(i: int, salt: int, k: int) -> str:
        return " ".join(pool[(i * 2654435761 + salt * 40503 + j * 97) & mask] for j in range(k))

    def read(files) -> Iterator:
        for i in range(n):
            j = i - 997 if i % 1000 == 999 else i  # 0.1% repeat an earlier example exactly
            prov = Provenance(SYNTH, "generated.jsonl", i)
            prompt = f"Request {j}: " + text(j, 1, 3)
            kind = j % 4
            if kind == 0:
                yield pairwise_example(pair.name, prov, {"prompt": prompt}, text(j, 2, 5), text(j, 3, 5))
                continue
            inputs = {"prompt": prompt, "response": text(j, 4, 8 + j % 5)}
            if kind == 1:
                label = "7" if i % 10_000 == 5 else str(j % 5 + 1)  # 0.01% invalid labels, rejected by the build
                yield Example(rating.name, inputs, {"score": label}, prov)
            elif kind == 2:
                yield Example(safe.name, inputs, {"answer": "Yes" if j % 3 else "No"}, prov)
            else:
                yield Example(explain.name, inputs, {"explanation": text(j, 5, 2)}, prov)

    return Source(name=SYNTH, title="Synthetic benchmark judgments", license=lic, role=Role.TRAIN,
                  homepage="https://example.org", citation="none", tasks=(pair, rating, safe, explain), reader=read)


# ---------------------------------------------------------------- phases (each in its own process)

def _usage() -> tuple[float, float]:
    """(CPU seconds of this process, all threads; peak RSS in GB)."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 2**20  # Linux reports ru_maxrss in KiB


def phase(name: str, n: int, work: Path) -> dict:
    from flame.data.build import BUILD_ROLES, build_collection

    result: dict = {}
    cpu0, start = _usage()[0], time.perf_counter()
    if name == "mirror":
        from flame.data.sources import SOURCES

        mirror = Path(os.environ["FLAME_MIRROR"])
        result = {"sources": [], "not_loaded": [], "not_mirrored": []}
        for s in SOURCES.names():
            if not (mirror / s).is_dir():
                result["not_mirrored"].append(s)
                continue
            try:
                if any(t.role in BUILD_ROLES for t in SOURCES.get(s).tasks):
                    result["sources"].append(s)
            except ImportError:
                result["not_loaded"].append(s)
        report = build_collection(work / name, sources=result["sources"])
    elif name == "synthetic":
        report = build_collection(work / name, sources=[synthetic_source(n)])
    elif name == "read":  # the source alone: generation, Example uids, validation
        result["examples"] = sum(1 for _ in synthetic_source(n).items(None))
    else:  # baseline
        with open(work / "baseline.jsonl", "w", encoding="utf-8") as f:
            for item in synthetic_source(n).reader(None):
                f.write(json.dumps(item.to_dict(), ensure_ascii=False) + "\n")
                result["examples"] = result.get("examples", 0) + 1
        result["bytes"] = (work / "baseline.jsonl").stat().st_size
    seconds = time.perf_counter() - start
    cpu, rss = _usage()
    if name in ("mirror", "synthetic"):
        result.update(examples=report.examples + report.duplicates, written=report.examples,
                      duplicates=report.duplicates, rejected=report.rejected,
                      bytes=sum(p.stat().st_size for p in (work / name).rglob("*.parquet")))
    return {**result, "seconds": seconds, "cpu": cpu - cpu0, "rss_gb": rss}


def run_phase(name: str, n: int, work: Path) -> dict:
    env = {**os.environ, "FLAME_MIRROR": os.environ.get("FLAME_MIRROR") or str(REPO.parent / "shared" / "data")}
    out = subprocess.run([sys.executable, __file__, "--phase", name, "--n", str(n), "--work", str(work)],
                         check=True, capture_output=True, text=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- report

def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    import pyarrow

    return (f"{os.cpu_count()} CPUs ({cpu}), {mem_kb / 2**20:.0f} GiB RAM, Python {platform.python_version()}, "
            f"pyarrow {pyarrow.__version__}")


def section(args: argparse.Namespace, host: str, load: tuple[float, float], res: dict[str, dict]) -> str:
    syn, base, read = res["synthetic"], res["baseline"], res["read"]
    rows = [(f"mirror collection ({len(res['mirror']['sources'])} train sources)", res["mirror"])] if "mirror" in res else []
    rows += [(f"synthetic build ({args.n:,} examples, 4 tasks)", syn),
             ("synthetic source alone (generate, validate)", read),
             ("baseline: json.dumps to JSONL", base)]
    table = ["| Run | Examples | Wall s | Examples/s (wall) | CPU s | Examples/CPU-s | Peak RSS | Output |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    table += [f"| {label} | {r['examples']:,} | {r['seconds']:.1f} | {r['examples'] / r['seconds']:,.0f} | "
              f"{r['cpu']:.1f} | {r['examples'] / r['cpu']:,.0f} | {r['rss_gb']:.2f} GB | "
              + (f"{r['bytes'] / 2**20:,.0f} MiB |" if "bytes" in r else "- |") for label, r in rows]
    wall_rate = syn["examples"] / syn["seconds"]
    own_rate = syn["examples"] / max(syn["cpu"] - read["cpu"], 1e-9)
    lines = [
        "## Collection build (`bench/data_build.py`)",
        "",
        f"Command: `.venv/bin/python bench/data_build.py --n {args.n}`",
        "",
        (f"Machine: {host}. Shared with other jobs: load average {load[0]:.1f} at the start, {load[1]:.1f} at "
        "the end, so wall-clock rates are lower than on an idle machine; CPU seconds (user + system, all "
        "threads of the run's own process) are less sensitive to that."),
        "",
        *table,
        "",
        ("Examples counts every example read from a source (rendered, hashed for dedup and written to zstd "
        "Parquet by the builds), duplicates included. Each run is its own process, so peak RSS is its own."),
        (f"The synthetic build wrote {syn['written']:,} examples, removed {syn['duplicates']:,} exact duplicates "
        f"and listed {syn['rejected']:,} rejected rows."),
        "",
        (f"- Build / baseline throughput (wall): {wall_rate / (base['examples'] / base['seconds']):.2f}x; "
        f"per CPU second: {(syn['examples'] / syn['cpu']) / (base['examples'] / base['cpu']):.2f}x."),
        (f"- The build's own cost (render, dedup, Parquet), without the source's generation: "
        f"{1e6 / own_rate:.0f} CPU-us per example = {own_rate:,.0f} examples per CPU second."),
        f"- Target at least {TARGET_RATE:,} examples/s: "
        + ("met" if wall_rate >= TARGET_RATE else f"**missed** end to end ({wall_rate:,.0f}/s wall)")
        + f"; {'met' if own_rate >= TARGET_RATE else '**missed**'} by the build's own work "
          f"({own_rate:,.0f} per CPU second).",
        (f"- Target peak RSS under {TARGET_RSS_GB} GB: {'met' if syn['rss_gb'] < TARGET_RSS_GB else '**missed**'} "
        f"({syn['rss_gb']:.2f} GB)."),
    ]
    if "mirror" in res:
        m = res["mirror"]
        lines += ["", (f"Mirror collection: {', '.join(m['sources'])}. The {len(m['not_mirrored'])} registered "
                  "sources not in the local mirror (they download from their origin) are not part of it.")]
        if m["not_loaded"]:
            lines.append("Mirrored sources whose adapters did not import at the time of this run: "
                         + ", ".join(m["not_loaded"]) + ".")
    if args.notes:
        lines += ["", args.notes]
    return "\n".join(lines) + "\n"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=2_000_000, help="examples in the synthetic source")
    p.add_argument("--skip-mirror", action="store_true", help="leave out the mirror collection build")
    p.add_argument("--no-doc", action="store_true", help="print the section instead of writing docs/benchmarks.md")
    p.add_argument("--notes", default="", help="a paragraph to add to the section")
    p.add_argument("--phase", choices=["mirror", "synthetic", "read", "baseline"], help=argparse.SUPPRESS)
    p.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.phase:
        print(json.dumps(phase(args.phase, args.n, args.work)))
        return
    host, load0 = machine(), os.getloadavg()[0]
    work = Path(tempfile.mkdtemp(prefix="flame-bench-"))
    try:
        res = {}
        for name in ([] if args.skip_mirror else ["mirror"]) + ["synthetic", "read", "baseline"]:
            res[name] = run_phase(name, args.n, work)
            print(name, res[name], file=sys.stderr)
            shutil.rmtree(work / name, ignore_errors=True)
            (work / "baseline.jsonl").unlink(missing_ok=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = section(args, host, (load0, os.getloadavg()[0]), res)
    if args.no_doc:
        print(text)
    else:
        write_section("data_build", text)
        print(text)


if __name__ == "__main__":
    main()
