"""Request items and JSONL job lines -> (TaskSpec, Example) pairs for the Autorater.

Both are read by flame.judge.request, the rules `flame judge file` and `flame eval file`
read their lines by: the same field names, an empty prompt or text refused, an empty
response judged; tasks built once per distinct criteria / scale / classes / question. A
job's JSONL lines follow `flame judge file`: `id` a string or an integer (else the line's
key is "line:N"), unknown fields ignored, blank lines skipped; a bad line is reported with
its line number and field.
"""

from __future__ import annotations

from typing import Any

from flame.core.errors import DataError
from flame.core.records import Example, TaskSpec
from flame.judge.jsonl import check_new_id, json_object, line_key, numbered_lines
from flame.judge.request import parse_scale, request_fields
from flame.judge.request import to_record as request_record

from .schemas import ClassifyItem, JobRequest, PairwiseItem, PointwiseItem

Item = PairwiseItem | PointwiseItem | ClassifyItem
JOB_FILE = "jsonl"  # the "file" named in job line errors
TASK_OF = {PairwiseItem: "pairwise", PointwiseItem: "pointwise", ClassifyItem: "classification"}


def to_record(item: Item, where: str = "http", row: int | str = 0) -> tuple[TaskSpec, Example]:
    """The task and example an HTTP judge item stands for."""
    kind = TASK_OF[type(item)]
    fields = request_fields(kind, item.model_dump(), where, row)  # the schema has checked them
    if isinstance(item, PointwiseItem):
        return request_record(kind, fields, scale=parse_scale(item.scale), where=where, row=row)
    if isinstance(item, ClassifyItem):
        return request_record(kind, fields, classes=item.classes, where=where, row=row)
    return request_record(kind, fields, where=where, row=row)


def parse_job_lines(job: JobRequest) -> list[tuple[int, str, dict[str, Any]]]:
    """(line number, key, checked fields) for each non-blank line; DataError on the first
    bad line (naming its number and field) or a duplicate id."""
    rows, seen = [], set()
    for n, line in numbered_lines(job.jsonl.splitlines()):
        record = json_object(line, JOB_FILE, n)
        key = line_key(record, JOB_FILE, n)
        check_new_id(key, seen, JOB_FILE, n)
        seen.add(key)
        rows.append((n, key, request_fields(job.task, record, JOB_FILE, n)))
    if not rows:
        raise DataError(JOB_FILE, "no lines to judge")
    return rows


def job_record(task: str, options: dict[str, Any], fields: dict[str, Any], line: int) -> tuple[TaskSpec, Example]:
    """The task and example of one stored job line, under the job's options."""
    scale = parse_scale(options["scale"]) if task == "pointwise" else (1, 5)
    return request_record(task, fields, criteria=options.get("criteria"), scale=scale,
                          classes=options.get("classes", ()), question=options.get("question"),
                          where=JOB_FILE, row=line)
