"""Quora Question Pairs, as distributed in GLUE (FLAMe Table 7: "QQP", factuality/attribution,
classification).

Origin: the Hub dataset nyu-mll/glue, config qqp, revision "main" (no full Parquet commit
hash found offline). Schema confirmed from the dataset card (huggingface.co/datasets/
nyu-mll/glue): question1, question2, label (ClassLabel 0 not_duplicate, 1 duplicate), idx;
splits train 363,846, validation 40,430, test 390,965 (test unlabeled, -1). We use train.
License: the GLUE card says "other" and refers to each task's original terms; QQP is
released under Quora's own terms, not a standard permissive license, so the license string
below makes `Source.permissive` False and the catalog lists QQP as excluded for the
permissive (default) collection. The adapter stays usable for users who accept Quora's terms.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flame.core.records import Capability, Example, InputField, Provenance, Role

from ..files import SourceFiles
from ..source import HFOrigin, Item, Source
from ._hub_other_kit import classification_task, label, read_split, text

NAME = "qqp"
LICENSE = "LicenseRef-Quora-QQP"
DATASET, REVISION, CONFIG, SPLIT = "nyu-mll/glue", "main", "qqp", "train"
LABELS = {1: "Yes", 0: "No"}

TASK = classification_task(
    "qqp_duplicate",
    title="Do the two Quora questions ask the same thing?",
    description=(
        "Two questions posted on Quora. Answer Yes if they are duplicates: a single answer would fully "
        "answer both, because they ask for the same information with the same intent, even if worded "
        "differently (\"How do I learn Python fast?\" / \"What is the quickest way to learn Python?\"). "
        "Answer No if they ask about different things, different aspects of one topic, or the same thing "
        "with a different scope or condition (a different country, year, quantity or person), even when "
        "they share most of their words."
    ),
    inputs=(InputField("question_1", "the first question"), InputField("question_2", "the second question")),
    output="duplicate",
    labels=tuple(LABELS.values()),
    output_help="Yes if the questions are duplicates",
    capability=Capability.FACTUALITY,
    source=NAME,
    license=LICENSE,
    notes="Human duplicate label of GLUE QQP train (1 = duplicate -> Yes).",
)


def _convert(record: Any, prov: Provenance) -> Iterator[Item]:
    inputs = {"question_1": text(record, "question1", prov), "question_2": text(record, "question2", prov)}
    yield Example(TASK.name, inputs, {"duplicate": label(record, "label", LABELS, prov)}, prov)


def read(files: SourceFiles) -> Iterator[Item]:
    """QQP train question pairs."""
    yield from read_split(files, SPLIT, _convert, CONFIG)


SOURCE = Source(
    name=NAME,
    title="Quora Question Pairs (GLUE, train)",
    license=LICENSE,
    role=Role.TRAIN,
    homepage="https://quoradata.quora.com/First-Quora-Dataset-Release-Question-Pairs",
    citation="Iyer et al. 2017, First Quora Dataset Release: Question Pairs",
    tasks=(TASK,),
    reader=read,
    hf=HFOrigin(DATASET, REVISION, CONFIG, SPLIT),
)
