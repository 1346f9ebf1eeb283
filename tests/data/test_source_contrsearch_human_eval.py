"""contrsearch_human_eval: majority of 4 annotators, even splits excluded with their reason."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from flame.core.errors import DataError
from flame.data.files import SourceFiles
from flame.data.source import Rejected
from flame.data.sources.contrsearch_human_eval import FILE, SOURCE


def _items(files):
    return list(SOURCE.items(files))


def _preferred(ex):
    return ex.inputs["response_a" if ex.targets["choice"] == "A" else "response_b"]


def _broken(tmp_path, mirror, edit):
    data = json.loads((mirror / SOURCE.name / FILE).read_text(encoding="utf-8"))
    edit(data)
    (tmp_path / SOURCE.name).mkdir()
    (tmp_path / SOURCE.name / FILE).write_text(json.dumps(data), encoding="utf-8")
    return SourceFiles(SOURCE, mirror=tmp_path, verify=False)


def test_two_votes_to_one_prefer_system_b_in_the_first_item(mirror):
    items = _items(SourceFiles(SOURCE, mirror=mirror))
    first = next(i for i in items if i.provenance.row == 0)
    # annotators: a, b, comparable, b -> system b (contrastive search) is the target
    assert first.inputs["prompt"].endswith("All the beautiful mountains")
    assert _preferred(first).startswith("of the Himalayas were in the dark")
    assert not first.inputs["response_a"].startswith("We packed up")  # prompt is cut off


def test_even_splits_are_rejected_and_the_rest_mostly_favour_contrastive_search(mirror):
    data = json.loads((mirror / SOURCE.name / FILE).read_text(encoding="utf-8"))
    items = _items(SourceFiles(SOURCE, mirror=mirror))
    rejected = [i for i in items if isinstance(i, Rejected)]
    assert len(rejected) == 37 and all("evenly split (2-2" in r.reason for r in rejected)
    examples = [i for i in items if not isinstance(i, Rejected)]
    winners = Counter()
    for ex in examples:
        item = data[ex.provenance.row]
        side = "a" if item["system_a_result"].strip().endswith(_preferred(ex)) else "b"
        assert item[f"system_{side}_result"].strip().endswith(_preferred(ex))
        winners[item[f"system_{side}_name"]] += 1
    assert winners == {"contrastive_search": 95, "contrastive_decoding": 18}
    labels = Counter(e.targets["choice"] for e in examples)
    assert min(labels.values()) >= 0.35 * len(examples)


def test_unknown_verdict_and_foreign_text_are_named(tmp_path, mirror):
    def edit(data):
        data[0]["human_annotation"]["annotator_2"] = "system c is best"
        data[1]["system_b_result"] = "Something that does not start with the prompt."
    files = _broken(tmp_path, mirror, edit)
    with pytest.raises(DataError) as err:
        list(SOURCE.examples(files))
    assert (err.value.row, err.value.field) == (0, "human_annotation") and FILE in str(err.value)
    assert "system c is best" in str(err.value)
    second = next(i for i in _items(files) if i.provenance.row == 1)
    assert isinstance(second, Rejected) and second.field == "system_b_result"


def test_wrong_type_and_empty_file_are_named(tmp_path, mirror):
    def edit(data):
        data[3]["human_annotation"] = ["system a is more human-like."]
    rejected = [i for i in _items(_broken(tmp_path, mirror, edit)) if i.provenance.row == 3]
    assert rejected[0].field == "human_annotation" and "expected dict, got list" in rejected[0].reason
    (tmp_path / "empty" / SOURCE.name).mkdir(parents=True)
    (tmp_path / "empty" / SOURCE.name / FILE).write_text("", encoding="utf-8")
    with pytest.raises(DataError, match="empty"):
        list(SOURCE.examples(SourceFiles(SOURCE, mirror=tmp_path / "empty", verify=False)))
