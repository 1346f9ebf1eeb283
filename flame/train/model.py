"""Loading the model to train: base weights, tokenizer, dropout, optional LoRA, optional init checkpoint."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flame.core.errors import FlameError

DROPOUT_OPTIONS = ("attention_dropout", "hidden_dropout", "dropout", "resid_pdrop", "embd_pdrop", "attn_pdrop",
                   "hidden_dropout_prob", "attention_probs_dropout_prob")


class ModelError(FlameError):
    """A model that cannot be found or loaded."""


def resolve_model(name: str) -> Path:
    """A local Hugging Face directory for name: a path, or a model flame converts into its cache.

    `smollm2-135m` is the bundled SmolLM2-135M-Instruct GGUF, converted once to safetensors in
    $FLAME_HOME/models by flame.judge.bundled.
    """
    path = Path(name).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ModelError(f"{path} is not a Hugging Face model directory (no config.json)")
        return path
    from flame.judge import bundled

    if name == bundled.NAME:
        return bundled.ensure_converted()
    raise ModelError(f"model {name!r} is neither {bundled.NAME!r} nor a local Hugging Face directory")


def load_tokenizer(path: Path) -> Any:
    """The model's tokenizer, with a pad token (eos when it has none)."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(path)
    if tok.pad_token_id is None:
        tok.pad_token = tok.eos_token
    if tok.eos_token_id is None:
        raise ModelError(f"the tokenizer of {path} has no eos token; the recipe ends every target with it")
    return tok


def load_model(path: Path, *, dropout: float, dtype: str, lora: dict[str, Any] | None, init: str = "") -> Any:
    """The causal LM to train.

    dropout is set on every dropout option the model's config has (Llama: attention_dropout).
    With lora (r, alpha, dropout, targets, layers) only a LoRA adapter is trained; with
    layers N > 0, only on the top N decoder layers (no gradient flows below them, so the
    backward pass stops early). With init, the
    weights (or adapter) of a flame checkpoint replace the base weights.
    """
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    config = AutoConfig.from_pretrained(path)
    for option in DROPOUT_OPTIONS:
        if isinstance(getattr(config, option, None), float):
            setattr(config, option, dropout)
    init_dir = checkpoint_model_dir(init) if init else None
    full_init = init_dir is not None and not (init_dir / "adapter_config.json").is_file()
    source = init_dir if full_init else path
    model = AutoModelForCausalLM.from_pretrained(source, config=config, dtype=getattr(torch, dtype))
    if init_dir is not None and not full_init:
        from peft import PeftModel

        return PeftModel.from_pretrained(model, init_dir, is_trainable=True)
    if lora:
        from peft import LoraConfig, get_peft_model

        targets = lora["targets"]
        modules = targets if targets == "all-linear" else [t.strip() for t in targets.split(",")]
        top = lora.get("layers", 0)
        layers = None
        if top:
            total = config.num_hidden_layers
            if top > total:
                raise ModelError(f"lora_layers={top} but the model has {total} decoder layers")
            layers = list(range(total - top, total))
            if modules == "all-linear":  # peft takes layers_to_transform only with module names
                modules = decoder_linear_names(model)
        peft_config = LoraConfig(
            r=lora["r"], lora_alpha=lora["alpha"], lora_dropout=lora["dropout"], task_type="CAUSAL_LM",
            target_modules=modules, layers_to_transform=layers,
        )
        model = get_peft_model(model, peft_config)
    return model


def decoder_linear_names(model: Any) -> list[str]:
    """The names of the linear modules inside the decoder layers (q_proj, ..., down_proj)."""
    import torch

    return sorted({name.rsplit(".", 1)[-1] for name, module in model.named_modules()
                   if isinstance(module, torch.nn.Linear) and ".layers." in name})


def checkpoint_model_dir(path: str | Path) -> Path:
    """The model (or adapter) directory of a flame checkpoint, run directory or model directory."""
    path = Path(path)
    candidates = [path, path / "model", path / "final"]
    checkpoints = sorted((path / "checkpoints").glob("step-*")) if (path / "checkpoints").is_dir() else []
    if checkpoints:
        candidates.append(checkpoints[-1] / "model")
    for c in candidates:
        if (c / "config.json").is_file() or (c / "adapter_config.json").is_file():
            return c
    raise ModelError(f"{path} holds no model: expected a flame checkpoint (…/checkpoints/step-N), "
                     f"a run directory, or a Hugging Face model or adapter directory")
