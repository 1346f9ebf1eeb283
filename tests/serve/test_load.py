"""A bounded load test over real HTTP on 127.0.0.1: 16 concurrent clients x 50 requests to a
server running a tiny random transformers model. Every request must succeed, the
answers must match the model judging alone, and the requests must have been batched."""

from __future__ import annotations

import re

import httpx
import pytest

from flame.judge import adhoc
from flame.judge.autorater import Autorater
from flame.serve import Settings, create_app
from flame.serve.loadgen import run_load

CLIENTS, PER_CLIENT = 16, 50


@pytest.mark.slow
def test_16_clients_x_50_requests_without_an_error(tiny_model_dir, tmp_path, serve_live):
    from flame.judge.models import load_backend

    backend = load_backend(str(tiny_model_dir), batch_size=256, cache=False)
    bodies = [{"prompt": f"What is {i} + {i}?", "response_a": f"It is {2 * i}.", "response_b": f"Maybe {i + 1}.",
               "id": i} for i in range(CLIENTS * PER_CLIENT)]
    app = create_app(backend, Settings(state_dir=tmp_path, max_batch=16, max_wait_ms=10, timeout_s=120))
    with serve_live(app) as (url, _):
        result = run_load(url + "/v1/judge/pairwise", bodies, clients=CLIENTS)
        metrics = httpx.get(url + "/metrics").text
        spot = httpx.post(url + "/v1/judge/pairwise", json=bodies[123]).json()
    assert result.errors == [] and len(result.latencies_s) == CLIENTS * PER_CLIENT
    batches = int(float(re.search(r"^flame_batch_size_count (\S+)$", metrics, re.MULTILINE)[1]))
    assert batches < CLIENTS * PER_CLIENT  # merged: fewer model calls than requests
    task = adhoc.pairwise()
    alone = Autorater(backend).judge(task, adhoc.pairwise_example(task, "What is 123 + 123?", "It is 246.", "Maybe 124."))
    assert spot["label"] == alone.label
    assert spot["probs"] == pytest.approx(alone.probs, abs=1e-4)  # batching does not move the answer
