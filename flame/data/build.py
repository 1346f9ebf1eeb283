"""Build the training collection: every train task of the chosen sources as Parquet shards.

Output layout (the contract its readers rely on):

    DIR/manifest.json, stats.json, DATACARD.md, rejected.jsonl, duplicates.jsonl
    DIR/<split>/<task>/part-00000.parquet ...   (all-string columns, see COLUMNS)

How the build stays streaming, exact and resumable:

- Sources are built one at a time, in name order, straight from their reader into
  per-(split, task) Parquet writers with bounded row groups; nothing holds the collection.
- Each source is written under DIR/.build/partial/<source>/; when it is complete its
  <split>/<task> folders are renamed into place and DIR/.build/done/<source>.json records
  its counts. A killed build redoes only the sources without that marker.
- Exact duplicates (equal `Example.content_hash`: the same inputs and targets) are dropped,
  keeping the first in (source name, reader) order: the same judgment twice in one task, or
  filed by two sources. One source's tasks that ask different questions of the same inputs (a
  pair of summaries judged once for coherence and once for fluency) each keep theirs. On
  resume the set of kept hashes is rebuilt from the finished shards themselves, so a resumed
  build writes what an uninterrupted one would.
- Every output file is written to a temp file and renamed; nothing carries a timestamp,
  so the same build gives byte-identical files.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

import flame
from flame.core.errors import FlameError
from flame.core.files import atomic_write, mirror_root, sha256_file
from flame.core.records import Role, TaskSpec, stable_hash
from flame.core.template import TEMPLATE_VERSION, render, template_hash

from .datacard import FLAME_CAPABILITY_SHARES, FLAME_TASK_TYPE_SHARES, render_datacard
from .files import SourceFiles
from .rows import Rejected
from .source import Source
from .sources import SOURCES
from .splits import SPLITS, split_of

COLUMNS = ("uid", "task", "source", "file", "row", "inputs", "targets", "prompt", "target")
SCHEMA = pa.schema([(c, pa.string()) for c in COLUMNS])
MAX_SHARD_ROWS = 50_000
ROW_GROUP_ROWS = 1_000  # a row group is flushed at this many rows or ROW_GROUP_CHARS of text
ROW_GROUP_CHARS = 8 << 20
BUILD_ROLES = (Role.TRAIN, Role.BOTH)
STATE_DIR = ".build"
PROGRESS_EVERY = 1_000

Progress = Callable[[str, int, "int | None"], None]
FilesFactory = Callable[[Source], Any]


@dataclass(frozen=True)
class BuildReport:
    """What a build wrote: the sources built, examples per task and split, drops and duplicates."""

    out: Path
    sources: tuple[str, ...]  # built into the collection, in build order
    resumed: tuple[str, ...]  # finished by an earlier, interrupted run and kept as they were
    excluded: dict[str, str]  # source -> why it was left out
    examples: int
    splits: dict[str, int]
    tasks: dict[str, dict[str, int]]  # task -> split -> examples
    rejected: int
    duplicates: int

    def summary(self) -> dict[str, Any]:
        """A JSON-ready summary (what `flame data build --format json` prints)."""
        return {
            "out": str(self.out), "sources": list(self.sources), "resumed": list(self.resumed),
            "excluded": self.excluded, "examples": self.examples, "splits": self.splits,
            "tasks": len(self.tasks), "rejected": self.rejected, "duplicates": self.duplicates,
        }


def build_collection(out: Path, sources: Sequence[str | Source] | None = None, permissive_only: bool = False,
                     files_factory: FilesFactory | None = None, progress: Progress | None = None,
                     shard_rows: int = MAX_SHARD_ROWS) -> BuildReport:
    """Build (or resume building) the collection of the given sources into out.

    sources: names in the source registry or Source objects; default every registered
    source with a train task (a source that fails to import is an error, not a skip).
    permissive_only leaves out sources whose license is not permissive. files_factory(source)
    gives the files object a reader gets (default `SourceFiles(source)`: FLAME_MIRROR or the
    download cache). progress(source, examples_done, examples_expected_or_None) is called
    as the build goes. Re-running into a finished or interrupted out resumes; out holding a
    different build is an error.
    """
    out = Path(out)
    chosen, excluded = select_sources(sources, permissive_only)
    files_factory = files_factory or SourceFiles
    plan = _plan(chosen, permissive_only, default=sources is None, shard_rows=shard_rows)
    state = _prepare(out, plan)
    tasks = [t for s in chosen for t in _built_tasks(s)]
    task_ids = {t.name: i for i, t in enumerate(tasks)}
    kept: dict[int, list[int]] = {}  # content hash (64 bit) -> indices of the tasks that kept it
    markers: list[dict[str, Any]] = []
    resumed: list[str] = []
    for source in chosen:
        marker_path = state / "done" / f"{source.name}.json"
        if marker_path.is_file():
            _remember_kept(out, source, task_ids, kept)
            resumed.append(source.name)
        else:
            _build_source(out, state, source, files_factory(source), task_ids, tasks, kept, shard_rows, progress)
        # Always read back from disk, so a resumed and an uninterrupted build use identical markers.
        markers.append(json.loads(marker_path.read_text(encoding="utf-8")))
        if progress and source.name in resumed:
            progress(source.name, markers[-1]["examples"], markers[-1]["examples"])
    stats = _stats(plan, markers, excluded)
    _finish(out, state, plan, markers, stats)
    return BuildReport(
        out=out, sources=tuple(s.name for s in chosen), resumed=tuple(resumed), excluded=excluded,
        examples=stats["examples"], splits=stats["splits"],
        tasks={t["name"]: {s: t["examples"][s] for s in SPLITS} for t in stats["tasks"]},
        rejected=stats["rejected"]["total"], duplicates=stats["duplicates"]["total"],
    )


def select_sources(sources: Sequence[str | Source] | None, permissive_only: bool = False
                   ) -> tuple[list[Source], dict[str, str]]:
    """The sources to build, in name order, and those left out with the reason."""
    if sources is None:
        loaded, broken = [], []
        for name in SOURCES.names():
            try:
                loaded.append(SOURCES.get(name))
            except ImportError as e:
                broken.append(f"{name} ({type(e).__name__}: {e})")
        if broken:
            raise FlameError("cannot build the full collection, these sources fail to load: "
                             + "; ".join(broken) + ". Fix them or name the sources to build.")
        chosen = [s for s in loaded if _built_tasks(s)]
    else:
        chosen = [SOURCES.get(s) if isinstance(s, str) else s for s in sources]
        for s in chosen:
            if not _built_tasks(s):
                raise FlameError(f"source {s.name!r} has no train tasks (all its tasks are eval-only)")
    names = [s.name for s in chosen]
    if len(set(names)) != len(names):
        raise FlameError(f"source named more than once: {sorted(n for n in set(names) if names.count(n) > 1)}")
    task_names = [t.name for s in chosen for t in s.tasks]
    if len(set(task_names)) != len(task_names):
        raise FlameError(f"task declared by two sources: {sorted(n for n in set(task_names) if task_names.count(n) > 1)}")
    excluded = {}
    if permissive_only:
        excluded = {s.name: f"license {s.license} is not permissive" for s in chosen if not s.permissive}
        chosen = [s for s in chosen if s.permissive]
    mirror = mirror_root()
    if sources is None and mirror is not None:
        # Building "everything" from a local mirror: sources the mirror does not hold would
        # need the network; leave them out and say so, rather than fail half way.
        absent = {s.name for s in chosen if not (mirror / s.name).is_dir()}
        excluded.update({n: f"not in the mirror {mirror}; read from its public origin when FLAME_MIRROR is unset"
                         for n in absent})
        chosen = [s for s in chosen if s.name not in absent]
    if not chosen:
        raise FlameError("nothing to build: no source left" + (" after --permissive-only" if excluded else ""))
    return sorted(chosen, key=lambda s: s.name), dict(sorted(excluded.items()))


def _built_tasks(source: Source) -> list[TaskSpec]:
    return [t for t in source.tasks if t.role in BUILD_ROLES]


def _dumps(value: Any) -> str:
    # The exact serialisation of records.stable_hash, so content hashes can be computed from it.
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _content_key(inputs_json: str, targets_json: str) -> int:
    """First 64 bits of Example.content_hash, computed from the serialised columns."""
    payload = '{"inputs":' + inputs_json + ',"targets":' + targets_json + "}"
    return int.from_bytes(hashlib.sha256(payload.encode("utf-8")).digest()[:8], "big")


# ---------------------------------------------------------------- plan and on-disk state

def _plan(chosen: list[Source], permissive_only: bool, default: bool, shard_rows: int) -> dict[str, Any]:
    """Everything that decides the build's output; a resume must find the same plan."""
    return {
        "flame_version": flame.__version__,
        "pyarrow_version": pa.__version__,
        "template": {"version": TEMPLATE_VERSION, "hash": template_hash()},
        "options": {"sources": [s.name for s in chosen], "default_sources": default,
                    "permissive_only": permissive_only, "shard_rows": shard_rows},
        "sources": [
            {"name": s.name, "license": s.license,
             "files": [{"path": f.path, "sha256": f.sha256} for f in s.files],
             "hf": None if s.hf is None else {"dataset_id": s.hf.dataset_id, "revision": s.hf.revision,
                                              "config": s.hf.config, "split": s.hf.split},
             "tasks": {t.name: t.fingerprint() for t in _built_tasks(s)}}
            for s in chosen
        ],
    }


