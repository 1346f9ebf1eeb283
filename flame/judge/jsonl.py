"""JSONL lines of judge requests, read alike by `flame judge file`, `flame rerank`, `flame eval
file` and the serve job API: numbered from 1, blank lines skipped, each line one JSON object
in UTF-8, no id twice; and the output files of the two commands, appended line by line and
resumed by id.

A resumable output keeps its provenance in a sidecar `<out>.meta.json` (written atomically,
before the first line is appended): the command that wrote it, the input file's sha256, the
settings that shape its results (task, criteria, ...) and the judge's model fingerprint. The
output itself stays a plain JSONL of results that any reader can take line by line; a
resume with another input, settings or model is refused instead of mixing two runs in one
file. The fields of a line are read by flame.judge.request."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, AnyStr, TypeVar

from flame.core.errors import DataError, FlameError
from flame.core.files import atomic_write, atomic_write_json, sha256_file

from .request import request_id

T = TypeVar("T")

class ResumeRefused(FlameError):
    """An output file cannot be written or resumed as asked (the message says why and what to do)."""


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


def read_requests(path: Path, parse: Callable[[dict[str, Any], str, int], T],
                  skip_bad: bool) -> tuple[list[tuple[str, int, T]], list[DataError]]:
    """Every line of a JSONL request file read before any model time is spent: (id, line number,
    parse(record, file, line number)) for each good line, and the DataErrors of the bad ones (a
    line that is not a JSON object, repeats an id, or that `parse` refuses). The first bad line
    is raised unless `skip_bad`."""
    items: list[tuple[str, int, T]] = []
    bad: list[DataError] = []
    seen: set[str] = set()
    file = str(path)
    for n, line in file_lines(path):
        try:
            record = json_object(line, file, n)
            key = line_key(record, file, n)
            check_new_id(key, seen, file, n)
            value = parse(record, file, n)
        except DataError as e:
            if not skip_bad:
                raise
            bad.append(e)
            continue
        seen.add(key)
        items.append((key, n, value))
    return items, bad


# -- resumable outputs -----------------------------------------------------------------------


def meta_path(out: Path) -> Path:
    """The sidecar recording what the output file `out` was written from: `<out>.meta.json`."""
    return out.with_name(out.name + ".meta.json")


def check_output_path(input: Path, out: Path) -> None:
    """ResumeRefused when `out` cannot be the output of a run over `input`: it is the input
    itself, a directory, or below something that is not a directory."""
    if out.is_dir():
        raise ResumeRefused(f"--out {out} is a directory: give the path of a file to write")
    if out.exists() and os.path.samefile(input, out) or out.resolve() == input.resolve():
        raise ResumeRefused(f"--out {out} is the input file: writing there would destroy it; give another path")
    parent = out.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise ResumeRefused(f"--out {out}: {parent} is not a directory")


def run_meta(writer: str, input: Path, settings: dict[str, Any]) -> dict[str, Any]:
    """The meta of a run of `writer` over `input` with `settings` (the model is added once loaded)."""
    return {"writer": writer, "input": str(input), "input_sha256": sha256_file(input), "settings": settings}


def _has_lines(out: Path) -> bool:
    return out.is_file() and out.stat().st_size > 0


def check_meta(out: Path, expected: dict[str, Any]) -> None:
    """ResumeRefused when `out` holds results but its meta is missing, unreadable, or differs
    from `expected` in the writer, input_sha256, settings or model (those of them `expected` has)."""
    if not _has_lines(out):
        return
    side = meta_path(out)
    try:
        stored = json.loads(side.read_text(encoding="utf-8"))
        if not isinstance(stored, dict):
            raise ValueError("not a JSON object")
    except FileNotFoundError:
        raise ResumeRefused(f"{out} holds results but no {side.name} beside it saying what they were judged from, "
                            f"so it cannot be resumed safely: delete it, or give another --out") from None
    except (ValueError, UnicodeDecodeError, RecursionError) as e:
        raise ResumeRefused(f"{side}: unreadable ({e}): delete {out} and it, or give another --out") from None
    what = {"writer": "command", "input_sha256": "input file (sha256)", "settings": "settings", "model": "model"}
    differ = [k for k in what if k in expected and stored.get(k) != expected[k]]  # not the input's path: its hash
    if differ:
        lines = [f"  {what[k]}: {_short(stored.get(k))} then, {_short(expected[k])} now" for k in differ]
        raise ResumeRefused(f"{out} was written by another run than this one, so resuming it would mix the two:\n"
                            + "\n".join(lines) + f"\ndelete {out} and {side.name} to start over, or give another --out")


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 120 else text[:117] + "..."


@dataclass(frozen=True)
class Resumed:
    """What an output already holds: the ids of its kept lines, how many of them succeeded,
    and how many failed lines were dropped to be judged again."""

    done: frozenset[str]
    succeeded: int
    retried: int


def resume(out: Path, meta: dict[str, Any], failed: Callable[[dict[str, Any]], bool],
           succeeded: Callable[[dict[str, Any]], bool]) -> Resumed:
    """Open the output `out` of the run described by `meta` (checked first with `check_meta`)
    for appending: its lines are read; a torn last line (from a kill mid-write) and the lines
    `failed` says failed on a backend error are dropped, by rewriting the file atomically, so
    that they are judged again; the meta is written. `out` exists afterwards, empty for a new run."""
    check_meta(out, meta)
    data = out.read_bytes() if out.is_file() else b""
    whole = data[:data.rfind(b"\n") + 1]
    keep, done, ok, retried = [], set(), 0, 0
    for n, line in numbered_lines(whole.splitlines(keepends=True)):
        try:
            record = json_object(line, str(out), n)
            key = str(record["id"])
        except (DataError, KeyError):
            raise DataError(str(out), f"not a line written by {meta['writer']}", n) from None
        if failed(record):
            retried += 1
            continue
        keep.append(line.decode("utf-8"))
        done.add(key)
        ok += bool(succeeded(record))
    if retried or len(whole) < len(data) or not out.exists():
        atomic_write(out, keep)
    atomic_write_json(meta_path(out), meta)
    return Resumed(frozenset(done), ok, retried)
