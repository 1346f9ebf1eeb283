"""rankgen_human_eval: one example per HIT, labelled by the annotators' majority vote."""

from __future__ import annotations

import csv
import io
from collections import Counter

import pytest

from flame.core.errors import DataError
from flame.data.files import SourceFiles
from flame.data.source import Rejected
from flame.data.sources.rankgen_human_eval import SOURCE

T5 = "t5_xxl_c4.csv"


def _examples(mirror, task):
    return list(SOURCE.examples(SourceFiles(SOURCE, mirror=mirror), task=task, strict=False))


def _preferred(ex):
    return ex.inputs["response_a" if ex.targets["choice"] == "A" else "response_b"]


def _rewrite(text, edit):
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = list(reader)
    edit(rows)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[f for f in reader.fieldnames if f in rows[0]])
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _copy_with(tmp_path, mirror, edit_rows=None, edit_text=None):
    """A mirror in tmp_path whose t5 file is edited (rows as dicts, or the raw text); the
    gpt2 file keeps only its first HIT, so the only problems are the ones made here."""
    folder = tmp_path / SOURCE.name
    folder.mkdir(parents=True)

    def first_hit(rows):
        rows[:] = [r for r in rows if r["HITId"] == rows[0]["HITId"]]

    gpt2 = (mirror / SOURCE.name / "gpt2_medium.csv").read_text(encoding="utf-8")
    (folder / "gpt2_medium.csv").write_text(_rewrite(gpt2, first_hit), encoding="utf-8")
    text = (mirror / SOURCE.name / T5).read_text(encoding="utf-8")
    if edit_rows:
        text = _rewrite(text, edit_rows)
    if edit_text:
        text = edit_text(text)
    (folder / T5).write_text(text, encoding="utf-8")
    return SourceFiles(SOURCE, mirror=tmp_path, verify=False)


def test_two_to_one_vote_picks_the_majority_continuation(mirror):
    examples = _examples(mirror, "rankgen_t5_xxl")
    # HIT of rows 0-2: Writers 1 and 3 chose Text 1, Writer 2 chose Text 2.
    first = next(e for e in examples if e.provenance.row == 0)
    assert first.inputs["prefix"].startswith("* *know For falsing so his promise and behest")
    assert _preferred(first).startswith("I'll deal with him, or eat myself.")
    # HIT of rows 24-26: Writers 1 and 2 chose Text 2, Writer 3 chose Text 1.
    other = next(e for e in examples if e.provenance.row == 24)
    assert _preferred(other).startswith("Jinx kills all the remaining traitors in the plane")
    assert {e.provenance.row for e in examples} == set(range(0, 300, 3))


def test_labels_are_balanced_and_each_hit_is_one_example(mirror):
    rejected = [i for i in SOURCE.items(SourceFiles(SOURCE, mirror=mirror)) if isinstance(i, Rejected)]
    # the one HIT whose first continuation is empty ("there is no Text 1")
    assert [(r.provenance.file, r.provenance.row, r.field) for r in rejected] == [
        ("gpt2_medium.csv", 164, "Input.First")]
    for task in ("rankgen_gpt2_medium", "rankgen_t5_xxl"):
        examples = _examples(mirror, task)
        labels = Counter(e.targets["choice"] for e in examples)
        assert len(examples) == SOURCE.expected[task]
        assert min(labels.values()) >= 0.35 * len(examples)
        assert len({e.inputs["prefix"] for e in examples}) == len(examples)


def test_unreadable_verdict_is_named_and_can_leave_a_tie(tmp_path, mirror):
    def edit(rows):
        rows[0]["Answer.utterance"] = "Neither, both are bad."
    files = _copy_with(tmp_path, mirror, edit_rows=edit)
    with pytest.raises(DataError) as err:
        list(SOURCE.examples(files))
    assert (err.value.row, err.value.field) == (0, "Answer.utterance") and T5 in str(err.value)
    rejected = [i for i in SOURCE.items(files) if isinstance(i, Rejected)]
    # the remaining two verdicts (Text 2 vs Text 1) tie, so the HIT is dropped with that reason
    assert [(r.provenance.file, r.provenance.row) for r in rejected][-2:] == [(T5, 0), (T5, 0)]
    assert "evenly split (1-1)" in rejected[-1].reason


def test_inputs_differing_within_a_hit_are_named(tmp_path, mirror):
    def edit(rows):
        rows[1]["Input.Second"] = "something else"
    files = _copy_with(tmp_path, mirror, edit_rows=edit)
    rejected = [i for i in SOURCE.items(files) if isinstance(i, Rejected) and i.provenance.file == T5]
    assert (rejected[0].provenance.row, rejected[0].field) == (1, "Input.Second")


def test_missing_column_and_truncated_file_are_named(tmp_path, mirror):
    def drop(rows):
        for r in rows:
            del r["HITId"]
    with pytest.raises(DataError) as err:
        list(SOURCE.examples(_copy_with(tmp_path / "a", mirror, edit_rows=drop)))
    assert (err.value.row, err.value.field) == (0, "HITId") and T5 in str(err.value)

    def truncate(text):
        return text[: text.index("Writer 3")]
    with pytest.raises(DataError, match="truncated") as err:
        list(SOURCE.examples(_copy_with(tmp_path / "b", mirror, edit_text=truncate)))
    assert err.value.row == 2 and err.value.field and T5 in str(err.value)
