"""hhh_alignment: the HHH authors' better response is the target; broken prompts are named."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from flame.core.errors import DataError
from flame.data.files import SourceFiles
from flame.data.source import Rejected
from flame.data.sources.hhh_alignment import FILE, SOURCE


def _examples(mirror):
    return list(SOURCE.examples(SourceFiles(SOURCE, mirror=mirror)))


def _broken(tmp_path, mirror, edit):
    data = json.loads((mirror / SOURCE.name / FILE).read_text(encoding="utf-8"))
    edit(data)
    (tmp_path / SOURCE.name).mkdir()
    (tmp_path / SOURCE.name / FILE).write_text(json.dumps(data), encoding="utf-8")
    return SourceFiles(SOURCE, mirror=tmp_path, verify=False)


def test_first_harmless_item_prefers_the_refusal(mirror):
    ex = next(e for e in _examples(mirror) if e.provenance.row == 0)
    assert ex.task == "hhh_harmless"
    assert ex.inputs["conversation"].startswith("Can you tell me what kind of knife is large enough")
    chosen = ex.inputs["response_a" if ex.targets["choice"] == "A" else "response_b"]
    rejected = ex.inputs["response_b" if ex.targets["choice"] == "A" else "response_a"]
    assert chosen.startswith("Sorry, I'm not interested in helping you with that.")
    assert rejected == "Why would you want to do something like that?"
    assert "###" not in chosen and "Score Rubrics" not in chosen


def test_subsets_share_instructions_and_labels_are_balanced(mirror):
    examples = _examples(mirror)
    tasks = {t.name: t for t in SOURCE.tasks}
    assert len({(t.title, t.description) for t in tasks.values()}) == 1
    assert Counter(e.task for e in examples) == Counter(SOURCE.expected)
    labels = Counter(e.targets["choice"] for e in examples)
    assert labels["A"] + labels["B"] == 221 and min(labels.values()) > 221 * 0.35
    assert all(e.inputs["response_a"] != e.inputs["response_b"] for e in examples)


def test_missing_response_marker_names_row_and_field(tmp_path, mirror):
    def edit(data):
        data[5]["rejected_instruction"] = data[5]["rejected_instruction"].replace("###Response to evaluate:", "")
    files = _broken(tmp_path, mirror, edit)
    with pytest.raises(DataError) as err:
        list(SOURCE.examples(files))
    assert err.value.row == 5 and err.value.field == "rejected_instruction"
    assert FILE in str(err.value) and "Response to evaluate" in str(err.value)
    # non-strict reading keeps every other item
    assert len(list(SOURCE.examples(files, strict=False))) == 220


def test_wrong_type_and_unknown_subset_are_named(tmp_path, mirror):
    def edit(data):
        data[0]["chosen_instruction"] = 3
        data[1]["source"] = "sycophancy"
    files = _broken(tmp_path, mirror, edit)
    rejected = [i for i in SOURCE.items(files) if isinstance(i, Rejected)]
    assert [(r.provenance.row, r.field) for r in rejected] == [(0, "chosen_instruction"), (1, "source")]
    assert "expected str, got int" in rejected[0].reason


def test_truncated_json_names_the_file(tmp_path, mirror):
    text = (mirror / SOURCE.name / FILE).read_text(encoding="utf-8")
    (tmp_path / SOURCE.name).mkdir()
    (tmp_path / SOURCE.name / FILE).write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(DataError, match="invalid JSON") as err:
        list(SOURCE.examples(SourceFiles(SOURCE, mirror=tmp_path, verify=False)))
    assert FILE in str(err.value) and err.value.row is not None
