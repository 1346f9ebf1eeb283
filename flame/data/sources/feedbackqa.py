"""FeedbackQA: rated, explained answers to COVID-19 questions (FLAMe Table 7: "FeedbackQA",
general quality, pointwise + generative).

Li et al. 2022 ("Using Interactive Feedback to Improve the Accuracy and Explainability of
Question Answering Systems Post-Deployment") paired user questions with FAQ passages from
official COVID-19 sites (WHO, CDC, UK, Australian and Quebec governments) returned by a
retrieval QA system; crowd workers rated each answer passage and wrote a natural-language
explanation of its strengths and weaknesses, two workers per question-answer pair.

Origin: Hub `McGill-NLP/feedbackQA`, revision 41ea0e39 (the head whose files sit under
`data/`: `feedback_train.json`, `feedback_valid.json`, `feedback_test.json`). License
Apache-2.0, as the card states (https://huggingface.co/datasets/McGill-NLP/feedbackQA,
"Licensing Information: Apache 2.0"). The repository carries a loading script, which
`datasets` 4+ will not run, so the JSON files are read directly with the packaged json builder (`SourceFiles.hf_rows(data_files=...)`).

Schema: confirmed from the original repository's files of the same names
(github.com/McGill-NLP/feedbackqa, `feedbackQA_data/WHO/feedback_valid.json` at 2007c300):
a JSON array of objects with `question` (str), `passage` (object; the answer text is
`passage.reference.section_content`, with `page_title` and `section_headers` beside it),
`feedback` (list of str, one explanation per rater) and `rating` (list of str, parallel to
`feedback`), ratings seen there: "Excellent", "Acceptable", "Could be Improved", "Bad" (the
card's prose says "excellent, good, could be improved, bad"). NOT confirmed: that the
Hub's merged `data/feedback_*.json` files keep exactly this layout (the Hub loading script
could not be read); a record that does not fit is Rejected naming the field, and a rating
outside the four above is Rejected with its value.

Tasks (all three splits read; one example per rater, so a pair rated by two workers gives
two examples with the same inputs; the paper counts about 9K rated pairs):
- `feedbackqa_rating` (pointwise): the rater's rating of the answer.
- `feedbackqa_explanation` (generative): the rater's explanation of that rating.
`expected` is left empty: counts are unknown offline.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flame.core.errors import DataError
from flame.core.records import Capability, Example, InputField, Provenance, Role

from ..files import SourceFiles
from ..readers import clean, get, guarded
from ..source import HFOrigin, Item, Source
from ._hub_kit import classification_task, generative_task

NAME = "feedbackqa"
LICENSE = "Apache-2.0"
REVISION = "41ea0e39f062f9ca791fd5ec95c364a22150b56e"
# split -> file in the Hub repository
SPLITS = {"train": "data/feedback_train.json", "validation": "data/feedback_valid.json",
          "test": "data/feedback_test.json"}
RATINGS = ("Excellent", "Acceptable", "Could be Improved", "Bad")

_CONTEXT = (
    "A user asked a question about COVID-19 and a retrieval question-answering system "
    "answered with a passage taken from an official FAQ page (WHO, CDC, or a national or "
    "regional government). Judge the answer as the user would: does the passage answer "
    "this question, directly, completely and without padding? "
)
_SCALE = (
    "Rate it Excellent if it answers the question fully and directly, with little or no "
    "irrelevant content; Acceptable if it answers the question but is incomplete, indirect "
    "or includes unneeded information; Could be Improved if it is related to the question "
    "and partly useful but does not really answer it; Bad if it is off-topic or does not "
    "answer the question at all. Judge relevance and completeness for this question, not "
    "whether the passage is true or well written in general."
)
_CONTEXT_FIELDS = (InputField("question", "the user's question"),
                   InputField("answer", "the FAQ passage returned as the answer"))
RATING = classification_task(
    "feedbackqa_rating",
    title="How well does the FAQ passage answer the user's COVID-19 question?",
    description=_CONTEXT + _SCALE,
    inputs=_CONTEXT_FIELDS,
    output="rating",
    labels=RATINGS,
    pointwise=True,
    output_help="the rating of the answer",
    capability=Capability.GENERAL,
    source=NAME,
    license=LICENSE,
)
EXPLANATION = generative_task(
    "feedbackqa_explanation",
    title="Explain what is good and bad about the FAQ passage as an answer to the question.",
    description=_CONTEXT + (
        "Write the feedback a careful user would give: one to three sentences naming what "
        "the passage gets right and what it misses or adds that the question did not ask "
        "for (e.g. 'it describes COVID-19 symptoms but says nothing about the flu'), so "
        "that the system's designers could improve the answer."),
    inputs=_CONTEXT_FIELDS,
    outputs={"explanation": "the feedback on the answer"},
    capability=Capability.GENERAL,
    source=NAME,
    license=LICENSE,
)
TASKS = (RATING, EXPLANATION)


def _answer(record: Any, where: tuple[str, int]) -> str:
    passage = get(record, "passage", dict, where)
    reference = get(passage, "reference", dict, where)
    try:
        return clean(get(reference, "section_content", str, where))
    except DataError as e:
        raise DataError(e.file, e.reason, e.row, "passage.reference.section_content") from e


def _convert(record: Any, prov: Provenance) -> Iterator[Item]:
    where = (str(prov.file), prov.row)
    question = clean(get(record, "question", str, where))
    answer = _answer(record, where)
    feedback = get(record, "feedback", list, where)
    ratings = get(record, "rating", list, where)
    if not question or not answer:
        raise DataError(where[0], "empty text", prov.row, "question" if not question else "passage")
    if not ratings or len(ratings) != len(feedback):
        raise DataError(where[0], f"{len(ratings)} ratings for {len(feedback)} explanations", prov.row, "rating")
    for rating, explanation in zip(ratings, feedback):
        if rating not in RATINGS:
            raise DataError(where[0], f"unknown rating {rating!r}", prov.row, "rating")
        if not isinstance(explanation, str) or not explanation.strip():
            raise DataError(where[0], "empty or non-text explanation", prov.row, "feedback")
    inputs = {"question": question, "answer": answer}
    for rating, explanation in zip(ratings, feedback):
        yield Example(RATING.name, inputs, {"rating": rating}, prov)
        yield Example(EXPLANATION.name, inputs, {"explanation": clean(explanation)}, prov)


def read(files: SourceFiles) -> Iterator[Item]:
    for split, path in SPLITS.items():
        yield from guarded(NAME, f"default/{split}", files.hf_rows(split, data_files=(path,)), _convert)


SOURCE = Source(
    name=NAME,
    title="FeedbackQA: ratings and explanations of retrieved COVID-19 FAQ answers",
    license=LICENSE,
    role=Role.TRAIN,
    homepage="https://mcgill-nlp.github.io/feedbackqa/",
    citation="Li et al. 2022, Using Interactive Feedback to Improve the Accuracy and Explainability "
             "of Question Answering Systems Post-Deployment (Findings of ACL)",
    tasks=TASKS,
    reader=read,
    hf=HFOrigin("McGill-NLP/feedbackQA", REVISION),
    notes="Hub-hosted JSON files read directly (the repository's loading script is not run); "
          "one example per rater.",
    table7=("FeedbackQA",),
)
