"""Batch jobs kept in SQLite, processed in order, resumed after a restart.

A job is its JSONL lines, validated and stored with the job in one transaction when it is
submitted. The runner judges the oldest unfinished job's lines that have no result yet, in
line order, through the server's Batcher (as background items), and writes each result in
its own transaction. The (job, line) primary key makes a duplicate result impossible, and a
result is either committed or absent, so a process killed at any point (kill -9 included)
resumes exactly where it stopped: nothing lost, nothing judged twice into the results.

The database is in WAL mode; a lock file keeps a second server off the same state dir.
"""

from __future__ import annotations

import fcntl
import json
import logging
import sqlite3
import threading
import time
import uuid
from concurrent.futures import CancelledError
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flame.core.errors import FlameError
from flame.core.judgment import Judgment
from flame.judge.adhoc import classification_long_input

from .batcher import Batcher, InputTooLong, ShuttingDown
from .convert import job_record

log = logging.getLogger("flame.serve")

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    task TEXT NOT NULL,
    options TEXT NOT NULL,
    status TEXT NOT NULL,
    total INTEGER NOT NULL,
    error TEXT,
    created_at REAL NOT NULL,
    started_at REAL,
    finished_at REAL
);
CREATE TABLE IF NOT EXISTS job_lines (
    job TEXT NOT NULL, line INTEGER NOT NULL, key TEXT NOT NULL, fields TEXT NOT NULL,
    PRIMARY KEY (job, line)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS job_results (
    job TEXT NOT NULL, line INTEGER NOT NULL, valid INTEGER NOT NULL, result TEXT NOT NULL,
    PRIMARY KEY (job, line)
) WITHOUT ROWID;
"""
UNFINISHED = ("queued", "running")


class StateDirBusy(FlameError):
    """Another server holds the state directory."""


@dataclass(frozen=True)
class Line:
    """One stored job line."""

    line: int
    key: str
    fields: dict[str, Any]


class JobStore:
    """The jobs database under `state_dir` (see the module docstring). Thread-safe."""

    def __init__(self, state_dir: str | Path) -> None:
        self.dir = Path(state_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self._lockfile = open(self.dir / "serve.lock", "w")
        try:
            fcntl.flock(self._lockfile, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lockfile.close()
            raise StateDirBusy(f"another flame serve is using {self.dir}; give each server its own --state-dir")
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.dir / "jobs.sqlite", check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a committed row survives a killed process
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        """Close the database and release the state dir."""
        with self._lock:
            self._db.close()
        self._lockfile.close()

    def _write(self, statements: list[tuple[str, tuple]]) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for sql, args in statements:
                    self._db.execute(sql, args)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def _query(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def create(self, task: str, options: dict[str, Any], lines: list[tuple[int, str, dict[str, Any]]]) -> str:
        """Store a new job and its lines in one transaction; returns the job id."""
        job_id = uuid.uuid4().hex
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(
                    "INSERT INTO jobs (id, task, options, status, total, created_at) VALUES (?, ?, ?, 'queued', ?, ?)",
                    (job_id, task, json.dumps(options), len(lines), time.time()))
                self._db.executemany("INSERT INTO job_lines VALUES (?, ?, ?, ?)",
                                     [(job_id, n, key, json.dumps(fields)) for n, key, fields in lines])
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return job_id

    def get(self, job_id: str) -> dict[str, Any] | None:
        """A job's fields, with `done` and `invalid` counts; None if there is no such job."""
        rows = self._query(
            "SELECT id, task, options, status, total, error, created_at, started_at, finished_at,"
            " (SELECT COUNT(*) FROM job_results r WHERE r.job = j.id),"
            " (SELECT COUNT(*) FROM job_results r WHERE r.job = j.id AND r.valid = 0)"
            " FROM jobs j WHERE id = ?", (job_id,))
        if not rows:
            return None
        names = ("id", "task", "options", "status", "total", "error", "created_at", "started_at", "finished_at",
                 "done", "invalid")
        job = dict(zip(names, rows[0]))
        job["options"] = json.loads(job["options"])
        return job

    def results(self, job_id: str, offset: int = 0, limit: int = 1000) -> list[dict[str, Any]]:
        """Results in line order, from the `offset`-th result on."""
        rows = self._query("SELECT result FROM job_results WHERE job = ? ORDER BY line LIMIT ? OFFSET ?",
                           (job_id, limit, offset))
        return [json.loads(r) for (r,) in rows]

    def pending_jobs(self) -> int:
        """Jobs not yet finished."""
        return self._query("SELECT COUNT(*) FROM jobs WHERE status IN (?, ?)", UNFINISHED)[0][0]

    def next_job(self) -> dict[str, Any] | None:
        """The oldest unfinished job."""
        rows = self._query("SELECT id FROM jobs WHERE status IN (?, ?) ORDER BY seq LIMIT 1", UNFINISHED)
        return self.get(rows[0][0]) if rows else None

    def todo(self, job_id: str, limit: int) -> list[Line]:
        """The first `limit` lines of a job that have no result yet, in line order."""
        rows = self._query(
            "SELECT l.line, l.key, l.fields FROM job_lines l LEFT JOIN job_results r"
            " ON r.job = l.job AND r.line = l.line WHERE l.job = ? AND r.line IS NULL ORDER BY l.line LIMIT ?",
            (job_id, limit))
        return [Line(n, key, json.loads(fields)) for n, key, fields in rows]

    def add_result(self, job_id: str, line: int, result: dict[str, Any]) -> None:
        """Commit one line's result (its own transaction)."""
        self._write([("INSERT INTO job_results VALUES (?, ?, ?, ?)",
                      (job_id, line, int(bool(result["valid"])), json.dumps(result, ensure_ascii=False)))])

    def set_status(self, job_id: str, status: str, error: str | None = None) -> None:
        """Move a job to running, done or failed (recording when)."""
        now = time.time()
        if status == "running":
            sql, args = "UPDATE jobs SET status = ?, started_at = COALESCE(started_at, ?) WHERE id = ?", (status, now, job_id)
        else:
            sql, args = "UPDATE jobs SET status = ?, error = ?, finished_at = ? WHERE id = ?", (status, error, now, job_id)
        self._write([(sql, args)])


class JobRunner:
    """Works through unfinished jobs, oldest first, `chunk` lines at a time (module docstring)."""

    def __init__(self, store: JobStore, batcher: Batcher, chunk: int = 8,
                 on_line: Any = None) -> None:
        self.store, self.batcher, self.chunk, self.on_line = store, batcher, max(1, chunk), on_line
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._work, name="flame-jobs", daemon=True)

    def start(self) -> JobRunner:
        """Start the runner thread (it resumes any job left unfinished by a previous run)."""
        self._thread.start()
        return self

    def wake(self) -> None:
        """Tell the runner a job was submitted."""
        self._wake.set()

    def stop(self, timeout: float | None = None) -> None:
        """Finish the chunk in progress, then stop."""
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _work(self) -> None:
        while not self._stop.is_set():
            try:
                job = self.store.next_job()
                if job is None:
                    self._wake.wait(1.0)
                    self._wake.clear()
                    continue
                self._step(job)
            except ShuttingDown:
                return
            except Exception:  # a database error: log it, back off, try again
                log.exception("job runner error")
                self._stop.wait(1.0)

    def _step(self, job: dict[str, Any]) -> None:
        """Judge the next chunk of a job's lines, or finish the job when none are left."""
        if job["status"] == "queued":
            self.store.set_status(job["id"], "running")
        lines = self.store.todo(job["id"], self.chunk)
        if not lines:
            self.store.set_status(job["id"], "done")
            return
        try:
            items = [job_record(job["task"], job["options"], ln.fields, ln.line) for ln in lines]
        except Exception as e:  # stored lines were validated on submit; this is a bug, not bad input
            log.exception("job %s: cannot build its items", job["id"])
            self.store.set_status(job["id"], "failed", f"cannot build items: {e}")
            return
        options = job["options"]
        split = classification_long_input(options.get("split_long"), options.get("classes", ()))
        futures = self.batcher.submit(items, background=True, long_inputs=[split] * len(items))
        for ln, (task, example), future in zip(lines, items, futures):
            try:
                judgment = future.result()
            except CancelledError:
                raise ShuttingDown("the batcher was closed without draining") from None
            except InputTooLong as e:
                judgment = Judgment(task=task.name, uid=example.uid, label=None, valid=False, error=str(e),
                                    model=self.batcher.autorater.backend.fingerprint)
            except Exception as e:
                judgment = Judgment(task=task.name, uid=example.uid, label=None, valid=False,
                                    error=f"judging failed: {e}", model=self.batcher.autorater.backend.fingerprint)
            self.store.add_result(job["id"], ln.line, {"id": ln.key, "line": ln.line, **judgment.to_dict()})
            if self.on_line:
                self.on_line()
