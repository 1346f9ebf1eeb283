"""Run benchmarks with a judge and write one results JSON per run.

    flame eval run rewardbench aggrefact heldout --model smollm2-135m --limit 40

Selection: `limit=N` judges a seeded random N items of every subset (N whole groups for a
benchmark whose items come in groups, e.g. code-rerank's problems); `sample=N` is the
paper's protocol (N = 256 random items per subset, a subset with fewer items in full, and
benchmarks marked `full_under_sample`, i.e. RewardBench, in full). Draws are seeded by
(seed, benchmark, subset), so reruns judge the same items.

Items are judged in prompt order (`judging_order`), so neighbours share prefixes; rows are
written in item order.

Resume: the backend's persistent result cache (flame.judge: SQLite keyed by request and
model fingerprint, written chunk by chunk) means a killed run, rerun, asks the model only
for what it had not answered.

The results file holds per-example rows (uid, subset, verdict, label probabilities, both
candidate orders, ...), each benchmark's aggregates, and a manifest of everything that can
move a score (flame version, git commit, template and task hashes, model fingerprint,
backend, how pairwise items were judged, seed, scoring protocols, data origin, selection).
It is written to a temporary file and renamed, so a partial result is never left as if whole.

`pairwise="separate"` judges each response of a pairwise item on its own (flame.judge.separate):
its rows have no candidate orders; a pair's one verdict is the same whichever order its
responses would be shown in, which is how CoBBLEr's probes and reranking's tournament count it.
"""

from __future__ import annotations

import datetime as dt
import platform
import random
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flame import __version__
from flame.core.errors import DataError, FlameError, MissingExtraError
from flame.core.files import atomic_write_json
from flame.core.judgment import Judgment
from flame.core.pairwise import RESPONSE_A, RESPONSE_B
from flame.core.records import TaskType
from flame.core.template import TEMPLATE_VERSION, template_hash

from .benchmarks.base import Benchmark, Item, Loaded
from .metrics import pairwise_score

if TYPE_CHECKING:
    from .suite import Suite

RESULTS_FORMAT = "flame-results/1"


@dataclass
class RunOptions:
    """How to run: item selection, data origin, judging options."""

    data: str = "auto"
    limit: int | None = None
    sample: int | None = None
    seed: int = 0
    batch_size: int = 8
    swap: bool = True
    pairwise: str = "ab"  # flame.judge.autorater.PAIRWISE_MODES

    def __post_init__(self) -> None:
        from flame.judge.autorater import PAIRWISE_MODES

        if self.limit is not None and self.sample is not None:
            raise ValueError("use either limit or sample, not both")
        if self.pairwise not in PAIRWISE_MODES:
            raise ValueError(f"pairwise must be one of {', '.join(PAIRWISE_MODES)}, got {self.pairwise!r}")
        for name in ("limit", "sample"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name} must be at least 1, got {value}")


@dataclass
class Prepared:
    """A benchmark with its loaded and selected items."""

    benchmark: Benchmark
    loaded: Loaded
    items: list[Item]
    selection: dict[str, Any] = field(default_factory=dict)


def select(bench: Benchmark, items: Sequence[Item], options: RunOptions) -> tuple[list[Item], dict[str, Any]]:
    """The items to judge under options.limit / options.sample (see the module docstring),
    in loader order, and a description of the selection."""
    cap = options.limit if options.limit is not None else options.sample
    if cap is None or (options.sample is not None and bench.full_under_sample):
        mode = "all" if cap is None else f"all ({bench.name} is evaluated in full under --sample)"
        return list(items), {"mode": mode}
    by_subset: dict[str, dict[str, list[int]]] = {}  # subset -> group (the item itself if none) -> items
    for i, it in enumerate(items):
        by_subset.setdefault(it.subset, {}).setdefault(it.group or f"#{i}", []).append(i)
    keep: set[int] = set()
    for subset, groups in by_subset.items():
        rng = random.Random(f"{options.seed}:{bench.name}:{subset}")
        names = list(groups)
        for name in names if len(names) <= cap else rng.sample(names, cap):
            keep.update(groups[name])
    per = "per subset" if bench.unit == "item" else f"{bench.unit}s per subset"
    mode = f"limit {cap} {per}" if options.limit is not None else f"sample {cap} {per}"
    return [it for i, it in enumerate(items) if i in keep], {"mode": mode, "seed": options.seed}


def prepare(benchmarks: Sequence[Benchmark], options: RunOptions,
            missing: dict[str, str] | None = None) -> list[Prepared]:
    """Load and select the items of each benchmark. Given `missing`
    (a suite run), a benchmark whose data cannot be read here (not in the mirror, its origin
    unreachable, a library not installed) is left out and recorded there with the reason,
    instead of stopping the run."""
    out = []
    for bench in benchmarks:
        try:
            loaded = bench.load(options.data)
        except (DataError, MissingExtraError) as e:
            if missing is None:
                raise
            missing[bench.name] = str(e)
            continue
        items, selection = select(bench, loaded.items, options)
        out.append(Prepared(bench, loaded, items, selection))
    return out


