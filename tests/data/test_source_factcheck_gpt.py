"""factcheck_gpt: only complete support is "supported"; stances and claim labels kept as given."""

from __future__ import annotations

import json
from collections import Counter, defaultdict

import pytest

from flame.core.errors import DataError
from flame.data.files import SourceFiles
from flame.data.source import Rejected
from flame.data.sources.factcheck_gpt import CLAIM_FILE, SOURCE, STANCE_FILE
from flame.data.sources.wice import SOURCE as WICE


def _items(files):
    return list(SOURCE.items(files))


def _index(items):
    """(task, row) -> example."""
    return {(i.task, i.provenance.row): i for i in items if not isinstance(i, Rejected)}


def _broken(tmp_path, mirror, stance_edit=None, claim_edit=None):
    for path, edit in ((STANCE_FILE, stance_edit), (CLAIM_FILE, claim_edit)):
        lines = (mirror / SOURCE.name / path).read_text(encoding="utf-8").splitlines(keepends=True)
        if edit:
            lines = edit(lines)
        (tmp_path / SOURCE.name / "subtasks").mkdir(parents=True, exist_ok=True)
        (tmp_path / SOURCE.name / path).write_text("".join(lines), encoding="utf-8")
    return SourceFiles(SOURCE, mirror=tmp_path, verify=False)


def test_douglas_claims_map_stances_to_support(mirror):
    ex = _index(_items(SourceFiles(SOURCE, mirror=mirror)))
    # row 10: "...served on the Supreme Court from 1939 until his retirement in 1975", completely-support
    assert ex[("factcheck_gpt_support", 10)].targets["supported"] == "Yes"
    assert ex[("factcheck_gpt_support", 10)].inputs["claim"].startswith("Justice William O. Douglas served")
    assert ex[("factcheck_gpt_support", 5)].targets["supported"] == "No"  # partially-support (birth date)
    assert ex[("factcheck_gpt_support", 15)].targets["supported"] == "No"  # refute: "still alive in 1980"
    assert ex[("factcheck_gpt_stance", 15)].targets["stance"] == "refute"
    assert ex[("factcheck_gpt_stance", 0)].targets["stance"] == "irrelevant"
    assert ("factcheck_gpt_support", 0) not in ex  # irrelevant passages are not grounding documents
    # subtask 4, row 0: the "oldest justice in 1980 was Douglas" claim is false
    assert ex[("factcheck_gpt_claim_factuality", 0)].targets["factual"] == "No"


def test_support_labels_agree_with_the_raw_stances(mirror):
    raw = [json.loads(line) for line in (mirror / SOURCE.name / STANCE_FILE).open(encoding="utf-8")]
    items = _items(SourceFiles(SOURCE, mirror=mirror))
    support = [i for i in items if not isinstance(i, Rejected) and i.task == "factcheck_gpt_support"]
    for ex in support:
        assert (ex.targets["supported"] == "Yes") == (raw[ex.provenance.row]["stance"] == "completely-support")
    assert Counter(e.targets["supported"] for e in support) == {"Yes": 637, "No": 503}
    pairs = defaultdict(set)
    for r in raw:
        pairs[(r["claim"].strip(), r["evidence"].strip())].add(r["stance"])
    stance = [i for i in items if not isinstance(i, Rejected) and i.task == "factcheck_gpt_stance"]
    assert len(stance) == sum(len(s) == 1 for s in pairs.values())  # one per consistent pair
    assert len({(e.inputs["claim"], e.inputs["evidence"]) for e in stance}) == len(stance)


def test_shares_the_llm_aggrefact_layout_with_wice():
    ours, wice = SOURCE.task("factcheck_gpt_support"), WICE.task("wice_test")
    assert (ours.title, ours.description, ours.input_names, ours.output_names) == (
        wice.title, wice.description, wice.input_names, wice.output_names)
    assert ours.primary_output.labels == wice.primary_output.labels


def test_unknown_stance_and_missing_claim_are_named(tmp_path, mirror):
    def edit(lines):
        first, second = json.loads(lines[0]), json.loads(lines[1])
        first["stance"] = "mostly-support"
        del second["claim"]
        return [json.dumps(first) + "\n", json.dumps(second) + "\n", *lines[2:]]
    files = _broken(tmp_path, mirror, stance_edit=edit)
    with pytest.raises(DataError) as err:
        list(SOURCE.examples(files))
    assert (err.value.row, err.value.field) == (0, "stance") and STANCE_FILE in str(err.value)
    rejected = [i for i in _items(files) if isinstance(i, Rejected)]
    assert [(r.provenance.row, r.field) for r in rejected[:2]] == [(0, "stance"), (1, "claim")]


def test_bad_claim_label_and_truncated_line_are_named(tmp_path, mirror):
    def edit(lines):
        first = json.loads(lines[0])
        first["label"] = False
        return [json.dumps(first) + "\n", *lines[1:]]
    rejected = [i for i in _items(_broken(tmp_path / "a", mirror, claim_edit=edit)) if isinstance(i, Rejected)
                and i.provenance.file == CLAIM_FILE]
    assert (rejected[0].provenance.row, rejected[0].field) == (0, "label")
    assert "expected str, got bool" in rejected[0].reason
    files = _broken(tmp_path / "b", mirror, stance_edit=lambda lines: [*lines[:7], lines[7][:100]])
    with pytest.raises(DataError, match="invalid JSON") as err:
        list(SOURCE.examples(files))
    assert err.value.row == 7 and STANCE_FILE in str(err.value)
