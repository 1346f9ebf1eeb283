"""llama.cpp backend, and the OpenAI-compatible backend against a real local server
(llama_cpp.server serving the bundled GGUF on 127.0.0.1). Skipped without llama-cpp-python."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest

pytest.importorskip("llama_cpp")

from flame.core.template import render  # noqa: E402
from flame.judge.autorater import Autorater  # noqa: E402
from flame.judge.backends.base import GenerateRequest, ScoreRequest  # noqa: E402
from flame.judge.bundled import gguf_path  # noqa: E402


@pytest.fixture(scope="module")
def cpp():
    from flame.judge.models import load_backend

    return load_backend("llamacpp:smollm2-135m", cache=False, n_ctx=4096)


def test_llamacpp_prefix_cache_does_not_change_scores(cpp, llmbar):
    from flame.judge.backends.llamacpp import LlamaCppBackend

    task, examples = llmbar(2)
    reqs = [ScoreRequest(cpp.prepare(render(task, ex).text) + "choice: ", lab)
            for ex in examples for lab in ("A", "B", "10")]
    fresh = LlamaCppBackend.load(gguf_path(), fingerprint="t", n_ctx=4096, prefix_cache=False)
    assert cpp.score(reqs) == pytest.approx(fresh.score(reqs), abs=1e-3)
    assert cpp.prepare("INSTRUCTIONS:\nx\nEVALUATION:\n").endswith("<|im_start|>assistant\nEVALUATION:\n")


def test_llamacpp_judges_pairs_and_generates(cpp, llmbar):
    task, examples = llmbar(2)
    for j in Autorater(cpp).judge_many(task, examples):
        assert j.valid and set(j.order_probs) == {"AB", "BA"}
        assert sum(j.probs.values()) == pytest.approx(1.0)
    text = cpp.generate([GenerateRequest("<|im_start|>user\nSay hello<|im_end|>\n<|im_start|>assistant\n", 8)])[0]
    assert text.strip()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    pytest.importorskip("llama_cpp.server.app", reason="llama_cpp.server needs: pip install 'llama-cpp-python[server]'")
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf_path()), "--host", "127.0.0.1",
         "--port", str(port), "--logits_all", "true", "--n_ctx", "4096", "--model_alias", "smollm2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"llama_cpp.server exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.5)
    yield url
    proc.terminate()
    proc.wait(timeout=30)


def test_openai_backend_scores_like_llamacpp_over_a_real_server(server, cpp, llmbar):
    from flame.judge.models import load_backend

    remote = load_backend(f"openai:smollm2@{server}", cache=False)
    assert remote.can_score
    reqs = [ScoreRequest("The capital of France is", " Paris"), ScoreRequest("The capital of France is", " Berlin")]
    got = remote.score(reqs)
    assert got[0] > got[1]
    assert got == pytest.approx(cpp.score(reqs), abs=0.05)
    task, (ex,) = llmbar(1)
    j = Autorater(remote).judge(task, ex)
    assert j.valid and j.model.startswith("openai:smollm2@")
    assert set(j.order_probs) == {"AB", "BA"}