def _prepare(out: Path, plan: dict[str, Any]) -> Path:
    """Create out's state folder, or check that out holds an interrupted build of this plan."""
    state = out / STATE_DIR
    plan_path = state / "plan.json"
    if plan_path.is_file():
        if json.loads(plan_path.read_text(encoding="utf-8")) != plan:
            raise FlameError(f"{out} holds a build with other sources, options or inputs; "
                             "remove it or choose another --out")
    elif out.exists() and any(out.iterdir()):
        raise FlameError(f"{out} exists and is not a flame collection; choose an empty or new --out")
    (state / "done").mkdir(parents=True, exist_ok=True)
    atomic_write(plan_path, _dumps(plan))
    return state


# ---------------------------------------------------------------- one source

class _Shards:
    """The Parquet shards of one (split, task): row groups of bounded size, new file every shard_rows."""

    def __init__(self, folder: Path, shard_rows: int) -> None:
        self.folder, self.shard_rows = folder, shard_rows
        self.buffer: list[list[str]] = [[] for _ in COLUMNS]
        self.chars = 0
        self.part = 0
        self.in_part = 0
        self.writer: pq.ParquetWriter | None = None

    def add(self, row: tuple[str, ...]) -> None:
        for column, value in zip(self.buffer, row):
            column.append(value)
        self.chars += len(row[5]) + len(row[7])
        self.in_part += 1
        if len(self.buffer[0]) >= ROW_GROUP_ROWS or self.chars >= ROW_GROUP_CHARS:
            self._flush()
        if self.in_part >= self.shard_rows:
            self.close()
            self.part += 1
            self.in_part = 0

    def _flush(self) -> None:
        if not self.buffer[0]:
            return
        if self.writer is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.writer = pq.ParquetWriter(
                self.folder / f"part-{self.part:05d}.parquet", SCHEMA, compression="zstd",
                use_dictionary=["task", "source", "file"], write_statistics=["uid", "task", "source", "file"],
            )
        table = pa.Table.from_arrays([pa.array(c, pa.string()) for c in self.buffer], schema=SCHEMA)
        self.writer.write_table(table, row_group_size=table.num_rows)
        self.buffer = [[] for _ in COLUMNS]
        self.chars = 0

    def close(self) -> None:
        self._flush()
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def _build_source(out: Path, state: Path, source: Source, files: Any, task_ids: dict[str, int],
                  tasks: list[TaskSpec], kept: dict[int, list[int]], shard_rows: int,
                  progress: Progress | None) -> None:
    """Stream one source into DIR/.build/partial/<source>, then move it into place and mark it done."""
    partial = state / "partial" / source.name
    shutil.rmtree(partial, ignore_errors=True)
    for t in source.tasks:  # left by a crash half-way through moving this source into place
        for split in SPLITS:
            shutil.rmtree(out / split / t.name, ignore_errors=True)
    partial.mkdir(parents=True)
    specs = {t.name: t for t in _built_tasks(source)}
    expected = [source.expected.get(t) for t in specs]
    total = sum(expected) if expected and None not in expected else None
    shards = {(split, t): _Shards(partial / split / t, shard_rows) for split in SPLITS for t in specs}
    counts = {t: Counter() for t in specs}
    not_built: Counter[str] = Counter()
    reasons: Counter[tuple[str, str]] = Counter()
    dup_pairs: Counter[tuple[str, str]] = Counter()
    seen = 0
    if progress:
        progress(source.name, 0, total)
    with open(partial / "rejected.jsonl", "w", encoding="utf-8", newline="\n") as rejected, \
            open(partial / "duplicates.jsonl", "w", encoding="utf-8", newline="\n") as duplicates:
        for item in source.items(files):
            if isinstance(item, Rejected):
                p = item.provenance
                rejected.write(_dumps({"source": p.source, "file": p.file, "row": p.row,
                                       "field": item.field, "reason": item.reason}) + "\n")
                reasons[(item.field or "", _reason_kind(item.reason))] += 1
                continue
            task = specs.get(item.task)
            if task is None:
                not_built[item.task] += 1
                continue
            seen += 1
            inputs, targets = _dumps(item.inputs), _dumps(item.targets)
            key = _content_key(inputs, targets)
            p = item.provenance
            first = next((i for i in kept.get(key, ()) if tasks[i].name == task.name or tasks[i].source != task.source),
                         None)
            if first is not None:
                kept_task = tasks[first].name
                duplicates.write(_dumps({
                    "content_hash": f"{key:016x}",
                    "kept": {"uid": stable_hash({"task": kept_task, "inputs": item.inputs, "targets": item.targets}),
                             "task": kept_task},
                    "dropped": {"uid": item.uid, "task": item.task, "source": p.source, "file": p.file,
                                "row": p.row},
                }) + "\n")
                dup_pairs[(item.task, kept_task)] += 1
            else:
                kept.setdefault(key, []).append(task_ids[task.name])
                prompt = render(task, item)
                split = split_of(item.uid)
                shards[(split, task.name)].add((item.uid, item.task, p.source, p.file, str(p.row), inputs, targets,
                                                prompt.text, prompt.target))
                counts[task.name][split] += 1
            if progress and seen % PROGRESS_EVERY == 0:
                progress(source.name, seen, total)
        for shard in shards.values():
            shard.close()
    if progress:
        progress(source.name, seen, total if total is not None else seen)
    marker = {
        "source": source.name, "title": source.title, "license": source.license,
        "permissive": source.permissive, "homepage": source.homepage, "citation": source.citation,
        "files": [{"path": f.path, "sha256": sha256_file(Path(files.path(f.path)))} for f in source.files],
        "hub": list(files.hub_reads),  # the Hub commits the rows were read at (none from a mirror)
        "tasks": [{"name": t.name, "task_type": t.task_type.value, "capability": t.capability.value,
                   "license": t.license, "role": t.role.value, "fingerprint": t.fingerprint(),
                   "expected": source.expected.get(t.name),
                   "examples": {split: counts[t.name][split] for split in SPLITS}}
                  for t in specs.values()],
        "not_built": [{"task": t.name, "role": t.role.value, "examples": not_built[t.name]}
                      for t in source.tasks if t.name not in specs],
        "examples": seen,
        "rejected": [{"field": f, "reason": r, "rows": n} for (f, r), n in _by_count(reasons)],
        "duplicates": [{"dropped_task": d, "kept_task": k, "rows": n} for (d, k), n in _by_count(dup_pairs)],
    }
    done = state / "done"
    for split in SPLITS:
        for t in specs:
            if (partial / split / t).is_dir():
                (out / split).mkdir(parents=True, exist_ok=True)
                os.replace(partial / split / t, out / split / t)
    os.replace(partial / "rejected.jsonl", done / f"{source.name}.rejected.jsonl")
    os.replace(partial / "duplicates.jsonl", done / f"{source.name}.duplicates.jsonl")
    atomic_write(done / f"{source.name}.json", _dumps(marker))
    shutil.rmtree(partial)


