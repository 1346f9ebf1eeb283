"""wice: LLM-AggreFact's binary view of WiCE (only fully supported claims are Yes)."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from flame.core.errors import DataError
from flame.data.files import SourceFiles
from flame.data.source import Rejected
from flame.data.sources.wice import GROUNDING_DESCRIPTION, SOURCE

TEST = "claim/test.jsonl"


def _by_row(mirror, task):
    return {e.provenance.row: e for e in SOURCE.examples(SourceFiles(SOURCE, mirror=mirror), task=task)}


def _broken(tmp_path, mirror, edit_lines):
    for path in ("claim/test.jsonl", "claim/dev.jsonl"):
        lines = (mirror / SOURCE.name / path).read_text(encoding="utf-8").splitlines(keepends=True)
        if path == TEST:
            lines = edit_lines(lines)
        (tmp_path / SOURCE.name / "claim").mkdir(parents=True, exist_ok=True)
        (tmp_path / SOURCE.name / path).write_text("".join(lines), encoding="utf-8")
    return SourceFiles(SOURCE, mirror=tmp_path, verify=False)


def test_partial_support_is_no_and_full_support_is_yes(mirror):
    test = _by_row(mirror, "wice_test")
    hervey = test[0]  # partially_supported in WiCE
    assert hervey.inputs["claim"].startswith("Irene Hervey (born Beulah Irene Herwick")
    assert hervey.inputs["document"].startswith("(meta data) TITLE: Irene Hervey - Hollywood Star Walk")
    assert "\n# Irene Hervey\n" in hervey.inputs["document"]  # one evidence sentence per line
    assert hervey.targets["supported"] == "No"
    assert test[4].inputs["claim"].startswith("However, the department gave up control of the station")
    assert test[4].targets["supported"] == "Yes"  # supported
    assert test[21].targets["supported"] == "No"  # not_supported


def test_label_counts_follow_the_three_wice_classes(mirror):
    for task, path in (("wice_test", "claim/test.jsonl"), ("wice_dev", "claim/dev.jsonl")):
        raw = Counter(json.loads(line)["label"] for line in (mirror / SOURCE.name / path).open(encoding="utf-8"))
        labels = Counter(e.targets["supported"] for e in _by_row(mirror, task).values())
        assert labels == {"Yes": raw["supported"], "No": raw["partially_supported"] + raw["not_supported"]}
    assert all(t.description == GROUNDING_DESCRIPTION for t in SOURCE.tasks)


def test_unknown_label_and_wrong_evidence_type_are_named(tmp_path, mirror):
    def edit(lines):
        first, second = json.loads(lines[0]), json.loads(lines[1])
        first["label"] = "refuted"
        second["evidence"] = "one string instead of a list"
        return [json.dumps(first) + "\n", json.dumps(second) + "\n", *lines[2:]]
    files = _broken(tmp_path, mirror, edit)
    with pytest.raises(DataError) as err:
        list(SOURCE.examples(files))
    assert (err.value.row, err.value.field) == (0, "label") and TEST in str(err.value)
    rejected = [i for i in SOURCE.items(files) if isinstance(i, Rejected)]
    assert [(r.provenance.row, r.field) for r in rejected] == [(0, "label"), (1, "evidence")]
    assert "expected list, got str" in rejected[1].reason


def test_truncated_line_and_empty_file_are_named(tmp_path, mirror):
    files = _broken(tmp_path / "a", mirror, lambda lines: [*lines[:3], lines[3][:500]])
    with pytest.raises(DataError, match="invalid JSON") as err:
        list(SOURCE.examples(files))
    assert err.value.row == 3 and TEST in str(err.value)
    with pytest.raises(DataError, match="empty"):
        list(SOURCE.examples(_broken(tmp_path / "b", mirror, lambda lines: [])))
