"""Summarize-from-feedback comparisons adapter on fixtures in the README's schema (no network)."""

from __future__ import annotations

import pytest

from flame.data.sources.summarize_feedback import SOURCE

from .test_hub_general_fixtures import (
    assert_round_trips,
    chosen_text,
    examples,
    rejected,
    write_split,
)


def _row(first, second, choice, **info):
    base = {"id": "t3_2vwp1w", "post": "I had a car accident on friday ...", "title": "Dutch law question",
            "subreddit": "legaladvice", "article": None, "site": None}
    return {"info": {**base, **info},
            "summaries": [{"text": first, "policy": "sup4_ppo_rm3_kl10", "note": None},
                          {"text": second, "policy": "ref", "note": "Unclear what happened."}],
            "choice": choice, "worker": "ikNmucwunMnYJCQpnq6ZYb57OW7NiD", "batch": "batch9",
            "split": "train", "extra": {"confidence": 8}}


@pytest.fixture
def mirror(tmp_path):
    write_split(tmp_path, SOURCE, "comparisons", "train", [
        _row(" car accident, doors jammed.", " other driver sped; how to get an investigation?", 1),
        _row("Sissoko sent off.", "Newcastle lost.", 0, post=None, article="Newcastle stand-in skipper ...", title="Sissoko"),
    ])
    write_split(tmp_path, SOURCE, "comparisons", "validation", [_row("a", "b", 0, title=None)])
    return tmp_path


def test_task_and_labels():
    [task] = SOURCE.tasks
    assert task.name == "summarize_feedback_comparison"
    assert task.input_names == ("title", "text", "response_a", "response_b")
    assert task.primary_output.labels.labels == ("A", "B")


def test_choice_marks_the_better_summary(mirror):
    exs = examples(SOURCE, mirror)
    assert [chosen_text(e) for e in exs] == ["other driver sped; how to get an investigation?", "Sissoko sent off.", "a"]
    assert exs[1].inputs["text"] == "Newcastle stand-in skipper ..."  # CNN/DM rows use the article
    assert exs[2].inputs["title"] == "(untitled)"
    assert_round_trips(SOURCE, exs)


@pytest.mark.parametrize("bad, field", [
    ({**_row("a", "b", 2)}, "choice"),
    ({**_row("a", "b", 0), "summaries": [{"text": "a"}]}, "summaries"),
    (_row("a", "b", 0, post=None), "info"),
    (_row("same", "same", 1), "summaries"),
    ({**_row("a", "b", 0), "summaries": [{"text": 1}, {"text": "b"}]}, "text"),
])
def test_malformed_rows_are_rejected_naming_field(tmp_path, bad, field):
    write_split(tmp_path, SOURCE, "comparisons", "train", [bad])
    write_split(tmp_path, SOURCE, "comparisons", "validation", [_row("a", "b", 0)])
    [r] = rejected(SOURCE, tmp_path)
    assert (r.provenance.file, r.provenance.row, r.field) == ("comparisons/train", 0, field)
