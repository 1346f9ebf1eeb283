"""Where a source's files come from: a local mirror, or a checksummed download cache.

By default files are downloaded from their pinned public origin into
`$FLAME_HOME/data/<source>/` (FLAME_HOME defaults to ~/.cache/flame). With
`FLAME_MIRROR=DIR` (or `--mirror DIR`) files are read from a local mirror laid out as
`DIR/<source>/<path>` instead. Every file is checked against its sha256; nothing partial
is ever left in the cache (downloads go to a temp file that is renamed when verified).

A source hosted on the Hugging Face Hub is not a set of files: `hf_rows` streams its dataset
through `datasets` at one commit (no sha256 is checked). A moving revision such as "main"
is first resolved to the commit it points at, and every commit read is recorded in
`SourceFiles.hub_reads`, which the build writes into the collection's data card.
"""

from __future__ import annotations

import gzip
import json
import os
import pickle
import re
import tempfile
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from flame.core.errors import DataError
from flame.core.files import atomic_write, flame_home, mirror_root, sha256_file

if TYPE_CHECKING:
    from .source import RemoteFile, Source


def is_commit(revision: str) -> bool:
    """Whether revision names one immutable commit (40 lowercase hex digits), not a branch or tag."""
    return re.fullmatch(r"[0-9a-f]{40}", revision) is not None


def resolve_revision(dataset_id: str, revision: str) -> str:
    """The commit a moving revision (a branch or tag, such as "main") of a Hub dataset points at now."""
    from huggingface_hub import HfApi

    where = f"hf://{dataset_id}@{revision}"
    try:
        commit = HfApi().dataset_info(dataset_id, revision=revision).sha
    except Exception as e:  # huggingface_hub raises many types (offline, gated, not found)
        raise DataError(where, f"cannot resolve the revision to a commit: {e}") from e
    if not isinstance(commit, str) or not is_commit(commit):
        raise DataError(where, f"the Hub answered {commit!r}, not a commit")
    return commit


_verified: dict[tuple[str, int, int], str] = {}


def _checked_sha(path: Path) -> str:
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key not in _verified:
        _verified[key] = sha256_file(path)
    return _verified[key]


def _matches(actual: str, expected: str) -> bool:
    # Some origins only publish a sha256 prefix; compare as many digits as were pinned.
    return bool(expected) and actual.startswith(expected.lower())


