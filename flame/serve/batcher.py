"""Micro-batching: items from concurrent requests are judged together, on one thread.

One worker thread owns the model (and its tokenizer, which is not safe to share between
threads). It takes the oldest waiting item, waits until `max_batch` items are waiting or
`max_wait_ms` has passed since that item arrived, and judges them in one Autorater call.
HTTP items go first; batch-job items (`background=True`) fill what room is left, so a long
job does not make interactive callers wait behind it.

The queue of HTTP items is bounded: a submit that would overflow it raises QueueFull (the
server answers 503 with Retry-After). Items longer than `max_input_tokens` fail with
InputTooLong without reaching the model, unless they say how to split them (`LongInput`):
those are judged in chunks sized for `max_input_tokens`, after the batch they came in. A
caller that gives up cancels its futures; the worker skips cancelled items. `close()` stops
accepting items and, by default, lets the worker finish everything already accepted.
"""

from __future__ import annotations

import copy
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

from flame.core.judgment import Judgment
from flame.core.records import Example, TaskSpec
from flame.core.template import render
from flame.judge.autorater import Autorater
from flame.judge.long_input import LongInput

log = logging.getLogger("flame.serve")
BYTES_PER_TOKEN = 4  # estimate for backends that expose no tokenizer


class QueueFull(Exception):
    """The request queue has no room for the items; try again later."""


class ShuttingDown(Exception):
    """The server is shutting down and accepts no new work."""


class InputTooLong(Exception):
    """An item's prompt is longer than the server accepts."""

    def __init__(self, tokens: int, limit: int, estimated: bool) -> None:
        self.tokens, self.limit = tokens, limit
        about = "about " if estimated else ""
        super().__init__(f"the prompt is {about}{tokens} tokens; this server accepts at most {limit}")


@dataclass
class _Entry:
    task: TaskSpec
    example: Example
    long_input: LongInput | None = None
    future: Future = field(default_factory=Future)
    arrived: float = field(default_factory=time.monotonic)


