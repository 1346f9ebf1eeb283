"""Training mixtures: how often each task is sampled, and a resumable stream over a built collection.

A mixture is declared in YAML (flame/configs/mixtures/NAME.yaml, shipped in the package, or
$FLAME_HOME/mixtures for a user's own and for mixtures that flame writes, like tail-patch's
`opt-rm`; the user's folder is read first):

    name: flame
    description: every training task, examples-proportional, capped (FLAMe §4)
    tasks: all              # or a list of task names, or {task: {weight: W, paper: ..., substitute: ...}}
    rate: examples          # examples (min(n, cap)) | equal
    cap: 65536
    temperature: 1.0        # rate ** (1 / temperature), then normalised
    weights: {task: W}      # explicit rate units that replace the rule for those tasks
    missing: {dataset: why} # parts of the paper's mixture that have no counterpart here

`MixtureStream` interleaves the Parquet shards of a collection (`<split>/<task>/part-*.parquet`)
without loading them: a seeded sampler picks each example's task by rate, and each task
cycles through its shards (order reshuffled every epoch) through a bounded shuffle buffer.
Its state is a few integers per task plus the sampler's RNG state, so training resumes on
exactly the same examples.
"""

from __future__ import annotations

import bisect
import hashlib
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping

from flame.core.errors import DataError, FlameError
from flame.core.files import flame_home, packaged
from flame.core.registry import Registry

DEFAULT_CAP = 2**16
COLUMNS = ("uid", "task", "source", "inputs", "targets", "prompt", "target")


class MixtureError(FlameError):
    """A mixture that cannot be resolved: unknown, missing tasks, or a bad YAML file."""


def user_mixture_dir() -> Path:
    """Where flame writes mixtures it computes (e.g. tail-patch's opt-rm): $FLAME_HOME/mixtures."""
    return flame_home() / "mixtures"


# ---------------------------------------------------------------------------------------
# Rates


def mixing_rates(counts: Mapping[str, int], *, cap: int = DEFAULT_CAP, temperature: float = 1.0,
                 weights: Mapping[str, float] | None = None, equal: bool = False) -> dict[str, float]:
    """Sampling probability of each task (summing to 1).

    Examples-proportional with a per-task cap (Raffel et al. 2020; FLAMe: cap 2^16), or equal
    rates; explicit `weights` replace the rule for the tasks they name. A temperature T
    flattens (T > 1) or sharpens (T < 1) the rates: rate ** (1 / T).
    """
    if cap <= 0:
        raise MixtureError(f"cap must be positive, got {cap}")
    if temperature <= 0:
        raise MixtureError(f"temperature must be positive, got {temperature}")
    weights = weights or {}
    raw: dict[str, float] = {}
    for task, n in counts.items():
        if task in weights:
            if weights[task] < 0:
                raise MixtureError(f"weight of task {task!r} must be >= 0, got {weights[task]}")
            raw[task] = float(weights[task])
        else:
            raw[task] = 1.0 if equal else float(min(n, cap))
    raw = {t: r ** (1.0 / temperature) for t, r in raw.items() if r > 0}
    total = sum(raw.values())
    if not total:
        raise MixtureError("mixture has no task with a positive rate")
    return {t: r / total for t, r in raw.items()}


# ---------------------------------------------------------------------------------------
# Declared mixtures


