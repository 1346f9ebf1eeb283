"""Micro-batching: items from concurrent requests are judged together, on one thread.

One worker thread owns the model (and its tokenizer, which is not safe to share between
threads). It takes the oldest waiting item, waits until `max_batch` items are waiting or
`max_wait_ms` has passed since that item arrived, and judges them in one Autorater call.
HTTP items go first; batch-job items (`background=True`) fill what room is left, so a long
job does not make interactive callers wait behind it.

The queue of HTTP items is bounded: a submit that would overflow it raises QueueFull (the
server answers 503 with Retry-After). Items longer than `max_input_tokens` fail with
InputTooLong without reaching the model, unless they say how to split them (`LongInput`):
those are judged in chunks sized for `max_input_tokens`, after the batch they came in, at
most `max_chunks` chunks per submitted request (TooManyChunks, a kind of InputTooLong, before
any of its chunks is judged; a chunk split again counts too).

Over-long prompts do not hold up the model thread: `submit` refuses an HTTP item whose text
is surely over its limit from its length in characters alone (`max_token_chars`, the most
characters one token of the backend's vocabulary covers, times 2 for normalisation), without
tokenising it, and the worker applies the same bound before tokenising a job's item. An
item under that bound is tokenised on the model thread, a long one a slice at a time and only
until its limit is passed (`count_tokens`; the rest is estimated), so the tokenising the model
thread does for an item is bounded by what the item could be judged in.

A request has a deadline: items of a request that is past it, or whose caller gave up
(`cancel`), are dropped from the queue at once (they leave `depth`) or skipped when taken,
and an item being judged in chunks stops before its next chunk (Cancelled).
`close()` stops accepting items and, by default, lets the worker finish everything already
accepted.
"""

from __future__ import annotations

import copy
import logging
import math
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from flame.core.judgment import Judgment
from flame.core.records import Example, TaskSpec
from flame.core.template import render
from flame.judge.autorater import Autorater
from flame.judge.long_input import LongInput, chunk_budget, split_text

log = logging.getLogger("flame.serve")
BYTES_PER_TOKEN = 4  # estimate for backends that expose no tokenizer
MAX_TOKEN_CHARS = 128  # characters one token covers at most, for a tokenizer whose vocabulary cannot be read
NORMALISATION_SLACK = 2  # a tokenizer's normaliser may merge characters (NFC): text chars per vocabulary char
MAX_CHUNKS = 32  # chunks one request's split_long items may be judged in
COUNT_SLICE_CHARS = 16_384  # a longer prompt is counted a slice at a time, stopping past its limit


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
        self.item: int | None = None  # which of the submitted items (set when submit refuses it)


class TooManyChunks(InputTooLong):
    """A request's split_long items would take more chunks than the server judges per request."""

    def __init__(self, chunks: int, limit: int, tokens: int, estimated: bool) -> None:
        self.tokens, self.limit, self.item = tokens, limit, None
        about = "at least " if estimated else ""
        size = f"the text is {about}{tokens} tokens, {about}{chunks} chunks" if tokens else "the text needs more chunks"
        Exception.__init__(self, f"{size}; this server judges at most {limit} chunks per request (split_long)")


class Cancelled(Exception):
    """The request's deadline passed or its caller gave up: its remaining work was dropped."""


class _Group:
    """The items of one request: its deadline, whether it was cancelled, its chunks left."""

    def __init__(self, deadline: float | None, chunks: int) -> None:
        self.deadline, self.chunks_left, self.cancelled = deadline, chunks, False

    def expired(self) -> bool:
        return self.cancelled or (self.deadline is not None and time.monotonic() >= self.deadline)


class _Guarded:
    """The backend as one chunked item sees it: every call first checks the item's request is
    still wanted (else Cancelled), and calls past the `planned` chunks take from its chunks left."""

    def __init__(self, backend: object, group: _Group, planned: int, limit: int) -> None:
        self._backend, self._group, self._left, self._limit = backend, group, planned, limit

    def __getattr__(self, name: str):
        return getattr(self._backend, name)

    def _check(self) -> None:
        if self._group.expired():
            raise Cancelled("the request was cancelled or timed out")
        if self._left > 0:
            self._left -= 1
        elif self._group.chunks_left > 0:
            self._group.chunks_left -= 1
        else:
            raise TooManyChunks(self._limit + 1, self._limit, 0, True)

    def score(self, requests):
        self._check()
        return self._backend.score(requests)

    def generate(self, requests):
        self._check()
        return self._backend.generate(requests)


@dataclass
class _Entry:
    task: TaskSpec
    example: Example
    long_input: LongInput | None = None
    group: _Group = field(default_factory=lambda: _Group(None, MAX_CHUNKS))
    future: Future = field(default_factory=Future)
    arrived: float = field(default_factory=time.monotonic)


