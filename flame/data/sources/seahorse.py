"""SEAHORSE multilingual summary ratings (FLAMe Table 7: "SEAHORSE", general quality,
classification).

The authors publish SEAHORSE as a zip on Google Cloud Storage (github.com/
google-research-datasets/seahorse: "released under the CC-BY 4.0 license"; the zip holds
summaries and ratings but not the articles, which must be fetched from GEM). This source
reads the Hub copy `tasksource/seahorse_summarization_evaluation`, which joins the
articles in, pinned to revision c641c228 (the commit that added its Parquet data configs).
The articles come from GEM's XSum, XL-Sum, MLSum and WikiLingua, whose own licenses apply
to the article text.

Schema confirmed from that card's `dataset_info` (https://huggingface.co/datasets/
tasksource/seahorse_summarization_evaluation): one row per (summary, question) with
`gem_id`, `worker_lang`, `model`, `article`, `summary`, `question`, `answer` (all str);
splits train 334,806 / validation 49,265 / test 101,652 rows. `question` holds the English
question sentence and `answer` "Yes" for a positive rating, as a public loader of this copy
uses them (it keys six question sentences and compares `answer == "Yes"`); that loader also
JSON-unescapes `summary`, which is done here too when the text parses as a JSON string.
NOT confirmed: the full set of `answer` values; SEAHORSE's raters could also answer
"Unsure" (Clark et al. 2023), so anything other than "Yes"/"No" is Rejected with the value.
Raters saw question 1 first and skipped the others when it was "No".

Tasks (classification Yes/No, one per SEAHORSE question, all splits read): comprehensible,
repetition, grammar, attribution, main_ideas, conciseness. The paper counts 96K summaries
in 6 languages, so each task has up to ~96K examples. A row with an unknown question, a
missing field or an empty summary is Rejected naming the field.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from flame.core.errors import DataError
from flame.core.records import Capability, Example, InputField, Provenance, Role

from ..files import SourceFiles
from ..readers import clean, get, guarded
from ..source import HFOrigin, Item, Source
from ._hub_kit import classification_task

NAME = "seahorse"
LICENSE = "CC-BY-4.0"
SPLITS = ("train", "validation", "test")
ANSWERS = {"Yes": "Yes", "No": "No"}

_INTRO = (
    "A summarization system (or a human reference writer) produced the summary below for the "
    "article, in the article's language (English, German, Spanish, Russian, Turkish or "
    "Vietnamese). Answer one question about the summary, as a careful native speaker would: "
)
# question sentence in the data -> (aspect, title, criteria)
QUESTIONS: dict[str, tuple[str, str, str]] = {
    "The summary can be read and understood by the rater.": (
        "comprehensible", "Can the summary be read and understood?",
        ("is the summary comprehensible? Answer Yes if you can read it and understand what it "
        "says; No if it is garbled, in the wrong language, truncated or otherwise unintelligible. "
        "Do not judge its accuracy or grammar here, only whether it can be understood.")),
    "The summary is free of unnecessarily repeated information.": (
        "repetition", "Is the summary free of unnecessary repetition?",
        ("is the summary free of unnecessarily repeated information? Answer Yes if no word, "
        "phrase or fact is needlessly repeated; No if it repeats content.")),
    "The summary is grammatically correct.": (
        "grammar", "Is the summary grammatically correct?",
        ("is the summary grammatically correct? Answer Yes if it has no grammatical errors "
        "(agreement, word order, inflection, punctuation that changes meaning); No otherwise.")),
    "All the information in the summary is fully attributable to the source article.": (
        "attribution", "Is all the information in the summary attributable to the article?",
        ("is all the information in the summary fully attributable to the article? Answer Yes "
        "only if everything the summary states is supported by the article, i.e. a reader of "
        "the article would agree that it says so (Rashkin et al. 2021); No if any part is "
        "unsupported, contradicted or invented, even if it is true in the real world.")),
    "The summary captures the main idea(s) of the source article.": (
        "main_ideas", "Does the summary capture the main idea(s) of the article?",
        ("does the summary capture the main idea or ideas of the article? Answer Yes if it "
        "conveys the article's key point(s); No if it focuses on minor details or misses them.")),
    "The summary concisely represents the information in the source article.": (
        "conciseness", "Does the summary concisely represent the article's information?",
        ("is the summary concise? Answer Yes if it conveys the article's information without "
        "unnecessary detail or filler; No if it is padded or includes needless details.")),
}
ASPECT = {question: aspect for question, (aspect, _, _) in QUESTIONS.items()}
TASKS = {
    aspect: classification_task(
        f"seahorse_{aspect}",
        title=title,
        description=_INTRO + criteria,
        inputs=(InputField("article", "the source article"), InputField("summary", "the summary")),
        output="answer",
        labels=("Yes", "No"),
        output_help="the rater's answer",
        capability=Capability.GENERAL,
        source=NAME,
        license=LICENSE,
    )
    for aspect, title, criteria in QUESTIONS.values()
}


def _unescape(text: str) -> str:
    try:
        value = json.loads(f'"{text}"')
    except json.JSONDecodeError:
        return text
    return value if isinstance(value, str) else text


def _convert(record: Any, prov: Provenance) -> Iterator[Item]:
    where = (str(prov.file), prov.row)
    question = get(record, "question", str, where).strip()
    if question not in ASPECT:
        raise DataError(where[0], f"unknown question {question[:60]!r}", prov.row, "question")
    answer = get(record, "answer", str, where).strip()
    if answer not in ANSWERS:
        raise DataError(where[0], f"answer {answer!r} is neither Yes nor No", prov.row, "answer")
    article = clean(get(record, "article", str, where))
    summary = clean(_unescape(get(record, "summary", str, where)))
    if not article or not summary:
        raise DataError(where[0], "empty text", prov.row, "article" if not article else "summary")
    yield Example(TASKS[ASPECT[question]].name, {"article": article, "summary": summary},
                  {"answer": ANSWERS[answer]}, prov)


def read(files: SourceFiles) -> Iterator[Item]:
    for split in SPLITS:
        yield from guarded(NAME, f"default/{split}", files.hf_rows(split), _convert)


SOURCE = Source(
    name=NAME,
    title="SEAHORSE: multilingual, multifaceted summary ratings",
    license=LICENSE,
    role=Role.TRAIN,
    homepage="https://github.com/google-research-datasets/seahorse",
    citation="Clark et al. 2023, SEAHORSE: A Multilingual, Multifaceted Dataset for Summarization Evaluation",
    tasks=tuple(TASKS.values()),
    reader=read,
    hf=HFOrigin("tasksource/seahorse_summarization_evaluation", "c641c22879b601fb2edaa0a3f0edf3a68e5f5d23"),
    notes="Hub-hosted copy with articles joined in; 96K summaries x 6 questions.",
    table7=("SEAHORSE",),
)
