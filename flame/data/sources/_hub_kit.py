"""Shared pieces of the Hub-hosted factuality, math, coding and instruction-tuning adapters.

Reading: `read_split` feeds one split through `SourceFiles.hf_rows` (from a mirror it reads
`<mirror>/<source>/<config or 'default'>/<split>.jsonl`; without one it streams the pinned
revision, selecting the data by config or by `data_files` inside the repository, as
tasksource/PRM800K needs; named data files are read by the packaged json builder through
pinned `hf://` paths, which also serves repositories that still hold a loading script, such
as bigcode/commitpackft and McGill-NLP/FaithDial).

Rows left out by design (no verdict, a duplicate, a non-human subset, nothing to pair) are
yielded as `excluded(...)`: a `Rejected` with `excluded=True`, not bad data.

Tasks: `classification_task` / `generative_task` build the TaskSpecs; `text` and `label`
read one checked field of a Hub row and raise DataError naming the field otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from flame.core.errors import DataError
from flame.core.records import (
    Capability,
    InputField,
    LabelSpace,
    OutputField,
    Provenance,
    Role,
    TaskSpec,
    TaskType,
)

from ..files import SourceFiles
from ..readers import clean, get, guarded
from ..source import Item, Rejected


def split_file(split: str, config: str | None = None) -> str:
    """The provenance name of one split: its path in the mirror layout."""
    return f"{config or 'default'}/{split}.jsonl"


def read_split(files: SourceFiles, split: str, convert: Callable[[Any, Provenance], Iterable[Item]],
               config: str | None = None, data_files: tuple[str, ...] = ()) -> Iterator[Item]:
    """Every row of one split through convert; a row that raises DataError becomes Rejected."""
    rows = files.hf_rows(split, config, data_files=data_files)
    yield from guarded(files.source.name, split_file(split, config), rows, convert)


def excluded(prov: Provenance, reason: str, field: str | None = None) -> Rejected:
    """A row left out by design (not bad data), with the reason and the field it rests on."""
    return Rejected(prov, reason, field, excluded=True)


def text(record: Any, field: str, prov: Provenance) -> str:
    """A non-empty cleaned string field of a row."""
    value = clean(get(record, field, str, (prov.file, prov.row)))
    if not value:
        raise DataError(prov.file, "empty value", prov.row, field)
    return value


def label(record: Any, field: str, mapping: Mapping[Any, str], prov: Provenance) -> str:
    """The verbalized label of a row's label field (int class id or string), via mapping."""
    if not isinstance(record, dict) or record.get(field) is None:
        raise DataError(prov.file, "missing field", prov.row, field)
    value = record[field]
    if isinstance(value, bool) or value not in mapping:
        known = ", ".join(repr(k) for k in mapping)
        raise DataError(prov.file, f"unknown label {value!r}; expected one of {known}", prov.row, field)
    return mapping[value]


def without_gold_label(record: Any, prov: Provenance, field: str = "label") -> Rejected | None:
    """The exclusion of an NLI pair whose label is -1: (M/S)NLI's "no gold label", where the
    five annotators reached no majority; None for any other row."""
    if isinstance(record, dict) and record.get(field) == -1 and not isinstance(record.get(field), bool):
        return excluded(prov, "no gold label (-1: the annotators reached no majority)", field)
    return None


def classification_task(name: str, *, title: str, description: str, inputs: tuple[InputField, ...],
                        output: str, labels: tuple[str, ...], output_help: str, capability: Capability,
                        source: str, license: str, notes: str = "",
                        likert: tuple[int, int] | None = None) -> TaskSpec:
    """A classification task (or a pointwise one when likert=(lo, hi)) with one output field."""
    space = LabelSpace.likert(*likert) if likert else LabelSpace.classes(*labels)
    return TaskSpec(
        name=name,
        task_type=TaskType.POINTWISE if likert else TaskType.CLASSIFICATION,
        capability=capability,
        title=title,
        description=description,
        inputs=inputs,
        outputs=(OutputField(output, space, output_help),),
        source=source,
        license=license,
        role=Role.TRAIN,
        notes=notes,
    )


def generative_task(name: str, *, title: str, description: str, inputs: tuple[InputField, ...],
                    output: str, output_help: str, capability: Capability, source: str, license: str,
                    notes: str = "") -> TaskSpec:
    """A generative task whose one output field is free text (the human-written target)."""
    return TaskSpec(
        name=name,
        task_type=TaskType.GENERATIVE,
        capability=capability,
        title=title,
        description=description,
        inputs=inputs,
        outputs=(OutputField(output, LabelSpace.free_text(), output_help),),
        source=source,
        license=license,
        role=Role.TRAIN,
        notes=notes,
    )

