"""The backend protocol and the wrappers shared by every backend.

A backend implements two methods over lists, results in input order:

- `score(requests)`: the log-likelihood (natural log, summed over tokens) of each
  request's continuation after its context;
- `generate(requests)`: greedy text after each prompt, at most `max_tokens` tokens, cut at
  the first stop string (the stop string itself is not returned).

plus `fingerprint` (a string naming the weights, adapter, backend, dtype and prompt format:
everything that can move a score) and `prepare(prompt)`, which turns a FLAMe prompt (ending
with `EVALUATION:`) into the exact text the model continues (e.g. inside a chat template).

Batching with length sorting, a SQLite result cache and retries with backoff are wrappers
around any backend (`Batched`, `Cached`, `Retrying`), so backends stay small.
"""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Protocol, Sequence, TypeVar, runtime_checkable

from flame.core.errors import FlameError

R = TypeVar("R")


@dataclass(frozen=True)
class ScoreRequest:
    """Score `continuation` as the text that follows `context`."""

    context: str
    continuation: str


@dataclass(frozen=True)
class GenerateRequest:
    """Generate greedily after `prompt`, at most `max_tokens` tokens, stopping at any `stop`."""

    prompt: str
    max_tokens: int = 64
    stop: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "stop", tuple(self.stop))
        if self.max_tokens < 1:
            raise ValueError(f"max_tokens must be at least 1, got {self.max_tokens}")


@runtime_checkable
class Backend(Protocol):
    """What the Autorater needs from a model."""

    fingerprint: str

    def score(self, requests: Sequence[ScoreRequest]) -> list[float]: ...

    def generate(self, requests: Sequence[GenerateRequest]) -> list[str]: ...

    def prepare(self, prompt: str) -> str: ...


class BackendError(FlameError):
    """A backend failed in a way retrying will not fix (bad model, bad request)."""


class PromptTooLong(BackendError):
    """A request is longer than the model's context: `tokens` against the `limit` it takes."""

    def __init__(self, tokens: int, limit: int, what: str = "the model takes at most") -> None:
        super().__init__(f"a request is {tokens} tokens; {what} {limit}")
        self.tokens, self.limit = tokens, limit


class TransientError(BackendError):
    """A failure worth retrying: timeout, rate limit, server overload, dropped connection."""


def cut_at_stop(text: str, stop: Sequence[str]) -> str:
    """Text up to (not including) the earliest stop string."""
    cut = min((i for s in stop if s and (i := text.find(s)) >= 0), default=len(text))
    return text[:cut]


class Wrapper:
    """Base of the shared wrappers: forwards everything it does not change to `inner`."""

    def __init__(self, inner: Backend) -> None:
        self.inner = inner

    @property
    def fingerprint(self) -> str:
        return self.inner.fingerprint

    def prepare(self, prompt: str) -> str:
        return self.inner.prepare(prompt)

    def score(self, requests: Sequence[ScoreRequest]) -> list[float]:
        return self.inner.score(requests)

    def generate(self, requests: Sequence[GenerateRequest]) -> list[str]:
        return self.inner.generate(requests)

    def __getattr__(self, name: str) -> Any:  # e.g. a backend's tokenizer or model
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)


class Batched(Wrapper):
    """Calls the inner backend in batches of `batch_size`, in the order the backend prefers.

    By default longest requests first: sorting by length keeps padding small and puts the
    requests that share a context next to each other, and longest first makes an
    out-of-memory batch fail at once, not at the end of a run. A backend that runs requests
    one at a time on a prefix KV cache says `request_order = "context"` and gets its score
    requests sorted by context, so each shares the longest possible prefix with the last.
    """

    def __init__(self, inner: Backend, batch_size: int = 8) -> None:
        super().__init__(inner)
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self.batch_size = batch_size

    def score(self, requests: Sequence[ScoreRequest]) -> list[float]:
        if getattr(self.inner, "request_order", "length") == "context":
            key = lambda r: (r.context, r.continuation)  # noqa: E731
        else:
            key = lambda r: (-len(r.context) - len(r.continuation), r.context)  # noqa: E731
        return self._run(requests, key, self.inner.score)

    def generate(self, requests: Sequence[GenerateRequest]) -> list[str]:
        key = lambda r: (-len(r.prompt), r.prompt)  # noqa: E731
        return self._run(requests, key, self.inner.generate)

    def _run(self, requests: Sequence[Any], key: Callable[[Any], Any], fn: Callable[[list], list[R]]) -> list[R]:
        order = sorted(range(len(requests)), key=lambda i: key(requests[i]))
        out: list[Any] = [None] * len(requests)
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            results = fn([requests[i] for i in idx])
            if len(results) != len(idx):
                raise BackendError(f"backend returned {len(results)} results for {len(idx)} requests")
            for i, r in zip(idx, results):
                out[i] = r
        return out


