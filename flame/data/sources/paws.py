"""PAWS (Wiki, labeled final): adversarial paraphrase pairs with human labels
(FLAMe Table 7: "PAWS", factuality/attribution, classification).

Origin: the Hub dataset google-research-datasets/paws, config labeled_final, at commit
161ece95 (its Parquet revision: labeled_final/train-00000-of-00001.parquet). Schema confirmed
from the dataset card (huggingface.co/datasets/google-research-datasets/paws): id, sentence1,
sentence2, label (ClassLabel "0" / "1": 1 = paraphrase); splits train 49,401, validation
8,000, test 8,000. We use train. License: the card says "other"; the PAWS README lets the
data "be freely used for any purpose" with acknowledgement of Google appreciated. That is
not one of flame's listed permissive license ids, so the string below makes
`Source.permissive` False until the team decides how to list such terms. PAWS-QQP is not on
the Hub (QQP's terms).
"""

from __future__ import annotations

from flame.core.records import Capability

from ..source import HFOrigin
from ._hub_kit import Column, Labels, RowTask, hub_source

SOURCE = hub_source(
    "paws",
    title="PAWS-Wiki (labeled_final, train)",
    license="LicenseRef-PAWS (free use for any purpose)",
    homepage="https://github.com/google-research-datasets/paws",
    citation="Zhang et al. 2019, PAWS: Paraphrase Adversaries from Word Scrambling",
    hf=HFOrigin("google-research-datasets/paws", "161ece9501cf0a11f3e48bd356eaa82de46d6a09", "labeled_final",
                "train"),
    table7=("PAWS",),
    task=RowTask(
        "paws_paraphrase",
        title="Do the two sentences mean the same thing?",
        description=(
            "Two sentences from Wikipedia, often with nearly the same words: one was produced from the other "
            "by swapping words or phrases or by back-translation, which may or may not change its meaning. "
            "Answer Yes if they are paraphrases: both convey exactly the same information, with the same "
            "people, places, things and the same relations between them (who did what to whom, what belongs "
            "to what, what happened when). Answer No if the meaning differs in any way, even if the two "
            "sentences share all their words, e.g. \"Flights from New York to Florida\" vs \"Flights from "
            "Florida to New York\". Small differences in wording that keep the meaning do not matter."
        ),
        capability=Capability.FACTUALITY,
        inputs=(Column("sentence_1", "sentence1", "the first sentence"),
                Column("sentence_2", "sentence2", "the second sentence")),
        output=Labels("paraphrase", "label", {1: "Yes", 0: "No"}, "Yes if the sentences are paraphrases"),
        notes="Human label of PAWS-Wiki labeled_final train (1 = paraphrase -> Yes).",
    ),
)
