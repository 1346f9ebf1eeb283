"""The FastAPI app: judge endpoints over the micro-batcher, persistent jobs, health, metrics.

    app = create_app(Autorater(backend), Settings(api_key="..."))   # or a backend, or a factory
    run(app, host="127.0.0.1", port=8000)

    POST /v1/judge/pairwise | pointwise | classify   one item -> one judgment; a list -> a list
    POST /v1/rerank                                 the best of a prompt's candidates (flame.judge.rerank)
    POST /v1/jobs                                   a JSONL batch -> 202 {id, status, total}
    GET  /v1/jobs/{id}?offset=&limit=               status, progress and a page of results
    GET  /health                                    (never needs the key)
    GET  /metrics                                   Prometheus text
    GET  /openapi.json

Errors: 400 (a body that is not JSON text), 401 (missing or wrong key; checked before the body
is read or parsed), 404 (no such job), 413 (body over the size limit, or a prompt over the token
limit; a classify item or job with `split_long` is judged in chunks instead, at most
`max_chunks` (32) chunks per request, or per job line; a request needing more judgments than the
queue holds), 422 (bad request; the message names the field), 503 with Retry-After (queue full,
or shutting down), 504 (not judged within the request timeout).

One request cannot hold the model for long (flame.serve.batcher): a prompt surely over its limit
by its length in characters is refused without being tokenised on the model thread; when a
request's timeout passes, its judgments not yet started leave the queue (and `queue_depth`) at
once, and a text being judged in chunks stops before its next chunk. The model thread is then
busy with it for at most the batch or chunk in progress.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import math
import time
from collections.abc import Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import CONTENT_TYPE_LATEST

from flame.core.errors import DataError
from flame.core.files import flame_home
from flame.judge.adhoc import classification_long_input
from flame.judge.autorater import Autorater
from flame.judge.backends.base import Backend
from flame.judge.request import parse_scale
from flame.judge.rerank import Candidates, plan, rank

from .batcher import MAX_CHUNKS, Batcher, InputTooLong, QueueFull, ShuttingDown
from .convert import Item, parse_job_lines, to_record
from .jobs import JobRunner, JobStore
from .metrics import Instrument, Metrics
from .schemas import (
    ClassifyBody,
    ClassifyItem,
    ErrorOut,
    Health,
    JobCreated,
    JobOut,
    JobRequest,
    JudgmentOut,
    PairwiseBody,
    PointwiseBody,
    RankingOut,
    RerankBody,
    RerankItem,
)

log = logging.getLogger("flame.serve")
Target = Autorater | Backend | Callable[[], Autorater | Backend]
RETRY_AFTER_S = 1
UNION_TAGS = ("item", "pairwise", "pointwise", "classification")  # see schemas: one-or-many bodies, job tasks


@dataclass
class Settings:
    """Server options. `api_key` None means no auth (the CLI then binds to loopback only);
    `max_input_tokens` None means the model's context length less room for the verdict;
    `max_chunks` is how many chunks one request's `split_long` texts (or one job line's) may be
    judged in (more: 413); `state_dir` None means $FLAME_HOME/serve; `swap` and `pairwise`
    (flame.judge.autorater: "ab" or "separate") are how pairwise items are judged when the app
    is given a backend."""

    api_key: str | None = None
    max_batch: int = 8
    max_wait_ms: float = 10.0
    queue_size: int = 256
    timeout_s: float = 30.0
    max_body_bytes: int = 8 * 2**20
    max_input_tokens: int | None = None
    max_chunks: int = MAX_CHUNKS
    state_dir: Path | None = None
    swap: bool = True
    pairwise: str = "ab"


def _error(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorOut} for code in codes}


def _message(errors: list[dict[str, Any]]) -> str:
    """"unknown field 'foo'" / "items[1].prompt: Field required" for pydantic errors: the
    union tag of a single-item body or of a job's task is dropped, 'items' and indexes kept."""
    parts = []
    for e in errors:
        loc = [p for i, p in enumerate(e["loc"]) if not (i == 0 and p in ("body", "query", "path"))]
        if len(loc) > 1 and loc[0] in UNION_TAGS:
            loc = loc[1:]
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
        if e["type"] == "extra_forbidden":
            parts.append(f"unknown field {path!r}")
        else:
            parts.append(f"{path or 'body'}: {e['msg']}")
    return "; ".join(parts)