@dataclass
class SourceFiles:
    """Resolves a source's declared files to verified local paths."""

    source: "Source"
    mirror: Path | None = None
    cache: Path | None = None
    download: bool = True
    verify: bool = True  # False only for tests that feed deliberately broken copies
    # Each Hub dataset revision read so far: {"dataset", "revision" (as declared), "commit" (as read)}.
    hub_reads: list[dict[str, str]] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        if self.mirror is None and self.cache is None:
            self.mirror = mirror_root()
        if self.cache is None:
            self.cache = flame_home() / "data"

    @property
    def where(self) -> str:
        return f"mirror {self.mirror}" if self.mirror else f"cache {self.cache}"

    def path(self, rel: str) -> Path:
        """Local path of declared file rel, verified against its checksum."""
        spec = self.source.file(rel)
        if self.mirror is not None:
            path = Path(self.mirror) / self.source.name / spec.path
            if not path.is_file():
                raise DataError(str(path), f"missing from {self.where} (source {self.source.name!r})")
        else:
            path = Path(self.cache) / self.source.name / spec.path
            if not path.is_file():
                if not self.download:
                    raise DataError(str(path), f"not downloaded yet; run: flame data pull {self.source.name}")
                fetch(spec, path)
            if spec.convert:  # verified before conversion, in fetch
                return path
        if not self.verify:
            return path
        expected = spec.sha256 or _recorded_sha(path)
        if not expected:  # pinned by commit only, and read from a mirror: nothing recorded to check
            return path
        actual = _checked_sha(path)
        if not _matches(actual, expected):
            raise DataError(str(path), f"checksum mismatch: sha256 {actual[:16]}..., expected {expected[:16]}...")
        return path

    def hf_rows(self, split: str, config: str | None = None, *, subset: str | None = None,
                data_dir: str | None = None, data_files: tuple[str, ...] = (),
                revision: str | None = None) -> "Iterator[tuple[int, dict]]":
        """(row, record) pairs of one split of the source's Hugging Face dataset.

        From a mirror, reads `<mirror>/<source>/<subset or config or 'default'>/<split>.jsonl`
        (the layout tests write fixtures in); otherwise streams the revision (the origin's, or
        `revision`) through HF `datasets` (cached under $FLAME_HOME/hf) at the commit it names
        or resolves to (`hub_commit`), selecting the data by `data_files` (paths inside the
        repository), `data_dir`, or else the config.
        """
        from .readers import iter_jsonl

        origin = self.source.hf
        if origin is None:
            raise DataError(self.source.name, "source declares no Hugging Face origin")
        if self.mirror is not None:
            path = Path(self.mirror) / self.source.name / (subset or config or "default") / f"{split}.jsonl"
            if not path.is_file():
                raise DataError(str(path), f"missing from {self.where} (source {self.source.name!r})")
            yield from iter_jsonl(path)
            return
        from flame.core.errors import require

        datasets = require("datasets", "train")
        rev = self.hub_commit(origin.dataset_id, revision or origin.revision)
        kwargs: dict = {"revision": rev, "streaming": True, "cache_dir": str(flame_home() / "hf")}
        name, where = origin.dataset_id, f"hf://{origin.dataset_id}@{rev}"
        if data_files:
            # Read the files with the packaged json/parquet builder through pinned hf:// paths:
            # this also works for repositories that carry a loading script, which datasets
            # no longer runs, and for Parquet exports.
            name = "parquet" if all(p.endswith(".parquet") for p in data_files) else "json"
            urls = [f"hf://datasets/{origin.dataset_id}@{rev}/{p}" for p in data_files]
            kwargs = {"streaming": True, "cache_dir": kwargs["cache_dir"], "data_files": {split: urls}}
            where = ", ".join(urls)
        elif data_dir:
            kwargs["data_dir"] = data_dir
        else:
            kwargs["name"] = config or origin.config
        try:
            rows = datasets.load_dataset(name, split=split, **kwargs)
        except Exception as e:  # datasets raises many types; name the dataset in one clear error
            raise DataError(where, f"cannot load split {split!r}: {e}") from e
        yield from enumerate(rows)

    def hub_commit(self, dataset_id: str, revision: str) -> str:
        """The commit to read dataset_id at: revision itself when it is a commit, else the commit
        the Hub resolves that moving revision to now; recorded in `hub_reads` either way."""
        commit = revision if is_commit(revision) else resolve_revision(dataset_id, revision)
        read = {"dataset": dataset_id, "revision": revision, "commit": commit}
        if read not in self.hub_reads:
            self.hub_reads.append(read)
        return commit


def fetch(spec: "RemoteFile", dest: Path, opener: Callable[[str], object] | None = None) -> Path:
    """Download spec.url to dest atomically, verify it, and apply its conversion."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=".part-")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                with (opener or urllib.request.urlopen)(spec.url) as response:  # type: ignore[operator]
                    for chunk in iter(lambda: response.read(1 << 20), b""):
                        out.write(chunk)
            except OSError as e:
                raise DataError(str(dest), f"download from {spec.url} failed: {e}") from e
        expected = spec.origin_sha256 or spec.sha256
        actual = sha256_file(tmp)
        if expected and not _matches(actual, expected):
            raise DataError(spec.url, f"checksum mismatch: sha256 {actual[:16]}..., expected {expected[:16]}...")
        if spec.convert:
            CONVERTERS[spec.convert](tmp)
        if not spec.sha256:
            # Pinned by an immutable commit URL only: record what arrived, so every later
            # read of the cache is checked against the first download.
            atomic_write(_sha_record(dest), sha256_file(tmp) + "\n")
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def _sha_record(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def _recorded_sha(path: Path) -> str:
    record = _sha_record(path)
    return record.read_text().strip() if record.is_file() else ""


class _NoGlobals(pickle.Unpickler):
    def find_class(self, module: str, name: str):  # refuse code: plain builtins only
        raise pickle.UnpicklingError(f"refusing global {module}.{name}")


def pickle_to_json_gz(path: Path) -> None:
    """Rewrite a plain-data pickle as gzipped JSON in place (how the mirror stores BARTScore)."""
    with open(path, "rb") as f:
        data = _NoGlobals(f).load()
    payload = json.dumps(data, ensure_ascii=False).encode("utf-8")
    with gzip.GzipFile(path, "wb", compresslevel=9, mtime=0) as out:
        out.write(payload)


CONVERTERS: dict[str, Callable[[Path], None]] = {"pickle-to-json-gz": pickle_to_json_gz}
