"""MultiNLI: crowd-written hypotheses with validated entailment labels
(FLAMe Table 7: "MNLI", factuality/attribution, classification).

Origin: the Hub dataset nyu-mll/multi_nli at commit da70db2a (its Parquet revision:
data/train-00000-of-00001.parquet). Schema confirmed from the dataset card
(huggingface.co/datasets/nyu-mll/multi_nli): premise, hypothesis, genre, label
(ClassLabel 0 entailment, 1 neutral, 2 contradiction), plus parses and ids; splits train
392,702, validation_matched 9,815, validation_mismatched 9,832. We use train. License per
the card: the OANC's own permissive terms for most text, CC-BY-3.0 / CC-BY-SA-3.0 for parts
of the fiction genre, MIT for the annotations. A row without a gold label (label -1) is
excluded by design. NLI is recast as attribution (FLAMe §2.5): does the premise support the hypothesis?
"""

from __future__ import annotations

from flame.core.records import Capability

from ..source import HFOrigin
from ._hub_kit import Column, Labels, RowTask, hub_source, without_gold_label

# The NLI gold label (SNLI's and MultiNLI's ClassLabel), shared with e-SNLI.
RELATION = Labels("relation", "label", {0: "Entailment", 1: "Neutral", 2: "Contradiction"},
                  "how the premise bears on the hypothesis")

SOURCE = hub_source(
    "mnli",
    title="MultiNLI (train)",
    license="OANC, CC-BY-3.0, CC-BY-SA-3.0, MIT",
    homepage="https://cims.nyu.edu/~sbowman/multinli/",
    citation="Williams et al. 2018, A Broad-Coverage Challenge Corpus for Sentence Understanding through Inference",
    hf=HFOrigin("nyu-mll/multi_nli", "da70db2af9d09693783c3320c4249840212ee221", None, "train"),
    table7=("MNLI",),
    task=RowTask(
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
        capability=Capability.FACTUALITY,
        inputs=(Column("premise", "premise", "the sentence taken as true"),
                Column("hypothesis", "hypothesis", "the claim to check")),
        output=RELATION,
        unlabeled=without_gold_label,
        notes="Gold label (majority of the writer's and four validators' labels) from the train split.",
    ),
)
