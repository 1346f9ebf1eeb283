"""VitaminC: claims checked against contrastive Wikipedia evidence
(FLAMe Table 7: "VitaminC", factuality/attribution, classification).

Origin: the Hub dataset tals/vitaminc at commit be6febb7 (CC-BY-SA-3.0, Wikipedia-derived;
LICENSE file in the repository). Schema confirmed from the repository's dataset_info
(features unique_id, case_id, wiki_revision_id, label (string), claim, evidence, ...; files
train.jsonl, dev.jsonl, test.jsonl; huggingface.co/datasets/tals/vitaminc). Labels are
"SUPPORTS", "REFUTES", "NOT ENOUGH INFO". We use the train split (the paper reports over 400K pairs in all).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flame.core.records import Capability, Example, InputField, Provenance, Role

from ..files import SourceFiles
from ..source import HFOrigin, Item, Source
from ._hub_other_kit import classification_task, label, read_split, text

NAME = "vitaminc"
LICENSE = "CC-BY-SA-3.0"
DATASET, REVISION, SPLIT = "tals/vitaminc", "be6febb761b0b2807687e61e0b5282e459df2fa0", "train"
LABELS = {"SUPPORTS": "Supported", "REFUTES": "Refuted", "NOT ENOUGH INFO": "Not enough information"}

TASK = classification_task(
    "vitaminc_fact_verification",
    title="Does the evidence support or refute the claim?",
    description=(
        "The evidence is a sentence from a Wikipedia article, often from a revision that changed a fact "
        "(a number, a date, a name, a ranking); the claim is a short statement written by annotators "
        "about that fact. Judge the claim against this evidence only, as it is written, even if another "
        "version of the article or your own knowledge says otherwise. Supported: the evidence states or "
        "directly implies the claim. Refuted: the evidence states or directly implies that the claim is "
        "false (e.g. it gives a different value). Not enough information: the evidence neither confirms "
        "nor contradicts the claim. Pay close attention to small differences in numbers, comparatives "
        "(more/less than, over/under) and time."
    ),
    inputs=(InputField("evidence", "the Wikipedia sentence"), InputField("claim", "the statement to verify")),
    output="verdict",
    labels=tuple(LABELS.values()),
    output_help="what the evidence says about the claim",
    capability=Capability.FACTUALITY,
    source=NAME,
    license=LICENSE,
    notes="Labels SUPPORTS / REFUTES / NOT ENOUGH INFO verbalized; train split.",
)


def _convert(record: Any, prov: Provenance) -> Iterator[Item]:
    inputs = {"evidence": text(record, "evidence", prov), "claim": text(record, "claim", prov)}
    yield Example(TASK.name, inputs, {"verdict": label(record, "label", LABELS, prov)}, prov)


def read(files: SourceFiles) -> Iterator[Item]:
    """VitaminC train claim/evidence pairs."""
    yield from read_split(files, SPLIT, _convert)


SOURCE = Source(
    name=NAME,
    title="VitaminC (train)",
    license=LICENSE,
    role=Role.TRAIN,
    homepage="https://github.com/TalSchuster/VitaminC",
    citation="Schuster et al. 2021, Get Your Vitamin C! Robust Fact Verification with Contrastive Evidence",
    tasks=(TASK,),
    reader=read,
    hf=HFOrigin(DATASET, REVISION, None, SPLIT),
)
