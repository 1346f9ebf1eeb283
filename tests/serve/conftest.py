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
    label; records every batch it is given, and can be slowed down by `delay` s per call."""

    def __init__(self, delay: float = 0.0, fingerprint: str = "scripted:1") -> None:
        self.delay, self.fingerprint = delay, fingerprint
        self.calls: list[int] = []
        self.lock = threading.Lock()

    def prepare(self, prompt: str) -> str:
        return prompt

    def score(self, requests):
        with self.lock:
            self.calls.append(len(requests))
        if self.delay:
            time.sleep(self.delay)
        return [-(hashlib.sha256((r.context + "|" + r.continuation).encode()).digest()[0] / 64) for r in requests]

    def generate(self, requests):
        return ["" for _ in requests]


@pytest.fixture
def scripted():
    """The ScriptedBackend class."""
    return ScriptedBackend


def _tiny_tokenizer(out: Path):
    """A byte-level BPE tokenizer trained in milliseconds on the ad-hoc task texts (short prompts)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    from flame.judge import adhoc

    corpus = [adhoc.PAIRWISE_DESCRIPTION, adhoc.POINTWISE_DESCRIPTION, adhoc.CLASSIFY_DESCRIPTION,
              "INSTRUCTIONS: CONTEXT: EVALUATION: choice: A B response_a response_b prompt score answer Yes No",
              "Which response is better? The quick brown fox jumps over the lazy dog. 1 2 3 4 5"] * 20
    trainer = trainers.BpeTrainer(vocab_size=1000, special_tokens=["<pad>", "<s>", "</s>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(corpus, trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", pad_token="<pad>")
    fast.save_pretrained(out)
    return fast


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    """A tiny random Llama (hidden 32, 2 layers) with a tiny BPE tokenizer, saved as a model dir.

    Sets torch to one thread: on a shared, oversubscribed CI machine two intra-op threads
    make this model about 7x slower, not faster.
    """
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    from transformers import LlamaConfig, LlamaForCausalLM

    out = tmp_path_factory.mktemp("tiny_llama")
    tok = _tiny_tokenizer(out)
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(tok), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=2048,
        bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id,
    )
    LlamaForCausalLM(config).save_pretrained(out)
    return out


@pytest.fixture
def serve_live():
    """serve_live(app) -> context manager yielding (base URL, uvicorn server)."""
    from flame.serve.loadgen import serving

    return serving