@dataclass(frozen=True)
class MixtureSpec:
    """A mixture as declared in YAML (see the module docstring for the fields)."""

    name: str
    description: str = ""
    tasks: tuple[str, ...] | None = None  # None: every task of the collection
    rate: str = "examples"
    cap: int = DEFAULT_CAP
    temperature: float = 1.0
    weights: Mapping[str, float] = field(default_factory=dict)
    notes: Mapping[str, str] = field(default_factory=dict)  # task -> paper dataset / substitution
    missing: Mapping[str, str] = field(default_factory=dict)  # paper dataset -> why it is absent
    path: str = ""

    @classmethod
    def from_yaml(cls, path: Path) -> "MixtureSpec":
        """Read and check a mixture YAML file."""
        import yaml

        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as e:
            raise DataError(str(path), f"not valid YAML ({e})") from e
        if not isinstance(data, dict):
            raise DataError(str(path), "a mixture file must be a mapping")
        unknown = set(data) - {"name", "description", "tasks", "rate", "cap", "temperature", "weights", "missing"}
        if unknown:
            raise DataError(str(path), f"unknown key(s) {sorted(unknown)}", field=sorted(unknown)[0])
        tasks_field = data.get("tasks", "all")
        weights = {str(k): _number(path, f"weights.{k}", v) for k, v in (data.get("weights") or {}).items()}
        notes: dict[str, str] = {}
        if tasks_field == "all":
            tasks = None
        elif isinstance(tasks_field, list) and all(isinstance(t, str) for t in tasks_field):
            tasks = tuple(tasks_field)
        elif isinstance(tasks_field, dict):
            tasks = tuple(str(t) for t in tasks_field)
            for task, entry in tasks_field.items():
                entry = entry or {}
                if not isinstance(entry, dict) or set(entry) - {"weight", "paper", "substitute"}:
                    raise DataError(str(path), "a task entry may hold weight, paper and substitute", field=f"tasks.{task}")
                if "weight" in entry:
                    weights[str(task)] = _number(path, f"tasks.{task}.weight", entry["weight"])
                if "paper" in entry or "substitute" in entry:
                    note = str(entry.get("paper", ""))
                    if entry.get("substitute"):
                        note += f" (substitute: {entry['substitute']})"
                    notes[str(task)] = note.strip()
        else:
            raise DataError(str(path), "must be 'all', a list of task names, or a mapping", field="tasks")
        rate = data.get("rate", "examples")
        if rate not in ("examples", "equal"):
            raise DataError(str(path), f"must be 'examples' or 'equal', got {rate!r}", field="rate")
        name = data.get("name") or path.stem
        if name != path.stem:
            raise DataError(str(path), f"name {name!r} differs from the file name {path.stem!r}", field="name")
        return cls(
            name=name, description=str(data.get("description", "")).strip(), tasks=tasks, rate=rate,
            cap=int(_number(path, "cap", data.get("cap", DEFAULT_CAP))),
            temperature=_number(path, "temperature", data.get("temperature", 1.0)),
            weights=weights, notes=notes,
            missing={str(k): str(v) for k, v in (data.get("missing") or {}).items()}, path=str(path),
        )

    def resolve(self, collection: str | Path, split: str = "train") -> "Mixture":
        """Rates of this mixture over the tasks a built collection holds."""
        coll = Collection(collection)
        available = coll.counts(split)
        if self.tasks is None:
            counts = available
        else:
            absent = [t for t in self.tasks if not available.get(t)]
            if absent:
                raise MixtureError(
                    f"mixture {self.name!r} needs task(s) {absent} that {coll.root / split} does not hold; "
                    f"rebuild the collection with their sources (flame data build)"
                )
            counts = {t: available[t] for t in self.tasks}
        if not counts:
            raise MixtureError(f"{coll.root / split} holds no tasks")
        rates = mixing_rates(counts, cap=self.cap, temperature=self.temperature, weights=self.weights,
                             equal=self.rate == "equal")
        return Mixture(self, str(coll.root), split, {t: counts[t] for t in rates}, rates)


