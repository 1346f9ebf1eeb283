"""Fixtures for the server tests: a scripted backend, a tiny random model dir, live servers."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

from flame.testing import FakeBackend

pytest.importorskip("fastapi")
pytest.importorskip("prometheus_client")


@pytest.fixture
def scripted():
    """Makes the fake backend the server tests judge with (flame.testing.FakeBackend: hashed
    label log-likelihoods, every call's size kept; `delay` and `gate` slow it down)."""
    return partial(FakeBackend, fingerprint="scripted:1", reply=lambda prompt: "")


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    """A tiny random Llama with a tiny BPE tokenizer, saved as a model dir (see build_tiny_model).

    Sets torch to one thread: on a shared, oversubscribed CI machine two intra-op threads
    make this model about 7x slower, not faster.
    """
    torch = pytest.importorskip("torch")
    from flame.testing import build_tiny_model

    torch.set_num_threads(1)
    return build_tiny_model(tmp_path_factory.mktemp("tiny_llama"))


@pytest.fixture
def serve_live():
    """serve_live(app) -> context manager yielding (base URL, uvicorn server)."""
    from flame.serve.loadgen import serving

    return serving
