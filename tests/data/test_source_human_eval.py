"""HumanEval adapter on the real mirror: problems carry what execution needs; bad input is named."""

from __future__ import annotations

import gzip
import json

import pytest

from flame.core.errors import DataError
from flame.data.files import SourceFiles
from flame.data.sources.human_eval import FILE, SOURCE, TASK


@pytest.fixture(scope="module")
def examples(mirror):
    return list(SOURCE.examples(SourceFiles(SOURCE, mirror=mirror)))


def test_problem_2_has_its_canonical_solution_as_target(examples):
    # Looked up by hand: HumanEval/2 is truncate_number, whose canonical body is `return number % 1.0`.
    e = examples[2]
    assert e.inputs["task_id"] == "HumanEval/2" and e.inputs["entry_point"] == "truncate_number"
    program = e.targets["program"]
    assert program.startswith(e.inputs["prompt"]) and program.endswith("return number % 1.0")
    assert "assert candidate(3.5) == 0.5" in e.inputs["test"]


def test_every_problem_in_task_id_order_with_runnable_parts(examples):
    assert [e.inputs["task_id"] for e in examples] == [f"HumanEval/{i}" for i in range(164)]
    for e in examples:
        assert e.task == TASK.name and e.provenance.row == int(e.inputs["task_id"].split("/")[1])
        assert e.targets["program"].startswith(e.inputs["prompt"])
        assert len(e.targets["program"]) > len(e.inputs["prompt"])  # a body follows the prompt
        compile(e.targets["program"] + "\n" + e.inputs["test"], e.inputs["task_id"], "exec")


def _write_broken(tmp_path, mirror, change):
    rows = [json.loads(line) for line in gzip.open(mirror / "human_eval" / FILE, "rt")]
    text = change(rows)
    dest = tmp_path / "human_eval" / FILE
    dest.parent.mkdir(parents=True)
    with gzip.open(dest, "wt") as f:
        f.write(text)
    return SourceFiles(SOURCE, mirror=tmp_path, verify=False)


def _jsonl(rows):
    return "".join(json.dumps(r) + "\n" for r in rows)


def test_missing_field_names_file_row_and_field(tmp_path, mirror):
    def change(rows):
        del rows[5]["entry_point"]
        return _jsonl(rows)
    with pytest.raises(DataError, match=r"HumanEval\.jsonl\.gz, row 5: field 'entry_point': missing field"):
        list(SOURCE.examples(_write_broken(tmp_path, mirror, change)))


def test_wrong_type_and_inconsistent_entry_point_are_named(tmp_path, mirror):
    def wrong_type(rows):
        rows[9]["test"] = ["assert False"]
        return _jsonl(rows)
    with pytest.raises(DataError, match=r"row 9: field 'test': expected str, got list"):
        list(SOURCE.examples(_write_broken(tmp_path / "a", mirror, wrong_type)))

    def wrong_entry(rows):
        rows[11]["entry_point"] = "no_such_function"
        return _jsonl(rows)
    with pytest.raises(DataError, match=r"row 11: field 'entry_point': prompt does not define"):
        list(SOURCE.examples(_write_broken(tmp_path / "b", mirror, wrong_entry)))


def test_truncated_and_empty_files_are_reported(tmp_path, mirror):
    with pytest.raises(DataError, match=r"HumanEval\.jsonl\.gz, row 3: invalid JSON"):
        list(SOURCE.examples(_write_broken(tmp_path / "a", mirror, lambda rows: _jsonl(rows[:4])[:-200])))
    with pytest.raises(DataError, match=r"HumanEval\.jsonl\.gz: file is empty"):
        list(SOURCE.examples(_write_broken(tmp_path / "b", mirror, lambda rows: "")))
