"""One request cannot stall the server: deadlines cancel queued and chunked work, split_long is
bounded per request, over-long prompts are refused off the model thread, the key is checked
before the body is parsed (issue #18, item 2)."""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from fastapi.testclient import TestClient

from flame.serve import Settings, create_app
from flame.serve.batcher import COUNT_SLICE_CHARS, MAX_TOKEN_CHARS, NORMALISATION_SLACK, count_tokens, max_token_chars
from flame.testing import FakeBackend

PAIR = {"prompt": "What is 2+2?", "response_a": "4", "response_b": "5"}
KEY = "s3cret-key-0123456789"


def _client(backend, tmp_path, **options):
    return TestClient(create_app(backend, Settings(state_dir=tmp_path / "state", **options)))


def _long_text(sentences: int) -> str:
    return " ".join(f"Sentence number {i} says the cat sat on the mat." for i in range(sentences))


class _Tokenizing(FakeBackend):
    """A fake backend that counts tokens (one per word) and records every text it tokenised."""

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.encoded: list[int] = []

    def encode(self, text: str) -> list[str]:
        self.encoded.append(len(text))
        return text.split()


def test_a_timed_out_split_long_request_stops_judging_its_chunks(scripted, tmp_path):
    backend = scripted(delay=0.25)  # every chunk takes a quarter second
    item = {"text": _long_text(400), "classes": ["Yes", "No"], "split_long": "Yes"}  # ~20,000 chars, ~20 chunks
    with _client(backend, tmp_path, max_input_tokens=400, timeout_s=1.0) as client:
        r = client.post("/v1/judge/classify", json=item)
        at_504 = len(backend.score_calls)
        time.sleep(1.0)  # four chunks' time: the old server went on judging them
        after = len(backend.score_calls)
        backend.delay = 0
        normal = client.post("/v1/judge/pairwise", json=PAIR)  # judged within the 1 s timeout
    assert r.status_code == 504
    assert 1 <= at_504 < 12
    assert after <= at_504 + 1  # at most the chunk in progress when the deadline passed
    assert normal.status_code == 200 and normal.json()["valid"]


def test_queue_depth_returns_to_zero_when_requests_time_out(scripted, tmp_path, serve_live):
    gate = threading.Event()
    backend = scripted(gate=gate)
    app = create_app(backend, Settings(state_dir=tmp_path, max_batch=1, max_wait_ms=0, timeout_s=0.5))
    try:
        with serve_live(app) as (url, _), ThreadPoolExecutor(2) as pool:
            busy = pool.submit(httpx.post, url + "/v1/judge/pairwise", json=PAIR, timeout=30)
            while not backend.score_calls:  # the model is stuck on the first item
                time.sleep(0.01)
            queued = pool.submit(httpx.post, url + "/v1/judge/pairwise", json=[PAIR] * 3, timeout=30)
            statuses = [busy.result().status_code, queued.result().status_code]
            depth = httpx.get(url + "/health").json()["queue_depth"]
            metrics = httpx.get(url + "/metrics").text
            gate.set()
    finally:
        gate.set()
    assert statuses == [504, 504]
    assert depth == 0
    assert "flame_queue_depth 0.0" in metrics
    assert len(backend.score_calls) == 1  # the timed-out items were never judged


def test_split_long_over_the_chunk_maximum_is_413_naming_it_before_any_judging(scripted, tmp_path):
    backend = scripted()
    item = {"classes": ["Yes", "No"], "split_long": "Yes"}
    with _client(backend, tmp_path, max_input_tokens=400, max_chunks=3) as client:
        by_length = client.post("/v1/judge/classify", json={**item, "text": _long_text(400)})  # ~20 chunks
        by_plan = client.post("/v1/judge/classify", json={**item, "text": _long_text(80)})  # ~4 chunks, ~1,000 tokens
        two = client.post("/v1/judge/classify", json=[{**item, "text": _long_text(50)}, {**item, "text": _long_text(50)}])
        assert backend.score_calls == []
        fits = client.post("/v1/judge/classify", json={**item, "text": _long_text(40)})
    for r in (by_length, by_plan, two):
        assert r.status_code == 413, r.text
        assert "at most 3 chunks per request (split_long)" in r.json()["detail"]
    assert two.json()["detail"].startswith("item ")
    assert fits.status_code == 200 and 1 < fits.json()["chunks"] <= 3


def test_an_over_long_prompt_is_413_without_being_tokenised(tmp_path):
    backend = _Tokenizing(fingerprint="tok:1", reply=lambda prompt: "")
    huge = {**PAIR, "response_a": "word " * 100_000}  # 500,000 characters, far over 100 tokens at any tokenizer
    with _client(backend, tmp_path, max_input_tokens=100) as client:
        refused = client.post("/v1/judge/pairwise", json=[PAIR, huge])
        assert backend.encoded == [] and backend.score_calls == []
        ok = client.post("/v1/judge/pairwise", json=PAIR)
        near = client.post("/v1/judge/pairwise", json={**PAIR, "response_a": "word " * 200})  # tokenised, then 413
    assert refused.status_code == 413
    assert refused.json()["detail"].startswith("item 1: the prompt is about ") and "at most 100" in refused.text
    assert ok.status_code == 200 and near.status_code == 413
    assert max(backend.encoded) < 2000  # only the short prompts were ever tokenised


