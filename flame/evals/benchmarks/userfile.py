"""Your own labels: score a judge on a JSONL file of human judgments (`flame eval file`).

One JSON object per line (or a `.json` list of them), rows counted from 1 as `flame judge
file` counts lines; optional on every task: `id` (a string or an integer, kept as the
row name; no two rows share one) and `subset` (results are broken down by it; default "all").

- pairwise:       prompt, response_a, response_b, label in {A, B, tie}
                  (the task offers the tie label only when some row is labelled tie)
- pointwise:      prompt, response, label = an integer on the scale (default 1-5)
- classification: text, label = one of the classes (default: the distinct labels in the file)

The fields are read by flame.judge.request, the rules `flame judge file` and `flame serve`
read requests by: an empty response is judged like any other candidate (in public preference
sets it is a legitimate, usually losing, one); an empty prompt or text, a missing field or a
value of the wrong type is a DataError naming the file, row and field, or with
`skip_invalid` a skipped row, counted by reason in the benchmark's `dropped` and listed, with
its reason, in `Loaded.skipped` (the results manifest's `skipped_rows`). The texts are then
normalised as every benchmark's are (flame.data.readers.clean: surrounding whitespace and
Windows line endings). A row's own `criteria` or `question` is checked but not used: the
file is judged as one task, under the benchmark's criteria and question.

Metrics: pairwise accuracy (an unreadable verdict scores 0.5, as in RewardBench);
pointwise exact-label accuracy, mean absolute error of the expected score and its Pearson
and Spearman correlation with the labels; classification accuracy and balanced accuracy.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flame.core.errors import DataError
from flame.core.records import Example, Provenance, TaskSpec
from flame.data.readers import clean, read_json
from flame.judge import adhoc
from flame.judge.jsonl import check_new_id, file_lines, json_object
from flame.judge.request import TASK_TYPES, TEXT_FIELDS, check_classes, request_fields, request_id

from ..metrics import balanced_accuracy, by_key, mean
from .base import FILE, Benchmark, Item, Loaded


def _label(record: dict[str, Any], file: str, row: int) -> str:
    value = record.get("label")
    if value is None:
        raise DataError(file, "missing", row, "label")
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise DataError(file, f"label must be a string or an integer, got {type(value).__name__}", row, "label")
    return str(value).strip()


def make_task(task_type: str, labels: Sequence[str], file: str, *, criteria: str | None = None,
              scale: tuple[int, int] = (1, 5), classes: Sequence[str] | None = None,
              question: str | None = None) -> TaskSpec:
    """The ad-hoc task the file's rows are judged with (`labels`: the rows' labels)."""
    if task_type == "pairwise":
        return adhoc.pairwise(criteria, tie="tie" in labels)
    if task_type == "pointwise":
        return adhoc.pointwise(criteria, *scale)
    if task_type == "classification":
        try:
            names = check_classes(classes if classes else sorted(set(labels)))
        except ValueError as e:
            raise DataError(file, f"classification: {e}", field="classes" if classes else "label") from None
        return adhoc.classification(names, question)
    raise DataError(file, f"unknown task type {task_type!r} (use one of {', '.join(TASK_TYPES)})")


@dataclass(frozen=True)
class _Row:
    """A record's checked values; whether its label fits the task is checked once the task is known."""

    row: int
    inputs: dict[str, str]
    label: str
    subset: str
    provenance: Provenance


def _parse(task_type: str, record: Any, file: str, row: int, ids: set[str]) -> _Row:
    """A record's checked values; `ids`: the ids of the rows before it (this row's is added)."""
    fields = request_fields(task_type, record, file, row)
    inputs = {k: clean(fields[k]) for k in TEXT_FIELDS[task_type]}
    label = _label(record, file, row)
    subset = record.get("subset", "all")
    if not isinstance(subset, str) or not subset.strip():
        raise DataError(file, "subset must be a non-empty string", row, "subset")
    rid = request_id(record, file, row)
    if rid is not None:
        check_new_id(str(rid), ids, file, row)
        ids.add(str(rid))
    return _Row(row, inputs, label, subset.strip(), Provenance("file", file, row if rid is None else rid))


def file_rows(path: Path, skip: Callable[[DataError], None]) -> Iterator[tuple[int, Any]]:
    """(row, record) of a user file, rows counted from 1 as `flame judge file` counts lines: each
    line of a JSONL file (a line that is not a UTF-8 JSON object is passed to `skip`), or each
    item of a JSON list (a `.json` file)."""
    file = str(path)
    if not path.is_file():
        raise DataError(file, "no such file")
    if path.suffix == ".json":
        data = read_json(path)
        if not isinstance(data, list):
            raise DataError(file, f"expected a JSON list of records, got {type(data).__name__}")
        yield from enumerate(data, start=1)
        return
    for n, line in file_lines(path):
        try:
            yield n, json_object(line, file, n)
        except DataError as e:
            skip(e)


