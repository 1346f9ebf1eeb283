"""A small load generator for a running server: N concurrent clients, each sending its
requests one after another; reports throughput, latency percentiles and every error.
Used by the load test and bench/serve_load.py."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any


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
