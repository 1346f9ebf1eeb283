"""STS Benchmark, as distributed in GLUE (FLAMe Table 7: "Sentence Similarity - STS-B",
factuality/attribution, pointwise).

Origin: the Hub dataset nyu-mll/glue, config stsb, at commit bcdcba79 (its Parquet
revision, `<config>/train-00000-of-00001.parquet`). Schema confirmed from the dataset card
(huggingface.co/datasets/nyu-mll/glue): sentence1, sentence2, label (float32 similarity 0-5,
the mean of the crowdworkers' ratings), idx; splits train 5,749, validation 1,500, test
1,379 (test unlabeled, -1). We use train. The mean rating is rounded half up to an integer
0-5 for the Likert label. License: the GLUE card says "other"; STS-B pools news, caption and
forum sentences from the SemEval STS tasks under their sources' terms, not one standard
license, so `Source.permissive` is False until the team lists those terms.
"""

from __future__ import annotations

from flame.core.records import Capability

from ..source import HFOrigin
from ._hub_kit import Column, Rating, RowTask, hub_source

SOURCE = hub_source(
    "stsb",
    title="STS Benchmark (GLUE, train)",
    license="LicenseRef-STS-Benchmark (SemEval STS sources)",
    homepage="https://ixa2.si.ehu.eus/stswiki/index.php/STSbenchmark",
    citation="Cer et al. 2017, SemEval-2017 Task 1: Semantic Textual Similarity",
    hf=HFOrigin("nyu-mll/glue", "bcdcba79d07bc864c1c254ccfcedcce55bcc9a8c", "stsb", "train"),
    table7=("Sentence Similarity - STS-B",),
    task=RowTask(
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
        capability=Capability.FACTUALITY,
        inputs=(Column("sentence_1", "sentence1", "the first sentence"),
                Column("sentence_2", "sentence2", "the second sentence")),
        output=Rating("similarity", "label", 0, 5, "the semantic similarity score"),
        notes="Mean crowd rating (0-5, float) rounded half up to an integer.",
    ),
)
