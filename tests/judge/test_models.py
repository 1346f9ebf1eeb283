"""Model spec strings, fingerprints, and the backend registry."""

from __future__ import annotations

import json
import re

import pytest

from flame.core.errors import DataError, FlameError, MissingExtraError
from flame.core.registry import RegistryError
from flame.judge.models import BACKENDS, files_fingerprint, load_backend, parse_spec


def test_spec_strings_parse_to_backends(tmp_path):
    assert parse_spec("smollm2-135m").backend == "hf"
    assert parse_spec(str(tmp_path)).path == str(tmp_path)
    s = parse_spec("hf:/m/base+adapter:/m/lora")
    assert (s.backend, s.path, s.adapter) == ("hf", "/m/base", "/m/lora")
    o = parse_spec("openai:gpt-4o-mini@http://127.0.0.1:8000/v1")
    assert (o.backend, o.model, o.base_url) == ("openai", "gpt-4o-mini", "http://127.0.0.1:8000/v1")
    assert parse_spec("gguf:/x/model.gguf").backend == "gguf"
    assert parse_spec("vllm:/x/model").backend == "vllm"
    assert sorted(BACKENDS.names()) == ["gguf", "hf", "llamacpp", "openai", "vllm"]


def test_bad_specs_say_what_is_accepted():
    with pytest.raises(FlameError, match="neither 'smollm2-135m' nor a local directory"):
        parse_spec("smollm2-1.7b")
    with pytest.raises(RegistryError, match="did you mean 'openai'"):
        parse_spec("openia:gpt@http://x")
    with pytest.raises(FlameError, match="openai:MODEL@BASE_URL"):
        parse_spec("openai:gpt-4o")
    with pytest.raises(FlameError, match="does not exist"):
        load_backend("hf:/no/such/model", cache=False)


def test_a_missing_extra_fails_with_the_pip_line(tmp_path):
    pytest.importorskip("torch")
    try:
        import vllm  # noqa: F401
        pytest.skip("vllm is installed here")
    except ImportError:
        pass
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(MissingExtraError, match=r"pip install 'flame-autorater\[vllm\]'"):
        load_backend(f"vllm:{tmp_path}", cache=False)


def test_fingerprint_follows_the_weights_not_the_path(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for d in (a, b):
        d.mkdir()
        (d / "model.safetensors").write_bytes(b"weights-1")
        (d / "config.json").write_text("{}")
        (d / "README.md").write_text(f"notes for {d.name}")  # not part of the model
    (b / "judge.json").write_text('{"pairwise": "separate"}')  # nor is how it judges by default
    assert files_fingerprint(a) == files_fingerprint(b)
    (b / "model.safetensors").write_bytes(b"weights-2")
    assert files_fingerprint(a) != files_fingerprint(b)


def test_loaded_backend_fingerprint_names_weights_dtype_and_format(tiny_model_dir):
    backend = load_backend(str(tiny_model_dir), cache=False, device="cpu")
    kind, weights, dtype, fmt = backend.fingerprint.split(":")
    assert (kind, weights, dtype) == ("hf", files_fingerprint(tiny_model_dir), "float32")
    assert fmt.startswith("fmt-")


def test_trained_judges_resolve_to_the_base_model_and_a_shipped_adapter():
    from flame.core.files import packaged
    from flame.judge.models import TRAINED

    for name in TRAINED:
        spec = parse_spec(name)
        assert (spec.backend, spec.path) == ("hf", "smollm2-135m")
        adapter = packaged("models") / name
        assert spec.adapter == str(adapter)
        weights = adapter / "adapter_model.safetensors"
        assert weights.stat().st_size < 25 * 2**20  # the limit for a committed adapter
        assert (adapter / "README.md").is_file()  # the model card


def test_a_users_flame_models_folder_comes_before_the_shipped_adapters(monkeypatch, tmp_path):
    import flame.judge.models as models

    monkeypatch.setenv("FLAME_MODELS", str(tmp_path / "mine"))
    assert parse_spec("flame-smollm2-135m").adapter == str(models.packaged("models") / "flame-smollm2-135m")
    own = _adapter_dir(tmp_path / "mine" / "flame-smollm2-135m")
    assert parse_spec("flame-smollm2-135m").adapter == str(own)
    monkeypatch.setattr(models, "packaged", lambda *parts: tmp_path / "empty")
    with pytest.raises(FlameError, match="'flame-rm-smollm2-135m': no adapter at .*mine/flame-rm-smollm2-135m or "
                                         ".*empty/flame-rm-smollm2-135m .*set FLAME_MODELS"):
        parse_spec("flame-rm-smollm2-135m")


def _adapter_dir(path, judge=None):
    """A folder that parse_spec takes for an adapter, with `judge` written as its judge.json."""
    path.mkdir(parents=True)
    (path / "adapter_config.json").write_text("{}")
    if judge is not None:
        (path / "judge.json").write_text(judge if isinstance(judge, str) else json.dumps(judge))
    return path


def test_a_trained_judge_declares_how_it_judges_in_judge_json(monkeypatch, tmp_path):
    from flame.judge.models import judge_defaults

    monkeypatch.setenv("FLAME_MODELS", str(tmp_path))
    _adapter_dir(tmp_path / "flame-smollm2-135m", {"pairwise": "separate"})
    _adapter_dir(tmp_path / "flame-rm-smollm2-135m")  # no judge.json: the defaults
    assert judge_defaults("flame-smollm2-135m") == {"pairwise": "separate"}
    assert judge_defaults("flame-rm-smollm2-135m") == {"pairwise": "ab"}
    assert judge_defaults("smollm2-135m") == {"pairwise": "ab"}  # no adapter at all
    adapter = _adapter_dir(tmp_path / "mine", {"pairwise": "separate"})
    assert judge_defaults(f"hf:/some/base+adapter:{adapter}") == {"pairwise": "separate"}
    assert judge_defaults("openai:gpt-4o-mini@http://127.0.0.1:8000/v1") == {"pairwise": "ab"}


@pytest.mark.parametrize("content, named", [
    ({"pairwise": "both"}, "field 'pairwise': must be one of ab, separate, got 'both'"),
    ({"pairwise": "ab", "swap": False}, "field 'swap': unknown key; allowed: pairwise"),
    (["separate"], "must be a JSON object"),
    ("{pairwise: separate", "not readable as JSON"),
])
def test_a_bad_judge_json_is_an_error_naming_the_file(tmp_path, content, named):
    from flame.judge.models import judge_defaults

    adapter = _adapter_dir(tmp_path / "mine", content)
    with pytest.raises(DataError, match=re.escape(f"{adapter / 'judge.json'}: {named}")):
        judge_defaults(f"hf:/some/base+adapter:{adapter}")


def test_a_trained_judge_whose_folder_is_missing_says_where_it_looked(monkeypatch, tmp_path):
    import flame.judge.models as models

    monkeypatch.setenv("FLAME_MODELS", str(tmp_path))
    monkeypatch.setattr(models, "packaged", lambda *parts: tmp_path / "shipped")
    with pytest.raises(FlameError, match=f"'flame-rm-smollm2-135m': no adapter at {re.escape(str(tmp_path))}"):
        models.judge_defaults("flame-rm-smollm2-135m")
