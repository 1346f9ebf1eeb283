"""Fixtures for the judge tests: the real SmolLM2 tokenizer, tiny random models, LLMBar items."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flame.core.records import Example, TaskSpec
from flame.testing import FakeBackend


@pytest.fixture(scope="session")
def smol_tokenizer_dir(tmp_path_factory) -> Path:
    """The SmolLM2-135M tokenizer read from the bundled GGUF, saved once per test session."""
    from transformers import AutoTokenizer

    from flame.judge import bundled

    gguf = bundled.gguf_path()
    out = tmp_path_factory.mktemp("smol_tokenizer")
    AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name).save_pretrained(out)
    return out


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory, smol_tokenizer_dir) -> Path:
    """A tiny random Llama (hidden 64, 2 layers) with the real SmolLM2 tokenizer, as a model dir."""
    from flame.testing import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny_llama"), tokenizer_dir=smol_tokenizer_dir, hidden_size=64,
                            max_positions=4096)


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


def write_jsonl(path: Path, rows: list) -> Path:
    """Write rows (dicts, or raw strings for deliberately broken lines) as JSONL."""
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


def scripted_judge(rule, fingerprint: str = "scripted:1") -> FakeBackend:
    """A fake backend whose log-likelihoods, rule(context, label), and generated replies,
    rule(prompt, None), come from one rule: the Autorater's arithmetic (order swapping,
    averaging, caching) checked independently of any model."""
    return FakeBackend(rule, fingerprint=fingerprint, reply=lambda prompt: rule(prompt, None))


@pytest.fixture
def scripted():
    """scripted_judge (test modules cannot import conftest under importlib mode)."""
    return scripted_judge


@pytest.fixture
def llmbar(mirror):
    """llmbar(n, task_name="llmbar_natural") -> (task, first n examples) from the mirror."""
    return lambda n, task_name="llmbar_natural": llmbar_items(mirror, n, task_name)


@pytest.fixture
def jsonl():
    """jsonl(path, rows) writes rows as JSONL (raw strings are written as they are)."""
    return write_jsonl
