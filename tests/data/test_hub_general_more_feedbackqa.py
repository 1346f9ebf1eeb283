"""FeedbackQA adapter on fixtures in the original files' documented schema (no network)."""

from __future__ import annotations

import pytest

from flame.data.sources.feedbackqa import RATINGS, SOURCE

from .test_hub_general_fixtures import (
    assert_round_trips,
    counts,
    examples,
    rejected,
    write_split,
)

QUESTION = "What symptoms do Covid-19 and the flu have in common?"
ANSWER = "COVID-19 causes mild symptoms\nincluding dry cough, tiredness and fever."


def _row(ratings=("Acceptable", "Bad"), feedback=("Gives COVID symptoms only.", "Nothing about the flu."),
         question=QUESTION, answer=ANSWER):
    return {"question": question,
            "passage": {"passage_id": 146, "source": "WHO", "uri": "https://www.who.int/x", "reference_type": "FAQ",
                        "reference": {"page_title": "Q&A: Older people and COVID-19",
                                      "section_headers": ["What is COVID-19?"], "section_content": answer,
                                      "selection_span": None, "section_content_html": f"<p>{answer}</p>"}},
            "feedback": list(feedback), "rating": list(ratings)}


def _mirror(root, train_rows):
    write_split(root, SOURCE, "default", "train", train_rows)
    write_split(root, SOURCE, "default", "validation", [_row(("Excellent", "Could be Improved"))])
    write_split(root, SOURCE, "default", "test", [_row(("Bad", "Bad"), ("Off topic.", "Wrong page."))])
    return root


def test_tasks_and_label_spaces():
    assert [t.name for t in SOURCE.tasks] == ["feedbackqa_rating", "feedbackqa_explanation"]
    rating, explanation = SOURCE.tasks
    assert rating.primary_output.labels.labels == RATINGS
    assert not explanation.primary_output.labels.closed
    assert SOURCE.permissive and SOURCE.hf.dataset_id == "McGill-NLP/feedbackQA"


def test_each_rater_gives_a_rating_and_an_explanation(tmp_path):
    exs = examples(SOURCE, _mirror(tmp_path, [_row()]))
    assert counts(exs) == {"feedbackqa_rating": 6, "feedbackqa_explanation": 6}
    train = [e for e in exs if e.provenance.file == "default/train"]
    assert [e.targets for e in train] == [
        {"rating": "Acceptable"}, {"explanation": "Gives COVID symptoms only."},
        {"rating": "Bad"}, {"explanation": "Nothing about the flu."}]
    assert train[0].inputs == {"question": QUESTION, "answer": ANSWER}
    ratings = [e.targets["rating"] for e in exs if e.task == "feedbackqa_rating"]
    assert ratings == ["Acceptable", "Bad", "Excellent", "Could be Improved", "Bad", "Bad"]
    assert_round_trips(SOURCE, exs)


@pytest.mark.parametrize("bad, field", [
    (_row(ratings=("Good", "Bad")), "rating"),
    (_row(ratings=("Bad",)), "rating"),
    ({**_row(), "passage": {"passage_id": 1}}, "reference"),
    ({**_row(), "passage": {"reference": {"page_title": "t"}}}, "passage.reference.section_content"),
    ({**_row(), "question": 7}, "question"),
    (_row(feedback=("ok", "  ")), "feedback"),
])
def test_malformed_rows_are_rejected_naming_field(tmp_path, bad, field):
    _mirror(tmp_path, [_row(), bad])
    [r] = rejected(SOURCE, tmp_path)
    assert (r.provenance.file, r.provenance.row, r.field) == ("default/train", 1, field)
