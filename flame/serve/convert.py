"""Request items and JSONL job lines -> (TaskSpec, Example) pairs for the Autorater.

Tasks come from flame.judge.adhoc, built once per distinct criteria / scale / classes /
question. A job's JSONL lines follow `flame judge file`: the same field names, `id` a string
or an integer (else the line's key is "line:N"), unknown fields ignored, blank lines
skipped; a bad line is reported with its line number and field.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from flame.core.errors import DataError
from flame.core.records import Example, TaskSpec
from flame.judge import adhoc
from flame.judge.jsonl import check_new_id, json_object, numbered_lines

from .schemas import ClassifyItem, JobRequest, PairwiseItem, PointwiseItem, parse_scale

Item = PairwiseItem | PointwiseItem | ClassifyItem
JOB_FILE = "jsonl"  # the "file" named in job line errors


@lru_cache(maxsize=512)
def _pairwise_task(criteria: str | None) -> TaskSpec:
    return adhoc.pairwise(criteria)


@lru_cache(maxsize=512)
def _pointwise_task(criteria: str | None, scale: str) -> TaskSpec:
    return adhoc.pointwise(criteria, *parse_scale(scale))


@lru_cache(maxsize=512)
def _classification_task(classes: tuple[str, ...], question: str | None) -> TaskSpec:
    return adhoc.classification(classes, question)


def to_record(item: Item, where: str = "http", row: int | str = 0) -> tuple[TaskSpec, Example]:
    """The task and example an HTTP judge item stands for."""
    if isinstance(item, PairwiseItem):
        task = _pairwise_task(item.criteria)
        return task, adhoc.pairwise_example(task, item.prompt, item.response_a, item.response_b, where, row)
    if isinstance(item, PointwiseItem):
        task = _pointwise_task(item.criteria, item.scale)
        return task, adhoc.pointwise_example(task, item.prompt, item.response, where, row)
    task = _classification_task(tuple(item.classes), item.question)
    return task, adhoc.classification_example(task, item.text, where, row)


class _Line(BaseModel):
    """A JSONL line: unknown fields ignored (as `flame judge file` does), types strict."""

    model_config = ConfigDict(extra="ignore", strict=True)
    id: str | int | None = None


class PairwiseLine(_Line):
    prompt: str
    response_a: str
    response_b: str
    criteria: str | None = None


class PointwiseLine(_Line):
    prompt: str
    response: str
    criteria: str | None = None


class ClassificationLine(_Line):
    text: str
    question: str | None = None


LINES: dict[str, type[_Line]] = {"pairwise": PairwiseLine, "pointwise": PointwiseLine,
                                 "classification": ClassificationLine}


def _line_error(e: ValidationError, n: int) -> DataError:
    first = e.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or None
    reason = "missing" if first["type"] == "missing" else first["msg"]
    return DataError(JOB_FILE, reason, n, field)


def parse_job_lines(job: JobRequest) -> list[tuple[int, str, dict[str, Any]]]:
    """(line number, key, validated fields) for each non-blank line; DataError on the first
    bad line (naming its number and field) or a duplicate id."""
    model = LINES[job.task]
    rows, seen = [], set()
    for n, line in numbered_lines(job.jsonl.splitlines()):
        record = json_object(line, JOB_FILE, n)
        try:
            fields = model.model_validate(record).model_dump(exclude_none=True)
        except ValidationError as e:
            raise _line_error(e, n) from None
        key = str(fields.pop("id")) if "id" in fields else f"line:{n}"
        check_new_id(key, seen, JOB_FILE, n)
        seen.add(key)
        rows.append((n, key, fields))
    if not rows:
        raise DataError(JOB_FILE, "no lines to judge")
    return rows


def job_record(task: str, options: dict[str, Any], fields: dict[str, Any], line: int) -> tuple[TaskSpec, Example]:
    """The task and example of one stored job line, under the job's options."""
    if task == "pairwise":
        spec = _pairwise_task(fields.get("criteria") or options.get("criteria"))
        return spec, adhoc.pairwise_example(spec, fields["prompt"], fields["response_a"], fields["response_b"],
                                            JOB_FILE, line)
    if task == "pointwise":
        spec = _pointwise_task(fields.get("criteria") or options.get("criteria"), options["scale"])
        return spec, adhoc.pointwise_example(spec, fields["prompt"], fields["response"], JOB_FILE, line)
    spec = _classification_task(tuple(options["classes"]), fields.get("question") or options.get("question"))
    return spec, adhoc.classification_example(spec, fields["text"], JOB_FILE, line)
