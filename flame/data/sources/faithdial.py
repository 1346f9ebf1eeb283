"""FaithDial: Wizard-of-Wikipedia responses with hallucination labels, and their faithful edits
(FLAMe Table 7: "FaithDial", factuality/attribution, classification).

Origin: the Hub dataset McGill-NLP/FaithDial at commit 7a414e80 ("Fix task tags (#2)", the
head of `main` on the stored card, and the revision MTEB's FaithDial task pins); MIT (card
and github.com/McGill-NLP/FaithDial LICENSE). The repository has a loading script
(`FaithDial.py`, which `datasets` 4+ refuses) over `data/train.json`; we read that file
directly through the json builder (`SourceFiles.hf_rows(data_files=...)`). Its format is confirmed
from the origin README ("Data Format"): a list of dialogues, each {"utterances": [ {history
(list of previous turns), speaker, knowledge, original_response (the Wizard of Wikipedia
response), response (the FaithDial response, written or checked by annotators to be
faithful to the knowledge), BEGIN (labels of the original response, e.g. "Hallucination",
"Entailment"), VRM (speech acts)} ]}. original_response, BEGIN and VRM are optional. The
card reports 50,761 turns in 5,649 dialogues over all splits; we use train.

Task `faithdial_faithfulness` (Yes/No: is every piece of information in the response
supported by the knowledge?): each utterance's FaithDial `response` is a Yes example; its
`original_response`, when it differs and its BEGIN labels include "Hallucination", is a No
example. Original responses that annotators did not label as hallucinated give no example.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flame.core.errors import DataError
from flame.core.records import Capability, Example, InputField, Provenance, Role

from ..files import SourceFiles
from ..readers import clean, get
from ..source import HFOrigin, Item, Source
from ._hub_kit import classification_task, read_split, text

NAME = "faithdial"
LICENSE = "MIT"
DATASET, REVISION = "McGill-NLP/FaithDial", "7a414e80725eac766f2602676dc8b39f80b061e4"
SPLIT, DATA_FILES = "train", ("data/train.json",)
NO_HISTORY = "(no previous turn)"

TASK = classification_task(
    "faithdial_faithfulness",
    title="Is the dialogue response faithful to the knowledge?",
    description=(
        "An information-seeking dialogue: a seeker chats with a wizard who must ground every reply in a "
        "given Wikipedia knowledge snippet. Read the snippet, the dialogue so far and the wizard's "
        "response. Answer Yes if the response is faithful: every piece of information it conveys is "
        "supported by the knowledge (paraphrase and obvious inference are fine), it does not present "
        "personal experiences, opinions or feelings as facts (the wizard is a bot and has none), and "
        "where the knowledge lacks the answer it says so rather than inventing one. Answer No if it "
        "contains any information not supported by the knowledge, even if true in the real world, or "
        "makes up personal experiences."
    ),
    inputs=(
        InputField("knowledge", "the Wikipedia snippet the wizard must rely on"),
        InputField("history", "the dialogue so far, one turn per line"),
        InputField("response", "the wizard's response"),
    ),
    output="faithful",
    labels=("Yes", "No"),
    output_help="Yes if the response is faithful to the knowledge",
    capability=Capability.FACTUALITY,
    source=NAME,
    license=LICENSE,
    notes="Yes: FaithDial's (human-edited or verified) response; No: the Wizard of Wikipedia original "
          "response when its BEGIN labels include Hallucination.",
)


def _utterance(utt: Any, prov: Provenance) -> Iterator[Example]:
    turns = get(utt, "history", list, (prov.file, prov.row))
    if not all(isinstance(t, str) for t in turns):
        raise DataError(prov.file, "expected a list of strings", prov.row, "history")
    begin = utt.get("BEGIN") or []
    if not isinstance(begin, list):
        raise DataError(prov.file, f"expected list, got {type(begin).__name__}", prov.row, "BEGIN")
    response = text(utt, "response", prov)
    context = {"knowledge": text(utt, "knowledge", prov),
               "history": "\n".join(clean(t) for t in turns if clean(t)) or NO_HISTORY}
    yield Example(TASK.name, {**context, "response": response}, {"faithful": "Yes"}, prov)
    original = utt.get("original_response")
    if isinstance(original, str) and clean(original) and clean(original) != response and "Hallucination" in begin:
        yield Example(TASK.name, {**context, "response": clean(original)}, {"faithful": "No"}, prov)


def _convert(record: Any, prov: Provenance) -> Iterator[Item]:
    utterances = get(record, "utterances", list, (prov.file, prov.row))
    for i, utt in enumerate(utterances):  # provenance row "<dialogue>.<utterance>"
        yield from _utterance(utt, Provenance(prov.source, prov.file, f"{prov.row}.{i}"))


def read(files: SourceFiles) -> Iterator[Item]:
    """FaithDial train utterances as faithful / hallucinated responses."""
    yield from read_split(files, SPLIT, _convert, data_files=DATA_FILES)


SOURCE = Source(
    name=NAME,
    title="FaithDial (train)",
    license=LICENSE,
    role=Role.TRAIN,
    homepage="https://mcgill-nlp.github.io/FaithDial/",
    citation="Dziri et al. 2022, FaithDial: A Faithful Benchmark for Information-Seeking Dialogue",
    tasks=(TASK,),
    reader=read,
    hf=HFOrigin(DATASET, REVISION, None, SPLIT),
    table7=("FaithDial",),
)
