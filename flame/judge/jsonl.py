"""JSONL lines of judge requests, read alike by `flame judge file` and the serve job API:
numbered from 1, blank lines skipped, each line one JSON object, no id twice."""

from __future__ import annotations

import json
from collections.abc import Container, Iterable, Iterator
from typing import Any

from flame.core.errors import DataError


def numbered_lines(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    """(line number from 1, line) for each non-blank line."""
    return ((n, line) for n, line in enumerate(lines, start=1) if line.strip())


def json_object(line: str, file: str, n: int) -> dict[str, Any]:
    """Line n of file parsed as a JSON object; a DataError naming the file and line otherwise."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as e:
        raise DataError(file, f"not valid JSON ({e.msg})", n) from None
    if not isinstance(record, dict):
        raise DataError(file, f"expected a JSON object, got {type(record).__name__}", n)
    return record


def check_new_id(key: str, seen: Container[str], file: str, n: int) -> None:
    """A DataError on field id of line n when an earlier line had the same key."""
    if key in seen:
        raise DataError(file, f"duplicate id {key!r}", n, "id")