def row(bench: str, item: Item, j: Judgment) -> dict[str, Any]:
    """One per-example result row."""
    ex, task = item.example, item.task
    pairwise = task.task_type is TaskType.PAIRWISE
    target = j.target
    if pairwise:
        score = pairwise_score(j.label if j.valid else None, target)
    else:
        score = 1.0 if j.valid and j.label == target else 0.0
    return {
        "benchmark": bench, "subset": item.subset, "task": task.name, "uid": ex.uid,
        "source": ex.provenance.source, "file": ex.provenance.file, "row": str(ex.provenance.row),
        "target": target, "verdict": j.label if j.valid else None, "valid": j.valid, "error": j.error,
        "score": score, "probs": j.probs, "expected": j.expected,
        "order_probs": j.order_probs, "order_labels": j.order_labels, "orders_agree": j.orders_agree,
        "first_order": j.first_order, "chunks": j.chunks,
        "len_a": len(ex.inputs[RESPONSE_A]) if pairwise else None,
        "len_b": len(ex.inputs[RESPONSE_B]) if pairwise else None,
    }


def git_commit() -> dict[str, Any]:
    """The commit of the flame checkout running this (and whether tracked files differ); None for
    an installed wheel (whose folder may sit inside someone else's repository)."""
    root = Path(__file__).resolve().parents[2]
    if not (root / ".git").exists():
        return {"commit": None, "dirty": None}
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                                timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    return {"commit": commit, "dirty": bool(dirty)}


