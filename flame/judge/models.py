"""Model spec strings → ready judge backends, and the fingerprints that go into every result.

    smollm2-135m                 the bundled SmolLM2-135M-Instruct (default), transformers
    flame-smollm2-135m           the bundled model + flame's FLAMe LoRA adapter (flame/models/)
    flame-rm-smollm2-135m        the same + the FLAMe-RM adapter (FLAMe, then 50 RM steps)
    DIR  or  hf:DIR              a local transformers model directory
    hf:DIR+adapter:ADAPTER_DIR   the same with a PEFT adapter on top
    gguf:FILE                    a GGUF file, converted once to safetensors, transformers
    llamacpp:FILE|smollm2-135m   a GGUF file on llama.cpp (extra: llamacpp)
    openai:MODEL@BASE_URL        an OpenAI-compatible endpoint (key from $OPENAI_API_KEY)
    vllm:DIR                     a local model on vLLM (extra: vllm; needs a GPU)

A trained judge's folder may hold `judge.json`, how that model judges by default, e.g.
{"pairwise": "separate"} (see `judge_defaults`); a command's own option overrides it.

The fingerprint names the weights (sha256 of the weight/adapter files), the backend, the
dtype and the prompt format version; the result cache is keyed by it, and every Judgment
records it.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from flame.core.errors import DataError, FlameError
from flame.core.registry import Registry
from flame.core.files import atomic_write, flame_home, packaged, sha256_file

from . import bundled
from .backends.base import Backend, Batched, Cached, Retrying

DEFAULT_MODEL = bundled.NAME
# flame's trained judges: LoRA adapters shipped in the package under flame/models/ (see each
# folder's README.md), applied on top of the bundled base model.
TRAINED = ("flame-smollm2-135m", "flame-rm-smollm2-135m", "flame-bt-smollm2-135m")  # each the name of its folder
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".gguf", ".pt", ".json", ".model", ".jinja")
JUDGE_FILE = "judge.json"  # in an adapter folder: how that model judges by default
JUDGE_DEFAULTS = {"pairwise": "ab"}  # what a model without JUDGE_FILE (or without the key) gets


@dataclass(frozen=True)
class ModelSpec:
    """A parsed spec string: which backend, and what it loads."""

    backend: str
    path: str = ""
    adapter: str | None = None
    model: str = ""  # openai: the model name
    base_url: str = ""  # openai: the endpoint


def model_dirs() -> list[Path]:
    """Where trained adapters are looked for, in order: $FLAME_MODELS (if set), then the package's models/."""
    env = os.environ.get("FLAME_MODELS")
    return ([Path(env).expanduser()] if env else []) + [packaged("models")]


def trained_adapter(name: str) -> Path:
    """The adapter folder of a trained flame judge (a user's $FLAME_MODELS first); a clear error when none has it."""
    folders = model_dirs()
    for folder in folders:
        if (folder / name / "adapter_config.json").is_file():
            return folder / name
    looked = " or ".join(str(folder / name) for folder in folders)
    raise FlameError(f"model {name!r}: no adapter at {looked} (set FLAME_MODELS to a folder holding {name}/)")


def parse_spec(spec: str) -> ModelSpec:
    """Parse a model spec string (see the module docstring); unknown forms fail clearly."""
    spec = spec.strip()
    if spec == bundled.NAME:
        return ModelSpec("hf", bundled.NAME)
    if spec in TRAINED:
        return ModelSpec("hf", bundled.NAME, str(trained_adapter(spec)))
    prefix, sep, rest = spec.partition(":")
    if not sep or len(prefix) == 1:  # no prefix (or a Windows drive letter): a local directory
        if Path(spec).is_dir():
            return ModelSpec("hf", spec)
        raise FlameError(
            f"model {spec!r} is neither {bundled.NAME!r} nor a local directory; "
            f"use one of: {bundled.NAME}, {', '.join(TRAINED)}, DIR, hf:DIR[+adapter:DIR], gguf:FILE, llamacpp:FILE, "
            "openai:MODEL@BASE_URL, vllm:DIR"
        )
    if prefix == "openai":
        model, at, url = rest.partition("@")
        if not model or not at or not url:
            raise FlameError(f"openai model spec must look like openai:MODEL@BASE_URL, got {spec!r}")
        return ModelSpec("openai", model=model, base_url=url)
    if prefix == "hf":
        path, _, adapter = rest.partition("+adapter:")
        return ModelSpec("hf", path, adapter or None)
    if prefix == "gguf":
        return ModelSpec("gguf", rest)
    if prefix in ("llamacpp", "vllm"):
        return ModelSpec(prefix, rest)
    BACKENDS.get(prefix)  # raises "unknown backend ..., did you mean ..."
    return ModelSpec(prefix, rest)


def judge_defaults(spec: str) -> dict[str, str]:
    """How the model named by `spec` judges by default: {"pairwise": "ab" | "separate"}.

    Read from judge.json in its adapter folder (a trained judge, or the ADAPTER_DIR of
    hf:DIR+adapter:ADAPTER_DIR); JUDGE_DEFAULTS where there is no such file. An unknown key
    or value, or a file that is not a JSON object, is an error naming the file.
    """
    from .autorater import PAIRWISE_MODES

    allowed = {"pairwise": PAIRWISE_MODES}
    adapter = parse_spec(spec).adapter
    path = Path(adapter).expanduser() / JUDGE_FILE if adapter else None
    if path is None or not path.is_file():
        return dict(JUDGE_DEFAULTS)
    try:
        declared = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise DataError(str(path), f"not readable as JSON ({e})") from None
    if not isinstance(declared, dict):
        raise DataError(str(path), f"must be a JSON object such as {{\"pairwise\": \"separate\"}}, "
                                   f"got {type(declared).__name__}")
    for key, value in declared.items():
        if key not in allowed:
            raise DataError(str(path), f"unknown key; allowed: {', '.join(allowed)}", field=key)
        if value not in allowed[key]:
            raise DataError(str(path), f"must be one of {', '.join(allowed[key])}, got {value!r}", field=key)
    return {**JUDGE_DEFAULTS, **declared}


