"""WikiBio GPT-3 hallucination: sentence-level human accuracy labels on GPT-3 biographies
(FLAMe Table 7: "WikiBio Hallucination", factuality/attribution, pointwise).

Origin: the Hub dataset potsawee/wiki_bio_gpt3_hallucination at commit c620633e ("updated
the dataset to 238 passages"), whose files are README.md and `dataset.json`; we read that
file by name (split name "train" here; later revisions re-uploaded the same data as Parquet
under the split "evaluation"). License CC-BY-SA-3.0 (card: `license: cc-by-sa-3.0`). Schema
confirmed from the card (huggingface.co/datasets/potsawee/wiki_bio_gpt3_hallucination,
"Dataset Structure" and dataset_info): gpt3_text (the GPT-3 text-davinci-003 passage
written for "This is a Wikipedia passage about {concept}"), wiki_bio_text (the first
paragraph of the person's real Wikipedia article), gpt3_sentences (the passage split into
sentences), annotation (one label per sentence: accurate, minor_inaccurate,
major_inaccurate), wiki_bio_test_idx, gpt3_text_samples. 238 passages (v3, 5 May 2023);
SelfCheckGPT (Manakul et al. 2023) reports 1,908 annotated sentences.

Task `wikibio_sentence_accuracy` (pointwise, three ordered levels): one example per
annotated sentence, with the whole generated passage (so pronouns can be resolved) and
the Wikipedia paragraph as evidence. A passage whose annotation list does not match its
sentences, or an unknown label, is rejected naming the field. `expected` is left empty
(the total is known only from the paper).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flame.core.errors import DataError
from flame.core.records import (
    Capability,
    Example,
    InputField,
    LabelSpace,
    OutputField,
    Provenance,
    Role,
    TaskSpec,
    TaskType,
)

from ..files import SourceFiles
from ..readers import clean, get
from ..source import HFOrigin, Item, Source
from ._hub_kit import read_split, text

NAME = "wikibio_hallucination"
LICENSE = "CC-BY-SA-3.0"
DATASET, REVISION = "potsawee/wiki_bio_gpt3_hallucination", "c620633e6968e964594946a96b6cbc06e9defe55"
SPLIT, DATA_FILES = "train", ("dataset.json",)
LABELS = {"accurate": "Accurate", "minor_inaccurate": "Minor inaccuracy", "major_inaccurate": "Major inaccuracy"}

TASK = TaskSpec(
    name="wikibio_sentence_accuracy",
    task_type=TaskType.POINTWISE,
    capability=Capability.FACTUALITY,
    title="Is this sentence of a generated biography factually accurate?",
    description=(
        "A language model was asked to write a Wikipedia passage about a person. Judge one sentence "
        "of its passage for factual accuracy about that person, using the real Wikipedia introduction "
        "as evidence together with what is reliably known about the person. Accurate: everything the "
        "sentence states is true of this person. Minor inaccuracy: the sentence is about this person and "
        "mostly right, but contains some false or unsupported detail (a wrong date, number, place, title "
        "or affiliation, an invented minor fact). Major inaccuracy: the sentence is entirely made up or "
        "wrong, or describes someone else (a different person with the same name, an unrelated career). "
        "Read the whole passage to resolve what the sentence refers to, but judge only the given sentence; "
        "a fluent, plausible sentence is not evidence of truth."
    ),
    inputs=(
        InputField("wikipedia", "the first paragraph of the person's Wikipedia article"),
        InputField("passage", "the model-written passage"),
        InputField("sentence", "the sentence of the passage to judge"),
    ),
    outputs=(OutputField("accuracy", LabelSpace.classes(*LABELS.values()), "how accurate the sentence is"),),
    source=NAME,
    license=LICENSE,
    role=Role.TRAIN,
    notes="Labels: the SelfCheckGPT annotators' accurate / minor_inaccurate / major_inaccurate, one per "
          "sentence of gpt3_sentences.",
)


def _convert(record: Any, prov: Provenance) -> Iterator[Item]:
    where = (prov.file, prov.row)
    sentences = get(record, "gpt3_sentences", list, where)
    labels = get(record, "annotation", list, where)
    if len(labels) != len(sentences):
        raise DataError(prov.file, f"{len(labels)} labels for {len(sentences)} sentences", prov.row, "annotation")
    context = {"wikipedia": text(record, "wiki_bio_text", prov), "passage": text(record, "gpt3_text", prov)}
    for i, (sentence, label) in enumerate(zip(sentences, labels)):
        if not isinstance(sentence, str) or not clean(sentence):
            raise DataError(prov.file, f"sentence {i} is empty or not text", prov.row, "gpt3_sentences")
        if label not in LABELS:
            raise DataError(prov.file, f"sentence {i}: unknown label {label!r}", prov.row, "annotation")
        yield Example(TASK.name, {**context, "sentence": clean(sentence)}, {"accuracy": LABELS[label]},
                      Provenance(prov.source, prov.file, f"{prov.row}.{i}"))


def read(files: SourceFiles) -> Iterator[Item]:
    """One example per annotated sentence of the 238 passages."""
    yield from read_split(files, SPLIT, _convert, data_files=DATA_FILES)


SOURCE = Source(
    name=NAME,
    title="WikiBio GPT-3 hallucination (SelfCheckGPT)",
    license=LICENSE,
    role=Role.TRAIN,
    homepage="https://github.com/potsawee/selfcheckgpt",
    citation="Manakul et al. 2023, SelfCheckGPT: Zero-Resource Black-Box Hallucination Detection for Generative "
             "Large Language Models",
    tasks=(TASK,),
    reader=read,
    hf=HFOrigin(DATASET, REVISION, None, SPLIT),
    table7=("WikiBio Hallucination",),
)