class Batcher:
    """Merges submitted items into Autorater batches on one worker thread (module docstring)."""

    def __init__(self, autorater: Autorater, *, max_batch: int = 8, max_wait_ms: float = 10.0,
                 queue_size: int = 256, max_input_tokens: int | None = None, max_chunks: int = MAX_CHUNKS,
                 on_batch: Callable[[int], None] | None = None) -> None:
        if max_batch < 1 or queue_size < 1:
            raise ValueError(f"max_batch and queue_size must be at least 1, got {max_batch} and {queue_size}")
        self.autorater = autorater
        self.max_batch, self.max_wait, self.queue_size = max_batch, max_wait_ms / 1000, queue_size
        self.max_input_tokens = max_input_tokens or default_token_limit(autorater)
        self.max_chunks = max_chunks
        self.token_chars = max_token_chars(autorater.backend)
        self.on_batch = on_batch
        self._front: deque[_Entry] = deque()
        self._back: deque[_Entry] = deque()
        self._cond = threading.Condition()
        self._groups: weakref.WeakKeyDictionary[Future, _Group] = weakref.WeakKeyDictionary()
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
               long_inputs: Sequence[LongInput | None] | None = None, deadline: float | None = None) -> list[Future]:
        """Queue items (all or none); a future per item resolves to its Judgment.

        `long_inputs` (one per item, or None): how to judge an item longer than
        `max_input_tokens` in chunks instead of failing it with InputTooLong.
        `deadline` (time.monotonic()): when the items stop being wanted (module docstring).
        Raises QueueFull when HTTP items would overflow the queue, ShuttingDown after close(),
        InputTooLong (its `item` set) when an HTTP item is surely too long by its length alone.
        """
        longs = list(long_inputs or [None] * len(items))
        if background:  # a job's lines are each their own request
            entries = [_Entry(task, ex, long, _Group(deadline, self.max_chunks)) for (task, ex), long in zip(items, longs)]
        else:
            self._precheck(items, longs)
            group = _Group(deadline, self.max_chunks)
            entries = [_Entry(task, ex, long, group) for (task, ex), long in zip(items, longs)]
        with self._cond:
            if self._closing:
                raise ShuttingDown("the server is shutting down")
            if not background and len(self._front) + len(entries) > self.queue_size:
                raise QueueFull(f"the queue is full ({len(self._front)} of {self.queue_size} items waiting)")
            (self._back if background else self._front).extend(entries)
            for e in entries:
                self._groups[e.future] = e.group
            self._cond.notify()
        return [e.future for e in entries]

    def cancel(self, futures: Sequence[Future]) -> None:
        """Give up on submitted items: those waiting leave the queue now, those being judged in
        chunks stop before their next chunk."""
        wanted = set(map(id, futures))
        with self._cond:
            for f in futures:
                group = self._groups.get(f)
                if group is not None:
                    group.cancelled = True
            for queue in (self._front, self._back):
                gone = [e for e in queue if id(e.future) in wanted]
                for e in gone:
                    e.future.cancel()
                if gone:
                    kept = [e for e in queue if id(e.future) not in wanted]
                    queue.clear()
                    queue.extend(kept)
        for f in futures:
            f.cancel()

    def _precheck(self, items: Sequence[tuple[TaskSpec, Example]], longs: Sequence[LongInput | None]) -> None:
        """Refuse items whose tokens are surely over their limit, counted without a tokenizer."""
        chunks = 0.0
        for i, ((task, ex), long) in enumerate(zip(items, longs)):
            tokens, estimated = self._least_tokens(render(task, ex).text)
            if tokens <= self.max_input_tokens:
                continue
            if long is None:
                error: InputTooLong = InputTooLong(tokens, self.max_input_tokens, estimated)
            else:
                chunks += tokens / self.max_input_tokens
                if chunks <= self.max_chunks:
                    continue
                error = TooManyChunks(math.ceil(chunks), self.max_chunks, tokens, True)
            error.item = i
            raise error

    def _least_tokens(self, text: str) -> tuple[int, bool]:
        """As few tokens as `text` can be (the byte estimate where the backend has no tokenizer:
        then exactly what the worker counts), and whether that is all that is known."""
        if self.token_chars is None:
            return math.ceil(len(text.encode("utf-8")) / BYTES_PER_TOKEN), True
        return len(text) // self.token_chars, True

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
                    entry = queue.popleft()
                    if entry.group.expired():  # its caller has gone: never judged
                        entry.future.cancel()
                    else:
                        batch.append(entry)
            return batch

    def _run(self, batch: list[_Entry]) -> None:
        ready, long = [], []
        for entry in batch:
            if entry.group.expired():
                entry.future.cancel()
            if not entry.future.set_running_or_notify_cancel():
                continue  # the caller gave up
            prompt = self.autorater.backend.prepare(render(entry.task, entry.example).text)
            tokens, estimated = self._tokens(entry, prompt)
            if tokens <= self.max_input_tokens:
                ready.append(entry)
            elif entry.long_input is not None:
                planned = self._plan(entry, prompt, tokens, estimated)
                if planned is not None:
                    long.append((entry, tokens, planned))
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
        for entry, tokens, planned in long:  # after the batch: chunks sized for the server's cap
            if entry.group.expired():
                entry.future.set_exception(Cancelled("the request was cancelled or timed out"))
                continue
            rater = copy.copy(self.autorater)  # same backend and options, this item's long input
            rater.long_input = entry.long_input
            rater.backend = _Guarded(self.autorater.backend, entry.group, planned, self.max_chunks)
            try:
                entry.future.set_result(rater.judge_in_chunks(entry.task, entry.example, tokens, self.max_input_tokens))
            except (Cancelled, TooManyChunks) as e:
                entry.future.set_exception(e)
            except Exception as e:
                log.exception("judging in chunks failed")
                entry.future.set_exception(e)

    def _plan(self, entry: _Entry, prompt: str, tokens: int, estimated: bool) -> int | None:
        """The chunks an over-long item (its prepared `prompt`) will be judged in, taken from its
        request's chunks left; None (its future failed with TooManyChunks) when they do not fit."""
        group, field_name = entry.group, entry.long_input.field
        text = entry.example.inputs.get(field_name, "")
        chunks = math.ceil(tokens / self.max_input_tokens)
        if not estimated or self.token_chars is None:  # the exact plan (splitting is cheap)
            try:
                chunks = len(split_text(text, chunk_budget(len(prompt), len(text), tokens, self.max_input_tokens)))
            except ValueError:
                chunks = 1  # the autorater reports why it cannot split
        if chunks > group.chunks_left:
            entry.future.set_exception(TooManyChunks(self.max_chunks - group.chunks_left + chunks, self.max_chunks,
                                                     tokens, estimated and self.token_chars is not None))
            return None
        group.chunks_left -= chunks
        return chunks

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

    def _tokens(self, entry: _Entry, text: str) -> tuple[int, bool]:
        """Tokens in `text`, the prompt the model reads (exact where the backend has a tokenizer);
        a prompt surely over its limit by its length is not tokenised (its least tokens, estimated)."""
        backend = self.autorater.backend
        if self.token_chars is not None:
            least = len(text) // self.token_chars
            cap = self.max_input_tokens * (1 if entry.long_input is None else max(entry.group.chunks_left, 1))
            if least > cap:
                return least, True
        encode = getattr(backend, "encode", None)
        if callable(encode):
            return count_tokens(encode, text, cap if self.token_chars is not None else None)
        return math.ceil(len(text.encode("utf-8")) / BYTES_PER_TOKEN), True


