"""Shared pieces of the Hub-hosted factuality, math, coding and instruction-tuning adapters.

Reading: `hub_rows` is `SourceFiles.hf_rows` plus one extension. Some Hub repositories hold
plain JSONL files but no loadable configuration (tasksource/PRM800K keeps four unrelated
files side by side; bigcode/commitpackft only has a deprecated loading script). For those
the adapter names the files inside the repository (`data_files`), and without a mirror
they are streamed from the pinned revision through the `json` builder of HF datasets.
With a mirror, both read `<mirror>/<source>/<config or 'default'>/<split>.jsonl`.

Tasks: `classification_task` / `generative_task` build the TaskSpecs; `text` and `label`
read one checked field of a Hub row and raise DataError naming the field otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from flame.core.errors import DataError, require
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

from ..files import SourceFiles, flame_home
from ..readers import clean, get, guarded
from ..source import Item


def split_file(split: str, config: str | None = None) -> str:
    """The provenance name of one split: its path in the mirror layout."""
    return f"{config or 'default'}/{split}.jsonl"


def hub_rows(files: SourceFiles, split: str, config: str | None = None,
             data_files: tuple[str, ...] = ()) -> Iterator[tuple[int, Any]]:
    """(row, record) pairs of one split: from the mirror layout, the dataset's own
    configuration, or (with data_files) the named JSON files at the pinned revision."""
    if files.mirror is not None or not data_files:
        yield from files.hf_rows(split, config)
        return
    origin = files.source.hf
    if origin is None:
        raise DataError(files.source.name, "source declares no Hugging Face origin")
    datasets = require("datasets", "train")
    urls = [f"hf://datasets/{origin.dataset_id}@{origin.revision}/{path}" for path in data_files]
    try:
        rows = datasets.load_dataset("json", data_files={split: urls}, split=split, streaming=True,
                                     cache_dir=str(flame_home() / "hf"))
    except Exception as e:  # datasets raises many types; name the files in one clear error
        raise DataError(urls[0], f"cannot load split {split!r}: {e}") from e
    yield from enumerate(rows)


def read_split(files: SourceFiles, split: str, convert: Callable[[Any, Provenance], Iterable[Item]],
               config: str | None = None, data_files: tuple[str, ...] = ()) -> Iterator[Item]:
    """Every row of one split through convert; a row that raises DataError becomes Rejected."""
    rows = hub_rows(files, split, config, data_files)
    yield from guarded(files.source.name, split_file(split, config), rows, convert)


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

