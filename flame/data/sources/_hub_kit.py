"""Shared pieces of the Hub-hosted adapters.

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

Declared sources: a source whose every example is one row of one split (the sentence-pair
and NLI datasets) is declared whole by `hub_source`: its Hub origin, its `RowTask` (the
task's text, and which row columns become its inputs and outputs through which label map),
its Table 7 rows and any exclusion. Nothing else is written for it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Union

from flame.core.errors import DataError
from flame.core.records import (
    Capability,
    Example,
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
from ..source import HFOrigin, Item, Rejected, Source


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
                        likert: tuple[int, int] | None = None, pointwise: bool = False) -> TaskSpec:
    """A classification task with one output field; a pointwise one when likert=(lo, hi) (an
    integer scale) or pointwise=True (labels naming the levels of a rating scale)."""
    space = LabelSpace.likert(*likert) if likert else LabelSpace.classes(*labels)
    return TaskSpec(
        name=name,
        task_type=TaskType.POINTWISE if likert or pointwise else TaskType.CLASSIFICATION,
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
                    outputs: Mapping[str, str], capability: Capability, source: str, license: str,
                    notes: str = "") -> TaskSpec:
    """A generative task whose output fields (name -> help, in order) are free text (human-written)."""
    return TaskSpec(
        name=name,
        task_type=TaskType.GENERATIVE,
        capability=capability,
        title=title,
        description=description,
        inputs=inputs,
        outputs=tuple(OutputField(out, LabelSpace.free_text(), help) for out, help in outputs.items()),
        source=source,
        license=license,
        role=Role.TRAIN,
        notes=notes,
    )


@dataclass(frozen=True)
class Column:
    """A task field taken from one column of a Hub row, with the help text the judge reads."""

    field: str
    column: str
    help: str


@dataclass(frozen=True)
class Labels:
    """A class label taken from one column of a Hub row: each raw value (class id or string)
    and the label it is verbalized as, in the order the task lists the labels."""

    field: str
    column: str
    values: Mapping[Any, str]
    help: str

    def space(self) -> LabelSpace:
        """The task's label space: the verbalized labels."""
        return LabelSpace.classes(*self.values.values())

    def read(self, record: Any, prov: Provenance) -> str:
        """The row's verbalized label; DataError naming the column for an unknown value."""
        return label(record, self.column, self.values, prov)


@dataclass(frozen=True)
class Rating:
    """A mean rating taken from one column of a Hub row, rounded half up onto the integer
    scale low-high; a value off the scale (e.g. an unlabeled test row's -1) is rejected."""

    field: str
    column: str
    low: int
    high: int
    help: str

    def space(self) -> LabelSpace:
        """The task's label space: the integer scale."""
        return LabelSpace.likert(self.low, self.high)

    def read(self, record: Any, prov: Provenance) -> str:
        """The row's rating as its nearest integer (halves round up)."""
        score = get(record, self.column, float, (prov.file, prov.row))
        if not self.low <= score <= self.high:
            raise DataError(prov.file, f"{self.field} {score} outside {self.low}-{self.high} (unlabeled test row?)",
                            prov.row, self.column)
        return str(math.floor(score + 0.5))


Unlabeled = Callable[[Any, Provenance], Union[Rejected, None]]


@dataclass(frozen=True)
class RowTask:
    """A task whose every example is one Hub row: the task's text for the judge, the columns
    its inputs come from, its label (`Labels`: a classification task; `Rating`: a pointwise
    one), free-text outputs that follow the label (`explanations`), and `unlabeled`, which
    returns the exclusion of a row that carries no label by design (None for any other row)."""

    name: str
    title: str
    description: str
    capability: Capability
    inputs: tuple[Column, ...]
    output: Labels | Rating
    explanations: tuple[Column, ...] = ()
    unlabeled: Unlabeled | None = None
    notes: str = ""

    def spec(self, source: str, license: str) -> TaskSpec:
        """The TaskSpec of this task, declared by the named source under its license."""
        return TaskSpec(
            name=self.name,
            task_type=TaskType.POINTWISE if isinstance(self.output, Rating) else TaskType.CLASSIFICATION,
            capability=self.capability,
            title=self.title,
            description=self.description,
            inputs=tuple(InputField(c.field, c.help) for c in self.inputs),
            outputs=(OutputField(self.output.field, self.output.space(), self.output.help),
                     *(OutputField(c.field, LabelSpace.free_text(), c.help) for c in self.explanations)),
            source=source,
            license=license,
            role=Role.TRAIN,
            notes=self.notes,
        )

    def convert(self, record: Any, prov: Provenance) -> Iterator[Item]:
        """One row as an Example (or its exclusion); a bad column raises DataError naming it."""
        left_out = self.unlabeled(record, prov) if self.unlabeled else None
        if left_out:
            yield left_out
            return
        inputs = {c.field: text(record, c.column, prov) for c in self.inputs}
        targets = {self.output.field: self.output.read(record, prov)}
        targets.update((c.field, text(record, c.column, prov)) for c in self.explanations)
        yield Example(self.name, inputs, targets, prov)


def hub_source(name: str, *, title: str, license: str, homepage: str, citation: str, hf: HFOrigin,
               task: RowTask, table7: tuple[str, ...], excluded: str = "") -> Source:
    """A train source declared in one place: one split of a Hub dataset (`hf`, whose split
    must be named) read row by row into examples of one task."""
    if hf.split is None:
        raise ValueError(f"source {name!r}: a declared Hub source names its split")

    def read(files: SourceFiles) -> Iterator[Item]:
        yield from read_split(files, hf.split, task.convert, hf.config)

    return Source(name=name, title=title, license=license, role=Role.TRAIN, homepage=homepage, citation=citation,
                  tasks=(task.spec(name, license),), reader=read, hf=hf, table7=table7, excluded=excluded)