class _Service:
    """What the app runs: the autorater, batcher, job store and runner, and the metrics."""

    def __init__(self, target: Target, settings: Settings) -> None:
        self.target, self.settings = target, settings
        self.metrics = Metrics()
        self.status = "starting"
        self.autorater: Autorater | None = None
        self.batcher: Batcher | None = None
        self.store: JobStore | None = None
        self.runner: JobRunner | None = None

    def _autorater(self) -> Autorater:
        target = self.target
        if not isinstance(target, (Autorater, Backend)) and callable(target):
            target = target()
        return target if isinstance(target, Autorater) else Autorater(target, swap=self.settings.swap, pairwise=self.settings.pairwise)

    def start(self) -> None:
        s = self.settings
        self.autorater = self._autorater()
        self.store = JobStore(s.state_dir or flame_home() / "serve")
        self.batcher = Batcher(self.autorater, max_batch=s.max_batch, max_wait_ms=s.max_wait_ms,
                               queue_size=s.queue_size, max_input_tokens=s.max_input_tokens,
                               max_chunks=s.max_chunks, on_batch=self.metrics.batch_size.observe).start()
        self.metrics.queue_depth.set_function(lambda: self.batcher.depth if self.batcher else 0)
        self.runner = JobRunner(self.store, self.batcher, chunk=s.max_batch, on_line=self.metrics.job_lines.inc).start()
        self.status = "ok"
        log.info("serving %s (max batch %d, max wait %g ms, queue %d, at most %d input tokens)",
                 self.autorater.backend.fingerprint, s.max_batch, s.max_wait_ms, s.queue_size,
                 self.batcher.max_input_tokens)

    def stop(self) -> None:
        """Drain: finish the job chunk in progress and every accepted request, then close."""
        self.status = "draining"
        if self.runner:
            self.runner.stop()
        if self.batcher:
            self.batcher.close(drain=True)
        if self.store:
            self.store.close()

    async def judge(self, body: Item | list[Item]) -> Any:
        """Judge one item or a list of items through the batcher (errors as HTTP errors)."""
        items = body if isinstance(body, list) else [body]
        records = [to_record(item, "http", i) for i, item in enumerate(items)]
        long_inputs = [classification_long_input(it.split_long, it.classes) if isinstance(it, ClassifyItem)
                       else None for it in items]
        judged = await self._judged(records, long_inputs, list(range(len(items))), isinstance(body, list), "items")
        out = [{"id": None if item.id is None else str(item.id), **j.to_dict()} for item, j in zip(items, judged)]
        return out if isinstance(body, list) else out[0]

    async def rerank(self, body: RerankItem | list[RerankItem]) -> Any:
        """Rerank one item's candidates, or each of a list of items' (flame.judge.rerank)."""
        if self.autorater is None:
            raise HTTPException(503, "the server is starting", headers={"Retry-After": str(RETRY_AFTER_S)})
        mode = self.autorater.pairwise
        items = body if isinstance(body, list) else [body]
        plans = []
        for i, item in enumerate(items):
            try:
                plans.append(plan(Candidates(item.prompt, tuple(item.candidates), item.criteria), item.method, mode,
                                  scale=parse_scale(item.scale), question=item.question, where="http", row=i))
            except ValueError as e:
                raise HTTPException(422, (f"item {i}: " if isinstance(body, list) else "") + str(e))
        records = [r for p in plans for r in p]
        owners = [i for i, p in enumerate(plans) for _ in p]
        judged = await self._judged(records, [None] * len(records), owners, isinstance(body, list),
                                    "judgments (tournament pairs or pointwise candidates)")
        out, start = [], 0
        for item, p in zip(items, plans):
            ranking = rank(len(item.candidates), item.method, judged[start:start + len(p)], mode, item.question)
            start += len(p)
            fields = ranking.to_dict(item.candidates)
            fields["scores"] = [v if v is not None and math.isfinite(v) else None for v in fields["scores"]]
            out.append({"id": None if item.id is None else str(item.id), **fields,
                        "model": self.autorater.backend.fingerprint})
        return out if isinstance(body, list) else out[0]

    async def _judged(self, records: list, long_inputs: list, owners: list[int], many: bool, unit: str) -> list:
        """Judgments of (task, example) records through the batcher, in order; errors as HTTP
        errors naming the item (`owners[k]`: the request item record k belongs to)."""
        if self.batcher is None:
            raise HTTPException(503, "the server is starting", headers={"Retry-After": str(RETRY_AFTER_S)})
        if not records:  # a tournament of one candidate: nothing to judge
            return []
        if len(records) > self.settings.queue_size:  # would never fit: retrying cannot help
            raise HTTPException(413, f"{len(records)} {unit} in one request; this server queues at most "
                                     f"{self.settings.queue_size}")
        try:
            futures = self.batcher.submit(records, long_inputs=long_inputs,
                                          deadline=time.monotonic() + self.settings.timeout_s)
        except (QueueFull, ShuttingDown) as e:
            raise HTTPException(503, str(e), headers={"Retry-After": str(RETRY_AFTER_S)})
        except InputTooLong as e:  # surely too long by its length: refused before the model thread sees it
            where = f"item {owners[e.item]}: " if many and e.item is not None else ""
            raise HTTPException(413, where + str(e))
        waiters = [asyncio.wrap_future(f) for f in futures]
        _, pending = await asyncio.wait(waiters, timeout=self.settings.timeout_s, return_when=asyncio.FIRST_EXCEPTION)
        if pending:  # timed out, or an item failed (the request fails with it): drop the rest of its work
            self.batcher.cancel(futures)  # waiting items leave the queue now; chunking stops before its next chunk
            for w in waiters:
                w.cancel()
            if not any(w.done() and not w.cancelled() and w.exception() is not None for w in waiters):
                raise HTTPException(504, f"not judged within {self.settings.timeout_s:g} s; try fewer items or later")
        out = []
        for owner, waiter in zip(owners, waiters):
            if waiter.cancelled():
                continue  # dropped after another item failed: that item's error is raised below
            error = waiter.exception()
            where = f"item {owner}: " if many else ""
            if isinstance(error, InputTooLong):
                raise HTTPException(413, where + str(error))
            if isinstance(error, ShuttingDown):
                raise HTTPException(503, str(error), headers={"Retry-After": str(RETRY_AFTER_S)})
            if error is not None:
                raise error
            out.append(waiter.result())
        return out


