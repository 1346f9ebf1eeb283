"""What a benchmark is: loaders that yield (subset, task, Example) items, the task prompt(s)
they are rendered with, and an aggregation declared as data tables plus a pure function.

A loader returns a `Loaded`: the items and every source row it dropped, counted by reason,
so nothing is lost silently. Loaders are named: `official` (the benchmark authors' release
on the Hugging Face Hub), `mirror` (rebuilt from the public source files through flame's
adapters: the local mirror or pinned downloads) and `file` (a local file with the
official schema).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

from flame.core.errors import DataError, require
from flame.core.files import mirror_root
from flame.core.pairwise import CHOICE, RESPONSE_A, RESPONSE_B
from flame.core.records import Example, Provenance, TaskSpec
from flame.data.readers import iter_jsonl, read_json
from flame.judge.long_input import LongInput

OFFICIAL, MIRROR, FILE = "official", "mirror", "file"
_ROW_REF = re.compile(r"\brow \d+")  # "duplicate of row 30" and "... row 90" count as one reason


@dataclass(frozen=True)
class Item:
    """One benchmark item: the subset (category) it is scored in, its task and example.

    `group` ties items that are only meaningful together (a code-rerank problem's 45 games):
    `--limit`/`--sample` then draw whole groups.
    """

    subset: str
    task: TaskSpec
    example: Example
    group: str = ""


@dataclass
class Loaded:
    """A loader's output: items in a stable order, and dropped rows counted by reason;
    `skipped`: the rows of a user's file skipped as invalid, each {row, field, reason}."""

    items: list[Item]
    origin: str  # which loader / where from, for the results manifest
    dropped: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)


Loader = Callable[..., Loaded]  # official(), mirror(), file(path)


class Aggregate(TypedDict):
    """A benchmark's scores, as its `aggregate` returns them and the results JSON stores them
    (under `benchmarks.<name>.aggregates`), read by flame report, the comparison, the paired
    comparison and Table 1.

    - `headline`: the benchmark's headline numbers by name (fractions; None where not computable);
    - `partial`: the headline keys computed from fewer subsets than they are defined over
      (reports mark them with *); readers take a file without the key as having none;
    - `categories`: the per-category scores reports chart;
    - `tables`: named tables, each a list of rows (dicts), shown as they are;
    - `missing`: the subsets (sets, attributes) the benchmark defines that were not judged;
    - `notes`: sentences a report prints under the scores.
    """

    headline: dict[str, Any]
    partial: list[str]
    categories: dict[str, Any]
    tables: dict[str, list[dict[str, Any]]]
    missing: list[str]
    notes: list[str]


Aggregator = Callable[[Sequence[Mapping[str, Any]]], Aggregate]


@dataclass(frozen=True)
class Benchmark:
    """A benchmark: how to load it, the prompt(s) it is judged with, how it is scored.

    - `loaders`: name -> loader; `file` loaders take a path.
    Items carry the TaskSpec they are rendered with (one shared task for RewardBench and
    LLM-AggreFact, as in the paper; each held-out set keeps its own).
    - `aggregate`: a pure function of the per-example result rows (see runner.row) that
      returns an `Aggregate`.
    - `protocol`: the scoring protocol in words, recorded in every results file.
    - `full_under_sample`: evaluated in full even under `--sample` (RewardBench, as in the paper).
    - `unit`: what `--limit N` counts, "item" or the name of the items' groups (e.g. "problem").
    - `long_input`: how the judge reads an item longer than its context (which input is
      split into chunks, whose label's most probable chunk is kept); None: such an item is
      an invalid verdict.
    - `generic_references`: whether reports set the generic reference judges (random,
      always-longer: verdicts rescored) beside it; False where the aggregate reads more than
      verdicts and computes its own reference rows (CoBBLEr's simulated random judge,
      reranking's no-reranking and oracle rows).
    - `headline_of`: the headline and its partial keys from the per-subset scores (`metric`
      of each subset's rows: accuracy or balanced accuracy), as `aggregate` builds it; the
      scores may be numpy arrays of bootstrap draws, which is how `flame report --paired`
      bootstraps the headline item by item. None where the headline is not built from
      per-subset scores of single items (CoBBLEr's rates over probes judged in both orders,
      reranking's pass@1 over problems): such a benchmark is not compared item by item.
    """

    name: str
    title: str
    loaders: Mapping[str, Loader]
    aggregate: Aggregator
    protocol: str
    metric: str
    full_under_sample: bool = False
    unit: str = "item"
    generic_references: bool = True
    long_input: LongInput | None = None
    headline_of: Callable[[Mapping[str, Any]], tuple[dict[str, Any], list[str]]] | None = None

    def load(self, data: str = "auto") -> Loaded:
        """Items from the loader named by `data`: official, mirror, a file path, or auto
        (mirror when $FLAME_MIRROR names a local mirror, else official)."""
        if data == "auto":
            data = MIRROR if mirror_root() is not None and MIRROR in self.loaders else OFFICIAL
            if data not in self.loaders:
                data = MIRROR
        if data in (OFFICIAL, MIRROR):
            if data not in self.loaders:
                raise DataError(self.name, f"no {data} loader (available: {', '.join(self.loaders)})")
            return self.loaders[data]()
        if FILE not in self.loaders:
            raise DataError(data, f"benchmark {self.name!r} has no file loader (use: {', '.join(self.loaders)})")
        return self.loaders[FILE](Path(data.removeprefix("file:")))


