"""Errors that name what went wrong and where, so a user can fix their input."""

from __future__ import annotations

import importlib
from types import ModuleType


class FlameError(Exception):
    """Base class for errors flame reports to users."""


class DataError(FlameError):
    """Bad input data: the message names the file, the row and the field."""

    def __init__(self, file: str, reason: str, row: int | str | None = None, field: str | None = None) -> None:
        self.file, self.row, self.field, self.reason = str(file), row, field, reason
        where = self.file + (f", row {row}" if row is not None else "")
        what = f"field {field!r}: " if field else ""
        super().__init__(f"{where}: {what}{reason}")


class MissingExtraError(FlameError, ImportError):
    """An optional dependency is not installed; the message gives the pip command."""


def require(module: str, extra: str) -> ModuleType:
    """Import an optional dependency or fail with the exact install line."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise MissingExtraError(
            f"{module} is needed for this; install it with: pip install 'flame-autorater[{extra}]' ({e})"
        ) from e