def load(path: Path, task_type: str, skip_invalid: bool = False, **task_options: Any) -> Loaded:
    """Items of a user file, each validated: a bad row is a DataError naming file, row and
    field (the first in the file), or with `skip_invalid` a skipped row (see the module docstring)."""
    if task_type not in TASK_TYPES:
        raise DataError(str(path), f"unknown task type {task_type!r} (use one of {', '.join(TASK_TYPES)})")
    file = str(path)
    skipped: list[DataError] = []

    def skip(error: DataError) -> None:
        if not skip_invalid:
            raise error
        skipped.append(error)

    rows: list[_Row] = []
    ids: set[str] = set()
    for row, record in file_rows(path, skip):
        try:
            rows.append(_parse(task_type, record, file, row, ids))
        except DataError as e:
            skip(e)
    task = make_task(task_type, [r.label for r in rows], file, **task_options)
    out = task.primary_output
    items = []
    for r in rows:
        if out.labels.accepts(r.label):
            items.append(Item(r.subset, task, Example(task.name, r.inputs, {out.name: r.label}, r.provenance)))
        else:
            skip(DataError(file, f"{r.label!r} is not {out.labels.describe()}", r.row, "label"))
    if not items:
        raise DataError(file, "no records" + (f" left: all {len(skipped)} were invalid" if skipped else ""))
    dropped = Counter((f"field {e.field!r}: " if e.field else "") + e.reason for e in skipped)
    return Loaded(items, f"{FILE}:{file}", dict(dropped),
                  skipped=[{"row": e.row, "field": e.field, "reason": e.reason} for e in sorted(skipped, key=_row_of)])


def _row_of(error: DataError) -> int:
    return error.row if isinstance(error.row, int) else -1


def _pearson(x: Sequence[float], y: Sequence[float]) -> float | None:
    if len(x) < 2:
        return None
    mx, my = sum(x) / len(x), sum(y) / len(y)
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    sx, sy = sum((a - mx) ** 2 for a in x) ** 0.5, sum((b - my) ** 2 for b in y) ** 0.5
    return sxy / (sx * sy) if sx and sy else None


def _ranks(values: Sequence[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):  # ties share their mean rank
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def aggregate_for(task_type: str):
    """The pure aggregation function for a task type (see the module docstring)."""
    def aggregate(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        groups = {"all": list(rows), **by_key(rows)} if len(by_key(rows)) > 1 else by_key(rows)
        table = []
        for name, rs in groups.items():
            entry: dict[str, Any] = {"subset": name, "n": len(rs), "accuracy": mean(r["score"] for r in rs)}
            if task_type == "classification":
                entry["balanced_accuracy"] = balanced_accuracy([r["target"] for r in rs], [r["verdict"] for r in rs])
            if task_type == "pointwise":
                scored = [(r["expected"], float(r["target"])) for r in rs if r.get("expected") is not None]
                x, y = [a for a, _ in scored], [b for _, b in scored]
                entry["mae"] = mean(abs(a - b) for a, b in scored)
                entry["pearson"] = _pearson(x, y)
                entry["spearman"] = _pearson(_ranks(x), _ranks(y)) if x else None
            table.append(entry)
        top = table[0]
        headline = {k: v for k, v in top.items() if k not in ("subset", "n")}
        return {"headline": headline, "partial": [], "categories": {t["subset"]: t["accuracy"] for t in table},
                "tables": {"subsets": table}, "missing": [], "notes": []}
    return aggregate


def benchmark(path: Path, task_type: str, skip_invalid: bool = False, **task_options: Any) -> Benchmark:
    """A one-off benchmark over a user file (`skip_invalid`: skip bad rows, see `load`)."""
    if task_type not in TASK_TYPES:
        raise DataError(str(path), f"unknown task type {task_type!r} (use one of {', '.join(TASK_TYPES)})")
    protocol = {"pairwise": "file-pairwise: accuracy (invalid verdict 0.5)",
                "pointwise": "file-pointwise: exact-label accuracy; MAE, Pearson, Spearman of the expected score",
                "classification": "file-classification: accuracy, balanced accuracy (invalid verdict = miss)"}[task_type]
    return Benchmark(
        name=f"file:{Path(path).name}",
        title=f"{task_type} labels from {Path(path).name}",
        loaders={FILE: lambda p=path: load(Path(p), task_type, skip_invalid, **task_options)},
        aggregate=aggregate_for(task_type),
        protocol=protocol,
        metric="accuracy",
    )

