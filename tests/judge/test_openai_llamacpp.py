"""llama.cpp backend, and the OpenAI-compatible backend against a real local server
(llama_cpp.server serving the bundled GGUF on 127.0.0.1). Skipped without llama-cpp-python."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request

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

    task, examples = llmbar(1)
    reqs = [ScoreRequest(cpp.prepare(render(task, ex).text) + "choice: ", lab)
            for ex in examples for lab in ("A", "B", "10")]
    fresh = LlamaCppBackend.load(gguf_path(), fingerprint="t", n_ctx=4096, prefix_cache=False)
    assert cpp.score(reqs) == pytest.approx(fresh.score(reqs), abs=1e-3)
    assert cpp.prepare("INSTRUCTIONS:\nx\nEVALUATION:\n").endswith("<|im_start|>assistant\nEVALUATION:\n")


def test_llamacpp_judges_pairs_and_generates(cpp, llmbar):
    task, examples = llmbar(1)
    for j in Autorater(cpp).judge_many(task, examples):
        assert j.valid and set(j.order_probs) == {"AB", "BA"}
        assert sum(j.probs.values()) == pytest.approx(1.0)
    text = cpp.generate([GenerateRequest("<|im_start|>user\nSay hello<|im_end|>\n<|im_start|>assistant\n", 8)])[0]
    assert text.strip()


def test_llamacpp_reports_a_prompt_over_n_ctx_with_its_size(cpp, llmbar):
    from flame.judge.backends.base import PromptTooLong

    task, examples = llmbar(1)
    long_prompt = cpp.prepare(render(task, examples[0]).text) * 40  # far over n_ctx 4096; only tokenized
    with pytest.raises(PromptTooLong) as e:
        cpp.score([ScoreRequest(long_prompt + "choice: ", "A")])
    assert e.value.limit == 4096 and e.value.tokens > 4096  # what the Autorater sizes chunks from


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    pytest.importorskip("llama_cpp.server.app", reason="llama_cpp.server needs: pip install 'llama-cpp-python[server]'")
    port = _free_port()
    log_path = tmp_path_factory.mktemp("server") / "server.log"
    log = open(log_path, "wb")  # a file, not a pipe: the server's log would fill a pipe and block it
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf_path()), "--host", "127.0.0.1",
         "--port", str(port), "--logits_all", "true", "--n_ctx", "4096", "--model_alias", "smollm2"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 300
    while True:
        if proc.poll() is not None:
            pytest.fail(f"llama_cpp.server exited: {log_path.read_text()[-2000:]}")
        try:
            urllib.request.urlopen(f"{url}/models", timeout=2).read()
            break
        except OSError:
            if time.monotonic() > deadline:
                proc.terminate()
                pytest.fail("llama_cpp.server did not answer within 300 s")
            time.sleep(0.5)
    yield url
    proc.terminate()
    proc.wait(timeout=30)
    log.close()


def test_openai_backend_scores_like_llamacpp_over_a_real_server(server, cpp, llmbar):
    from flame.judge.models import load_backend

    remote = load_backend(f"openai:smollm2@{server}", cache=False)
    assert remote.can_score
    reqs = [ScoreRequest("The capital of France is", c) for c in (" Paris", " London", " Paris.")]
    got = remote.score(reqs)  # from the server's top_logprobs, one request per token
    assert got[0] > got[1] and got[2] < got[0]
    assert got == pytest.approx(cpp.score(reqs), abs=0.05)
    # A continuation outside the server's top 20 tokens is ruled out (probability 0).
    assert remote.score([ScoreRequest("The capital of France is", " Berlin")]) == [float("-inf")]
    task, (ex,) = llmbar(1)
    j = Autorater(remote).judge(task, ex)
    assert j.valid and j.model.startswith("openai:smollm2@")
    assert set(j.order_probs) == {"AB", "BA"}