def judge_all(prepared: Sequence[Prepared], backend: Any, options: RunOptions,
              on_progress: Callable[[int], None] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Judge every selected item; rows per benchmark, in item order."""
    from flame.judge.autorater import Autorater

    rows: dict[str, list[dict[str, Any]]] = {}
    for p in prepared:
        rater = Autorater(backend, swap=options.swap, long_input=p.benchmark.long_input, pairwise=options.pairwise)
        order = judging_order(p.items)
        out: list[dict[str, Any]] = [{} for _ in p.items]
        for start in range(0, len(order), options.batch_size):  # progress per batch: its items come at once
            part = order[start:start + options.batch_size]
            pairs = ((p.items[i].task, p.items[i].example) for i in part)
            for i, j in zip(part, rater.iter_judge(pairs, options.batch_size)):
                out[i] = row(p.benchmark.name, p.items[i], j)
            if on_progress:
                on_progress(len(part))
        rows[p.benchmark.name] = out
    return rows


PROGRESS_EVERY_S = 60.0


class ProgressLines:
    """Progress as plain lines for a log (output not a terminal, e.g. a run under nohup): one
    line every PROGRESS_EVERY_S seconds and one at the end, with items judged, rate and time left.

    Rate and time left are those of the latest interval, not of the whole run: a resumed run
    reads its first items from the judgment cache in seconds, and a whole-run rate would then
    promise seconds for what takes minutes."""

    def __init__(self, total: int, stream: Any = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.total, self.done, self.stream, self.clock = total, 0, stream or sys.stderr, clock
        self.start = self.last = clock()
        self.done_at_last = 0

    def __call__(self, n: int) -> None:
        self.done += n
        now = self.clock()
        if now - self.last < PROGRESS_EVERY_S and self.done < self.total:
            return
        interval = now - self.last
        rate = (self.done - self.done_at_last) / interval if interval > 0 else 0.0
        self.last, self.done_at_last = now, self.done
        left = f", about {_duration((self.total - self.done) / rate)} left" if rate and self.done < self.total else ""
        print(f"judged {self.done:,} / {self.total:,} items ({100 * self.done / max(self.total, 1):.1f}%) in "
              f"{_duration(now - self.start)}, {rate:.2f} items/s{left}", file=self.stream, flush=True)


def _duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{seconds:.0f} s" if seconds < 60 else (f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min")


def judging_order(items: Sequence[Item]) -> list[int]:
    """The order to judge items in: by prompt text, so items that share a prefix (one task's
    INSTRUCTIONS, one question, one first response; e.g. a CoBBLEr pair's Bandwagon and
    Attention probes) are judged together and a prefix KV cache (transformers on CPU,
    llama.cpp, vLLM) computes the shared part once. Rows stay in item order."""
    from flame.core.template import render

    return sorted(range(len(items)), key=lambda i: render(items[i].task, items[i].example).text)


def results(prepared: Sequence[Prepared], rows: dict[str, list[dict[str, Any]]], *, model: str, backend: Any,
            options: RunOptions, started: float, wall_s: float, git: Mapping[str, Any],
            suite: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The results document (rows, aggregates, manifest); `git` is the checkout the run started on;
    `suite`, for a suite run: its name, the benchmarks missing here and the columns it excludes."""
    tasks = {it.task.name: it.task.fingerprint() for p in prepared for it in p.items}
    benches = {}
    for p in prepared:
        agg = p.benchmark.aggregate(rows[p.benchmark.name]) if rows[p.benchmark.name] else None
        benches[p.benchmark.name] = {
            "title": p.benchmark.title, "metric": p.benchmark.metric, "protocol": p.benchmark.protocol,
            "data": p.loaded.origin, "loaded": len(p.loaded.items), "judged": len(rows[p.benchmark.name]),
            "selection": p.selection, "dropped": p.loaded.dropped, "data_notes": p.loaded.notes,
            "loaded_by_subset": dict(Counter(it.subset for it in p.loaded.items)),
            "judged_by_subset": dict(Counter(r["subset"] for r in rows[p.benchmark.name])),
            "aggregates": agg,
        }
    cache = {k: getattr(backend, k) for k in ("hits", "misses") if isinstance(getattr(backend, k, None), int)}
    manifest = {
        "format": RESULTS_FORMAT,
        "flame_version": __version__,
        "git": dict(git),
        "template": {"version": TEMPLATE_VERSION, "hash": template_hash()},
        "tasks": tasks,
        "model": {"spec": model, "fingerprint": backend.fingerprint, "backend": _backend_name(backend)},
        "judging": {"mode": "score (label log-likelihood)", "pairwise": options.pairwise, "swap": options.swap,
                    "batch_size": options.batch_size},
        "seed": options.seed,
        "selection": {"data": options.data, "limit": options.limit, "sample": options.sample},
        "skipped_rows": {p.benchmark.name: p.loaded.skipped for p in prepared if p.loaded.skipped},
        "scoring": {name: b["protocol"] for name, b in benches.items()},
        **({"suite": dict(suite)} if suite is not None else {}),
        "started": dt.datetime.fromtimestamp(started, dt.UTC).isoformat(timespec="seconds"),
        "wall_s": round(wall_s, 3),
        "cache": cache,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "libraries": {m: getattr(sys.modules[m], "__version__", "?") for m in ("torch", "transformers") if m in sys.modules},
    }
    flat = [r for name in rows for r in rows[name]]
    return {"format": RESULTS_FORMAT, "manifest": manifest, "benchmarks": benches, "rows": flat}


def _backend_name(backend: Any) -> str:
    names = []
    while backend is not None:
        names.append(type(backend).__name__)
        backend = backend.__dict__.get("inner")
    return " > ".join(names)


def results_path(out: Path, model: str, names: Iterable[str], started: float) -> Path:
    """out itself when it ends in .json, else a new file in the folder out."""
    if out.suffix == ".json":
        return out
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", model).strip("_")[:60] or "model"
    stamp = dt.datetime.fromtimestamp(started, dt.UTC).strftime("%Y%m%d-%H%M%S")
    bench = re.sub(r"[^A-Za-z0-9._+-]+", "_", "+".join(names))[:60]
    return out / f"{slug}__{bench}__{stamp}.json"


def run(benchmarks: Sequence[Benchmark], backend: Any, *, model: str, out: Path, options: RunOptions,
        progress: bool = True, suite: Suite | None = None) -> Path:
    """Load, select, judge, aggregate and write the results file; returns its path. For a
    `suite` (whose benchmarks are given), a benchmark whose data cannot be read here is
    recorded as missing rather than stopping the run."""
    started, git = time.time(), git_commit()  # the code that judges, not whatever is checked out at the end
    missing: dict[str, str] | None = {} if suite is not None else None
    prepared = prepare(benchmarks, options, missing)
    if suite is not None and not prepared:
        raise FlameError(f"no benchmark of {suite.name} could be read here: "
                         + "; ".join(f"{name}: {reason}" for name, reason in (missing or {}).items()))
    total = sum(len(p.items) for p in prepared)
    t0 = time.perf_counter()
    if progress and sys.stdout.isatty():
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        with Progress(TextColumn("judging"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()) as bar:
            task = bar.add_task("judging", total=total)
            rows = judge_all(prepared, backend, options, lambda n: bar.advance(task, n))
    else:  # in a log, progress is a line a minute
        rows = judge_all(prepared, backend, options, ProgressLines(total) if progress else None)
    record = None if suite is None else {"name": suite.name, "missing": missing, "excluded": suite.excluded()}
    doc = results(prepared, rows, model=model, backend=backend, options=options, started=started,
                  wall_s=time.perf_counter() - t0, git=git, suite=record)
    names = [suite.name] if suite is not None else [b.name for b in benchmarks]
    return atomic_write_json(results_path(out, model, names, started), doc)
