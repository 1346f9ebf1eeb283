"""HaluEval, general subset: ChatGPT answers to user queries with human hallucination labels
(FLAMe Table 7: "HaluEval", factuality/attribution, classification).

Origin: the Hub copy pminervini/HaluEval at commit b1171838, config "general", split "data"
(the split name used by the lm-evaluation-harness HaluEval tasks that read this copy); the
GitHub origin RUCAIBox/HaluEval is MIT. Schema: the origin's general_data.json records
{ID, user_query, chatgpt_response, hallucination ("yes"/"no"), ...} per the origin README
(github.com/RUCAIBox/HaluEval); the Hub copy keeps those column names. This was confirmed
only from the README's description and the harness configuration, not from the Hub card's
feature list (not found offline). 5,000 queries per the README, each labeled by three
annotators for whether the response contains hallucinated (unverifiable, non-factual or
irrelevant) content.

Only the general subset has human labels. The QA, dialogue and summarization subsets pair a
correct answer with a hallucinated one that ChatGPT generated and ChatGPT filtered: their
labels come from the construction, not from people, so they are not used (FLAMe §2.2:
human judgments only). The responses here are ChatGPT outputs; the labels are human.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flame.core.records import Capability, Example, InputField, Provenance, Role

from ..files import SourceFiles
from ..source import HFOrigin, Item, Source
from ._hub_other_kit import classification_task, label, read_split, text

NAME = "halueval"
LICENSE = "MIT"
DATASET, REVISION, CONFIG, SPLIT = "pminervini/HaluEval", "b1171838c842be2327fbd9766e904c63a4224dd7", "general", "data"
LABELS = {"yes": "Yes", "no": "No"}

TASK = classification_task(
    "halueval_general_hallucination",
    title="Does the chatbot's response contain hallucinated content?",
    description=(
        "A user query (an instruction or question of the kind people send to a chat assistant) and a "
        "response written by a chat assistant. Answer Yes if the response contains hallucinated "
        "content: information that is false, that cannot be verified from existing world knowledge "
        "(invented facts, names, numbers, quotes, references), or that is irrelevant to and unsupported "
        "by the query. Answer No if everything the response states is factual and relevant. Judge "
        "factual content, not style, length or helpfulness; a response that declines or hedges without "
        "stating anything false is not hallucinated."
    ),
    inputs=(InputField("query", "the user's query"), InputField("response", "the assistant's response")),
    output="hallucination",
    labels=("Yes", "No"),
    output_help="Yes if the response contains hallucinated content",
    capability=Capability.FACTUALITY,
    source=NAME,
    license=LICENSE,
    notes="Human label `hallucination` (yes/no) of HaluEval's general subset.",
)


def _convert(record: Any, prov: Provenance) -> Iterator[Item]:
    inputs = {"query": text(record, "user_query", prov), "response": text(record, "chatgpt_response", prov)}
    yield Example(TASK.name, inputs, {"hallucination": label(record, "hallucination", LABELS, prov)}, prov)


def read(files: SourceFiles) -> Iterator[Item]:
    """HaluEval general queries with their human hallucination label."""
    yield from read_split(files, SPLIT, _convert, CONFIG)


SOURCE = Source(
    name=NAME,
    title="HaluEval (general)",
    license=LICENSE,
    role=Role.TRAIN,
    homepage="https://github.com/RUCAIBox/HaluEval",
    citation="Li et al. 2023, HaluEval: A Large-Scale Hallucination Evaluation Benchmark for Large Language Models",
    tasks=(TASK,),
    reader=read,
    hf=HFOrigin(DATASET, REVISION, CONFIG, SPLIT),
)