def _reason_kind(reason: str) -> str:
    """A reason with its numbers replaced by N, so the stats group "duplicate of row 12" with "... row 40"."""
    return re.sub(r"\d+", "N", reason)


def _by_count(counter: Counter) -> list[tuple[Any, int]]:
    """Counter items, most frequent first, ties in key order (deterministic)."""
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))


def _shard_paths(out: Path, task: str) -> Iterator[Path]:
    for split in SPLITS:
        yield from sorted((out / split / task).glob("part-*.parquet"))


def _remember_kept(out: Path, source: Source, task_ids: dict[str, int], kept: dict[int, list[int]]) -> None:
    """Rebuild the dedup state of a finished source from its shards on disk."""
    for t in _built_tasks(source):
        tid = task_ids[t.name]
        for path in _shard_paths(out, t.name):
            for batch in pq.ParquetFile(path).iter_batches(columns=["inputs", "targets"]):
                inputs, targets = batch.column(0).to_pylist(), batch.column(1).to_pylist()
                for i, tg in zip(inputs, targets):
                    kept.setdefault(_content_key(i, tg), []).append(tid)


# ---------------------------------------------------------------- the collection's own files

def _stats(plan: dict[str, Any], markers: list[dict[str, Any]], excluded: dict[str, str]) -> dict[str, Any]:
    """stats.json: counts per task and split, shares (FLAMe Fig. 3/4 layout), licenses, drops, duplicates."""
    tasks = [{**{k: t[k] for k in ("name", "task_type", "capability", "license")}, "source": m["source"],
              "examples": {**t["examples"], "total": sum(t["examples"].values())}}
             for m in markers for t in m["tasks"]]
    total = sum(t["examples"]["total"] for t in tasks)

    def shares(key: str, flame_shares: dict[str, float]) -> list[dict[str, Any]]:
        counts = Counter()
        for t in tasks:
            counts[t[key]] += t["examples"]["total"]
        return [{"name": name, "examples": counts[name],
                 "share": round(counts[name] / total, 6) if total else 0.0, "flame_share": flame}
                for name, flame in flame_shares.items()]

    licenses: dict[str, dict[str, Any]] = {}
    for m in markers:
        entry = licenses.setdefault(m["license"], {"license": m["license"], "permissive": m["permissive"],
                                                   "sources": [], "examples": 0})
        entry["sources"].append(m["source"])
        entry["examples"] += sum(sum(t["examples"].values()) for t in m["tasks"])
    rejected = [{"source": m["source"], **r} for m in markers for r in m["rejected"]]
    duplicates = [{"source": m["source"], **d} for m in markers for d in m["duplicates"]]
    return {
        "flame_version": plan["flame_version"],
        "template": plan["template"],
        "options": {k: plan["options"][k] for k in ("sources", "default_sources", "permissive_only")},
        "examples": total,
        "splits": {s: sum(t["examples"][s] for t in tasks) for s in SPLITS},
        "sources": [{"name": m["source"], "title": m["title"], "license": m["license"],
                     "permissive": m["permissive"], "homepage": m["homepage"], "citation": m["citation"],
                     "hub": m["hub"], "tasks": [t["name"] for t in m["tasks"]],
                     "examples": sum(sum(t["examples"].values()) for t in m["tasks"]),
                     "rejected": sum(r["rows"] for r in m["rejected"]),
                     "duplicates": sum(d["rows"] for d in m["duplicates"])} for m in markers],
        "excluded_sources": [{"name": n, "reason": r} for n, r in excluded.items()],
        "tasks": tasks,
        "task_types": shares("task_type", FLAME_TASK_TYPE_SHARES),
        "capabilities": shares("capability", FLAME_CAPABILITY_SHARES),
        "licenses": sorted(licenses.values(), key=lambda e: (-e["examples"], e["license"])),
        "rejected": {"total": sum(r["rows"] for r in rejected), "by_reason": rejected},
        "duplicates": {"total": sum(d["rows"] for d in duplicates), "by_task": duplicates},
        "not_built": [{"source": m["source"], **t} for m in markers for t in m["not_built"]],
    }


