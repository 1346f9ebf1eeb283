"""Prometheus metrics of one server (its own registry, so apps in one process stay apart),
and the ASGI middleware that times every request, checks the API key and enforces the body
size limit (in that order: a request without the key is refused before its body is read)."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

Scope = dict[str, Any]
ASGIApp = Callable[[Scope, Callable, Callable], Awaitable[None]]

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128)


class Metrics:
    """Requests by endpoint and status, request latency, batch sizes, queue depth, job lines."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("flame_requests", "HTTP requests by endpoint and status code",
                                ("endpoint", "status"), registry=self.registry)
        self.latency = Histogram("flame_request_latency_seconds", "HTTP request latency", ("endpoint",),
                                 buckets=LATENCY_BUCKETS, registry=self.registry)
        self.batch_size = Histogram("flame_batch_size", "items per model batch", buckets=BATCH_BUCKETS,
                                    registry=self.registry)
        self.queue_depth = Gauge("flame_queue_depth", "items waiting for the model", registry=self.registry)
        self.job_lines = Counter("flame_job_lines", "batch job lines judged", registry=self.registry)

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric."""
        return generate_latest(self.registry)


def _endpoint(scope: Scope) -> str:
    route = scope.get("route")
    return getattr(route, "path", None) or "unmatched"  # templates, not raw paths: bounded label values


class Instrument:
    """ASGI middleware: rejects requests that `authorize(scope)` refuses with 401 (before
    their body is read or parsed), bodies over `max_body_bytes` with 413, and records each
    request's endpoint, status and latency in `metrics`.

    The body is read (up to the limit) before the app sees it, so an oversized upload is
    refused whether or not it declares a Content-Length.
    """

    def __init__(self, app: ASGIApp, metrics: Metrics, max_body_bytes: int,
                 authorize: Callable[[Scope], bool] | None = None) -> None:
        self.app, self.metrics, self.max_body_bytes, self.authorize = app, metrics, max_body_bytes, authorize

    async def __call__(self, scope: Scope, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_recording(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            if self.authorize is not None and not self.authorize(scope):
                status = 401
                await _send_json(send, 401, "missing or wrong API key; send Authorization: Bearer <key>",
                                 [(b"www-authenticate", b"Bearer")])
                return
            body = await self._read_body(scope, receive)
            if body is None:
                status = 413
                await _send_json(send, 413, f"request body over {self.max_body_bytes} bytes")
                return
            sent = False

            async def replay() -> dict:
                nonlocal sent
                if not sent:
                    sent = True
                    return {"type": "http.request", "body": body, "more_body": False}
                return await receive()  # after the body: wait for the disconnect

            await self.app(scope, replay, send_recording)
        finally:
            endpoint = _endpoint(scope)
            self.metrics.requests.labels(endpoint, str(status)).inc()
            self.metrics.latency.labels(endpoint).observe(time.perf_counter() - start)

    async def _read_body(self, scope: Scope, receive: Callable) -> bytes | None:
        """The whole request body, or None once it passes the limit."""
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            return None
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


async def _send_json(send: Callable, status: int, detail: str, headers: list[tuple[bytes, bytes]] = ()) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *headers]})
    await send({"type": "http.response.body", "body": body})
