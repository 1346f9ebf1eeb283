"""Quora Question Pairs, as distributed in GLUE (FLAMe Table 7: "QQP", factuality/attribution,
classification).

Origin: the Hub dataset nyu-mll/glue, config qqp, at commit bcdcba79 (its Parquet revision,
`<config>/train-00000-of-00001.parquet`). Schema confirmed from the dataset card
(huggingface.co/datasets/nyu-mll/glue): question1, question2, label (ClassLabel 0
not_duplicate, 1 duplicate), idx; splits train 363,846, validation 40,430, test 390,965
(test unlabeled, -1). We use train. License: the GLUE card says "other" and refers to each
task's original terms; QQP is released under Quora's own terms, not a standard permissive
license, so the license string below makes `Source.permissive` False and the catalog lists
QQP as excluded for the permissive (default) collection. The adapter stays usable for users
who accept Quora's terms.
"""

from __future__ import annotations

from flame.core.records import Capability

from ..source import HFOrigin
from ._hub_kit import Column, Labels, RowTask, hub_source

SOURCE = hub_source(
    "qqp",
    title="Quora Question Pairs (GLUE, train)",
    license="LicenseRef-Quora-QQP",
    homepage="https://quoradata.quora.com/First-Quora-Dataset-Release-Question-Pairs",
    citation="Iyer et al. 2017, First Quora Dataset Release: Question Pairs",
    hf=HFOrigin("nyu-mll/glue", "bcdcba79d07bc864c1c254ccfcedcce55bcc9a8c", "qqp", "train"),
    table7=("QQP",),
    excluded="Quora Question Pairs terms, not a permissive license (adapter `qqp` is available for users who "
             "accept them)",
    task=RowTask(
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
        capability=Capability.FACTUALITY,
        inputs=(Column("question_1", "question1", "the first question"),
                Column("question_2", "question2", "the second question")),
        output=Labels("duplicate", "label", {1: "Yes", 0: "No"}, "Yes if the questions are duplicates"),
        notes="Human duplicate label of GLUE QQP train (1 = duplicate -> Yes).",
    ),
)
