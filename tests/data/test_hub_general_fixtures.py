"""Helpers for the Hub-hosted general-quality source tests: fixtures in the mirror layout."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from flame.core import parse, render
from flame.data.files import SourceFiles
from flame.data.source import Rejected, Source


def write_split(root: Path, source: Source, subset: str, split: str, rows: list) -> None:
    """Write rows as `<root>/<source>/<subset>/<split>.jsonl` (the layout hf_rows reads)."""
    folder = root / source.name / subset
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def items(source: Source, root: Path) -> list:
    """Every Example and Rejected row of source, read from the fixture mirror at root."""
    return list(source.items(SourceFiles(source, mirror=root)))


def examples(source: Source, root: Path, task: str | None = None) -> list:
    return [i for i in items(source, root) if not isinstance(i, Rejected) and (task is None or i.task == task)]


def rejected(source: Source, root: Path) -> list[Rejected]:
    return [i for i in items(source, root) if isinstance(i, Rejected)]


def assert_round_trips(source: Source, exs: list) -> None:
    """Every example renders to a prompt whose target parses back to its targets."""
    specs = {t.name: t for t in source.tasks}
    for ex in exs:
        task = specs[ex.task]
        prompt = render(task, ex)
        assert prompt.text.endswith("EVALUATION:\n")
        parsed = parse(task, prompt.target)
        assert parsed.valid, parsed.error
        assert parsed.values == dict(ex.targets)


def counts(exs: list) -> Counter:
    return Counter(e.task for e in exs)


def chosen_text(ex, better_field: str = "response") -> str:
    """The text of the candidate the example's `choice` target points at."""
    return ex.inputs[f"{better_field}_a" if ex.targets["choice"] == "A" else f"{better_field}_b"]