def files_fingerprint(*paths: str | Path) -> str:
    """A 16-hex hash of the weight, config and tokenizer files under the given files/dirs
    (not judge.json: how a model judges by default is no part of what it computes).

    File hashes are memoized in $FLAME_HOME/cache/file_hashes.json by (path, size, mtime),
    so a multi-gigabyte model is hashed once, not on every load.
    """
    memo_path = flame_home() / "cache" / "file_hashes.json"
    try:
        memo = json.loads(memo_path.read_text())
    except (OSError, ValueError):
        memo = {}
    h = hashlib.sha256()
    changed = False
    for root in paths:
        root = Path(root)
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*")
                                                     if p.suffix in WEIGHT_SUFFIXES and p.name != JUDGE_FILE)
        if not files:
            raise FlameError(f"no model files found in {root}")
        for f in files:
            st = f.stat()
            key = f"{f.resolve()}|{st.st_size}|{st.st_mtime_ns}"
            if key not in memo:
                memo[key], changed = sha256_file(f), True
            h.update(f"{f.relative_to(root) if root.is_dir() else f.name}={memo[key]};".encode())
    if changed:
        atomic_write(memo_path, json.dumps(memo))
    return h.hexdigest()[:16]


def _require_path(path: str, what: str) -> Path:
    p = Path(path).expanduser()
    if not p.exists():
        raise FlameError(f"{what} {path!r} does not exist")
    return p


def build_hf(spec: ModelSpec, **options: Any) -> Backend:
    """transformers backend for the bundled model, a model directory, or dir + adapter."""
    from .backends.hf import HFBackend

    if spec.path == bundled.NAME:
        path = bundled.ensure_converted()
        weights = bundled.fingerprint(path)
    else:
        path = _require_path(spec.path, "model directory")
        weights = files_fingerprint(path)
    adapter = None
    if spec.adapter:
        adapter = _require_path(spec.adapter, "adapter directory")
        weights += "+" + files_fingerprint(adapter)
    return HFBackend.load(path, adapter=adapter, fingerprint=weights, **_pick(options, "device", "dtype", "chat"))


def build_gguf(spec: ModelSpec, **options: Any) -> Backend:
    """transformers backend on a GGUF file, converted once to safetensors in the cache."""
    from .backends.hf import HFBackend

    gguf = _require_path(spec.path, "GGUF file")
    digest = files_fingerprint(gguf)
    path = bundled.ensure_converted(gguf, flame_home() / "models" / f"gguf-{digest}")
    return HFBackend.load(path, fingerprint=f"gguf-{digest}", **_pick(options, "device", "dtype", "chat"))


def build_llamacpp(spec: ModelSpec, **options: Any) -> Backend:
    """llama.cpp backend on a GGUF file (or the bundled model's GGUF)."""
    from .backends.llamacpp import LlamaCppBackend

    gguf = bundled.gguf_path() if spec.path in ("", bundled.NAME) else _require_path(spec.path, "GGUF file")
    return LlamaCppBackend.load(gguf, fingerprint=files_fingerprint(gguf), **_pick(options, "chat", "n_ctx", "n_threads"))


def build_openai(spec: ModelSpec, **options: Any) -> Backend:
    """An OpenAI-compatible endpoint; retried with backoff on transient failures."""
    from .backends.openai import OpenAIBackend

    backend = OpenAIBackend(spec.model, spec.base_url, **_pick(options, "api_key_env", "concurrency", "timeout", "chat"))
    return Retrying(backend)


def build_vllm(spec: ModelSpec, **options: Any) -> Backend:
    """vLLM offline engine on a local model directory."""
    from .backends.vllm import VLLMBackend

    path = _require_path(spec.path, "model directory")
    return VLLMBackend.load(path, fingerprint=files_fingerprint(path), **_pick(options, "dtype", "chat"))


def _pick(options: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: options[k] for k in names if options.get(k) is not None}


BACKENDS: Registry[Callable[..., Backend]] = Registry(
    "backend",
    {
        "hf": "flame.judge.models:build_hf",
        "gguf": "flame.judge.models:build_gguf",
        "llamacpp": "flame.judge.models:build_llamacpp",
        "openai": "flame.judge.models:build_openai",
        "vllm": "flame.judge.models:build_vllm",
    },
)


def default_cache_path() -> Path:
    """The shared result cache: $FLAME_HOME/cache/judge.sqlite."""
    return flame_home() / "cache" / "judge.sqlite"


def load_backend(spec: str = DEFAULT_MODEL, *, batch_size: int = 8, cache: bool | str | Path = True,
                 **options: Any) -> Backend:
    """A backend for a spec string, wrapped in length-sorted batching and (by default) the
    persistent result cache. `options` go to the backend (device, dtype, chat, ...)."""
    parsed = parse_spec(spec)
    backend = BACKENDS.get(parsed.backend)(parsed, **options)
    backend = Batched(backend, batch_size)
    if cache:
        backend = Cached(backend, default_cache_path() if cache is True else Path(cache))
    return backend
