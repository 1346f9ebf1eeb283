"""The judge endpoints on a scripted backend: answers, validation, limits, batching, shutdown."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import typer
from fastapi.testclient import TestClient

from flame.judge import adhoc
from flame.judge.autorater import Autorater
from flame.serve import Settings, create_app

PAIR = {"prompt": "What is 2+2?", "response_a": "4", "response_b": "5"}


def _client(backend, tmp_path, **options):
    return TestClient(create_app(backend, Settings(state_dir=tmp_path / "state", **options)))


def test_pairwise_answers_as_the_autorater_does_for_one_item_and_a_list(scripted, tmp_path):
    backend = scripted()
    task = adhoc.pairwise("Prefer correct answers.")
    expected = Autorater(backend).judge(task, adhoc.pairwise_example(task, prompt=PAIR["prompt"], a=PAIR["response_a"], b=PAIR["response_b"])).to_dict()
    with _client(backend, tmp_path) as client:
        one = client.post("/v1/judge/pairwise", json={**PAIR, "criteria": "Prefer correct answers.", "id": 7})
        many = client.post("/v1/judge/pairwise", json=[{**PAIR, "criteria": "Prefer correct answers."},
                                                       {**PAIR, "response_b": "four", "id": "x"}])
    assert one.status_code == 200
    assert one.json() == {"id": "7", "line": None, **expected}
    assert set(one.json()["order_probs"]) == {"AB", "BA"}  # both candidate orders were judged
    assert many.status_code == 200
    first, second = many.json()
    assert first == {"id": None, "line": None, **expected}
    assert second["id"] == "x" and second["uid"] != first["uid"]


def test_pointwise_and_classify(scripted, tmp_path):
    with _client(scripted(), tmp_path) as client:
        rated = client.post("/v1/judge/pointwise", json={"prompt": "p", "response": "r", "scale": "1-3"}).json()
        classed = client.post("/v1/judge/classify", json={"text": "t", "classes": ["Yes", "No", "Maybe"]}).json()
    assert set(rated["probs"]) == {"1", "2", "3"} and 1 <= rated["expected"] <= 3
    assert rated["label"] == max(rated["probs"], key=rated["probs"].get)
    assert set(classed["probs"]) == {"Yes", "No", "Maybe"} and classed["expected"] is None


@pytest.mark.parametrize("path, body, named", [
    ("/v1/judge/pairwise", {**PAIR, "temperature": 0.2}, "unknown field 'temperature'"),
    ("/v1/judge/pairwise", [PAIR, {**PAIR, "extra": 1}], "unknown field 'items[1].extra'"),
    ("/v1/judge/pairwise", {"prompt": "p", "response_a": "a"}, "response_b: Field required"),
    ("/v1/judge/pairwise", {**PAIR, "prompt": 3}, "prompt: Input should be a valid string"),
    ("/v1/judge/pointwise", {"prompt": "p", "response": "r", "scale": "5-1"}, "scale: Value error, scale needs LOW < HIGH"),
    ("/v1/judge/classify", {"text": "t", "classes": ["Yes", "Yes"]}, "classes: Value error, classes need at least two distinct"),
    ("/v1/jobs", {"task": "pairwise", "jsonl": "{}", "batch": 3}, "unknown field 'batch'"),
])
def test_bad_requests_are_422_naming_the_field(scripted, tmp_path, path, body, named):
    with _client(scripted(), tmp_path) as client:
        r = client.post(path, json=body)
    assert r.status_code == 422
    assert named in r.json()["message"]


def test_body_over_the_limit_is_413_with_or_without_content_length(scripted, tmp_path):
    big = {**PAIR, "response_a": "x" * 5000}
    with _client(scripted(), tmp_path, max_body_bytes=2000) as client:
        assert client.post("/v1/judge/pairwise", json=PAIR).status_code == 200
        declared = client.post("/v1/judge/pairwise", json=big)
        import json

        payload = json.dumps(big).encode()
        chunked = client.post("/v1/judge/pairwise", content=iter([payload[:1500], payload[1500:]]),
                              headers={"content-type": "application/json"})
    assert declared.status_code == 413 and "2000 bytes" in declared.json()["detail"]
    assert chunked.status_code == 413


def test_prompt_over_the_token_limit_is_413_naming_the_item(scripted, tmp_path):
    backend = scripted()
    with _client(backend, tmp_path, max_input_tokens=400) as client:
        ok = client.post("/v1/judge/pairwise", json=PAIR)
        long = client.post("/v1/judge/pairwise", json=[PAIR, {**PAIR, "response_a": "word " * 2000}])
    assert ok.status_code == 200
    assert long.status_code == 413
    assert long.json()["detail"].startswith("item 1: the prompt is about ")
    assert "at most 400" in long.json()["detail"]


def test_full_queue_is_503_with_retry_after(scripted, tmp_path, serve_live):
    gate = threading.Event()
    backend = scripted(gate=gate)
    app = create_app(backend, Settings(state_dir=tmp_path, queue_size=4, max_batch=1, max_wait_ms=0))
    with serve_live(app) as (url, _), ThreadPoolExecutor(2) as pool:
        busy = pool.submit(httpx.post, url + "/v1/judge/pairwise", json=PAIR, timeout=30)
        while not backend.score_calls:  # the model is busy with the first item
            time.sleep(0.01)
        queued = pool.submit(httpx.post, url + "/v1/judge/pairwise", json=[PAIR] * 4, timeout=30)
        while httpx.get(url + "/health").json()["queue_depth"] < 4:
            time.sleep(0.01)
        refused = httpx.post(url + "/v1/judge/pairwise", json=PAIR)
        gate.set()
        assert busy.result().status_code == 200 and queued.result().status_code == 200
    assert refused.status_code == 503 and refused.headers["retry-after"] == "1"
    assert "the queue is full (4 of 4 items waiting)" in refused.json()["detail"]


def test_a_request_larger_than_the_queue_is_413(scripted, tmp_path):
    with _client(scripted(), tmp_path, queue_size=3) as client:
        r = client.post("/v1/judge/pairwise", json=[PAIR] * 4)
        assert r.status_code == 413 and r.json()["detail"] == "4 items in one request; this server queues at most 3"
        assert client.post("/v1/judge/pairwise", json=[PAIR] * 3).status_code == 200


def test_slow_judgment_is_504_and_the_server_keeps_working(scripted, tmp_path):
    backend = scripted(delay=0.6)
    with _client(backend, tmp_path, timeout_s=0.2) as client:
        r = client.post("/v1/judge/pairwise", json=PAIR)
        assert r.status_code == 504 and "0.2 s" in r.json()["detail"]
        backend.delay = 0
        time.sleep(0.6)  # the worker finishes the abandoned batch first
        assert client.post("/v1/judge/pairwise", json=PAIR).status_code == 200


def test_concurrent_requests_are_merged_into_batches(scripted, tmp_path, serve_live):
    backend = scripted(delay=0.05)
    app = create_app(backend, Settings(state_dir=tmp_path, max_batch=8, max_wait_ms=100))
    with serve_live(app) as (url, _):
        with ThreadPoolExecutor(16) as pool:
            bodies = [{**PAIR, "response_a": f"answer {i}", "id": i} for i in range(32)]
            responses = list(pool.map(lambda b: httpx.post(url + "/v1/judge/pairwise", json=b, timeout=30), bodies))
        metrics = httpx.get(url + "/metrics").text
    assert [r.status_code for r in responses] == [200] * 32
    assert [r.json()["id"] for r in responses] == [str(i) for i in range(32)]
    items_per_call = [n // 4 for n in backend.score_calls]  # a pairwise item is 2 orders x 2 labels
    assert sum(items_per_call) == 32
    assert max(items_per_call) <= 8 and len(backend.score_calls) < 16  # merged, never over max_batch
    assert 'flame_requests_total{endpoint="/v1/judge/pairwise",status="200"} 32.0' in metrics
    assert f"flame_batch_size_count {len(backend.score_calls)}.0" in metrics
    assert "flame_queue_depth 0.0" in metrics and "flame_request_latency_seconds_bucket" in metrics


def test_shutdown_finishes_requests_in_flight(scripted, tmp_path, serve_live):
    backend = scripted(delay=1.0)
    app = create_app(backend, Settings(state_dir=tmp_path))
    result = {}
    with serve_live(app) as (url, server):
        thread = threading.Thread(target=lambda: result.update(r=httpx.post(url + "/v1/judge/pairwise", json=PAIR, timeout=30)))
        thread.start()
        while not backend.score_calls:  # the item is with the model
            time.sleep(0.01)
        server.should_exit = True
        thread.join(30)
    assert result["r"].status_code == 200 and result["r"].json()["valid"]


def test_health_and_metrics_text(scripted, tmp_path):
    with _client(scripted(), tmp_path) as client:
        health = client.get("/health").json()
        client.post("/v1/judge/pairwise", json={"prompt": 1})
        metrics = client.get("/metrics")
    assert health == {"status": "ok", "model": "scripted:1", "queue_depth": 0, "jobs_pending": 0}
    assert metrics.headers["content-type"].startswith("text/plain")
    assert 'flame_requests_total{endpoint="/v1/judge/pairwise",status="422"} 1.0' in metrics.text


@pytest.fixture(scope="module")
def long_document(mirror):
    """The longest WiCE document in the mirror (tens of thousands of characters)."""
    from flame.data.files import SourceFiles
    from flame.data.sources import SOURCES

    source = SOURCES.get("wice")
    return max((ex.inputs["document"] for ex in source.examples(SourceFiles(source, mirror=mirror), task="wice_test")),
               key=len)


def test_a_text_over_the_token_limit_is_judged_in_chunks_with_split_long(scripted, tmp_path, long_document):
    from flame.serve.batcher import BYTES_PER_TOKEN

    backend = scripted()
    item = {"text": long_document, "classes": ["Yes", "No"], "question": "Does it name a city?"}
    with _client(backend, tmp_path, max_input_tokens=2000) as client:
        refused = client.post("/v1/judge/classify", json=item)
        chunked = client.post("/v1/judge/classify", json=[{**item, "split_long": "Yes"}, {**item, "text": "short"}])
        wrong = client.post("/v1/judge/classify", json={**item, "split_long": "Maybe"})
    assert refused.status_code == 413
    assert chunked.status_code == 200, chunked.text
    long, short = chunked.json()
    assert long["valid"] and long["chunks"] >= len(long_document) // (2000 * BYTES_PER_TOKEN)
    assert short["valid"] and short["chunks"] is None
    # every chunk's prompt fits the server's cap (the scripted backend has no tokenizer: bytes / BYTES_PER_TOKEN)
    assert max(len(r.context.encode()) for r in backend.requests) <= 2000 * BYTES_PER_TOKEN
    assert wrong.status_code == 422 and "split_long must be one of the classes" in wrong.text


def test_pairwise_separate_answers_with_each_response_judged_alone(scripted, tmp_path):
    backend = scripted()
    task = adhoc.pairwise()
    example = adhoc.pairwise_example(task, prompt=PAIR["prompt"], a=PAIR["response_a"], b=PAIR["response_b"])
    expected = Autorater(backend, pairwise="separate").judge(task, example).to_dict()
    backend.requests.clear()
    with _client(backend, tmp_path, pairwise="separate") as client:
        r = client.post("/v1/judge/pairwise", json=PAIR)
        job_id = client.post("/v1/jobs", json={"task": "pairwise", "jsonl": json.dumps(PAIR)}).json()["id"]
        for _ in range(200):
            job = client.get(f"/v1/jobs/{job_id}").json()
            if job["status"] == "done":
                break
            time.sleep(0.05)
    assert r.status_code == 200, r.text
    assert r.json() == {"id": None, "line": None, **expected}
    assert r.json()["order_probs"] == {} and r.json()["orders_agree"] is None and r.json()["first_order"] is None
    assert sum(r.json()["probs"].values()) == pytest.approx(1.0)
    assert job["status"] == "done" and job["results"][0]["probs"] == expected["probs"]  # jobs judge the same way
    # the responses were never shown together: every prompt scored holds one of them
    assert backend.requests and all(("response: 4\n" in r.context) != ("response: 5\n" in r.context)
                                    for r in backend.requests)


def test_flame_serve_pairwise_separate_builds_a_server_that_judges_each_response_alone(tiny_model_dir, tmp_path,
                                                                                      monkeypatch):
    from typer.testing import CliRunner

    import flame.serve
    from flame.cli.serve import serve

    apps = []
    monkeypatch.setattr(flame.serve, "run", lambda app, host, port, log_level: apps.append(app))
    app = typer.Typer()
    app.command()(serve)
    result = CliRunner().invoke(app, ["--model", str(tiny_model_dir), "--pairwise", "separate", "--no-cache",
                                      "--state-dir", str(tmp_path / "state")])
    assert result.exit_code == 0, result.output
    with TestClient(apps[0]) as client:
        r = client.post("/v1/judge/pairwise", json=PAIR)
    assert r.status_code == 200, r.text
    assert r.json()["valid"] and r.json()["order_probs"] == {} and r.json()["orders_agree"] is None
