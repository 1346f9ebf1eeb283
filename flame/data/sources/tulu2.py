"""Tulu 2 SFT mixture, human-written subsets only (FLAMe Table 7: "TULU-2", instruction tuning,
generative).

Origin: the Hub dataset allenai/tulu-v2-sft-mixture at commit 6248b175 (ODC-BY for the
mixture; the card lists each subset's own license). Schema confirmed from the dataset card
(huggingface.co/datasets/allenai/tulu-v2-sft-mixture): dataset (the subset name), id,
messages (list of {role, content}); one train split of 326,154 conversations.

FLAMe keeps only the subsets whose responses people wrote (PAPER.md §2.5): FLAN v2, its CoT
part, Open Assistant 1, the science-literature tasks and the hard-coded identity answers.
Their `dataset` values, per the card's subset list and Tulu 2's release, are `flan_v2`,
`cot`, `oasst1`, `hard_coded` and names starting with `science` (one per science task);
these exact identifiers were not confirmed against the data offline. Rows of every other
subset (ShareGPT, GPT-4 Alpaca, Code Alpaca, WizardLM, Open-Orca: model-written responses;
LIMA: CC-BY-NC-SA) are excluded by design with that reason. Per the card, FLAN and Open Assistant 1
are Apache-2.0; the science and hard-coded subsets are released with the mixture (ODC-BY).

Task `tulu2_response`: the conversation up to the last user turn is the input; the target is
the final assistant message, written by a person.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flame.core.errors import DataError
from flame.core.records import Capability, Example, InputField, Provenance, Role

from ..files import SourceFiles
from ..readers import clean, get
from ..source import HFOrigin, Item, Source
from ._hub_kit import excluded, generative_task, read_split

NAME = "tulu2"
LICENSE = "ODC-BY, Apache-2.0"
DATASET, REVISION, SPLIT = "allenai/tulu-v2-sft-mixture", "6248b175d2ccb5ec7c4aeb22e6d8ee3b21b2c752", "train"
HUMAN_SUBSETS = ("flan_v2", "cot", "oasst1", "hard_coded")
ROLES = {"user": "User", "assistant": "Assistant", "system": "System"}

TASK = generative_task(
    "tulu2_response",
    title="Write the assistant's next reply.",
    description=(
        "A conversation between a user and an AI assistant, ending with a user turn: a task instruction "
        "(possibly with few-shot examples or a passage to work on), a request for step-by-step reasoning, "
        "an open-ended question, a question about a scientific paper, or a question about the assistant "
        "itself. Write the assistant's reply as a careful human expert would: follow every instruction "
        "of the last turn (requested format, length, language), answer correctly and completely, reason "
        "step by step when asked, use the given passage when there is one, and stay consistent with the "
        "earlier turns."
    ),
    inputs=(InputField("conversation", "the conversation so far, one 'Role: text' block per turn"),),
    outputs={"response": "the assistant's reply"},
    capability=Capability.INSTRUCTION_FOLLOWING,
    source=NAME,
    license=LICENSE,
    notes="Human-written subsets of the Tulu 2 mixture only (flan_v2, cot, oasst1, science*, hard_coded); "
          "the target is the final assistant message.",
)


def human_written(subset: str) -> bool:
    """Whether a Tulu 2 subset's responses were written by people (FLAMe keeps only those)."""
    return subset in HUMAN_SUBSETS or subset.startswith("science")


def _convert(record: Any, prov: Provenance) -> Iterator[Item]:
    where = (prov.file, prov.row)
    subset = get(record, "dataset", str, where)
    if not human_written(subset):
        yield excluded(prov, f"subset {subset!r} is not human-written (FLAMe keeps only those)", "dataset")
        return
    messages = get(record, "messages", list, where)
    turns = []
    for message in messages:
        role, content = get(message, "role", str, where), clean(get(message, "content", str, where))
        if role not in ROLES:
            raise DataError(prov.file, f"unknown role {role!r}", prov.row, "messages")
        turns.append((role, content))
    if len(turns) < 2 or turns[-1][0] != "assistant" or turns[-2][0] != "user":
        raise DataError(prov.file, "conversation does not end with a user turn and an assistant reply",
                        prov.row, "messages")
    if not turns[-1][1]:
        raise DataError(prov.file, "empty assistant reply", prov.row, "messages")
    conversation = "\n\n".join(f"{ROLES[role]}: {content}" for role, content in turns[:-1])
    yield Example(TASK.name, {"conversation": conversation}, {"response": turns[-1][1]}, prov)


def read(files: SourceFiles) -> Iterator[Item]:
    """Human-written Tulu 2 conversations; other subsets are rejected."""
    yield from read_split(files, SPLIT, _convert)


SOURCE = Source(
    name=NAME,
    title="Tulu 2 SFT mixture (human-written subsets)",
    license=LICENSE,
    role=Role.TRAIN,
    homepage="https://huggingface.co/datasets/allenai/tulu-v2-sft-mixture",
    citation="Ivison et al. 2023, Camels in a Changing Climate: Enhancing LM Adaptation with Tulu 2",
    tasks=(TASK,),
    reader=read,
    hf=HFOrigin(DATASET, REVISION, None, SPLIT),
    table7=("TULU-2",),
)
