"""VitaminC: claims checked against contrastive Wikipedia evidence
(FLAMe Table 7: "VitaminC", factuality/attribution, classification).

Origin: the Hub dataset tals/vitaminc at commit be6febb7 (CC-BY-SA-3.0, Wikipedia-derived;
LICENSE file in the repository). Schema confirmed from the repository's dataset_info
(features unique_id, case_id, wiki_revision_id, label (string), claim, evidence, ...; files
train.jsonl, dev.jsonl, test.jsonl; huggingface.co/datasets/tals/vitaminc). Labels are
"SUPPORTS", "REFUTES", "NOT ENOUGH INFO". We use the train split (the paper reports over 400K pairs in all).
"""

from __future__ import annotations

from flame.core.records import Capability

from ..source import HFOrigin
from ._hub_kit import Column, Labels, RowTask, hub_source

SOURCE = hub_source(
    "vitaminc",
    title="VitaminC (train)",
    license="CC-BY-SA-3.0",
    homepage="https://github.com/TalSchuster/VitaminC",
    citation="Schuster et al. 2021, Get Your Vitamin C! Robust Fact Verification with Contrastive Evidence",
    hf=HFOrigin("tals/vitaminc", "be6febb761b0b2807687e61e0b5282e459df2fa0", None, "train"),
    table7=("VitaminC",),
    task=RowTask(
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
        capability=Capability.FACTUALITY,
        inputs=(Column("evidence", "evidence", "the Wikipedia sentence"),
                Column("claim", "claim", "the statement to verify")),
        output=Labels("verdict", "label", {"SUPPORTS": "Supported", "REFUTES": "Refuted",
                                           "NOT ENOUGH INFO": "Not enough information"},
                      "what the evidence says about the claim"),
        notes="Labels SUPPORTS / REFUTES / NOT ENOUGH INFO verbalized; train split.",
    ),
)
