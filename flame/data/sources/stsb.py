"""STS Benchmark, as distributed in GLUE (FLAMe Table 7: "Sentence Similarity - STS-B",
factuality/attribution, pointwise).

Origin: the Hub dataset nyu-mll/glue, config stsb, revision "main" (no full Parquet commit
hash found offline). Schema confirmed from the dataset card (huggingface.co/datasets/
nyu-mll/glue): sentence1, sentence2, label (float32 similarity 0-5, the mean of the
crowdworkers' ratings), idx; splits train 5,749, validation 1,500, test 1,379 (test
unlabeled, -1). We use train. The mean rating is rounded half up to an integer 0-5 for the
Likert label. License: the GLUE card says "other"; STS-B pools news, caption and forum
sentences from the SemEval STS tasks under their sources' terms, not one standard license,
so `Source.permissive` is False until the team lists those terms.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from flame.core.errors import DataError
from flame.core.records import Capability, Example, InputField, Provenance, Role

from ..files import SourceFiles
from ..readers import get
from ..source import HFOrigin, Item, Source
from ._hub_other_kit import classification_task, read_split, text

NAME = "stsb"
LICENSE = "LicenseRef-STS-Benchmark (SemEval STS sources)"
DATASET, REVISION, CONFIG, SPLIT = "nyu-mll/glue", "main", "stsb", "train"

TASK = classification_task(
    "stsb_similarity",
    title="How similar in meaning are the two sentences, from 0 to 5?",
    description=(
        "Two sentences from news headlines, image and video captions, or forum posts. Rate how close "
        "their meanings are, following the SemEval STS guidelines: 5 = completely equivalent, they mean "
        "the same thing; 4 = mostly equivalent, only unimportant details differ; 3 = roughly equivalent, "
        "but some important information differs or is missing; 2 = not equivalent, but they share some "
        "details; 1 = not equivalent, but on the same topic; 0 = on different topics. Judge meaning, "
        "not shared words."
    ),
    inputs=(InputField("sentence_1", "the first sentence"), InputField("sentence_2", "the second sentence")),
    output="similarity",
    labels=(),
    likert=(0, 5),
    output_help="the semantic similarity score",
    capability=Capability.FACTUALITY,
    source=NAME,
    license=LICENSE,
    notes="Mean crowd rating (0-5, float) rounded half up to an integer.",
)


def likert(score: float) -> str:
    """A 0-5 mean rating as its nearest integer (halves round up)."""
    return str(math.floor(score + 0.5))


def _convert(record: Any, prov: Provenance) -> Iterator[Item]:
    score = get(record, "label", float, (prov.file, prov.row))
    if not 0.0 <= score <= 5.0:
        raise DataError(prov.file, f"similarity {score} outside 0-5 (unlabeled test row?)", prov.row, "label")
    inputs = {"sentence_1": text(record, "sentence1", prov), "sentence_2": text(record, "sentence2", prov)}
    yield Example(TASK.name, inputs, {"similarity": likert(score)}, prov)


def read(files: SourceFiles) -> Iterator[Item]:
    """STS-B train pairs with rounded similarity."""
    yield from read_split(files, SPLIT, _convert, CONFIG)


SOURCE = Source(
    name=NAME,
    title="STS Benchmark (GLUE, train)",
    license=LICENSE,
    role=Role.TRAIN,
    homepage="https://ixa2.si.ehu.eus/stswiki/index.php/STSbenchmark",
    citation="Cer et al. 2017, SemEval-2017 Task 1: Semantic Textual Similarity",
    tasks=(TASK,),
    reader=read,
    hf=HFOrigin(DATASET, REVISION, CONFIG, SPLIT),
)
