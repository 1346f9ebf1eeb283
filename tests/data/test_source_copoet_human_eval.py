"""copoet_human_eval: one example per HIT, the poem most workers found more creative wins."""

from __future__ import annotations

import csv
import io
from collections import Counter

import pytest

from flame.core.errors import DataError
from flame.data.files import SourceFiles
from flame.data.source import Rejected
from flame.data.sources.copoet_human_eval import FILE, SOURCE, poem


def _preferred(ex):
    return ex.inputs["response_a" if ex.targets["choice"] == "A" else "response_b"]


def _rows(mirror):
    text = (mirror / SOURCE.name / FILE).read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    return reader.fieldnames, list(reader)


def _write(tmp_path, fieldnames, rows):
    (tmp_path / SOURCE.name).mkdir(parents=True)
    with open(tmp_path / SOURCE.name / FILE, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fieldnames)
        writer.writeheader()
        writer.writerows(rows)
    return SourceFiles(SOURCE, mirror=tmp_path, verify=False)


def test_two_of_three_workers_prefer_the_rhyming_breakup_poem(mirror):
    examples = list(SOURCE.examples(SourceFiles(SOURCE, mirror=mirror)))
    first = next(e for e in examples if e.provenance.row == 0)
    assert first.inputs["title"] == "A Breakup: The Talk"
    assert _preferred(first) == ("Having a talk can be hard\nEveryone is on their guard\n"
                                 "I asked him to sit\nand explained it was time to split")
    assert all("<br" not in v for e in examples for v in e.inputs.values())


def test_majorities_match_the_raw_votes_and_labels_are_balanced(mirror):
    _, rows = _rows(mirror)
    votes = Counter(r["HITId"] for r in rows if r["Answer.creative1.creative1"] == "TRUE")
    examples = list(SOURCE.examples(SourceFiles(SOURCE, mirror=mirror)))
    assert len(examples) == 51
    for ex in examples:
        row = rows[ex.provenance.row]
        expected = row["Input.poem_1"] if votes[row["HITId"]] >= 2 else row["Input.poem_2"]
        assert _preferred(ex) == poem(expected)
    collaborative_wins = sum(votes[h] >= 2 for h in {r["HITId"] for r in rows})
    assert collaborative_wins == 29
    labels = Counter(e.targets["choice"] for e in examples)
    assert min(labels.values()) >= 0.35 * len(examples)


def test_two_poems_marked_creative_is_named_and_leaves_a_tie(tmp_path, mirror):
    fieldnames, rows = _rows(mirror)
    rows[0]["Answer.creative1.creative1"] = "TRUE"
    rows[0]["Answer.creative2.creative2"] = "TRUE"
    files = _write(tmp_path, fieldnames, rows)
    with pytest.raises(DataError) as err:
        list(SOURCE.examples(files))
    assert (err.value.row, err.value.field) == (0, "Answer.creative1.creative1") and FILE in str(err.value)
    rejected = [i for i in SOURCE.items(files) if isinstance(i, Rejected)]
    assert "evenly split (1-1)" in rejected[1].reason  # the HIT's other two workers disagree


def test_wrong_value_missing_column_and_truncation_are_named(tmp_path, mirror):
    fieldnames, rows = _rows(mirror)
    rows[4]["Answer.creative2.creative2"] = "maybe"
    rejected = [i for i in SOURCE.items(_write(tmp_path / "a", fieldnames, rows)) if isinstance(i, Rejected)]
    assert (rejected[0].provenance.row, rejected[0].field) == (4, "Answer.creative2.creative2")

    _, rows = _rows(mirror)
    short = [f for f in fieldnames if f != "Input.poem_2"]
    files = _write(tmp_path / "b", short, [{k: r[k] for k in short} for r in rows])
    rejected = [i for i in SOURCE.items(files) if isinstance(i, Rejected)]
    assert rejected and {r.field for r in rejected} == {"Input.poem_2"}

    text = (mirror / SOURCE.name / FILE).read_text(encoding="utf-8")
    (tmp_path / "c" / SOURCE.name).mkdir(parents=True)
    (tmp_path / "c" / SOURCE.name / FILE).write_text(text[: text.index("AONSG5WOC3OX0")], encoding="utf-8")
    with pytest.raises(DataError, match="truncated") as err:
        list(SOURCE.examples(SourceFiles(SOURCE, mirror=tmp_path / "c", verify=False)))
    assert err.value.row == 2 and err.value.field and FILE in str(err.value)
