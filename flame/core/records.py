"""The records that flow through flame: TaskSpec (a quality-assessment task) and Example.

Pure Python; importing this module never imports torch or any other heavy library.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from enum import Enum
from typing import Any, Mapping


class TaskType(str, Enum):
    """How a task is judged (FLAMe Fig. 3)."""

    PAIRWISE = "pairwise"
    POINTWISE = "pointwise"
    CLASSIFICATION = "classification"
    GENERATIVE = "generative"


class Capability(str, Enum):
    """Which LLM capability a task measures (FLAMe Fig. 4)."""

    GENERAL = "general quality"
    FACTUALITY = "factuality/attribution"
    SAFETY = "safety"
    CODING = "coding"
    MATH = "math"
    INSTRUCTION_FOLLOWING = "instruction following"


class Role(str, Enum):
    """Whether a task trains judges, evaluates them, or both."""

    TRAIN = "train"
    EVAL = "eval"
    BOTH = "both"


class LabelKind(str, Enum):
    CHOICE = "choice"  # pairwise: A / B (optionally tie)
    LIKERT = "likert"  # an integer scale, e.g. 1-5
    CLASSES = "classes"  # named classes, e.g. Yes / No
    FREE = "free"  # free text (explanations, open-ended answers)


@dataclass(frozen=True)
class LabelSpace:
    """The values an output field may take. Closed spaces list every verbalized label."""

    kind: LabelKind
    labels: tuple[str, ...] = ()

    @classmethod
    def pairwise(cls, tie: bool = False) -> "LabelSpace":
        """A/B choice between two candidates, with an optional tie label."""
        return cls(LabelKind.CHOICE, ("A", "B", "tie") if tie else ("A", "B"))

    @classmethod
    def likert(cls, low: int, high: int) -> "LabelSpace":
        """An integer scale from low to high inclusive."""
        if high <= low:
            raise ValueError(f"Likert scale needs low < high, got {low}-{high}")
        return cls(LabelKind.LIKERT, tuple(str(v) for v in range(low, high + 1)))

    @classmethod
    def classes(cls, *names: str) -> "LabelSpace":
        """Named classes such as Yes / No."""
        if len(names) < 2 or len(set(names)) != len(names):
            raise ValueError(f"classes need at least two distinct names, got {names}")
        return cls(LabelKind.CLASSES, tuple(names))

    @classmethod
    def free_text(cls) -> "LabelSpace":
        """Open-ended text."""
        return cls(LabelKind.FREE, ())

    @property
    def closed(self) -> bool:
        return self.kind is not LabelKind.FREE

    def accepts(self, value: str) -> bool:
        """True if value is a legal label (any non-empty text for free fields)."""
        return value in self.labels if self.closed else bool(value.strip())

    def describe(self) -> str:
        """A short human-readable statement of the allowed values."""
        if self.kind is LabelKind.FREE:
            return "free text"
        if self.kind is LabelKind.LIKERT:
            return f"an integer from {self.labels[0]} to {self.labels[-1]}"
        return "one of " + ", ".join(self.labels)


@dataclass(frozen=True)
class InputField:
    """One labelled line of the CONTEXT block."""

    name: str
    description: str = ""


@dataclass(frozen=True)
class OutputField:
    """One labelled line of the EVALUATION block, with its label space."""

    name: str
    labels: LabelSpace
    description: str = ""


@dataclass(frozen=True)
class TaskSpec:
    """One quality-assessment task, declared as data.

    `description` holds the task definition and evaluation instructions written from the
    original annotation guidelines; it is the text the judge reads.
    """

    name: str
    task_type: TaskType
    capability: Capability
    title: str
    description: str
    inputs: tuple[InputField, ...]
    outputs: tuple[OutputField, ...]
    source: str
    license: str
    role: Role = Role.TRAIN
    notes: str = ""  # how labels were derived, substitutions, caveats

    def __post_init__(self) -> None:
        if not self.inputs or not self.outputs:
            raise ValueError(f"task {self.name!r} needs at least one input and one output field")
        names = [f.name for f in self.inputs] + [f.name for f in self.outputs]
        if len(set(names)) != len(names):
            raise ValueError(f"task {self.name!r} has duplicate field names: {names}")
        for n in names:
            if not n or ":" in n or "\n" in n or n != n.strip():
                raise ValueError(f"task {self.name!r}: bad field name {n!r}")

    @cached_property
    def input_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.inputs)

    @cached_property
    def output_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.outputs)

    def output(self, name: str) -> OutputField:
        """The output field called name."""
        for f in self.outputs:
            if f.name == name:
                return f
        raise KeyError(f"task {self.name!r} has no output field {name!r}")

    @property
    def primary_output(self) -> OutputField:
        """The first output field: the verdict that metrics score."""
        return self.outputs[0]

    def fingerprint(self) -> str:
        """A short hash of everything in the task that shapes its prompt."""
        payload = {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "inputs": [f.name for f in self.inputs],
            "outputs": [[f.name, f.labels.kind.value, list(f.labels.labels)] for f in self.outputs],
        }
        return _hash(payload)


class FrozenDict(dict):
    """A dict that refuses mutation, so an Example cannot change after its adapter."""

    def _readonly(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("Example fields are read-only")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _readonly  # type: ignore[assignment]

    def __reduce__(self):
        return (FrozenDict, (dict(self),))

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted(self.items())))


@dataclass(frozen=True)
class Provenance:
    """Where an example came from: source dataset, file inside it, and row (0-based)."""

    source: str
    file: str
    row: int | str


@dataclass(frozen=True)
class Example:
    """One judgment: input field values and the human target values for one task.

    `uid` is a hash of task, inputs and targets, so it is stable across runs and machines.
    """

    task: str
    inputs: Mapping[str, str]
    targets: Mapping[str, str]
    provenance: Provenance
    uid: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        for kind, values in (("input", self.inputs), ("target", self.targets)):
            for k, v in values.items():
                if not isinstance(v, str):
                    raise TypeError(
                        f"{self.provenance.source}/{self.provenance.file} row {self.provenance.row}: "
                        f"{kind} field {k!r} must be str, got {type(v).__name__}"
                    )
        object.__setattr__(self, "inputs", FrozenDict(self.inputs))
        object.__setattr__(self, "targets", FrozenDict(self.targets))
        uid = _hash({"task": self.task, "inputs": self.inputs, "targets": self.targets})
        if self.uid and self.uid != uid:
            raise ValueError(f"example uid {self.uid} does not match its content ({uid})")
        object.__setattr__(self, "uid", uid)

    @property
    def content_hash(self) -> str:
        """Hash of inputs and targets only: equal for the same judgment filed under two tasks."""
        return _hash({"inputs": self.inputs, "targets": self.targets})

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the Parquet and JSONL row layout)."""
        return {
            "uid": self.uid,
            "task": self.task,
            "inputs": dict(self.inputs),
            "targets": dict(self.targets),
            "source": self.provenance.source,
            "file": self.provenance.file,
            "row": str(self.provenance.row),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Example":
        """Inverse of to_dict; checks the stored uid against the content."""
        row = d["row"]
        if isinstance(row, str) and row.isdigit():
            row = int(row)
        return cls(
            task=d["task"],
            inputs=d["inputs"],
            targets=d["targets"],
            provenance=Provenance(d["source"], d["file"], row),
            uid=d.get("uid", ""),
        )


def _hash(payload: Any) -> str:
    data = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]


def stable_hash(payload: Any) -> str:
    """A 16-hex-digit sha256 of a JSON-serialisable payload (key order does not matter)."""
    return _hash(payload)
