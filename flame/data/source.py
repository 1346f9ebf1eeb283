"""How a public dataset is declared: its files, license, tasks, and a reader.

A `Source` is data plus one pure reader function. The reader turns the source's files into
`Example`s for all of its tasks in one pass (one file often yields several tasks), and
yields a `Rejected` record (flame.data.rows), never nothing, for a row it cannot use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from flame.core.records import Example, Role, TaskSpec

from .files import SourceFiles
from .rows import Item, Rejected

PERMISSIVE_LICENSES = frozenset(
    {"MIT", "Apache-2.0", "BSD-3-Clause", "BSD-2-Clause", "CC-BY-4.0", "CC-BY-3.0", "CC-BY-SA-4.0",
     "CC-BY-SA-3.0", "CC0-1.0", "ODC-BY", "CDLA-Permissive-1.0", "CDLA-Permissive-2.0", "CDLA-Sharing-1.0",
     "Unlicense",
     "OANC",  # Open American National Corpus: no restrictions on use
     "LicenseRef-PAWS",  # "may be freely used for any purpose" (google-research-datasets/paws LICENSE)
     }
)


@dataclass(frozen=True)
class RemoteFile:
    """One file of a source: where it lives in the mirror/cache and its pinned public origin.

    `sha256` is the checksum of the file as stored locally; when the origin is converted
    after download (`convert`), `origin_sha256` is the checksum of the original download
    (possibly only the prefix the origin publishes).
    """

    path: str
    url: str
    sha256: str
    origin_sha256: str = ""
    convert: str = ""


def github_file(repo: str, commit: str, path: str, sha256: str, origin_path: str | None = None,
                **kw: str) -> RemoteFile:
    """A file pinned to a commit of a public GitHub repository (raw download URL)."""
    url = f"https://raw.githubusercontent.com/{repo}/{commit}/{origin_path or path}"
    return RemoteFile(path=path, url=url, sha256=sha256, **kw)


@dataclass(frozen=True)
class HFOrigin:
    """A dataset on the Hugging Face Hub at a revision: a 40-character commit, or (for the
    sources listed in `flame.data.sources.UNPINNED`) a moving branch such as "main"."""

    dataset_id: str
    revision: str
    config: str | None = None
    split: str | None = None


Reader = Callable[[SourceFiles], Iterable[Item]]


@dataclass(frozen=True)
class Source:
    """A public human-judgment dataset and the FLAMe tasks it gives.

    `expected` maps task name to the number of examples the reader should yield from the
    full files (documented in the adapter against the dataset's SOURCE/README counts).
    `table7` names the rows of FLAMe's Table 7 (as spelled in flame/data/table7.py) the source
    implements; `excluded` says why those rows are left out of FLAMe's collection here, when
    they are (e.g. a non-commercial license).
    """

    name: str
    title: str
    license: str
    role: Role
    homepage: str
    citation: str
    tasks: tuple[TaskSpec, ...]
    reader: Reader
    files: tuple[RemoteFile, ...] = ()
    hf: HFOrigin | None = None
    expected: dict[str, int] = field(default_factory=dict)
    notes: str = ""
    table7: tuple[str, ...] = ()
    excluded: str = ""

    @property
    def permissive(self) -> bool:
        """Every license the source carries is permissive (an id may be followed by a
        parenthesised comment, e.g. "LicenseRef-PAWS (free use for any purpose)")."""
        ids = (part.split("(")[0].strip() for part in self.license.split(","))
        return all(i in PERMISSIVE_LICENSES for i in ids)

    def file(self, path: str) -> RemoteFile:
        """The declared file at path."""
        for f in self.files:
            if f.path == path:
                return f
        raise KeyError(f"source {self.name!r} declares no file {path!r}")

    def task(self, name: str) -> TaskSpec:
        for t in self.tasks:
            if t.name == name:
                return t
        raise KeyError(f"source {self.name!r} has no task {name!r}")

    def items(self, files: SourceFiles | None = None) -> Iterator[Item]:
        """Every Example and Rejected row of this source, validated against its task specs."""
        files = SourceFiles(self) if files is None else files
        specs = {t.name: t for t in self.tasks}
        for item in self.reader(files):
            if isinstance(item, Example):
                problem = validate(specs.get(item.task), item)
                if problem:
                    item = Rejected(item.provenance, problem[1], problem[0])
            yield item

    def examples(self, files: SourceFiles | None = None, task: str | None = None,
                 strict: bool = True) -> Iterator[Example]:
        """Examples (of one task, or all); with strict, the first bad row raises DataError
        (rows excluded by design are skipped either way)."""
        for item in self.items(files):
            if isinstance(item, Rejected):
                if strict and not item.excluded:
                    raise item.as_error()
                continue
            if task is None or item.task == task:
                yield item


def validate(task: TaskSpec | None, example: Example) -> tuple[str | None, str] | None:
    """Why example does not fit task, as (field, reason), or None when it fits."""
    if task is None:
        return None, f"unknown task {example.task!r}"
    for name in task.input_names:
        value = example.inputs.get(name)
        if value is None:
            return name, "missing input field"
        if not value.strip():
            return name, "empty input field"
    extra = set(example.inputs) - set(task.input_names)
    if extra:
        return sorted(extra)[0], "input field not declared by the task"
    for out in task.outputs:
        value = example.targets.get(out.name)
        if value is None:
            return out.name, "missing target field"
        if not out.labels.accepts(value):
            return out.name, f"{value[:40]!r} is not {out.labels.describe()}"
        if value != value.strip():
            return out.name, "target has leading/trailing whitespace"
    return None
