"""CoBBLEr adapter on the real mirror: human preference targets, model identities, bad input."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from flame.core.errors import DataError
from flame.data.files import SourceFiles
from flame.data.readers import clean
from flame.data.sources.cobbler import ANNOTATIONS, GENERATIONS, PAIRWISE, SOURCE, pair_models


@pytest.fixture(scope="module")
def examples(mirror):
    return list(SOURCE.examples(SourceFiles(SOURCE, mirror=mirror)))


def _pair(examples, i, x, y):
    for e in examples:
        idx, a, b = pair_models(str(e.provenance.row))
        if idx == i and {a, b} == {x, y}:
            return e, a, b
    raise AssertionError(f"no pair {x}/{y} for instruction {i}")


def test_unanimous_human_preference_is_the_target(examples, mirror):
    # Instruction 0 asks whether Koreans under Japanese rule watched Iron Chef (answer: no, it
    # aired in 1993). GPT-4 says no and why; LLaMA says "Yes, they did." All six annotators rank
    # GPT-4's response above LLaMA's (checked by hand in annot_1..6.json).
    e, a, b = _pair(examples, 0, "gpt4", "llama")
    preferred = e.inputs["response_a"] if e.targets["choice"] == "A" else e.inputs["response_b"]
    assert preferred.startswith("No, people in Korea under Japanese rule did not watch")
    assert (a if e.targets["choice"] == "A" else b) == "gpt4"
    assert e.inputs["reference"].startswith("No. The first televisions were sold in 1946")


def test_split_annotators_give_tie(examples):
    # On instruction 0, three annotators put Vicuna above ChatGPT and three the reverse.
    e, _, _ = _pair(examples, 0, "vicuna", "chatgpt")
    assert e.targets["choice"] == "tie"


def test_provenance_row_names_the_model_behind_each_position(examples, mirror):
    generations = json.loads((mirror / "cobbler" / GENERATIONS).read_text())
    seen = Counter()
    for e in examples:
        i, a, b = pair_models(str(e.provenance.row))
        assert e.inputs["response_a"] == clean(generations[a][i])
        assert e.inputs["response_b"] == clean(generations[b][i])
        seen[i] += 1
    assert seen == {i: 105 for i in range(50)}  # all C(15, 2) pairs of every instruction


def test_labels_balanced_and_ties_a_minority(examples):
    counts = Counter(e.targets["choice"] for e in examples)
    decided = counts["A"] + counts["B"]
    assert 0.45 < counts["A"] / decided < 0.55
    assert 0 < counts["tie"] < 0.15 * len(examples)


def test_declared_for_evaluation_only():
    assert not SOURCE.permissive and SOURCE.role.value == "eval" and PAIRWISE.role.value == "eval"
    with pytest.raises(ValueError):
        pair_models("instr3:gpt4-vs-nobody")


def _broken_mirror(tmp_path, mirror, rel, text):
    for f in SOURCE.files:
        dest = tmp_path / "cobbler" / f.path
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes((mirror / "cobbler" / f.path).read_bytes())
    (tmp_path / "cobbler" / rel).write_text(text)
    return SourceFiles(SOURCE, mirror=tmp_path, verify=False)


def _edit(mirror, rel, change):
    data = json.loads((mirror / "cobbler" / rel).read_text())
    change(data)
    return json.dumps(data)


def test_missing_rank_names_file_row_and_model(tmp_path, mirror):
    text = _edit(mirror, ANNOTATIONS[2], lambda d: d[7].pop("gpt4"))
    files = _broken_mirror(tmp_path, mirror, ANNOTATIONS[2], text)
    with pytest.raises(DataError, match=r"annot_3\.json, row 7: field 'gpt4': missing rank"):
        list(SOURCE.examples(files))


def test_wrong_type_response_names_file_row_and_model(tmp_path, mirror):
    text = _edit(mirror, GENERATIONS, lambda d: d["koala"].__setitem__(3, 42))
    files = _broken_mirror(tmp_path, mirror, GENERATIONS, text)
    with pytest.raises(DataError, match=r"full_n15_model_generations\.json, row 3: field 'koala': expected str"):
        list(SOURCE.examples(files))


def test_truncated_or_empty_files_are_reported(tmp_path, mirror):
    text = (mirror / "cobbler" / GENERATIONS).read_text()[:5000]
    with pytest.raises(DataError, match=r"full_n15_model_generations\.json.*invalid JSON"):
        list(SOURCE.examples(_broken_mirror(tmp_path, mirror, GENERATIONS, text)))
    with pytest.raises(DataError, match=r"annot_1\.json.*empty"):
        list(SOURCE.examples(_broken_mirror(tmp_path, mirror, ANNOTATIONS[0], "")))
