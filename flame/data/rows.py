"""What a source's reader yields for each row: an `Example`, or a `Rejected` saying why not.

This module imports nothing of flame.data, so the readers, the files layer and the Source
declaration can all name these types without importing one another.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from flame.core.errors import DataError
from flame.core.records import Example, Provenance


@dataclass(frozen=True)
class Rejected:
    """A source row that did not become an example, and why.

    By default a rejected row is bad data (a malformed row, a value outside the task's
    label space). `excluded` marks a row the adapter leaves out by design (a duplicate, a
    tie in a task without a tie label, no clear human preference); the reason says which.
    """

    provenance: Provenance
    reason: str
    field: str | None = None
    excluded: bool = False

    def as_error(self) -> DataError:
        """The rejection as a DataError naming the source's file, row and field."""
        return DataError(f"{self.provenance.source}/{self.provenance.file}", self.reason,
                         self.provenance.row, self.field)


Item = Union[Example, Rejected]
