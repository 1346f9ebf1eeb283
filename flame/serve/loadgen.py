"""Load testing kit: an app under uvicorn in a thread, a load generator (N
concurrent clients, each sending its requests one after another) that reports throughput,
latency percentiles and every error. Used by the serve tests and bench/serve_load.py
(flame.testing.build_tiny_model makes a model to load)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(app: Any, port: int | None = None, start_timeout: float = 120.0) -> Iterator[tuple[str, Any]]:
    """Serve `app` with uvicorn on 127.0.0.1 in a thread; yields (base URL, uvicorn.Server).
    On exit the server shuts down gracefully (in-flight requests finish)."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port or free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{server.config.port}", server
    finally:
        server.should_exit = True
        thread.join(start_timeout)


@dataclass
class LoadResult:
    """What a load run saw."""

    requests: int
    elapsed_s: float
    latencies_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def throughput(self) -> float:
        """Successful requests per second."""
        return len(self.latencies_s) / self.elapsed_s if self.elapsed_s else 0.0

    def percentile(self, q: float) -> float:
        """Latency percentile (nearest rank) of the successful requests, in seconds."""
        values = sorted(self.latencies_s)
        if not values:
            return float("nan")
        return values[min(len(values) - 1, max(0, round(q / 100 * len(values)) - 1))]


async def _client(http: Any, url: str, bodies: list[dict], out: LoadResult) -> None:
    for body in bodies:
        start = time.perf_counter()
        try:
            r = await http.post(url, json=body)
        except Exception as e:  # a refused or dropped connection is an error to report, not a crash
            out.errors.append(f"{type(e).__name__}: {e}")
            continue
        if r.status_code == 200:
            out.latencies_s.append(time.perf_counter() - start)
        else:
            out.errors.append(f"{r.status_code}: {r.text[:200]}")


async def _run(url: str, per_client: list[list[dict]], headers: dict[str, str], timeout: float) -> LoadResult:
    import httpx

    out = LoadResult(requests=sum(len(b) for b in per_client), elapsed_s=0.0)
    limits = httpx.Limits(max_connections=len(per_client), max_keepalive_connections=len(per_client))
    async with httpx.AsyncClient(headers=headers, timeout=timeout, limits=limits) as http:
        start = time.perf_counter()
        await asyncio.gather(*(_client(http, url, bodies, out) for bodies in per_client))
        out.elapsed_s = time.perf_counter() - start
    return out


def run_load(url: str, bodies: list[dict], clients: int, headers: dict[str, str] | None = None,
             timeout: float = 120.0) -> LoadResult:
    """POST `bodies` to `url` from `clients` concurrent clients (bodies dealt round-robin)."""
    per_client = [bodies[i::clients] for i in range(clients)]
    return asyncio.run(_run(url, per_client, headers or {}, timeout))
