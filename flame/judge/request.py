"""A judge request's fields, read by one set of rules wherever the request comes from: a line
of `flame judge file`, an item or a job line of `flame serve`, a row of `flame eval file`.

    pairwise        prompt, response_a, response_b; optional criteria
    pointwise       prompt, response; optional criteria
    classification  text; optional question

with an optional `id`, a string or an integer. Every field is a string (null counts as
absent); other fields are not read here (a row of `flame eval file` also has its label; the
HTTP items refuse unknown fields, as their schema says). An empty or whitespace-only prompt
or text is refused: there is nothing to judge about. An empty response is judged like any
other candidate: public preference sets hold them, usually as the losing one.

The options a file, job or item gives: a scale "LOW-HIGH" of integers with LOW < HIGH and at
most MAX_SCALE_STEPS steps (each level is one label the model scores), and classes: two to
MAX_CLASSES distinct names, each one line of at most MAX_CLASS_CHARS characters without
leading or trailing space (a name is a label the judge writes on one line).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from flame.core.errors import DataError
from flame.core.records import Example, TaskSpec

from . import adhoc

TASK_TYPES = ("pairwise", "pointwise", "classification")
TEXT_FIELDS = {"pairwise": ("prompt", "response_a", "response_b"), "pointwise": ("prompt", "response"),
               "classification": ("text",)}
OPTIONAL_FIELDS = {"pairwise": ("criteria",), "pointwise": ("criteria",), "classification": ("question",)}
REQUIRED_TEXT = ("prompt", "text")  # what is judged about: never empty (a response may be)
EMPTY_TEXT = "empty text"
MAX_SCALE_STEPS = 20  # a 1-5 scale is 4 steps
MAX_CLASSES = 32
MAX_CLASS_CHARS = 100
SCALE_PATTERN = r"([0-9]{1,3})-([0-9]{1,3})"
CLASS_NAME_PATTERN = r"\S([^\r\n]*\S)?"  # one line, no leading or trailing space


def require_text(name: str, value: str) -> str:
    """value, unless field `name` is a prompt or text that is empty or only whitespace (ValueError)."""
    if name in REQUIRED_TEXT and not value.strip():
        raise ValueError(EMPTY_TEXT)
    return value


def text_field(record: dict[str, Any], name: str, file: str, row: int | str, required: bool = True) -> str | None:
    """Field `name` of a request: a string (None when absent and not required). A DataError
    names the file, row and field when it is missing, not a string, or an empty prompt or text."""
    if name not in record or record[name] is None:
        if required:
            raise DataError(file, "missing", row, name)
        return None
    value = record[name]
    if not isinstance(value, str):
        raise DataError(file, f"must be a string, got {type(value).__name__}", row, name)
    try:
        return require_text(name, value)
    except ValueError as e:
        raise DataError(file, str(e), row, name) from None


def request_id(record: dict[str, Any], file: str, row: int | str) -> str | int | None:
    """The request's `id` (a string or an integer), None when it has none; a DataError otherwise."""
    value = record.get("id")
    if value is not None and (not isinstance(value, (str, int)) or isinstance(value, bool)):
        raise DataError(file, f"must be a string or integer, got {type(value).__name__}", row, "id")
    return value


def request_fields(task_type: str, record: Any, file: str, row: int | str) -> dict[str, str]:
    """The judged fields of one request of task_type (TEXT_FIELDS), and its criteria or question
    when it gives one; a DataError names the file, row and field of the first that breaks a rule."""
    if not isinstance(record, dict):
        raise DataError(file, f"expected a JSON object, got {type(record).__name__}", row)
    fields = {name: text_field(record, name, file, row) for name in TEXT_FIELDS[task_type]}
    for name in OPTIONAL_FIELDS[task_type]:
        value = text_field(record, name, file, row, required=False)
        if value is not None:
            fields[name] = value
    return fields  # type: ignore[return-value]  # required fields are never None


def parse_scale(text: str) -> tuple[int, int]:
    """'1-5' -> (1, 5); ValueError unless LOW < HIGH <= LOW + MAX_SCALE_STEPS."""
    match = re.fullmatch(SCALE_PATTERN, text)
    if not match:
        raise ValueError(f"scale must look like 1-5, got {text!r}")
    low, high = int(match[1]), int(match[2])
    if not low < high <= low + MAX_SCALE_STEPS:
        raise ValueError(f"scale needs LOW < HIGH <= LOW + {MAX_SCALE_STEPS}, got {text!r}")
    return low, high


def check_classes(names: Iterable[str]) -> tuple[str, ...]:
    """The class names, if there are 2 to MAX_CLASSES distinct ones, each one line of at most
    MAX_CLASS_CHARS characters without leading or trailing space (ValueError otherwise)."""
    names = tuple(names)
    if len(names) < 2 or len(set(names)) != len(names):
        raise ValueError(f"classes need at least two distinct names, got {list(names)}")
    if len(names) > MAX_CLASSES:
        raise ValueError(f"at most {MAX_CLASSES} classes, got {len(names)}")
    for name in names:
        if len(name) > MAX_CLASS_CHARS or not re.fullmatch(CLASS_NAME_PATTERN, name):
            raise ValueError(f"a class name is one line of 1 to {MAX_CLASS_CHARS} characters without leading or "
                             f"trailing space, got {name!r}")
    return names


def split_classes(text: str) -> tuple[str, ...]:
    """Comma-separated class names ("Yes, No"), each stripped, checked by `check_classes`."""
    return check_classes(c.strip() for c in text.split(",") if c.strip())


@lru_cache(maxsize=512)
def _pairwise_task(criteria: str | None) -> TaskSpec:
    return adhoc.pairwise(criteria)


@lru_cache(maxsize=512)
def _pointwise_task(criteria: str | None, scale: tuple[int, int]) -> TaskSpec:
    return adhoc.pointwise(criteria, *scale)


@lru_cache(maxsize=512)
def _classification_task(classes: tuple[str, ...], question: str | None) -> TaskSpec:
    return adhoc.classification(classes, question)


def to_record(task_type: str, fields: dict[str, str], *, criteria: str | None = None, scale: tuple[int, int] = (1, 5),
              classes: Iterable[str] = (), question: str | None = None, where: str = "cli",
              row: int | str = 0) -> tuple[TaskSpec, Example]:
    """The ad-hoc task and example a request's fields (from `request_fields`) stand for: the
    request's own criteria or question first, else the file's or job's (`criteria`, `question`);
    tasks are built once per distinct criteria, scale, classes and question."""
    if task_type == "pairwise":
        task = _pairwise_task(fields.get("criteria") or criteria)
        a, b = fields["response_a"], fields["response_b"]
        return task, adhoc.pairwise_example(task, fields["prompt"], a, b, where, row)
    if task_type == "pointwise":
        task = _pointwise_task(fields.get("criteria") or criteria, tuple(scale))
        return task, adhoc.pointwise_example(task, fields["prompt"], fields["response"], where, row)
    task = _classification_task(tuple(classes), fields.get("question") or question)
    return task, adhoc.classification_example(task, fields["text"], where, row)
