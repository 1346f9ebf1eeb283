"""FLAMe's text-to-text format: INSTRUCTIONS / CONTEXT / EVALUATION.

    INSTRUCTIONS:
    title: <one-line question>
    description: <task definition, criteria, and the allowed values of each output field>
    output_fields: <field_a>, <field_b>
    CONTEXT:
    <input_1>: <value>
    <input_2>: <value>
    EVALUATION:

The prompt ends with the `EVALUATION:` header (PAPER.md §3: it keeps decoding
well-defined); the target is the `field: value` lines. `parse` is the exact inverse of the
target rendering and reports invalid text instead of guessing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from .records import Example, LabelKind, TaskSpec, stable_hash

TEMPLATE_VERSION = "1"
INSTRUCTIONS_HEADER = "INSTRUCTIONS:"
CONTEXT_HEADER = "CONTEXT:"
EVALUATION_HEADER = "EVALUATION:"
_ALLOWED_LINE = "{name} must be {allowed}."


@dataclass(frozen=True)
class Prompt:
    """A rendered example: the input text the judge reads and the target text it should write."""

    text: str
    target: str
    task: str
    uid: str


@dataclass(frozen=True)
class ParseResult:
    """The outcome of parsing judge output: field values, or why the text is invalid."""

    valid: bool
    values: dict[str, str] = field(default_factory=dict)
    error: str = ""


def template_hash() -> str:
    """Hash of the template's fixed text; changes whenever the layout changes."""
    return stable_hash(
        [TEMPLATE_VERSION, INSTRUCTIONS_HEADER, CONTEXT_HEADER, EVALUATION_HEADER, _ALLOWED_LINE]
    )


@lru_cache(maxsize=1024)
def instructions(task: TaskSpec) -> str:
    """The INSTRUCTIONS block of a task (shared by all its examples: a cacheable prefix)."""
    allowed = [
        _ALLOWED_LINE.format(name=f.name, allowed=f.labels.describe())
        for f in task.outputs
        if f.labels.kind is not LabelKind.FREE
    ]
    description = task.description.strip()
    if allowed:
        description += "\n" + "\n".join(allowed)
    return (
        f"{INSTRUCTIONS_HEADER}\n"
        f"title: {task.title.strip()}\n"
        f"description: {description}\n"
        f"output_fields: {', '.join(task.output_names)}\n"
    )


def render_context(task: TaskSpec, inputs: dict[str, str] | Example) -> str:
    """The CONTEXT block: one labelled line per input field, in the task's order."""
    values = inputs.inputs if isinstance(inputs, Example) else inputs
    missing = [n for n in task.input_names if n not in values]
    if missing:
        raise KeyError(f"task {task.name!r}: missing input field(s) {missing}")
    lines = [f"{name}: {values[name]}" for name in task.input_names]
    return CONTEXT_HEADER + "\n" + "\n".join(lines) + "\n"


def render_target(task: TaskSpec, targets: dict[str, str]) -> str:
    """The EVALUATION lines: `field: value` for each output field present, in order."""
    return "\n".join(f"{name}: {targets[name]}" for name in task.output_names if name in targets)


def render(task: TaskSpec, example: Example) -> Prompt:
    """Render an example of task into FLAMe's format; the prompt ends with `EVALUATION:`."""
    if example.task != task.name:
        raise ValueError(f"example {example.uid} belongs to task {example.task!r}, not {task.name!r}")
    text = instructions(task) + render_context(task, example) + EVALUATION_HEADER + "\n"
    return Prompt(text=text, target=render_target(task, example.targets), task=task.name, uid=example.uid)


def parse(task: TaskSpec, text: str) -> ParseResult:
    """Parse EVALUATION lines back into field values (inverse of `render_target`).

    Every output field must appear once, in order, as `name: value`; closed label spaces
    must match a label exactly. Anything else is an invalid result with the reason.
    """
    text = text.strip("\n")
    names = task.output_names
    values: dict[str, str] = {}
    rest = text
    for i, name in enumerate(names):
        prefix = f"{name}: "
        if not rest.startswith(prefix):
            if rest.startswith(f"{name}:") and rest[len(name) + 1 :].strip() == "":
                return ParseResult(False, values, f"field {name!r} is empty")
            return ParseResult(False, values, f"expected {prefix.strip()!r} at {_excerpt(rest)!r}")
        rest = rest[len(prefix) :]
        if i + 1 < len(names):
            marker = f"\n{names[i + 1]}: "
            end = rest.find(marker)
            if end < 0:
                return ParseResult(False, values, f"missing field {names[i + 1]!r}")
            value, rest = rest[:end], rest[end + 1 :]
        else:
            value, rest = rest, ""
        spec = task.output(name)
        if not spec.labels.accepts(value):
            return ParseResult(
                False, values, f"{name}: {_excerpt(value)!r} is not {spec.labels.describe()}"
            )
        values[name] = value
    return ParseResult(True, values)


def _excerpt(s: str, n: int = 40) -> str:
    return s if len(s) <= n else s[:n] + "..."