def _number(path: Path, key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise DataError(str(path), f"must be a number, got {value!r}", field=key)
    return float(value)


class _NamedMixture:
    """A registry entry: the YAML file of a named mixture, read on `load()`."""

    def __init__(self, name: str, written_by: str = "") -> None:
        self.name, self.written_by = name, written_by

    def path(self) -> Path:
        """The mixture's YAML file: $FLAME_HOME/mixtures first, then the package's configs/mixtures."""
        folders = (user_mixture_dir(), packaged("configs", "mixtures"))
        for folder in folders:
            candidate = folder / f"{self.name}.yaml"
            if candidate.is_file():
                return candidate
        hint = f"; it is written by `{self.written_by}`, run that first" if self.written_by else ""
        raise MixtureError(
            f"mixture {self.name!r} has no file {self.name}.yaml in {folders[0]} or {folders[1]}{hint}"
        )

    def load(self) -> MixtureSpec:
        return MixtureSpec.from_yaml(self.path())


FLAME = _NamedMixture("flame")
FLAME_RM = _NamedMixture("flame-rm")
FLAME_PREFS = _NamedMixture("flame-prefs")
FLAME_PAIRS = _NamedMixture("flame-pairs")
OPT_RM = _NamedMixture("opt-rm", written_by="flame train tailpatch")

MIXTURES: Registry[_NamedMixture] = Registry("mixture", {
    "flame": "flame.data.mixture:FLAME",
    "flame-rm": "flame.data.mixture:FLAME_RM",
    "flame-prefs": "flame.data.mixture:FLAME_PREFS",
    "flame-pairs": "flame.data.mixture:FLAME_PAIRS",
    "opt-rm": "flame.data.mixture:OPT_RM",
})


def load_mixture(name_or_path: str | Path) -> MixtureSpec:
    """A named mixture (see MIXTURES) or a path to a mixture YAML file."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.is_file():
        if not path.is_file():
            raise MixtureError(f"mixture file {path} does not exist")
        return MixtureSpec.from_yaml(path)
    return MIXTURES.get(str(name_or_path)).load()


@dataclass(frozen=True)
class Mixture:
    """A mixture resolved against a collection: examples and sampling rate per task."""

    spec: MixtureSpec
    collection: str
    split: str
    counts: Mapping[str, int]
    rates: Mapping[str, float]

    def expected(self, steps: int, batch: int) -> dict[str, float]:
        """Expected number of examples drawn from each task in steps x batch draws."""
        return {t: r * steps * batch for t, r in self.rates.items()}

    def stream(self, seed: int = 0, buffer: int = 512) -> "MixtureStream":
        """A resumable, seeded stream of examples from this mixture."""
        return MixtureStream(self.collection, self.rates, split=self.split, seed=seed, buffer=buffer)


# ---------------------------------------------------------------------------------------
# The collection on disk


class Collection:
    """Read-only view of a built collection: `<root>/<split>/<task>/part-*.parquet`."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        if not self.root.is_dir():
            raise MixtureError(f"collection {self.root} does not exist; build one with `flame data build --out DIR`")

    def shards(self, split: str, task: str) -> list[Path]:
        """The task's Parquet shards in order."""
        return sorted((self.root / split / task).glob("part-*.parquet"))

    def counts(self, split: str) -> dict[str, int]:
        """Examples per task in split, from the Parquet footers (no data is read)."""
        import pyarrow.parquet as pq

        folder = self.root / split
        if not folder.is_dir():
            return {}
        counts = {}
        for task_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
            n = sum(pq.ParquetFile(s).metadata.num_rows for s in self.shards(split, task_dir.name))
            if n:
                counts[task_dir.name] = n
        return counts

    def head(self, split: str, task: str, n: int) -> list[dict[str, str]]:
        """The first n rows of a task in split (source order), for validation; none for n <= 0."""
        rows: list[dict[str, str]] = []
        if n <= 0:
            return rows
        for shard in self.shards(split, task):
            for batch in _batches(shard, n):
                rows.extend(batch)
                if len(rows) >= n:
                    return rows[:n]
        return rows


def _batches(shard: Path, size: int) -> Iterator[list[dict[str, str]]]:
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(shard)
    missing = set(COLUMNS) - set(pf.schema_arrow.names)
    if missing:
        raise DataError(str(shard), "missing column(s) of the collection layout", field=sorted(missing)[0])
    for batch in pf.iter_batches(batch_size=size, columns=list(COLUMNS)):
        yield batch.to_pylist()


def _rng(*parts: Any) -> random.Random:
    digest = hashlib.sha256("/".join(map(str, parts)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


# ---------------------------------------------------------------------------------------
# The stream


class _TaskStream:
    """One task's rows, endlessly: per epoch a seeded shard order, each shard through a shuffle buffer.

    Position = (epoch, shard index in the epoch's order, rows emitted from that shard). The
    shuffle of a shard depends only on (seed, task, epoch, shard), so a position is restored
    by replaying at most one shard.
    """

    def __init__(self, shards: list[Path], task: str, seed: int, buffer: int) -> None:
        if not shards:
            raise MixtureError(f"task {task!r} has no shards")
        self.shards, self.task, self.seed, self.buffer = shards, task, seed, buffer
        self.epoch = self.shard = self.offset = 0
        self._rows: Iterator[dict[str, str]] | None = None

    def _order(self) -> list[Path]:
        order = list(self.shards)
        _rng(self.seed, self.task, self.epoch).shuffle(order)
        return order

    def _shard_rows(self) -> Iterator[dict[str, str]]:
        shard = self._order()[self.shard]
        rng = _rng(self.seed, self.task, self.epoch, shard.name)
        buf: list[dict[str, str]] = []
        for batch in _batches(shard, self.buffer):
            for row in batch:
                if len(buf) < self.buffer:
                    buf.append(row)
                    continue
                i = rng.randrange(self.buffer)
                buf[i], row = row, buf[i]
                yield row
        rng.shuffle(buf)
        yield from buf

    def __next__(self) -> dict[str, str]:
        while True:
            if self._rows is None:
                self._rows = self._shard_rows()
                for _ in range(self.offset):  # replay to the saved position
                    next(self._rows)
            try:
                row = next(self._rows)
            except StopIteration:
                self._rows, self.offset, self.shard = None, 0, self.shard + 1
                if self.shard == len(self.shards):
                    self.epoch, self.shard = self.epoch + 1, 0
                continue
            self.offset += 1
            return row

    def state(self) -> dict[str, int]:
        return {"epoch": self.epoch, "shard": self.shard, "offset": self.offset}

    def restore(self, state: Mapping[str, int]) -> None:
        self.epoch, self.shard, self.offset = int(state["epoch"]), int(state["shard"]), int(state["offset"])
        self._rows = None


def _cumulative(rates: Mapping[str, float]) -> tuple[list[str], list[float]]:
    """The tasks with a positive rate (sorted) and their cumulative sampling probabilities."""
    tasks = sorted(t for t, r in rates.items() if r > 0)
    total, acc, cum = sum(rates[t] for t in tasks), 0.0, []
    for t in tasks:
        acc += rates[t] / total
        cum.append(acc)
    return tasks, cum


def _pick(tasks: list[str], cum: list[float], u: float) -> str:
    return tasks[min(bisect.bisect_right(cum, u), len(tasks) - 1)]


def drawn_per_task(rates: Mapping[str, float], seed: int, drawn: int) -> dict[str, int]:
    """Examples each task contributed to the first `drawn` draws of a MixtureStream with these
    rates and seed (its sampler replayed; no data read)."""
    tasks, cum = _cumulative(rates)
    rng, counts = random.Random(seed), dict.fromkeys(tasks, 0)
    for _ in range(drawn):
        counts[_pick(tasks, cum, rng.random())] += 1
    return counts


class MixtureStream:
    """An endless, seeded interleaving of tasks by rate over a collection's shards.

    Yields collection rows (dicts with uid, task, source, targets, prompt, target). `state_dict()` /
    `load_state_dict()` save and restore the exact position.
    """

    def __init__(self, collection: str | Path, rates: Mapping[str, float], split: str = "train",
                 seed: int = 0, buffer: int = 512) -> None:
        if buffer < 1:
            raise MixtureError(f"shuffle buffer must be >= 1, got {buffer}")
        coll = Collection(collection)
        self.tasks, self._cum = _cumulative(rates)
        if not self.tasks:
            raise MixtureError("mixture has no task with a positive rate")
        self.seed = seed
        self._sampler = random.Random(seed)
        self._streams = {t: _TaskStream(coll.shards(split, t), t, seed, buffer) for t in self.tasks}
        self.drawn = 0

    def __iter__(self) -> "MixtureStream":
        return self

    def __next__(self) -> dict[str, str]:
        task = _pick(self.tasks, self._cum, self._sampler.random())
        self.drawn += 1
        return next(self._streams[task])

    def take(self, n: int) -> list[dict[str, str]]:
        """The next n rows."""
        return [next(self) for _ in range(n)]

    def state_dict(self) -> dict[str, Any]:
        """A JSON-serialisable snapshot of the position (sampler RNG + per-task positions)."""
        version, internal, gauss = self._sampler.getstate()
        return {
            "seed": self.seed,
            "drawn": self.drawn,
            "sampler": [version, list(internal), gauss],
            "tasks": {t: s.state() for t, s in self._streams.items()},
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Continue exactly where the stream that produced state stopped."""
        if sorted(state["tasks"]) != self.tasks or state["seed"] != self.seed:
            raise MixtureError(
                f"saved mixture state is for tasks {sorted(state['tasks'])} with seed {state['seed']}, "
                f"this stream has tasks {self.tasks} with seed {self.seed}"
            )
        version, internal, gauss = state["sampler"]
        self._sampler.setstate((version, tuple(internal), gauss))
        for t, s in state["tasks"].items():
            self._streams[t].restore(s)
        self.drawn = int(state["drawn"])
