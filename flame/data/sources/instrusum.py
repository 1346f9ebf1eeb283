"""InstruSum: human ratings of instruction-controllable summaries (FLAMe Table 7:
"InstruSum", general quality, pairwise + classification).

Liu et al. 2024 ("Benchmarking Generation and Evaluation Capabilities of Large Language
Models for Instruction Controllable Summarization") wrote 100 (article, summary requirement)
pairs and had annotators rate the summaries of five systems (OpenAI text-davinci-002,
text-davinci-003, gpt-3.5-turbo-0301, gpt-4-0314 and a hybrid LLM-human summary) on overall
quality, missing information, irrelevant information and factual consistency.

Origin: Hub `Salesforce/InstruSum`, config `human_eval` (file `human_eval.json`, one split
`data`), license BSD-3-Clause as the card's metadata states
(https://huggingface.co/datasets/Salesforce/InstruSum). The repository is gated: users must
accept sharing their contact details on the Hub before downloading. Revision "main": no
full commit hash of the data files was found offline, so the source is listed in
`flame.data.sources.UNPINNED` and a download records in the data card the commit `main`
resolved to. The summaries were written by OpenAI
models; the ratings are human.

Schema confirmed from the authors' notebook (github.com/yale-nlp/InstruSum, `demo.ipynb`
at 2f3056ec, which loads this config): each row has `article` (str), `requirement` (str)
and `annotations`, a mapping from the five system names to `{"summary": str, "score":
{"overall", "missing", "irrelevant", "factual": float}}`. Overall, missing and irrelevant
are means of several annotators' 1-5 ratings (e.g. 3.6667), higher meaning better (fewer
omissions, less irrelevant content): the notebook's system means rank gpt-4-0314 and the
hybrid highest on all three. `factual` is 1.0 for a factually consistent summary and 0.0
otherwise (system means 0.64-0.86). NOT confirmed: whether `factual` can take values
between 0 and 1 (rater disagreement); such a value is left out (Rejected, excluded).

Tasks (the card documents 100 rows x 5 systems):
- `instrusum_overall`, `instrusum_missing`, `instrusum_irrelevant` (pairwise): for every
  two systems' summaries of one row whose mean ratings on that aspect differ by at least
  MIN_GAP (1 point), the higher-rated summary is the better one. Closer pairs and pairs
  of identical summaries are not formed. At most 10 pairs per row per aspect.
- `instrusum_factual` (classification Yes/No): one example per (row, system).
A row with a missing field, a non-numeric score or an out-of-range rating is Rejected
naming the field. `expected` is left empty: counts are unknown offline.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations
from typing import Any

from flame.core.errors import DataError
from flame.core.records import Capability, Example, InputField, Provenance, Role

from ..common import pairwise_example, pairwise_task
from ..files import SourceFiles
from ..readers import clean, get, guarded
from ..source import HFOrigin, Item, Rejected, Source
from ._hub_kit import classification_task

NAME = "instrusum"
LICENSE = "BSD-3-Clause"
CONFIG = "human_eval"
SPLIT = "data"
MIN_GAP = 1.0  # means of three ratings: 4.3333 vs 3.3333 counts as 1 point apart

_INTRO = (
    "A user gave a news article and a requirement describing the summary they want (its "
    "focus, e.g. 'Summarize the conclusion of the fraud case'). Judge the summaries against "
    "the requirement, not as generic summaries of the article. "
)
# aspect -> (title, criteria)
ASPECTS: dict[str, tuple[str, str]] = {
    "overall": (
        "Which summary better satisfies the summary requirement overall?",
        ("Which summary is better overall? Consider how well it fulfils the requirement: it "
        "should contain the information the requirement asks for, leave out what it does not "
        "ask for, be faithful to the article, and be clear and concise.")),
    "missing": (
        "Which summary omits less of the information the requirement asks for?",
        ("Which summary misses less crucial information? Look for facts in the article that "
        "the requirement calls for but the summary leaves out; the better summary omits "
        "fewer or less important ones. Do not reward extra, unrequested content.")),
    "irrelevant": (
        "Which summary contains less information that the requirement does not ask for?",
        ("Which summary includes less irrelevant information? Content is irrelevant when the "
        "requirement does not call for it, even if it is true and comes from the article; "
        "the better summary stays on what was requested.")),
}
TASKS = {
    aspect: pairwise_task(
        f"{NAME}_{aspect}", title=title, description=_INTRO + criteria,
        context=(InputField("article", "the news article"), InputField("requirement", "the summary requirement")),
        capability=Capability.GENERAL, source=NAME, license=LICENSE, candidate="summary",
        notes=f"Derived from mean 1-5 ratings: pairs whose means differ by >= {MIN_GAP:g}.")
    for aspect, (title, criteria) in ASPECTS.items()
}
FACTUAL = classification_task(
    f"{NAME}_factual",
    title="Is the summary factually consistent with the article?",
    description=_INTRO + (
        "Is this summary factually consistent with the article? Answer Yes only if every "
        "statement in it is supported by the article, with nothing that contradicts, "
        "misrepresents or goes beyond what the article says; No if any statement does."),
    inputs=(InputField("article", "the news article"), InputField("requirement", "the summary requirement"),
            InputField("summary", "the summary")),
    output="answer",
    labels=("Yes", "No"),
    output_help="whether the summary is consistent",
    capability=Capability.GENERAL,
    source=NAME,
    license=LICENSE,
)


def _scores(name: str, annotation: Any, where: tuple[str, int]) -> tuple[str, dict[str, float]]:
    field = f"annotations.{name}"
    if not isinstance(annotation, dict):
        raise DataError(where[0], "expected an object", where[1], field)
    summary = annotation.get("summary")
    score = annotation.get("score")
    if not isinstance(summary, str) or not summary.strip():
        raise DataError(where[0], "missing or empty summary", where[1], f"{field}.summary")
    if not isinstance(score, dict):
        raise DataError(where[0], "missing score", where[1], f"{field}.score")
    values = {}
    for aspect in (*ASPECTS, "factual"):
        value = score.get(aspect)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise DataError(where[0], f"expected a number, got {value!r}", where[1], f"{field}.score.{aspect}")
        low, high = (0, 1) if aspect == "factual" else (1, 5)
        if not low <= value <= high:
            raise DataError(where[0], f"rating {value} outside {low}-{high}", where[1], f"{field}.score.{aspect}")
        values[aspect] = float(value)
    return clean(summary), values


def _convert(record: Any, prov: Provenance) -> Iterator[Item]:
    where = (str(prov.file), prov.row)
    context = {"article": clean(get(record, "article", str, where)),
               "requirement": clean(get(record, "requirement", str, where))}
    annotations = get(record, "annotations", dict, where)
    if not annotations:
        raise DataError(where[0], "no annotated systems", prov.row, "annotations")
    rated = [_scores(name, annotations[name], where) for name in sorted(annotations)]
    for (summary, score), name in zip(rated, sorted(annotations)):
        if score["factual"] in (0.0, 1.0):
            label = "Yes" if score["factual"] == 1.0 else "No"
            yield Example(FACTUAL.name, {**context, "summary": summary}, {"answer": label}, prov)
        else:
            yield Rejected(prov, f"factual score {score['factual']} of {name} is neither 0 nor 1",
                           f"annotations.{name}.score.factual", excluded=True)
    for aspect, task in TASKS.items():
        for (text_1, score_1), (text_2, score_2) in combinations(rated, 2):
            if text_1 == text_2 or abs(score_1[aspect] - score_2[aspect]) < MIN_GAP - 1e-6:
                continue
            better, worse = (text_1, text_2) if score_1[aspect] > score_2[aspect] else (text_2, text_1)
            yield pairwise_example(task.name, prov, context, better, worse)


def read(files: SourceFiles) -> Iterator[Item]:
    yield from guarded(NAME, f"{CONFIG}/{SPLIT}", files.hf_rows(SPLIT, subset=CONFIG), _convert)


SOURCE = Source(
    name=NAME,
    title="InstruSum: human evaluation of instruction-controllable summaries",
    license=LICENSE,
    role=Role.TRAIN,
    homepage="https://github.com/yale-nlp/InstruSum",
    citation="Liu et al. 2024, Benchmarking Generation and Evaluation Capabilities of Large Language "
             "Models for Instruction Controllable Summarization (Findings of NAACL)",
    tasks=(*TASKS.values(), FACTUAL),
    reader=read,
    hf=HFOrigin("Salesforce/InstruSum", "main", config=CONFIG, split=SPLIT),
    table7=("InstruSum",),
    notes="Gated Hub dataset (accept the terms on the Hub first); revision 'main'.",
)
