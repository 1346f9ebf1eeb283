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

from flame.core.records import Capability

from ..source import HFOrigin
from ._hub_kit import Column, Labels, RowTask, hub_source

SOURCE = hub_source(
    "halueval",
    title="HaluEval (general)",
    license="MIT",
    homepage="https://github.com/RUCAIBox/HaluEval",
    citation="Li et al. 2023, HaluEval: A Large-Scale Hallucination Evaluation Benchmark for Large Language Models",
    hf=HFOrigin("pminervini/HaluEval", "b1171838c842be2327fbd9766e904c63a4224dd7", "general", "data"),
    table7=("HaluEval",),
    task=RowTask(
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
        capability=Capability.FACTUALITY,
        inputs=(Column("query", "user_query", "the user's query"),
                Column("response", "chatgpt_response", "the assistant's response")),
        output=Labels("hallucination", "hallucination", {"yes": "Yes", "no": "No"},
                      "Yes if the response contains hallucinated content"),
        notes="Human label `hallucination` (yes/no) of HaluEval's general subset.",
    ),
)
