"""Smoke test: on a fresh FLAME_HOME, the server with the bundled SmolLM2-135M (the `flame
serve` default) answers a pairwise request with a full judgment (both candidate orders)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from flame.serve import Settings, create_app

pytest.importorskip("torch")


@pytest.mark.slow
def test_the_bundled_model_answers_a_pairwise_request(tmp_path):
    from flame.judge import DEFAULT_MODEL, load_backend

    app = create_app(lambda: load_backend(DEFAULT_MODEL, cache=False), Settings(state_dir=tmp_path))
    with TestClient(app) as client:
        r = client.post("/v1/judge/pairwise", json={
            "prompt": "What is the capital of France?",
            "response_a": "The capital of France is Paris.",
            "response_b": "The capital of France is Berlin.",
        })
        health = client.get("/health").json()
    assert r.status_code == 200
    j = r.json()
    assert j["valid"] and j["label"] in ("A", "B") and sum(j["probs"].values()) == pytest.approx(1.0)
    assert set(j["order_probs"]) == {"AB", "BA"}
    assert j["model"].startswith("hf:smollm2-135m") and health["model"] == j["model"]
