"""Fixtures for the judge tests: the real SmolLM2 tokenizer, tiny random models, LLMBar items."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flame.core.records import Example, TaskSpec
from flame.judge.backends.base import GenerateRequest, ScoreRequest


@pytest.fixture(scope="session")
def smol_tokenizer_dir(tmp_path_factory) -> Path:
    """The SmolLM2-135M tokenizer read from the bundled GGUF, saved once per test session."""
    from transformers import AutoTokenizer

    from flame.judge import bundled

    gguf = bundled.gguf_path()
    out = tmp_path_factory.mktemp("smol_tokenizer")
    AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name).save_pretrained(out)
    return out


def _tiny_model_dir(out: Path, tokenizer_dir: Path, seed: int) -> Path:
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    tok = AutoTokenizer.from_pretrained(tokenizer_dir)
    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=len(tok), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=4096,
        bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id,
    )
    LlamaForCausalLM(config).save_pretrained(out)
    tok.save_pretrained(out)
    return out


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory, smol_tokenizer_dir) -> Path:
    """A tiny random Llama (hidden 64, 2 layers) with the real SmolLM2 tokenizer, as a model dir."""
    return _tiny_model_dir(tmp_path_factory.mktemp("tiny_llama"), smol_tokenizer_dir, seed=0)


@pytest.fixture(scope="session")
def tiny_backend(tiny_model_dir):
    """The tiny model on the transformers backend (CPU, float32)."""
    from flame.judge.backends.hf import HFBackend

    return HFBackend.load(tiny_model_dir, device="cpu")


def llmbar_items(mirror: Path, n: int, task_name: str = "llmbar_natural") -> tuple[TaskSpec, list[Example]]:
    """The first n items of an LLMBar task from the mirror, through the llmbar adapter."""
    from itertools import islice

    from flame.data.files import SourceFiles
    from flame.data.sources import SOURCES

    source = SOURCES.get("llmbar")
    examples = list(islice(source.examples(SourceFiles(source, mirror=mirror), task=task_name), n))
    assert len(examples) == n, f"the mirror's {task_name} has fewer than {n} items"
    return source.task(task_name), examples


class ScriptedJudge:
    """A backend whose log-likelihoods come from a rule, and which counts its calls.

    rule(context, label) -> log-likelihood. Used to check the Autorater's arithmetic
    (order swapping, averaging, caching) independently of any model.
    """

    def __init__(self, rule, fingerprint: str = "scripted:1") -> None:
        self.rule, self.fingerprint = rule, fingerprint
        self.score_calls = self.generate_calls = 0
        self.requests: list[ScoreRequest] = []

    def prepare(self, prompt: str) -> str:
        return prompt

    def score(self, requests):
        self.score_calls += 1
        self.requests += requests
        return [self.rule(r.context, r.continuation) for r in requests]

    def generate(self, requests: list[GenerateRequest]):
        self.generate_calls += 1
        return [self.rule(r.prompt, None) for r in requests]


def write_jsonl(path: Path, rows: list) -> Path:
    """Write rows (dicts, or raw strings for deliberately broken lines) as JSONL."""
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


@pytest.fixture
def scripted():
    """The ScriptedJudge class (test modules cannot import conftest under importlib mode)."""
    return ScriptedJudge


@pytest.fixture
def llmbar(mirror):
    """llmbar(n, task_name="llmbar_natural") -> (task, first n examples) from the mirror."""
    return lambda n, task_name="llmbar_natural": llmbar_items(mirror, n, task_name)


@pytest.fixture
def jsonl():
    """jsonl(path, rows) writes rows as JSONL (raw strings are written as they are)."""
    return write_jsonl