def _manifest(plan: dict[str, Any], markers: list[dict[str, Any]]) -> dict[str, Any]:
    """manifest.json: versions, template, and per source its license, file checksums, the Hub commits
    read, and task fingerprints."""
    origins = {s["name"]: s["hf"] for s in plan["sources"]}
    return {
        "flame_version": plan["flame_version"],
        "pyarrow_version": plan["pyarrow_version"],
        "template": plan["template"],
        "options": plan["options"],
        "columns": list(COLUMNS),
        "sources": [{"name": m["source"], "license": m["license"], "files": m["files"],
                     "hf": origins[m["source"]], "hub": m["hub"],
                     "tasks": {t["name"]: t["fingerprint"] for t in m["tasks"]}} for m in markers],
    }


def _finish(out: Path, state: Path, plan: dict[str, Any], markers: list[dict[str, Any]],
            stats: dict[str, Any]) -> None:
    """Write rejected.jsonl, duplicates.jsonl, stats.json, manifest.json and DATACARD.md."""
    done = state / "done"
    atomic_write(out / "rejected.jsonl", (line for m in markers
                                          for line in _text_lines(done / f"{m['source']}.rejected.jsonl")))
    wanted: dict[str, set[str]] = {}
    for m in markers:
        for line in _lines(done / f"{m['source']}.duplicates.jsonl"):
            wanted.setdefault(line["kept"]["task"], set()).add(line["kept"]["uid"])
    where = _locate(out, wanted)
    atomic_write(out / "duplicates.jsonl", (_dumps(_located(line, where)) + "\n" for m in markers
                                            for line in _lines(done / f"{m['source']}.duplicates.jsonl")))
    atomic_write(out / "stats.json", json.dumps(stats, indent=2, ensure_ascii=False) + "\n")
    atomic_write(out / "manifest.json", json.dumps(_manifest(plan, markers), indent=2, ensure_ascii=False) + "\n")
    atomic_write(out / "DATACARD.md", render_datacard(stats))


def _text_lines(path: Path) -> Iterator[str]:
    with open(path, encoding="utf-8") as f:
        yield from f


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    for line in _text_lines(path):
        yield json.loads(line)


def _located(line: dict[str, Any], where: dict[str, dict[str, str]]) -> dict[str, Any]:
    """A duplicates.jsonl line with its kept row's provenance in the collection filled in."""
    line["kept"].update(where[line["kept"]["uid"]])
    return line


def _locate(out: Path, wanted: dict[str, set[str]]) -> dict[str, dict[str, str]]:
    """Provenance (source, file, row) of the kept rows whose uids are wanted, read from the shards."""
    found: dict[str, dict[str, str]] = {}
    for task, uids in wanted.items():
        for path in _shard_paths(out, task):
            table = pq.read_table(path, columns=["uid", "source", "file", "row"])
            for uid, source, file, row in zip(*(table.column(c).to_pylist() for c in table.column_names)):
                if uid in uids:
                    found[uid] = {"source": source, "file": file, "row": int(row) if row.isdigit() else row}
    return found
