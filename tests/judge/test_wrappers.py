"""The shared backend wrappers: length-sorted batching, the SQLite result cache, retries."""

from __future__ import annotations

import sqlite3

import pytest

from flame.judge.autorater import Autorater
from flame.judge.backends.base import (
    Batched,
    Cached,
    GenerateRequest,
    PromptTooLong,
    Retrying,
    ScoreRequest,
    TransientError,
)
from flame.testing import FakeBackend


def _length_rule(context, label):
    return -float(len(context) % 7) - (len(label) if label else 0)


def test_batched_keeps_input_order_and_sends_longest_first(scripted):
    inner = scripted(_length_rule)
    seen = []
    inner_score = inner.score
    inner.score = lambda reqs: (seen.append([len(r.context) for r in reqs]), inner_score(reqs))[1]
    reqs = [ScoreRequest("x" * n, "A") for n in (3, 50, 7, 20, 1)]
    assert Batched(inner, 2).score(reqs) == [_length_rule(r.context, "A") for r in reqs]
    assert seen == [[50, 20], [7, 3], [1]]


def test_batched_sends_a_prefix_cache_backend_its_requests_in_context_order(scripted):
    inner = scripted(_length_rule)
    inner.request_order = "context"  # as the sequential transformers and llama.cpp backends say
    seen = []
    inner_score = inner.score
    inner.score = lambda reqs: (seen.append([r.context for r in reqs]), inner_score(reqs))[1]
    contexts = ["q2 long answer", "q1 b", "q2 a", "q1 a long one", "q1 a"]
    reqs = [ScoreRequest(c, "A") for c in contexts]
    assert Batched(inner, 2).score(reqs) == [_length_rule(c, "A") for c in contexts]
    assert seen == [["q1 a", "q1 a long one"], ["q1 b", "q2 a"], ["q2 long answer"]]


def test_cache_makes_a_second_run_call_the_model_zero_times(tmp_path, scripted, llmbar):
    task, examples = llmbar(6)
    db = tmp_path / "cache.sqlite"
    first_model = scripted(_length_rule)
    first = Autorater(Cached(first_model, db)).judge_many(task, examples)
    assert len(first_model.score_calls) > 0

    rerun_model = scripted(_length_rule)
    rerun = Autorater(Cached(rerun_model, db)).judge_many(task, examples)
    assert len(rerun_model.score_calls) == 0
    assert rerun == first


def test_cache_counts_answers_not_attempts(tmp_path, scripted):
    def rule(context, label):
        if context == "long":
            raise PromptTooLong(9000, 8192)
        return -1.0

    cached = Cached(scripted(rule), tmp_path / "cache.sqlite")
    short, long = ScoreRequest("short", "A"), ScoreRequest("long", "A")
    cached.score([short])
    with pytest.raises(PromptTooLong):  # a batch the model rejects, then retried one request at a time
        cached.score([short, long])
    assert cached.score([short]) == [-1.0]
    with pytest.raises(PromptTooLong):
        cached.score([long])
    # what a results manifest reports: one label score computed, one read from the cache
    assert (cached.misses, cached.hits) == (1, 1)


def test_cache_is_keyed_by_model_fingerprint(tmp_path, scripted):
    db = tmp_path / "cache.sqlite"
    reqs = [ScoreRequest("ctx", "A")]
    Cached(scripted(lambda c, l: -1.0, "model:v1"), db).score(reqs)
    other = scripted(lambda c, l: -2.0, "model:v2")
    assert Cached(other, db).score(reqs) == [-2.0]
    assert len(other.score_calls) == 1


def test_cache_answers_while_another_connection_holds_a_write_transaction(tmp_path, scripted):
    db = tmp_path / "cache.sqlite"
    writer = Cached(scripted(lambda c, l: -0.5), db)
    writer.generate([GenerateRequest("p", 4)])
    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another process in the middle of writing
    try:
        reader_model = scripted(lambda c, l: "other")
        assert Cached(reader_model, db).generate([GenerateRequest("p", 4)]) == [-0.5]
        assert len(reader_model.generate_calls) == 0
    finally:
        blocker.execute("ROLLBACK")


def flaky(failures: int, error: Exception) -> FakeBackend:
    """A fake backend that fails `failures` times with `error` (once per scored request: the
    tests score one at a time), then scores every request -1.0."""
    left = [failures]

    def rule(context: str, continuation: str) -> float:
        if left[0]:
            left[0] -= 1
            raise error
        return -1.0

    return FakeBackend(rule, fingerprint="flaky:1")


def test_retrying_backs_off_on_transient_errors_then_succeeds():
    waits = []
    backend = Retrying(flaky(2, TransientError("429 rate limited")), attempts=4, base_delay=1.0, sleep=waits.append)
    assert backend.score([ScoreRequest("c", "A")]) == [-1.0]
    assert backend.retries == 2
    assert 0.5 <= waits[0] <= 1.0 and 1.0 <= waits[1] <= 2.0  # exponential, with jitter


def test_retrying_gives_up_after_its_attempts_and_never_retries_a_real_error():
    waits = []
    with pytest.raises(TransientError):
        Retrying(flaky(5, TransientError("timeout")), attempts=3, sleep=waits.append).score([ScoreRequest("c", "A")])
    assert len(waits) == 2
    with pytest.raises(ValueError):
        Retrying(flaky(1, ValueError("bad request")), sleep=waits.append).score([ScoreRequest("c", "A")])
    assert len(waits) == 2