def test_max_token_chars_reads_the_tokenizer_vocabulary():
    class Vocab:
        def get_vocab(self):
            return {"a": 0, "Ġthe": 1, "================": 2}

    plain = FakeBackend()
    tokenizing = _Tokenizing()
    assert max_token_chars(plain) is None  # byte estimate: exact without a tokenizer
    assert max_token_chars(tokenizing) == MAX_TOKEN_CHARS * NORMALISATION_SLACK
    tokenizing.tokenizer = Vocab()
    assert max_token_chars(tokenizing) == 16 * NORMALISATION_SLACK


def test_the_key_is_checked_before_the_body_is_parsed(scripted, tmp_path):
    bad = {"content": b'{"prompt": "p", "respo', "headers": {"content-type": "application/json"}}
    with _client(scripted(), tmp_path) as open_client:
        unguarded = open_client.post("/v1/judge/pairwise", **bad).status_code
    with _client(scripted(), tmp_path / "k", api_key=KEY, max_body_bytes=1000) as client:
        no_key = client.post("/v1/judge/pairwise", **bad)
        wrong = client.post("/v1/judge/pairwise", content=bad["content"],
                            headers={**bad["headers"], "Authorization": "Bearer nope"})
        too_big = client.post("/v1/judge/pairwise", content=b"x" * 5000, headers=bad["headers"])
        with_key = client.post("/v1/judge/pairwise", content=bad["content"],
                               headers={**bad["headers"], "Authorization": f"Bearer {KEY}"})
        health = client.get("/health")
        metrics = client.get("/metrics", headers={"Authorization": f"Bearer {KEY}"}).text
    for r in (no_key, wrong, too_big):
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer" and "API key" in r.json()["detail"]
    assert unguarded in (400, 422) and with_key.status_code == unguarded
    assert health.status_code == 200
    assert 'status="401"} 3.0' in metrics


def test_a_job_line_over_the_limit_is_refused_without_being_tokenised(tmp_path):
    import json

    backend = _Tokenizing(fingerprint="tok:1", reply=lambda prompt: "")
    lines = "\n".join(json.dumps(x) for x in [PAIR, {**PAIR, "response_a": "word " * 100_000}])
    with _client(backend, tmp_path, max_input_tokens=100) as client:
        job_id = client.post("/v1/jobs", json={"task": "pairwise", "jsonl": lines}).json()["id"]
        for _ in range(400):
            job = client.get(f"/v1/jobs/{job_id}").json()
            if job["status"] == "done":
                break
            time.sleep(0.05)
    assert job["status"] == "done"
    first, second = job["results"]
    assert first["valid"] and not second["valid"] and "at most 100" in second["error"]
    assert max(backend.encoded) < 2000  # the long line was refused by its length alone


def test_a_long_text_within_the_length_bound_is_tokenised_only_as_far_as_its_limit(tmp_path):
    backend = _Tokenizing(fingerprint="tok:1", reply=lambda prompt: "")
    # 75,000 characters pass the length bound (300 tokens x 256 characters a token at most), but
    # are 15,000 words, 50 chunks of 300: the old worker tokenised all of it on the model thread
    text = "word " * 15_000
    with _client(backend, tmp_path, max_input_tokens=300, max_chunks=3) as client:
        r = client.post("/v1/judge/classify", json={"text": text, "classes": ["Yes", "No"], "split_long": "Yes"})
        fits = client.post("/v1/judge/classify", json={"text": "word " * 500, "classes": ["Yes", "No"],
                                                       "split_long": "Yes"})
    assert r.status_code == 413 and "at most 3 chunks per request (split_long)" in r.json()["detail"]
    counted = int(re.match(r"the text is at least (\d+) tokens", r.json()["detail"])[1])
    assert 300 < counted < 15_000  # a true lower bound: the words of the slices read
    assert sum(backend.encoded) <= 2 * COUNT_SLICE_CHARS  # a slice past the limit, not the whole text
    assert fits.status_code == 200 and 1 < fits.json()["chunks"] <= 3


def test_count_tokens_is_exact_within_the_cap_and_stops_past_it():
    words = lambda text: text.split()  # noqa: E731 - one token per word
    text = "word " * 20_000  # 100,000 characters, 20,000 tokens
    assert count_tokens(words, text, None) == (20_000, False)
    assert count_tokens(words, text, 50_000) == (20_000, False)  # under the cap: counted exactly
    tokens, estimated = count_tokens(words, text, 1_000)
    assert estimated and 1_000 < tokens <= 20_000  # a true lower bound, from one slice past the cap
