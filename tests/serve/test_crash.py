"""Crash test: `flame serve` as a real process on a tiny model dir; a job is submitted, the
server is killed with SIGKILL mid-job and started again; the job completes with every
line's result present exactly once, and the results written before the kill are kept."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from flame.serve.loadgen import free_port

LINES = 120


def _start(model_dir: Path, state_dir: Path, port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}  # see the tiny_model_dir fixture
    cmd = [sys.executable, "-m", "flame.cli.serve", "--model", str(model_dir), "--port", str(port),
           "--state-dir", str(state_dir), "--max-batch", "4", "--no-cache", "--log-level", "warning"]
    return subprocess.Popen(cmd, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)


def _wait_up(proc: subprocess.Popen, url: str, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the server exited ({proc.returncode}):\n{log.read_text()}")
        try:
            if httpx.get(url + "/health", timeout=1).json()["status"] == "ok":
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"the server did not come up:\n{log.read_text()}")


def _job(url: str, job_id: str) -> dict:
    return httpx.get(f"{url}/v1/jobs/{job_id}", params={"limit": 10000}, timeout=10).json()


@pytest.mark.slow
def test_kill_9_mid_job_then_restart_completes_every_line_exactly_once(tiny_model_dir, tmp_path):
    state, log, port = tmp_path / "state", tmp_path / "server.log", free_port()
    url = f"http://127.0.0.1:{port}"
    rows = [{"id": f"r{i}", "prompt": f"What is {i} + {i}?", "response_a": f"It is {2 * i}.",
             "response_b": f"Perhaps {i}."} for i in range(LINES)]
    server = _start(tiny_model_dir, state, port, log)
    try:
        _wait_up(server, url, log)
        submitted = httpx.post(url + "/v1/jobs", json={"task": "pairwise", "jsonl": "\n".join(map(json.dumps, rows))})
        assert submitted.status_code == 202
        job_id = submitted.json()["id"]
        while (before := _job(url, job_id))["done"] < 10:
            time.sleep(0.02)
        server.send_signal(signal.SIGKILL)
        server.wait(30)
    finally:
        if server.poll() is None:
            server.kill()
    assert before["status"] == "running" and before["done"] < LINES, "the job finished before the kill"

    with sqlite3.connect(state / "jobs.sqlite") as db:  # what the killed server had committed
        kept = dict(db.execute("SELECT line, result FROM job_results WHERE job = ?", (job_id,)).fetchall())
    assert len(kept) >= before["done"]

    server = _start(tiny_model_dir, state, port, log)
    try:
        _wait_up(server, url, log)
        deadline = time.monotonic() + 120
        while (after := _job(url, job_id))["status"] != "done":
            assert time.monotonic() < deadline, f"the job did not finish after the restart: {after['done']}/{LINES}"
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(60)

    results = after["results"]
    assert after["done"] == after["total"] == LINES == len(results)
    assert [r["id"] for r in results] == [f"r{i}" for i in range(LINES)]  # each line once, in order
    assert [r["line"] for r in results] == list(range(1, LINES + 1))
    by_line = {r["line"]: r for r in results}
    for line, stored in kept.items():  # results from before the kill are unchanged
        assert by_line[line] == json.loads(stored)
    assert all(r["valid"] for r in results)
