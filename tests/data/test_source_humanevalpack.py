"""humanevalpack: the canonical solution is the chosen one, every language gives RewardBench's
164 pairs, and broken problem files are reported by file, row and field."""

from __future__ import annotations

import json
import shutil
from collections import Counter

import pytest

from flame.core.errors import DataError
from flame.data.files import SourceFiles
from flame.data.source import Rejected
from flame.data.sources.humanevalpack import DESCRIPTION, LANGUAGES, SOURCE


@pytest.fixture(scope="module")
def examples(mirror):
    items = list(SOURCE.items(SourceFiles(SOURCE, mirror=mirror)))
    assert not [i for i in items if isinstance(i, Rejected)]
    return items


def _sides(example):
    a, b = example.inputs["response_a"], example.inputs["response_b"]
    return (a, b) if example.targets["choice"] == "A" else (b, a)


def test_canonical_solution_is_chosen_over_the_buggy_one(examples):
    # python line 2 (Python/2, bug type "excess logic"): `return number % 1.0` vs `... + 1.0`.
    (ex,) = [e for e in examples if e.task == "hep_python" and e.provenance.row == 2]
    assert ex.inputs["instruction"].startswith("Write a Python function `truncate_number(number: float) -> float`")
    chosen, rejected = _sides(ex)
    assert chosen.startswith("def truncate_number(number: float) -> float:")
    assert chosen.endswith("return number % 1.0")
    assert rejected.endswith("return number % 1.0 + 1.0")


def test_six_languages_of_164_and_balanced_positions(examples):
    assert Counter(e.task for e in examples) == {name: 164 for name in LANGUAGES}
    labels = Counter(e.targets["choice"] for e in examples)
    assert 0.45 < labels["A"] / len(examples) < 0.6
    assert {t.description for t in SOURCE.tasks} == {DESCRIPTION}


def _broken(tmp_path, mirror, lines):
    for folder, _ in LANGUAGES.values():
        dst = tmp_path / "humanevalpack" / folder / "humanevalpack.jsonl"
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(mirror / "humanevalpack" / folder / "humanevalpack.jsonl", dst)
    (tmp_path / "humanevalpack" / "cpp" / "humanevalpack.jsonl").write_text("\n".join(lines), encoding="utf-8")
    return SourceFiles(SOURCE, mirror=tmp_path, verify=False)


def _lines(mirror):
    return (mirror / "humanevalpack" / "cpp" / "humanevalpack.jsonl").read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("edit, field", [
    (lambda r: r.pop("buggy_solution"), "buggy_solution"),
    (lambda r: r.update(canonical_solution=["not", "text"]), "canonical_solution"),
    (lambda r: r.update(buggy_solution=r["canonical_solution"]), "buggy_solution"),
    (lambda r: r.update(instruction="  "), "instruction"),
])
def test_bad_row_names_file_row_and_field(tmp_path, mirror, edit, field):
    lines = _lines(mirror)
    record = json.loads(lines[7])
    edit(record)
    lines[7] = json.dumps(record)
    with pytest.raises(DataError) as e:
        list(SOURCE.examples(_broken(tmp_path, mirror, lines)))
    assert "cpp/humanevalpack.jsonl" in str(e.value) and e.value.row == 7 and e.value.field == field


def test_truncated_line_and_empty_file_are_reported(tmp_path, mirror):
    lines = _lines(mirror)
    with pytest.raises(DataError, match=r"cpp/humanevalpack.jsonl, row 3: invalid JSON"):
        list(SOURCE.examples(_broken(tmp_path, mirror, lines[:3] + [lines[3][:200]])))
    with pytest.raises(DataError, match=r"cpp/humanevalpack.jsonl: file is empty"):
        list(SOURCE.examples(_broken(tmp_path, mirror, [])))
