"""littrans on the real mirror: the translator's choice is the target, difficult choices are kept
in their own task, and nothing the translators wrote about their choice reaches the judge.

No text of the dataset is written into these tests (it has no license): expectations are read
from the mirror's own file at test time.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from flame.core import render
from flame.core.errors import FlameError
from flame.core.records import Role
from flame.data.build import build_collection
from flame.data.files import SourceFiles
from flame.data.readers import clean
from flame.data.source import Rejected
from flame.data.sources.littrans import CLEAR, DIFFICULT, FILE, LANGUAGES, SOURCE


@pytest.fixture(scope="module")
def raw(mirror):
    return json.loads((mirror / SOURCE.name / FILE).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def examples(mirror):
    return list(SOURCE.examples(SourceFiles(SOURCE, mirror=mirror)))


def _preferred(ex):
    return ex.inputs["response_a" if ex.targets["choice"] == "A" else "response_b"]


def test_every_comparison_targets_the_translators_choice(raw, examples):
    assert len(examples) == len(raw) == 540
    for ex in examples:
        record = raw[ex.provenance.row]
        other = "text2" if record["choice"] == "text1" else "text1"
        assert _preferred(ex) == clean(record[record["choice"]])
        assert {ex.inputs["response_a"], ex.inputs["response_b"]} == {clean(record["text1"]), clean(record["text2"])}
        assert _preferred(ex) != clean(record[other])
        assert ex.inputs["source"] == clean(record["source"])
        assert (ex.inputs["source_language"], ex.inputs["target_language"]) == (
            LANGUAGES[record["source_lang"]], LANGUAGES[record["target_lang"]])
    labels = Counter(e.targets["choice"] for e in examples)
    assert min(labels.values()) >= 0.4 * len(examples)  # the preferred translation is not always at A


def test_difficult_choices_are_kept_in_their_own_task(raw, examples):
    assert Counter(e.task for e in examples) == {CLEAR.name: 327, DIFFICULT.name: 213}
    for ex in examples:
        hard = raw[ex.provenance.row]["difficult_choice"].startswith("YES")
        assert ex.task == (DIFFICULT.name if hard else CLEAR.name)
    # one prompt for both: the split is for reporting, not a different question to the judge
    assert (CLEAR.title, CLEAR.description) == (DIFFICULT.title, DIFFICULT.description)


def test_the_judge_never_sees_the_reference_or_the_translators_notes(raw, examples):
    for ex in examples:
        record = raw[ex.provenance.row]
        prompt = render(CLEAR if ex.task == CLEAR.name else DIFFICULT, ex).text
        for hidden in ("target", "comment"):
            assert clean(record[hidden]) not in prompt, (ex.provenance.row, hidden)


def test_evaluation_only_never_built_into_training_data(tmp_path):
    assert not SOURCE.permissive and SOURCE.license == "none (evaluation only)"
    assert SOURCE.role is Role.EVAL and all(t.role is Role.EVAL for t in SOURCE.tasks)
    with pytest.raises(FlameError, match="no train tasks"):
        build_collection(tmp_path / "out", sources=["littrans"])
    (remote,) = SOURCE.files
    assert "/7875c8ae052c6a26aca2c80e0602f8bae894a25c/" in remote.url and len(remote.sha256) == 64


def test_bad_rows_are_rejected_naming_the_field(tmp_path, raw):
    rows = json.loads(json.dumps(raw[:6]))
    rows[1]["choice"] = "text3"
    rows[2]["difficult_choice"] = "maybe"
    rows[3]["source_lang"] = "xx"
    rows[4]["text2"] = rows[4]["text1"]
    del rows[5]["source"]
    path = tmp_path / SOURCE.name / FILE
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(rows), encoding="utf-8")
    items = list(SOURCE.items(SourceFiles(SOURCE, mirror=tmp_path, verify=False)))
    rejected = [(r.provenance.row, r.field) for r in items if isinstance(r, Rejected)]
    assert rejected == [(1, "choice"), (2, "difficult_choice"), (3, "source_lang"), (4, "text2"), (5, "source")]
    assert sum(not isinstance(i, Rejected) for i in items) == 1
    # and a changed file is not read as the pinned one
    with pytest.raises(FlameError, match="checksum mismatch"):
        list(SOURCE.items(SourceFiles(SOURCE, mirror=tmp_path)))
