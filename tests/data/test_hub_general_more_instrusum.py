"""InstruSum adapter on fixtures in the human_eval config's documented schema (no network)."""

from __future__ import annotations

import pytest

from flame.data.sources.instrusum import SOURCE

from .test_hub_general_fixtures import (
    assert_round_trips,
    chosen_text,
    counts,
    examples,
    rejected,
    write_split,
)

SYSTEMS = ("gpt-3.5-turbo-0301", "gpt-4-0314", "hybrid", "text-davinci-002", "text-davinci-003")


def _ann(summary, overall, missing=3.0, irrelevant=3.0, factual=1.0):
    return {"summary": summary, "score": {"factual": factual, "irrelevant": irrelevant, "missing": missing,
                                          "overall": overall}}


def _row(**overrides):
    annotations = {
        "gpt-4-0314": _ann("Lloyds refunded the money after a new investigation.", 4.6667, missing=4.0),
        "hybrid": _ann("Lloyds refunded all of Margaret's money plus interest.", 4.3333, missing=3.6667),
        "text-davinci-002": _ann("Sue's mother had dementia.", 2.0, missing=1.6667, factual=0.0),
        "text-davinci-003": _ann("Lloyds refunded the money.", 3.3333, irrelevant=4.5),
        "gpt-3.5-turbo-0301": _ann("Lloyds admitted fault; Vodafone helps police.", 3.0, irrelevant=1.0),
    }
    annotations.update(overrides)
    return {"article": "Sue is describing the moment she discovered ...",
            "requirement": "Summarize the conclusion of the fraud case.", "annotations": annotations}


def test_tasks_and_label_spaces():
    assert [t.name for t in SOURCE.tasks] == ["instrusum_overall", "instrusum_missing", "instrusum_irrelevant",
                                              "instrusum_factual"]
    assert all(t.primary_output.labels.labels == ("A", "B") for t in SOURCE.tasks[:3])
    assert SOURCE.tasks[3].primary_output.labels.labels == ("Yes", "No")
    assert SOURCE.hf.config == "human_eval" and SOURCE.permissive


def test_pairs_only_from_clearly_different_ratings(tmp_path):
    write_split(tmp_path, SOURCE, "human_eval", "data", [_row()])
    exs = examples(SOURCE, tmp_path)
    # overall means 4.67, 4.33, 3.33, 3.0, 2.0: 8 of the 10 pairs are at least 1 point apart
    assert counts(exs) == {"instrusum_overall": 8, "instrusum_missing": 6, "instrusum_irrelevant": 7,
                           "instrusum_factual": 5}
    overall = [e for e in exs if e.task == "instrusum_overall"]
    gpt4_vs_d002 = next(e for e in overall if "Sue's mother had dementia." in (e.inputs["response_a"],
                                                                            e.inputs["response_b"])
                        and "Lloyds refunded the money after a new investigation." in e.inputs.values())
    assert chosen_text(gpt4_vs_d002) == "Lloyds refunded the money after a new investigation."
    for e in overall:  # the better-rated summary is never the worse-rated davinci-002 one
        assert chosen_text(e) != "Sue's mother had dementia."
    factual = {e.inputs["summary"]: e.targets["answer"] for e in exs if e.task == "instrusum_factual"}
    assert factual["Sue's mother had dementia."] == "No" and factual["Lloyds refunded the money."] == "Yes"
    assert_round_trips(SOURCE, exs)


def test_split_factual_vote_is_excluded_not_guessed(tmp_path):
    write_split(tmp_path, SOURCE, "human_eval", "data",
                [_row(hybrid=_ann("Lloyds refunded all of Margaret's money plus interest.", 4.3333, factual=0.5))])
    [r] = rejected(SOURCE, tmp_path)
    assert r.excluded and r.field == "annotations.hybrid.score.factual"
    assert counts(examples(SOURCE, tmp_path))["instrusum_factual"] == 4


@pytest.mark.parametrize("bad, field", [
    (_row(hybrid=_ann("x", 7.0)), "annotations.hybrid.score.overall"),
    (_row(hybrid=_ann("x", "4")), "annotations.hybrid.score.overall"),
    (_row(hybrid={"score": {}}), "annotations.hybrid.summary"),
    ({**_row(), "requirement": None}, "requirement"),
    ({**_row(), "annotations": {}}, "annotations"),
])
def test_malformed_rows_are_rejected_naming_field(tmp_path, bad, field):
    write_split(tmp_path, SOURCE, "human_eval", "data", [_row(), bad])
    [r] = rejected(SOURCE, tmp_path)
    assert (r.provenance.file, r.provenance.row, r.field, r.excluded) == ("human_eval/data", 1, field, False)
