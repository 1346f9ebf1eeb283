"""e-SNLI: SNLI pairs with human-written explanations of the entailment label
(FLAMe Table 7: "e-SNLI", factuality/attribution, classification and generative).

Origin: the Hub dataset "esnli" (its legacy id; public code now names it esnli/esnli), revision
"main": no full commit hash was found offline, so it is listed in `flame.data.sources.UNPINNED`
and a download records in the data card the commit `main` resolved to. Public code reads
esnli/esnli from the Hub's `refs/convert/parquet` branch or with `trust_remote_code`, which
suggests `main` still holds only the old loading script, which recent `datasets` versions
cannot run. Schema confirmed from the dataset card and TFDS catalog
(tensorflow.org/datasets/catalog/esnli): premise, hypothesis, label (ClassLabel 0
entailment, 1 neutral, 2 contradiction), explanation_1..3; splits train 549,367 (one
explanation each), validation 9,842, test 9,824. We use train. License: MIT for the
explanations (github.com/OanaMariaCamburu/e-SNLI), CC-BY-SA-4.0 for SNLI itself.

One task, `esnli_entailment`, with two outputs, as FLAMe's Figure 2 pairs a verdict with its
explanation: the relation (classification) and the annotator's explanation (generative).
A row with no gold label (-1) is excluded by design; one with an empty explanation is rejected.
"""

from __future__ import annotations

from flame.core.records import Capability

from ..source import HFOrigin
from ._hub_kit import Column, RowTask, hub_source, without_gold_label
from .mnli import RELATION

SOURCE = hub_source(
    "esnli",
    title="e-SNLI (train)",
    license="MIT, CC-BY-SA-4.0",
    homepage="https://github.com/OanaMariaCamburu/e-SNLI",
    citation="Camburu et al. 2018, e-SNLI: Natural Language Inference with Natural Language Explanations",
    hf=HFOrigin("esnli", "main", None, "train"),
    table7=("e-SNLI",),
    task=RowTask(
        "esnli_entailment",
        title="Does the premise entail, contradict, or say nothing about the hypothesis, and why?",
        description=(
            "The premise is a caption of a photograph (from Flickr30k); the hypothesis is a sentence a "
            "crowdworker wrote about the same scene. Decide the relation: Entailment if the hypothesis is "
            "definitely true of the scene the premise describes, Contradiction if it is definitely false, "
            "Neutral if it might be true or false. Then explain the decision in one or two sentences, as the "
            "e-SNLI annotators did: point to the words of the premise and hypothesis that decide it and say "
            "how they relate (e.g. \"A man playing a guitar is playing an instrument\" for entailment, "
            "\"A person cannot sleep and run at the same time\" for contradiction, \"Not every person in a "
            "park is waiting for a friend\" for neutral). The explanation must justify the label on its own, "
            "without restating the sentences in full."
        ),
        capability=Capability.FACTUALITY,
        inputs=(Column("premise", "premise", "the caption taken as true"),
                Column("hypothesis", "hypothesis", "the sentence to check")),
        output=RELATION,
        explanations=(Column("explanation", "explanation_1", "why, in one or two sentences"),),
        unlabeled=without_gold_label,
        notes="SNLI gold label and e-SNLI explanation_1 from the train split.",
    ),
)