def rekey_pairwise(task: TaskSpec, example: Example, context: Mapping[str, str]) -> Example:
    """The example re-filed under task: new context fields, same candidates and label."""
    inputs = dict(context)
    inputs[RESPONSE_A] = example.inputs[RESPONSE_A]
    inputs[RESPONSE_B] = example.inputs[RESPONSE_B]
    return Example(task=task.name, inputs=inputs, targets={CHOICE: example.targets[CHOICE]},
                   provenance=example.provenance)


def source_items(source_name: str, subsets: Mapping[str, str],
                 to_item: Callable[[str, TaskSpec, Example], Item] | None = None) -> Loaded:
    """Items rebuilt from a registered source: `subsets` maps the source's task names to
    benchmark subsets; `to_item` re-files an example under the benchmark's own task (by
    default it keeps its source task). Rows the adapter rejected from the files these
    items come from are counted by reason."""
    from flame.data.rows import Rejected
    from flame.data.sources import SOURCES

    source = SOURCES.get(source_name)
    items: list[Item] = []
    rejected: list[Rejected] = []
    for it in source.items():
        if isinstance(it, Rejected):
            rejected.append(it)
        elif it.task in subsets:
            subset, task = subsets[it.task], source.task(it.task)
            items.append(to_item(subset, task, it) if to_item else Item(subset, task, it))
    files = {i.example.provenance.file for i in items}
    dropped = Counter(f"{source_name}: {_ROW_REF.sub('row N', r.reason)}" for r in rejected
                      if r.provenance.file in files)
    return Loaded(items, f"{MIRROR}:{source_name}", dict(dropped))


def file_records(path: Path, on_error: Callable[[DataError], None] | None = None) -> Iterator[tuple[int, Any]]:
    """(row, record) of a local JSONL file (or a JSON list); `on_error` takes, and so skips,
    JSONL lines that are not JSON (see flame.data.readers.iter_jsonl)."""
    if not path.is_file():
        raise DataError(str(path), "no such file")
    if path.suffix == ".json":
        data = read_json(path)
        if not isinstance(data, list):
            raise DataError(str(path), f"expected a JSON list of records, got {type(data).__name__}")
        yield from enumerate(data)
    else:
        yield from iter_jsonl(path, on_error)


def hf_records(dataset_id: str, split: str, revision: str = "main") -> Iterator[tuple[int, Any]]:
    """(row, record) of one split of a Hugging Face dataset, via `datasets` (cached under
    $FLAME_HOME/hf). A dataset that cannot be loaded is one DataError naming it."""
    from flame.core.files import flame_home

    datasets = require("datasets", "train")
    try:
        rows = datasets.load_dataset(dataset_id, split=split, revision=revision,
                                     cache_dir=str(flame_home() / "hf"))
    except Exception as e:  # datasets raises many types (network, gating, schema)
        raise DataError(f"hf://{dataset_id}@{revision}", f"cannot load split {split!r}: {e}; "
                        "use --data mirror to rebuild what the public source files allow") from e
    yield from enumerate(rows)


def records_items(records: Iterable[tuple[int, Any]], where: str, origin: str,
                  convert: Callable[[Any, Provenance], Item]) -> Loaded:
    """Items from official-schema records; a malformed record is a DataError naming its
    file, row and field (the official release is expected to be whole)."""
    items = [convert(rec, Provenance(origin, where, row)) for row, rec in records]
    if not items:
        raise DataError(where, "no records")
    return Loaded(items, f"{origin}:{where}")


def official_items(dataset_id: str, split: str, convert: Callable[[Any, Provenance], Item]) -> Loaded:
    """Items from one split of the benchmark's official release on the Hugging Face Hub."""
    return records_items(hf_records(dataset_id, split), f"hf://{dataset_id}/{split}", OFFICIAL, convert)


def file_items(path: Path, convert: Callable[[Any, Provenance], Item]) -> Loaded:
    """Items from a local file with the official schema."""
    return records_items(file_records(path), str(path), FILE, convert)


def mirror_items(sources: Mapping[str, Mapping[str, str]], to_item: Callable[[str, TaskSpec, Example], Item],
                 note: str) -> Loaded:
    """Items rebuilt from registered sources (name -> subsets, as in source_items), with dropped rows and note."""
    parts = [source_items(src, subsets, to_item) for src, subsets in sources.items()]
    loaded = Loaded([i for p in parts for i in p.items], MIRROR + ":" + "+".join(sources),
                    {k: v for p in parts for k, v in p.dropped.items()})
    loaded.notes.append(note)
    return loaded