class Batcher:
    """Merges submitted items into Autorater batches on one worker thread (module docstring)."""

    def __init__(self, autorater: Autorater, *, max_batch: int = 8, max_wait_ms: float = 10.0,
                 queue_size: int = 256, max_input_tokens: int | None = None,
                 on_batch: Callable[[int], None] | None = None) -> None:
        if max_batch < 1 or queue_size < 1:
            raise ValueError(f"max_batch and queue_size must be at least 1, got {max_batch} and {queue_size}")
        self.autorater = autorater
        self.max_batch, self.max_wait, self.queue_size = max_batch, max_wait_ms / 1000, queue_size
        self.max_input_tokens = max_input_tokens or default_token_limit(autorater)
        self.on_batch = on_batch
        self._front: deque[_Entry] = deque()
        self._back: deque[_Entry] = deque()
        self._cond = threading.Condition()
        self._closing = False
        self._thread = threading.Thread(target=self._work, name="flame-batcher", daemon=True)

    def start(self) -> Batcher:
        """Start the worker thread."""
        self._thread.start()
        return self

    @property
    def depth(self) -> int:
        """Items waiting for the model."""
        return len(self._front) + len(self._back)

    def submit(self, items: Sequence[tuple[TaskSpec, Example]], background: bool = False,
               long_inputs: Sequence[LongInput | None] | None = None) -> list[Future]:
        """Queue items (all or none); a future per item resolves to its Judgment.

        `long_inputs` (one per item, or None): how to judge an item longer than
        `max_input_tokens` in chunks instead of failing it with InputTooLong.
        Raises QueueFull when HTTP items would overflow the queue, ShuttingDown after close().
        """
        entries = [_Entry(task, ex, long) for (task, ex), long in zip(items, long_inputs or [None] * len(items))]
        with self._cond:
            if self._closing:
                raise ShuttingDown("the server is shutting down")
            if not background and len(self._front) + len(entries) > self.queue_size:
                raise QueueFull(f"the queue is full ({len(self._front)} of {self.queue_size} items waiting)")
            (self._back if background else self._front).extend(entries)
            self._cond.notify()
        return [e.future for e in entries]

    def close(self, drain: bool = True, timeout: float | None = None) -> None:
        """Stop accepting items; finish the accepted ones (drain) or cancel them; join the worker."""
        with self._cond:
            self._closing = True
            if not drain:
                for e in (*self._front, *self._back):
                    e.future.cancel()
                self._front.clear()
                self._back.clear()
            self._cond.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout)

    # -- worker ------------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            batch = self._next_batch()
            if batch is None:
                return
            try:
                self._run(batch)
            except BaseException as e:  # never let the worker die: fail the batch instead
                log.exception("batch failed")
                for entry in batch:
                    if not entry.future.done():
                        entry.future.set_exception(e)

    def _next_batch(self) -> list[_Entry] | None:
        with self._cond:
            while not self._front and not self._back:
                if self._closing:
                    return None
                self._cond.wait()
            oldest = min(q[0].arrived for q in (self._front, self._back) if q)
            while self.depth < self.max_batch and not self._closing:
                left = oldest + self.max_wait - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            batch = []
            for queue in (self._front, self._back):
                while queue and len(batch) < self.max_batch:
                    batch.append(queue.popleft())
            return batch

    def _run(self, batch: list[_Entry]) -> None:
        ready, long = [], []
        for entry in batch:
            if not entry.future.set_running_or_notify_cancel():
                continue  # the caller gave up
            tokens, estimated = self._tokens(entry)
            if tokens <= self.max_input_tokens:
                ready.append(entry)
            elif entry.long_input is not None:
                long.append((entry, tokens))
            else:
                entry.future.set_exception(InputTooLong(tokens, self.max_input_tokens, estimated))
        if ready:
            if self.on_batch:
                self.on_batch(len(ready))
            for entry, judgment in zip(ready, self._judge(ready)):
                if isinstance(judgment, Judgment):
                    entry.future.set_result(judgment)
                else:
                    entry.future.set_exception(judgment)
        for entry, tokens in long:  # after the batch: chunks sized for the server's cap
            rater = copy.copy(self.autorater)  # same backend and options, this item's long input
            rater.long_input = entry.long_input
            try:
                entry.future.set_result(rater.judge_in_chunks(entry.task, entry.example, tokens, self.max_input_tokens))
            except Exception as e:
                log.exception("judging in chunks failed")
                entry.future.set_exception(e)

    def _judge(self, entries: list[_Entry]) -> list[Judgment | BaseException]:
        """Judge a batch; if it raises (not a backend error: those come back as invalid
        judgments), judge item by item so one bad item fails alone."""
        items = [(e.task, e.example) for e in entries]
        try:
            return list(self.autorater.iter_judge(items, batch_size=len(items)))
        except Exception as e:
            if len(items) == 1:
                log.exception("judging failed")
                return [e]
            return [r for entry in entries for r in self._judge([entry])]

    def _tokens(self, entry: _Entry) -> tuple[int, bool]:
        """Tokens in the prompt the model reads (exact where the backend has a tokenizer)."""
        backend = self.autorater.backend
        text = backend.prepare(render(entry.task, entry.example).text)
        encode = getattr(backend, "encode", None)
        if callable(encode):
            return len(encode(text)), False
        return math.ceil(len(text.encode("utf-8")) / BYTES_PER_TOKEN), True


def default_token_limit(autorater: Autorater, fallback: int = 4096, verdict_room: int = 64) -> int:
    """The model's context length less room for the verdict, or `fallback` when unknown."""
    max_length = getattr(autorater.backend, "max_length", None)
    return max(1, max_length - verdict_room) if isinstance(max_length, int) and max_length > 0 else fallback
