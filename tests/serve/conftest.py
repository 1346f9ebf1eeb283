"""Fixtures for the server tests: a scripted backend, a tiny random model dir, live servers."""

from __future__ import annotations

import hashlib
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("prometheus_client")


class ScriptedBackend:
    """A deterministic fake model: the log-likelihood of a label is a hash of the context and
    label; records every batch it is given, and can be slowed down by `delay` s per call, or
    held until `gate` (a threading.Event) is set."""

    def __init__(self, delay: float = 0.0, fingerprint: str = "scripted:1", gate: threading.Event | None = None) -> None:
        self.delay, self.fingerprint, self.gate = delay, fingerprint, gate
        self.calls: list[int] = []
        self.lock = threading.Lock()

    def prepare(self, prompt: str) -> str:
        return prompt

    def score(self, requests):
        with self.lock:
            self.calls.append(len(requests))
        if self.gate is not None:
            self.gate.wait(30)
        if self.delay:
            time.sleep(self.delay)
        return [-(hashlib.sha256((r.context + "|" + r.continuation).encode()).digest()[0] / 64) for r in requests]

    def generate(self, requests):
        return ["" for _ in requests]


@pytest.fixture
def scripted():
    """The ScriptedBackend class."""
    return ScriptedBackend


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    """A tiny random Llama with a tiny BPE tokenizer, saved as a model dir (see build_tiny_model).

    Sets torch to one thread: on a shared, oversubscribed CI machine two intra-op threads
    make this model about 7x slower, not faster.
    """
    torch = pytest.importorskip("torch")
    from flame.serve.loadgen import build_tiny_model

    torch.set_num_threads(1)
    return build_tiny_model(tmp_path_factory.mktemp("tiny_llama"))


@pytest.fixture
def serve_live():
    """serve_live(app) -> context manager yielding (base URL, uvicorn server)."""
    from flame.serve.loadgen import serving

    return serving
