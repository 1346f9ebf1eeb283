"""CodeT sample pools on the real mirror: task-id mapping, sample indices, bad input."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from flame.core.errors import DataError
from flame.data.files import SourceFiles
from flame.data.sources import codet_humaneval_samples as codet
from flame.data.sources import human_eval

SOURCE = codet.SOURCE


@pytest.fixture(scope="module")
def examples(mirror):
    return list(SOURCE.examples(SourceFiles(SOURCE, mirror=mirror)))


def test_every_problem_gets_its_100_samples_with_indices(examples):
    refs = [codet.sample_ref(str(e.provenance.row)) for e in examples]
    per_task = Counter(t for t, _ in refs)
    assert per_task == {f"HumanEval/{i}": 100 for i in range(164)}
    assert len(set(refs)) == len(refs)
    assert all(e.inputs["task_id"] == t for e, (t, _) in zip(examples, refs))


def test_samples_map_to_the_humaneval_problem_they_solve(examples, mirror):
    # The samples file has no task id and is not in HumanEval order (sorted as text:
    # /0, /1, /10, /100, ...); the join through CodeT's prompts must land on the right function.
    problems = {e.inputs["task_id"]: e for e in human_eval.SOURCE.examples(SourceFiles(human_eval.SOURCE, mirror=mirror))}
    line_order = [e.inputs["task_id"] for e in examples[::100]]
    assert line_order == sorted(problems)
    for e in examples[::100]:
        entry = problems[e.inputs["task_id"]].inputs["entry_point"]
        assert f"def {entry}(" in e.inputs["prompt"]
        assert ">>>" not in e.inputs["prompt"]  # CodeT removed the doctest examples


def test_first_sample_of_problem_0_is_the_target(examples, mirror):
    # Looked up by hand: sample 0 of has_close_elements is a double loop over the indices.
    e = next(x for x in examples if x.provenance.row == "HumanEval/0#0")
    assert e.targets["program"].startswith(e.inputs["prompt"])
    assert "for i in range(len(numbers)):" in e.targets["program"]
    assert "if i < j and abs(numbers[i] - numbers[j]) < threshold:" in e.targets["program"]


def test_blank_samples_are_kept_as_the_bare_prompt(examples):
    blank = [e for e in examples if e.targets["program"] == e.inputs["prompt"]]
    assert len(blank) == 127
    assert Counter(e.inputs["task_id"] for e in blank)["HumanEval/38"] == 45


def _broken(tmp_path, mirror, rel, change):
    for f in SOURCE.files:
        dest = tmp_path / SOURCE.name / f.path
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes((mirror / SOURCE.name / f.path).read_bytes())
    path = tmp_path / SOURCE.name / rel
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    path.write_text(change(rows))
    return SourceFiles(SOURCE, mirror=tmp_path, verify=False)


def _jsonl(rows):
    return "".join(json.dumps(r) + "\n" for r in rows)


def test_unknown_prompt_and_bad_sample_are_named(tmp_path, mirror):
    def unknown(rows):
        rows[4]["prompt"] += "# edited\n"
        return _jsonl(rows)
    with pytest.raises(DataError, match=r"code_solution\.jsonl, row 4: field 'prompt': prompt matches no problem"):
        list(SOURCE.examples(_broken(tmp_path / "a", mirror, codet.SAMPLES, unknown)))

    def bad_sample(rows):
        rows[0]["samples"][3] = None
        return _jsonl(rows)
    with pytest.raises(DataError, match=r"code_solution\.jsonl, row HumanEval/0#3: field 'samples': sample is NoneType"):
        list(SOURCE.examples(_broken(tmp_path / "b", mirror, codet.SAMPLES, bad_sample)))


def test_missing_field_truncated_and_empty_files(tmp_path, mirror):
    def missing(rows):
        del rows[7]["samples"]
        return _jsonl(rows)
    with pytest.raises(DataError, match=r"row 7: field 'samples': missing field"):
        list(SOURCE.examples(_broken(tmp_path / "a", mirror, codet.SAMPLES, missing)))
    with pytest.raises(DataError, match=r"HumanEval_for_code_generation\.jsonl, row 2: invalid JSON"):
        list(SOURCE.examples(_broken(tmp_path / "b", mirror, codet.PROBLEMS, lambda rows: _jsonl(rows[:3])[:-50])))
    with pytest.raises(DataError, match=r"code_solution\.jsonl: file is empty"):
        list(SOURCE.examples(_broken(tmp_path / "c", mirror, codet.SAMPLES, lambda rows: "\n")))
