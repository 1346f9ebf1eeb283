"""MultiNLI: crowd-written hypotheses with validated entailment labels
(FLAMe Table 7: "MNLI", factuality/attribution, classification).

Origin: the Hub dataset nyu-mll/multi_nli, revision "main" (the Parquet revision's full commit
hash could not be found offline). Schema confirmed from the dataset card
(huggingface.co/datasets/nyu-mll/multi_nli): premise, hypothesis, genre, label
(ClassLabel 0 entailment, 1 neutral, 2 contradiction), plus parses and ids; splits train
392,702, validation_matched 9,815, validation_mismatched 9,832. We use train. License per
the card: the OANC's own permissive terms for most text, CC-BY-3.0 / CC-BY-SA-3.0 for parts
of the fiction genre, MIT for the annotations. A row without a gold label (label -1) is
excluded by design. NLI is recast as attribution (FLAMe §2.5): does the premise support the hypothesis?
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import partial
from typing import Any

from flame.core.records import Capability, Example, InputField, Provenance, Role

from ..files import SourceFiles
from ..source import HFOrigin, Item, Source
from ._hub_other_kit import (
    classification_task,
    label,
    read_split,
    text,
    without_gold_label,
)

NAME = "mnli"
LICENSE = "OANC, CC-BY-3.0, CC-BY-SA-3.0, MIT"
DATASET, REVISION, SPLIT = "nyu-mll/multi_nli", "main", "train"
LABELS = {0: "Entailment", 1: "Neutral", 2: "Contradiction"}

TASK = classification_task(
    "mnli_entailment",
    title="Given the premise, is the hypothesis true, possibly true, or false?",
    description=(
        "A premise sentence from one of ten genres of written and spoken English (fiction, government "
        "reports, letters, the 9/11 report, a travel guide, Slate magazine, telephone and face-to-face "
        "conversation, Oxford University Press non-fiction, Verbatim) is paired with a hypothesis that a "
        "crowdworker wrote about it. Decide the relation, assuming the premise describes a real situation "
        "and reading both sentences as a typical person would. Entailment: the hypothesis is definitely "
        "true given the premise. Contradiction: the hypothesis is definitely false given the premise (it "
        "cannot be true in the situation the premise describes). Neutral: the hypothesis might be true or "
        "false; the premise does not settle it. Use only the premise as evidence, not outside knowledge."
    ),
    inputs=(InputField("premise", "the sentence taken as true"), InputField("hypothesis", "the claim to check")),
    output="relation",
    labels=tuple(LABELS.values()),
    output_help="how the premise bears on the hypothesis",
    capability=Capability.FACTUALITY,
    source=NAME,
    license=LICENSE,
    notes="Gold label (majority of the writer's and four validators' labels) from the train split.",
)


def nli_items(task: str, record: Any, prov: Provenance, texts: Mapping[str, str] | None = None) -> Iterator[Item]:
    """An NLI row as an Example of task (relation, plus text targets: name -> field), or its exclusion if unlabeled."""
    unlabeled = without_gold_label(record, prov)
    if unlabeled:
        yield unlabeled
        return
    inputs = {"premise": text(record, "premise", prov), "hypothesis": text(record, "hypothesis", prov)}
    targets = {"relation": label(record, "label", LABELS, prov)}
    targets.update((name, text(record, field, prov)) for name, field in (texts or {}).items())
    yield Example(task, inputs, targets, prov)


def read(files: SourceFiles) -> Iterator[Item]:
    """MNLI train pairs with their gold labels."""
    yield from read_split(files, SPLIT, partial(nli_items, TASK.name))


SOURCE = Source(
    name=NAME,
    title="MultiNLI (train)",
    license=LICENSE,
    role=Role.TRAIN,
    homepage="https://cims.nyu.edu/~sbowman/multinli/",
    citation="Williams et al. 2018, A Broad-Coverage Challenge Corpus for Sentence Understanding through Inference",
    tasks=(TASK,),
    reader=read,
    hf=HFOrigin(DATASET, REVISION, None, SPLIT),
)
