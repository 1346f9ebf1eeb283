"""Small readers for source files that report bad input by file, row and field.

Adapters use these instead of json/csv directly so that every malformed file gives the
same kind of error: `DataError(file, reason, row, field)`.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import tarfile
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, TypeVar

from flame.core.errors import DataError
from flame.core.records import Example, Provenance

from .rows import Rejected

T = TypeVar("T")
csv.field_size_limit(1 << 30)


def open_text(path: Path) -> io.TextIOBase:
    """Open a text file, transparently gunzipping `.gz`."""
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")


def read_json(path: Path) -> Any:
    """A whole JSON document; truncated or empty files name the file and position."""
    try:
        with open_text(path) as f:
            text = f.read()
    except (OSError, EOFError, UnicodeDecodeError) as e:
        raise DataError(str(path), f"unreadable: {e}") from e
    if not text.strip():
        raise DataError(str(path), "file is empty")
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise DataError(str(path), f"invalid JSON: {e.msg} (char {e.pos})", row=f"line {e.lineno}") from e


def read_json_list(path: Path, file: str) -> list[Any]:
    """A JSON document that must be a list of items; `file` names it in errors."""
    data = read_json(path)
    if not isinstance(data, list):
        raise DataError(file, f"expected a JSON list of items, got {type(data).__name__}")
    return data


def iter_jsonl(path: Path, on_error: Callable[[DataError], None] | None = None) -> Iterator[tuple[int, Any]]:
    """(row, object) for each non-blank line (row = 0-based line number). A line that is not
    JSON is a DataError, or, given `on_error`, passed to it and skipped."""
    seen = False
    try:
        with open_text(path) as f:
            for row, line in enumerate(f):
                if not line.strip():
                    continue
                seen = True
                try:
                    yield row, json.loads(line)
                except json.JSONDecodeError as e:
                    error = DataError(str(path), f"invalid JSON: {e.msg}", row=row)
                    if on_error is None:
                        raise error from e
                    on_error(error)
    except (OSError, EOFError, UnicodeDecodeError) as e:
        raise DataError(str(path), f"unreadable: {e}") from e
    if not seen:
        raise DataError(str(path), "file is empty")


def iter_csv(path: Path, delimiter: str = ",", fieldnames: list[str] | None = None,
             text: str | None = None) -> Iterator[tuple[int, dict[str, str]]]:
    """(row, dict) for each data row of a CSV/TSV file (row = 0-based, header excluded)."""
    try:
        handle = io.StringIO(text) if text is not None else open_text(path)
        with handle as f:
            reader = csv.DictReader(f, delimiter=delimiter, fieldnames=fieldnames,
                                    quoting=csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL)
            if reader.fieldnames is None:
                raise DataError(str(path), "file is empty")
            for row, record in enumerate(reader):
                if None in record:
                    raise DataError(str(path), f"{len(record[None]) } more value(s) than header columns", row=row)
                missing = [k for k, v in record.items() if v is None]
                if missing:
                    raise DataError(str(path), "row is truncated", row=row, field=missing[0])
                yield row, record
    except (OSError, EOFError, UnicodeDecodeError) as e:
        raise DataError(str(path), f"unreadable: {e}") from e


def read_tar_member(path: Path, suffix: str) -> str:
    """Text of the first member of a .tar.gz whose name ends with suffix."""
    try:
        with tarfile.open(path, "r:*") as tar:
            for member in tar.getmembers():
                if member.isfile() and member.name.endswith(suffix):
                    data = tar.extractfile(member)
                    assert data is not None
                    return data.read().decode("utf-8")
    except (OSError, tarfile.TarError, EOFError) as e:
        raise DataError(str(path), f"unreadable archive: {e}") from e
    raise DataError(str(path), f"no member ending with {suffix!r}")


def get(record: Any, field: str, kind: type[T] = str, where: tuple[str, int | str] | None = None) -> T:
    """record[field] checked to be of kind; a DataError names the field otherwise.

    Integers are accepted where floats are asked for.
    """
    file, row = where if where else ("<record>", None)
    if not isinstance(record, dict):
        raise DataError(file, f"expected an object, got {type(record).__name__}", row, field)
    if field not in record or record[field] is None:
        raise DataError(file, "missing field", row, field)
    value = record[field]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise DataError(file, f"expected {kind.__name__}, got {type(value).__name__}", row, field)
    return value


def guarded(source: str, file: str, rows: Iterable[tuple[int | str, Any]],
            convert: Callable[[Any, Provenance], Iterable[Example | Rejected]]) -> Iterator[Example | Rejected]:
    """Convert rows one by one; a row whose conversion raises DataError becomes a Rejected
    record (file, row, field, reason) instead of stopping the whole source.

    A "row" may be a group of file rows (e.g. all annotations of one segment); the Rejected
    then names the row the error names, if it names one."""
    for row, record in rows:
        prov = Provenance(source, file, row)
        try:
            yield from convert(record, prov)
        except DataError as e:
            at = prov if e.row is None else Provenance(source, file, e.row)
            yield Rejected(at, e.reason, e.field)


def clean(text: str) -> str:
    """Normalise a text value: strip surrounding whitespace and Windows line endings."""
    return text.replace("\r\n", "\n").strip()
