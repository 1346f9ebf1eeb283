"""The one training config: a dataclass read from YAML, overridden by CLI `key=value`, or built in Python.

Defaults are the paper's FLAMe settings (PAPER.md §4): Adam, learning rate 1e-4, dropout
0.05, batch 32, 30K steps, 2048-token context, the capped examples-proportional mixture.
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Iterable

from flame.core.errors import DataError, FlameError
from flame.core.files import packaged


def shipped_configs(kind: str = "train") -> dict[str, Path]:
    """The configs shipped in the package, by name: kind "train" or "accelerate"."""
    return {p.stem: p for p in sorted(packaged("configs", kind).glob("*.yaml"))}


def config_path(value: str | Path) -> Path:
    """A training config file: `value` itself if it is a file, else the shipped config of that name."""
    path = Path(value)
    if path.is_file():
        return path
    shipped = shipped_configs()
    if str(value) in shipped:
        return shipped[str(value)]
    raise ConfigError(f"config file {path} does not exist, and no config shipped with flame is named {str(value)!r} "
                      f"(shipped: {', '.join(shipped)})")


class ConfigError(FlameError):
    """A config key or value the recipe cannot use."""


@dataclass
class TrainConfig:
    """Every option of the SFT recipe (FLAMe, FLAMe-RM and tail-patch runs all use it)."""

    # data
    collection: str = ""  # a built collection (flame data build --out DIR)
    mixture: str = "flame"  # a mixture name (flame mix list) or a mixture YAML file
    seed: int = 0
    shuffle_buffer: int = 512  # rows held per task by the mixture stream's shuffle
    max_length: int = 2048  # tokens of prompt + target; long prompts lose the start of their longest context input
    pairwise: str = "ab"  # ab: A/B verdicts on both candidates shown | separate: each candidate alone, Bradley-Terry loss
    swap_augment: bool = True  # ab: train every pairwise row in both candidate orders
    # model
    model: str = "smollm2-135m"  # a model name flame knows or a local Hugging Face directory
    init: str = ""  # start from this checkpoint's weights (FLAMe-RM starts from FLAMe)
    dropout: float = 0.05  # set on every dropout option the model config has
    dtype: str = "float32"  # weights as loaded; mixed precision comes from the accelerate config
    chat: bool = True  # wrap prompts in the tokenizer's chat template, as the judge does
    lora: bool = False
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.05
    lora_targets: str = "all-linear"  # comma-separated module names, or all-linear
    lora_layers: int = 0  # adapt only the top N decoder layers (the backward pass stops below them); 0: all
    # optimisation
    max_steps: int = 30000
    batch_size: int = 32  # examples per optimizer step, all processes together
    micro_batch_size: int = 8  # examples per forward pass and process; the rest is gradient accumulation
    lr: float = 1e-4
    weight_decay: float = 0.0  # 0 makes AdamW plain Adam, as in the paper
    adam_beta1: float = 0.9
    adam_beta2: float = 0.999
    adam_eps: float = 1e-8
    schedule: str = "constant"  # constant | linear | cosine (after warmup)
    warmup_steps: int = 0
    max_grad_norm: float = 0.0  # 0: no clipping
    # bookkeeping
    output_dir: str = "runs/flame"
    save_every: int = 1000
    keep_checkpoints: int = 2
    eval_every: int = 1000  # 0: validate only at the end
    eval_examples: int = 64  # validation examples per task
    log_every: int = 10

    def __post_init__(self) -> None:
        self.check()

    def check(self) -> None:
        """Fail on values that cannot work, naming the option."""
        positive = ["max_steps", "batch_size", "micro_batch_size", "max_length", "shuffle_buffer", "save_every",
                    "keep_checkpoints", "log_every", "lora_r"]
        for name in positive:
            if getattr(self, name) <= 0:
                raise ConfigError(f"{name} must be positive, got {getattr(self, name)}")
        if self.lr <= 0:
            raise ConfigError(f"lr must be positive, got {self.lr}")
        if not 0 <= self.dropout < 1:
            raise ConfigError(f"dropout must be in [0, 1), got {self.dropout}")
        if self.schedule not in ("constant", "linear", "cosine"):
            raise ConfigError(f"schedule must be constant, linear or cosine, got {self.schedule!r}")
        if self.dtype not in ("float32", "bfloat16", "float16"):
            raise ConfigError(f"dtype must be float32, bfloat16 or float16, got {self.dtype!r}")
        if self.pairwise not in ("ab", "separate"):
            raise ConfigError(f"pairwise must be ab or separate, got {self.pairwise!r}")
        if self.lora_layers < 0:
            raise ConfigError(f"lora_layers must be 0 (all) or positive, got {self.lora_layers}")
        if self.batch_size % self.micro_batch_size:
            raise ConfigError(f"batch_size {self.batch_size} must be a multiple of micro_batch_size {self.micro_batch_size}")

    @classmethod
    def from_yaml(cls, path: str | Path, overrides: Iterable[str] = ()) -> "TrainConfig":
        """A config from a YAML mapping of option: value, then `key=value` overrides.

        `path` is a YAML file, or the name of a config shipped with flame (`flame train configs`).
        """
        import yaml

        path = config_path(path)
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise DataError(str(path), "a training config must be a mapping of option: value")
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key not in known:
                raise DataError(str(path), _unknown(key), field=key)
            values[key] = _coerce(known[key], value, f"{path}: option {key!r}")
        return cls(**values).with_overrides(overrides)

    def with_overrides(self, overrides: Iterable[str]) -> "TrainConfig":
        """A copy with CLI `key=value` overrides applied (values converted to the option's type)."""
        known = {f.name: f for f in fields(self)}
        changes = {}
        for item in overrides:
            key, value = parse_override(item)
            changes[key] = _coerce(known[key], value, f"override {item!r}")
        return self.replace(**changes)

    def replace(self, **changes: Any) -> "TrainConfig":
        """A copy with some options changed (checked again)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def resume_conflicts(self, saved: dict[str, Any]) -> list[str]:
        """The options of a checkpoint's config (`saved`) that this config changes and a resumed run
        cannot: anything but how long it runs and how often it saves, validates and logs. Options
        the checkpoint does not record (it predates them) are not compared."""
        now = self.to_dict()
        return [f"{key}: {saved[key]!r} in the checkpoint, {now[key]!r} now" for key in now
                if key in saved and key not in RESUME_MAY_CHANGE and saved[key] != now[key]]


# What a resumed run may change; any other option would make it a different run.
RESUME_MAY_CHANGE = frozenset({"max_steps", "save_every", "keep_checkpoints", "eval_every", "eval_examples",
                               "log_every", "output_dir"})


def parse_override(item: str) -> tuple[str, str]:
    """Split a CLI `key=value` override, checking the key."""
    key, sep, value = item.partition("=")
    key = key.strip()
    if not sep:
        raise ConfigError(f"override {item!r} must look like key=value")
    if key not in {f.name for f in fields(TrainConfig)}:
        raise ConfigError(_unknown(key))
    return key, value.strip()


def _unknown(key: str) -> str:
    names = [f.name for f in fields(TrainConfig)]
    close = difflib.get_close_matches(key, names, n=2)
    return f"unknown training option {key!r}" + (f"; did you mean {' or '.join(close)}?" if close else "")


def _coerce(f: dataclasses.Field, value: Any, where: str) -> Any:
    kind = {"int": int, "float": float, "bool": bool, "str": str}[f.type if isinstance(f.type, str) else f.type.__name__]
    if isinstance(value, str) and kind is not str:
        text = value.strip().lower()
        if kind is bool:
            if text not in ("true", "false", "1", "0", "yes", "no"):
                raise ConfigError(f"{where}: expected true or false, got {value!r}")
            return text in ("true", "1", "yes")
        try:
            number = float(text)
        except ValueError:
            raise ConfigError(f"{where}: expected {kind.__name__}, got {value!r}") from None
        if kind is int and not number.is_integer():
            raise ConfigError(f"{where}: expected int, got {value!r}")
        return kind(number)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind is str and value is None:
        return ""
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ConfigError(f"{where}: expected {kind.__name__}, got {value!r}")
    return value