def count_tokens(encode: Callable[[str], Sequence[Any]], text: str, cap: int | None) -> tuple[int, bool]:
    """Tokens in `text` and whether the count is an estimate. With a `cap`, a text longer than
    COUNT_SLICE_CHARS is tokenised a slice at a time, and counting stops once the slices hold
    more than `cap` tokens (less one per cut, which may split a token): what they hold is
    then the count, at least that many (the rest is never tokenised), so the model thread never
    tokenises much more of a text than it could judge. A text within the cap is counted exactly."""
    if cap is None or len(text) <= COUNT_SLICE_CHARS:
        return len(encode(text)), False
    overhead = len(encode(""))  # a BOS token each call adds
    counted = read = 0
    while read < len(text):
        piece = text[read:read + COUNT_SLICE_CHARS]
        counted += len(encode(piece)) - overhead
        read += len(piece)
        cuts = read // COUNT_SLICE_CHARS
        if counted - cuts > cap and read < len(text):
            return overhead + counted - cuts, True
    return len(encode(text)), False


def max_token_chars(backend: object) -> int | None:
    """Characters of text one token can cover at most (the longest entry of the tokenizer's
    vocabulary, times NORMALISATION_SLACK; MAX_TOKEN_CHARS when the vocabulary cannot be read),
    or None for a backend that counts tokens by the byte estimate (no `encode`)."""
    if not callable(getattr(backend, "encode", None)):
        return None
    try:
        vocab = backend.tokenizer.get_vocab()  # type: ignore[attr-defined]
        longest = max(len(token) for token in vocab)
    except Exception:
        return MAX_TOKEN_CHARS * NORMALISATION_SLACK
    return max(1, longest) * NORMALISATION_SLACK


def default_token_limit(autorater: Autorater, fallback: int = 4096, verdict_room: int = 64) -> int:
    """The model's context length less room for the verdict, or `fallback` when unknown."""
    max_length = getattr(autorater.backend, "max_length", None)
    return max(1, max_length - verdict_room) if isinstance(max_length, int) and max_length > 0 else fallback
