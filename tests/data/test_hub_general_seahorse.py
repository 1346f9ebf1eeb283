"""SEAHORSE adapter on fixtures in the Hub copy's documented schema (no network)."""

from __future__ import annotations

import pytest

from flame.data.sources.seahorse import QUESTIONS, SOURCE

from .test_hub_general_fixtures import (
    assert_round_trips,
    counts,
    examples,
    rejected,
    write_split,
)

ATTRIBUTION = "All the information in the summary is fully attributable to the source article."
GRAMMAR = "The summary is grammatically correct."


def _row(question, answer, summary="Sissoko was sent off.", lang="en-US"):
    return {"gem_id": "xsum-train-1", "worker_lang": lang, "model": "mt5_small", "article": "Newcastle's Sissoko ...",
            "summary": summary, "question": question, "answer": answer}


@pytest.fixture
def mirror(tmp_path):
    write_split(tmp_path, SOURCE, "default", "train", [_row(q, "Yes") for q in QUESTIONS])
    write_split(tmp_path, SOURCE, "default", "validation", [_row(ATTRIBUTION, "No", "Er spielte\\nfür Newcastle.", "de")])
    write_split(tmp_path, SOURCE, "default", "test", [_row(GRAMMAR, "No")])
    return tmp_path


def test_six_yes_no_tasks():
    assert [t.name for t in SOURCE.tasks] == [
        "seahorse_comprehensible", "seahorse_repetition", "seahorse_grammar", "seahorse_attribution",
        "seahorse_main_ideas", "seahorse_conciseness"]
    assert all(t.primary_output.labels.labels == ("Yes", "No") for t in SOURCE.tasks)


def test_each_question_goes_to_its_task(mirror):
    exs = examples(SOURCE, mirror)
    assert counts(exs) == {**{t.name: 1 for t in SOURCE.tasks}, "seahorse_attribution": 2, "seahorse_grammar": 2}
    german = next(e for e in exs if e.provenance.file == "default/validation")
    assert german.task == "seahorse_attribution" and german.targets == {"answer": "No"}
    assert german.inputs["summary"] == "Er spielte\nfür Newcastle."  # JSON-escaped in the copy
    assert_round_trips(SOURCE, exs)


@pytest.mark.parametrize("bad, field", [
    (_row(GRAMMAR, "Unsure"), "answer"), (_row("Is it good?", "Yes"), "question"),
    ({**_row(GRAMMAR, "Yes"), "article": None}, "article"), (_row(GRAMMAR, "Yes", summary=" "), "summary"),
])
def test_malformed_rows_are_rejected_naming_field(tmp_path, bad, field):
    write_split(tmp_path, SOURCE, "default", "train", [_row(GRAMMAR, "No"), bad])
    for split in ("validation", "test"):
        write_split(tmp_path, SOURCE, "default", split, [_row(GRAMMAR, "Yes")])
    [r] = rejected(SOURCE, tmp_path)
    assert (r.provenance.file, r.provenance.row, r.field) == ("default/train", 1, field)
