"""JSONL lines of judge requests, read alike by `flame judge file`, `flame rerank`, `flame eval
file` and the serve job API: numbered from 1, blank lines skipped, each line one JSON object
in UTF-8, no id twice; and the output files of the two commands, appended line by line and
resumed by id. The fields of a line are read by flame.judge.request."""

from __future__ import annotations

import json
from collections.abc import Container, Iterable, Iterator
from pathlib import Path
from typing import Any, AnyStr

from flame.core.errors import DataError

from .request import request_id


def numbered_lines(lines: Iterable[AnyStr]) -> Iterator[tuple[int, AnyStr]]:
    """(line number from 1, line) for each non-blank line."""
    return ((n, line) for n, line in enumerate(lines, start=1) if line.strip())


def file_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(line number from 1, raw bytes) for each non-blank line of a file; `json_object` decodes
    them, so that a byte that is not UTF-8 is reported with its line, and the lines after it are read."""
    with open(path, "rb") as fh:
        yield from numbered_lines(fh)


def json_object(line: str | bytes, file: str, n: int) -> dict[str, Any]:
    """Line n of file (text, or UTF-8 bytes) parsed as a JSON object; a DataError naming the
    file and line otherwise."""
    if isinstance(line, bytes):
        try:
            line = line.decode("utf-8")
        except UnicodeDecodeError as e:
            raise DataError(file, f"not valid UTF-8 (byte 0x{line[e.start]:02x} at column {e.start + 1})", n) from None
    try:
        record = json.loads(line)
    except json.JSONDecodeError as e:
        raise DataError(file, f"not valid JSON ({e.msg})", n) from None
    except RecursionError:
        raise DataError(file, "JSON nested too deeply", n) from None
    if not isinstance(record, dict):
        raise DataError(file, f"expected a JSON object, got {type(record).__name__}", n)
    return record


def check_new_id(key: str, seen: Container[str], file: str, n: int) -> None:
    """A DataError on field id of line n when an earlier line had the same key."""
    if key in seen:
        raise DataError(file, f"duplicate id {key!r}", n, "id")


def line_key(record: dict[str, Any], file: str, n: int) -> str:
    """The line's `id` as a string (a string or an integer: flame.judge.request.request_id), else "line:N"."""
    value = request_id(record, file, n)
    return f"line:{n}" if value is None else str(value)


def done_ids(path: Path, writer: str) -> set[str]:
    """Ids already written to the output file `path` by the command `writer`; a torn last
    line (from a kill mid-write) is cut off first."""
    if not path.exists():
        return set()
    data = path.read_bytes()
    keep = data.rfind(b"\n") + 1
    if keep < len(data):
        with open(path, "r+b") as fh:
            fh.truncate(keep)
    done = set()
    for n, line in enumerate(data[:keep].decode("utf-8").splitlines(), start=1):
        if line.strip():
            try:
                done.add(str(json.loads(line)["id"]))
            except (ValueError, KeyError, TypeError):
                raise DataError(str(path), f"not a line written by {writer}", n) from None
    return done