class Cached(Wrapper):
    """A persistent result cache: SQLite at `path`, keyed by request hash + model fingerprint.

    A rerun or a resumed run asks the model only for requests it has not answered before.
    `hits` and `misses` count the requests answered from the cache and by the model; a call
    the model fails (and the Autorater retries, e.g. one example at a time) adds to neither.
    Misses are sent to the inner backend in chunks of `chunk`, and each chunk is written in
    one transaction as soon as it returns, so a killed run keeps what it finished. The
    database is in WAL mode: any number of processes may read while one writes.
    """

    def __init__(self, inner: Backend, path: str | Path, chunk: int = 64) -> None:
        super().__init__(inner)
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.chunk = chunk
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, timeout=60, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        self.hits = self.misses = 0

    def key(self, kind: str, request: ScoreRequest | GenerateRequest) -> str:
        """The cache key of a request under this backend's fingerprint."""
        payload = json.dumps([self.fingerprint, kind, request.__dict__], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def score(self, requests: Sequence[ScoreRequest]) -> list[float]:
        return self._run("score", requests, self.inner.score)

    def generate(self, requests: Sequence[GenerateRequest]) -> list[str]:
        return self._run("generate", requests, self.inner.generate)

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

    def _run(self, kind: str, requests: Sequence[Any], fn: Callable[[list], list[Any]]) -> list[Any]:
        keys = [self.key(kind, r) for r in requests]
        found = self._lookup(set(keys))
        out = [found.get(k) for k in keys]
        todo: dict[str, int] = {}  # one model call per distinct missing request
        for i, k in enumerate(keys):
            if out[i] is None and k not in todo:
                todo[k] = i
        pending = list(todo.items())
        for start in range(0, len(pending), self.chunk):
            part = pending[start : start + self.chunk]
            results = fn([requests[i] for _, i in part])
            if len(results) != len(part):
                raise BackendError(f"backend returned {len(results)} results for {len(part)} requests")
            rows = [(k, json.dumps(v)) for (k, _), v in zip(part, results)]
            with self._lock:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    self._db.executemany("INSERT OR REPLACE INTO results VALUES (?, ?)", rows)
                    self._db.execute("COMMIT")
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
            for (k, _), v in zip(part, results):
                found[k] = v
            self.misses += len(part)  # computed: a call that fails (e.g. a prompt too long) counts nothing
        self.hits += len(requests) - len(todo)
        return [found[k] for k in keys]

    def _lookup(self, keys: set[str]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        batch = list(keys)
        with self._lock:
            for start in range(0, len(batch), 500):
                part = batch[start : start + 500]
                marks = ",".join("?" * len(part))
                for k, v in self._db.execute(f"SELECT key, value FROM results WHERE key IN ({marks})", part):
                    found[k] = json.loads(v)
        return found


class Retrying(Wrapper):
    """Retries calls that fail with a TransientError, with exponential backoff and jitter.

    For remote backends: waits base_delay, 2*base_delay, ... (capped at max_delay, times a
    random factor in [0.5, 1]) between `attempts` tries, then re-raises the last error.
    """

    def __init__(self, inner: Backend, attempts: int = 4, base_delay: float = 0.5, max_delay: float = 8.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        super().__init__(inner)
        if attempts < 1:
            raise ValueError(f"attempts must be at least 1, got {attempts}")
        self.attempts, self.base_delay, self.max_delay, self.sleep = attempts, base_delay, max_delay, sleep
        self.retries = 0

    def score(self, requests: Sequence[ScoreRequest]) -> list[float]:
        return self._call(self.inner.score, requests)

    def generate(self, requests: Sequence[GenerateRequest]) -> list[str]:
        return self._call(self.inner.generate, requests)

    def _call(self, fn: Callable[[Any], R], requests: Any) -> R:
        for attempt in range(self.attempts):
            try:
                return fn(requests)
            except TransientError:
                if attempt + 1 == self.attempts:
                    raise
                self.retries += 1
                delay = min(self.max_delay, self.base_delay * 2**attempt)
                self.sleep(delay * random.uniform(0.5, 1.0))
        raise AssertionError("unreachable")