def create_app(target: Target, settings: Settings | None = None) -> FastAPI:
    """The HTTP app over an Autorater, a Backend (wrapped in an Autorater with
    `settings.swap` and `settings.pairwise`), or a zero-argument factory of either (called at startup)."""
    settings = settings or Settings()
    svc = _Service(target, settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await run_in_threadpool(svc.start)
        try:
            yield
        finally:
            await run_in_threadpool(svc.stop)

    app = FastAPI(title="flame serve", version="1", summary="FLAMe autorater judge service",
                  lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)
    app.state.service = svc
    bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <key>")
    key = settings.api_key.encode() if settings.api_key else None

    def key_given(scope: dict[str, Any]) -> bool:
        """Whether a request may proceed, from its headers alone (before its body is read):
        /health is open; everything else needs `Authorization: Bearer <key>` (constant-time)."""
        if key is None or scope.get("path") == "/health":
            return True
        value = next((v for k, v in scope.get("headers") or [] if k == b"authorization"), b"")
        scheme, _, given = value.partition(b" ")
        return hmac.compare_digest(given.strip() if scheme.lower() == b"bearer" else b"", key)

    app.add_middleware(Instrument, metrics=svc.metrics, max_body_bytes=settings.max_body_bytes,
                       authorize=key_given if key is not None else None)

    def bearer_key(creds: HTTPAuthorizationCredentials | None = Security(bearer)) -> None:
        """Declares the bearer key in the OpenAPI document; the key itself is checked once, by
        the Instrument middleware (key_given), before the body is read."""

    guarded = [Depends(bearer_key)] if settings.api_key else []
    auth = (401,) if settings.api_key else ()

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
        return JSONResponse({"detail": errors, "message": _message(errors)}, status_code=422)

    judged = JudgmentOut | list[JudgmentOut]
    errors = _error(400, *auth, 413, 422, 503, 504)

    @app.post("/v1/judge/pairwise", response_model=judged, responses=errors, dependencies=guarded, tags=["judge"])
    async def judge_pairwise(body: PairwiseBody) -> Any:
        """Which of two responses to a prompt is better (probabilities of A and B, both orders)."""
        return await svc.judge(body)

    @app.post("/v1/judge/pointwise", response_model=judged, responses=errors, dependencies=guarded, tags=["judge"])
    async def judge_pointwise(body: PointwiseBody) -> Any:
        """Rate a response on an integer scale (probability per level, expected score)."""
        return await svc.judge(body)

    @app.post("/v1/judge/classify", response_model=judged, responses=errors, dependencies=guarded, tags=["judge"])
    async def judge_classify(body: ClassifyBody) -> Any:
        """Put a text into one of the named classes."""
        return await svc.judge(body)

    @app.post("/v1/rerank", response_model=RankingOut | list[RankingOut], responses=errors, dependencies=guarded,
              tags=["judge"])
    async def rerank_candidates(body: RerankBody) -> Any:
        """The best of a prompt's candidates: a round-robin tournament of pairwise games, or each candidate
        scored alone (pointwise); one item or a list."""
        return await svc.rerank(body)

    @app.post("/v1/jobs", status_code=202, response_model=JobCreated, responses=_error(400, *auth, 413, 422, 503),
              dependencies=guarded, tags=["jobs"])
    def submit_job(job: JobRequest) -> Any:
        """Queue a JSONL batch (fields as for `flame judge file`); every line is checked first."""
        if svc.store is None or svc.runner is None or svc.status != "ok":
            raise HTTPException(503, f"the server is {svc.status}", headers={"Retry-After": str(RETRY_AFTER_S)})
        try:
            lines = parse_job_lines(job)
        except DataError as e:
            raise HTTPException(422, str(e))
        options = job.model_dump(exclude={"jsonl", "task"})
        job_id = svc.store.create(job.task, options, lines)
        svc.runner.wake()
        return {"id": job_id, "status": "queued", "total": len(lines)}

    @app.get("/v1/jobs/{job_id}", response_model=JobOut, responses=_error(*auth, 404, 422, 503),
             dependencies=guarded, tags=["jobs"])
    def get_job(job_id: str, offset: int = Query(0, ge=0, description="first result to return"),
                limit: int = Query(1000, ge=1, le=10000, description="results to return at most")) -> Any:
        """A job's status and progress, and its results (in line order) from `offset`."""
        if svc.store is None:
            raise HTTPException(503, "the server is starting", headers={"Retry-After": str(RETRY_AFTER_S)})
        job = svc.store.get(job_id)
        if job is None:
            raise HTTPException(404, f"no job {job_id!r}")
        results = svc.store.results(job_id, offset, limit)
        end = offset + len(results)
        del job["options"]
        return {**job, "offset": offset, "results": results, "next_offset": end if end < job["done"] else None}

    @app.get("/health", response_model=Health, tags=["service"])
    def health() -> Any:
        """Liveness and load; never needs the API key."""
        return {"status": svc.status, "model": svc.autorater.backend.fingerprint if svc.autorater else None,
                "queue_depth": svc.batcher.depth if svc.batcher else 0,
                "jobs_pending": svc.store.pending_jobs() if svc.store and svc.status == "ok" else 0}

    @app.get("/metrics", dependencies=guarded, tags=["service"], response_class=Response,
             responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}, **_error(*auth)})
    def metrics() -> Response:
        """Prometheus metrics: requests by status, latency, batch sizes, queue depth, job lines."""
        return Response(svc.metrics.render(), media_type=CONTENT_TYPE_LATEST)

    @app.get("/openapi.json", include_in_schema=False, dependencies=guarded)
    def openapi() -> JSONResponse:
        return JSONResponse(app.openapi())

    return app


def run(app: FastAPI, host: str = "127.0.0.1", port: int = 8000, *, log_level: str = "info",
        drain_timeout_s: float | None = None) -> None:
    """Serve with uvicorn until SIGINT/SIGTERM; in-flight requests are finished first."""
    import uvicorn

    svc: _Service = app.state.service
    grace = drain_timeout_s if drain_timeout_s is not None else svc.settings.timeout_s + 5
    uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level=log_level,
                                  timeout_graceful_shutdown=grace)).run()


__all__ = ["Settings", "create_app", "run"]
