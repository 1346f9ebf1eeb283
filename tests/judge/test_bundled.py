"""The real bundled SmolLM2-135M-Instruct judges a real LLMBar pair end to end (slow)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from flame.cli.judge import app

pytest.importorskip("torch")
pytest.importorskip("gguf")


@pytest.fixture(scope="session")
def bundled_home(tmp_path_factory):
    """A FLAME_HOME in which the bundled GGUF has been converted (once per test session)."""
    from flame.judge import bundled

    home = tmp_path_factory.mktemp("bundled_home")
    bundled.ensure_converted(dest=home / "models" / bundled.NAME)
    return home


@pytest.mark.slow
def test_bundled_smollm2_judges_an_llmbar_pair_from_the_command_line(bundled_home, monkeypatch, llmbar):
    from flame.judge import bundled

    monkeypatch.setenv("FLAME_HOME", str(bundled_home))
    converted = bundled.model_dir()
    assert (converted / "model.safetensors").is_file() and (converted / "tokenizer.json").is_file()

    _, (ex,) = llmbar(1)
    args = ["pairwise", "--prompt", ex.inputs["instruction"], "--a", ex.inputs["response_a"],
            "--b", ex.inputs["response_b"], "--format", "json"]
    result = CliRunner().invoke(app, args)  # the default model: smollm2-135m
    assert result.exit_code == 0, result.output
    j = json.loads(result.stdout)
    assert j["model"].startswith("hf:smollm2-135m-")
    assert j["valid"] and j["label"] in ("A", "B")
    assert sum(j["probs"].values()) == pytest.approx(1.0)
    for order in ("AB", "BA"):
        assert sum(j["order_probs"][order].values()) == pytest.approx(1.0)
    assert j["orders_agree"] == (j["order_labels"]["AB"] == j["order_labels"]["BA"])

    cached = CliRunner().invoke(app, args)  # same request again: answered from the result cache
    assert json.loads(cached.stdout) == j
