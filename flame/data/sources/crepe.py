"""CREPE: false presuppositions in Reddit questions (FLAMe Table 7: "CREPE", general quality,
classification + generative).

Yu et al. 2023 ("CREPE: Open-Domain Question Answering with False Presuppositions") took
ELI5 questions from Reddit with their top comment; annotators marked whether the question
rests on a false presupposition and, if so, wrote the presupposition and its correction,
using the comment as evidence; a second annotator validated each label.

Origin: Hub `tasksource/CREPE` (files `train.jsonl`, `dev.jsonl`, `test.jsonl`) at commit
cd11ed2e, a revision public code downloads these three files from (the data commit, known
only by its short hash, is 6fc954c). License: the card's
metadata says BSD; the authors' repository (github.com/velocityCavalry/CREPE, LICENSE at
8a7e2df3) releases the CREPE data under the BSD license, with ELI5's copyright notice.
NOTE: a different dataset of the same name (zharry29/CREPE, procedural causal reasoning)
is not this one.

Schema confirmed from the authors' README (github.com/velocityCavalry/CREPE at 30957c25,
"Data Format"): each line of `{train, dev, test}.jsonl` has `id`, `question`, `comment`
(str), `labels` (list of str: `["normal"]`, `["false_presupposition"]`, or both when the
annotators disagreed, train only), `presuppositions` and `corrections` (lists of str, empty
for normal questions) and `passages` (25 retrieved Wikipedia passages, not used here).
The Hub copy's file names and size class (1K-10K rows; the README counts 3,462 / 2,000 /
3,004 labeled questions) match the authors' labeled files; NOT confirmed that the Hub
files are byte-identical to them.

Tasks (all splits read):
- `crepe_false_presupposition` (classification Yes/No): does the question rest on a false
  presupposition? Questions with both labels are left out (Rejected, excluded).
- `crepe_correction` (generative): for false-presupposition questions, state the false
  presupposition and its correction (the first annotated pair). About 2.2K examples.
`expected` is left empty: counts are unknown offline (the README gives 8,446 labeled
questions, 2,202 with a false presupposition).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flame.core.errors import DataError
from flame.core.records import Capability, Example, InputField, Provenance, Role

from ..files import SourceFiles
from ..readers import clean, get, guarded
from ..source import HFOrigin, Item, Rejected, Source
from ._hub_kit import classification_task, generative_task

NAME = "crepe"
LICENSE = "BSD-3-Clause"
# split -> file in the Hub repository
SPLITS = {"train": "train.jsonl", "validation": "dev.jsonl", "test": "test.jsonl"}
NORMAL, FALSE = "normal", "false_presupposition"

_INTRO = (
    "Someone asked the question below on Reddit's 'Explain Like I'm Five' forum, and the "
    "comment is the top-voted reply. A presupposition is something the question takes for "
    "granted (e.g. 'Why do all planets rotate the same way?' presupposes that they do). "
    "A false presupposition is one that is factually wrong, so the question cannot be "
    "answered as asked; the comment often points this out. Questions that are merely vague, "
    "subjective or based on an opinion do not count. "
)
_INPUTS = (InputField("question", "the Reddit question"), InputField("comment", "the top comment"))
DETECTION = classification_task(
    "crepe_false_presupposition",
    title="Does the question rest on a false presupposition?",
    description=_INTRO + (
        "Answer Yes if the question takes for granted something that is false (the comment "
        "or common knowledge shows it), No if everything it presupposes is true."),
    inputs=_INPUTS,
    output="answer",
    labels=("Yes", "No"),
    output_help="whether there is a false presupposition",
    capability=Capability.GENERAL,
    source=NAME,
    license=LICENSE,
)
CORRECTION = generative_task(
    "crepe_correction",
    title="State the question's false presupposition and correct it.",
    description=_INTRO + (
        "This question does rest on a false presupposition. Write it as one declarative "
        "sentence (what the asker wrongly assumes), then write the correction: one sentence "
        "saying what is actually true, based on the comment."),
    inputs=_INPUTS,
    outputs={"presupposition": "the false presupposition", "correction": "its correction"},
    capability=Capability.GENERAL,
    source=NAME,
    license=LICENSE,
)


def _first_text(record: Any, field: str, where: tuple[str, int]) -> str:
    values = get(record, field, list, where)
    if not values or not isinstance(values[0], str) or not values[0].strip():
        raise DataError(where[0], "false presupposition without annotated text", where[1], field)
    return clean(values[0])


def _convert(record: Any, prov: Provenance) -> Iterator[Item]:
    where = (str(prov.file), prov.row)
    inputs = {"question": clean(get(record, "question", str, where)),
              "comment": clean(get(record, "comment", str, where))}
    if not inputs["question"] or not inputs["comment"]:
        raise DataError(where[0], "empty text", prov.row, "question" if not inputs["question"] else "comment")
    labels = get(record, "labels", list, where)
    if set(labels) == {NORMAL, FALSE}:
        yield Rejected(prov, "annotators disagreed (labels normal and false_presupposition)", "labels",
                       excluded=True)
        return
    if labels not in ([NORMAL], [FALSE]):
        raise DataError(where[0], f"unexpected labels {labels!r}", prov.row, "labels")
    if labels == [NORMAL]:
        yield Example(DETECTION.name, inputs, {"answer": "No"}, prov)
        return
    targets = {"presupposition": _first_text(record, "presuppositions", where),
               "correction": _first_text(record, "corrections", where)}
    yield Example(DETECTION.name, inputs, {"answer": "Yes"}, prov)
    yield Example(CORRECTION.name, inputs, targets, prov)


def read(files: SourceFiles) -> Iterator[Item]:
    for split, path in SPLITS.items():
        yield from guarded(NAME, f"default/{split}", files.hf_rows(split, data_files=(path,)), _convert)


SOURCE = Source(
    name=NAME,
    title="CREPE: questions with false presuppositions, with corrections",
    license=LICENSE,
    role=Role.TRAIN,
    homepage="https://github.com/velocityCavalry/CREPE",
    citation="Yu et al. 2023, CREPE: Open-Domain Question Answering with False Presuppositions (ACL)",
    tasks=(DETECTION, CORRECTION),
    reader=read,
    hf=HFOrigin("tasksource/CREPE", "cd11ed2eb5b93c3cd9bd4f2a6255e4adee7c658f"),
    table7=("CREPE",),
    notes="Hub copy of the authors' labeled JSONL files; the 25 retrieved passages are not used.",
)
