"""Q²: factual consistency of knowledge-grounded dialogue responses (FLAMe Table 7, factuality, classification).

Origin: github.com/orhonovich/q-squared at cab6027d, `third_party/data/` (Honovich et al.
2021, EMNLP). The data is MIT-licensed (third_party/data/LICENSE.txt; Wizard of Wikipedia,
Facebook); the repository's code is Apache-2.0.

The authors ran two Wizard-of-Wikipedia systems, DodecaDialogue and MemNet, on WoW
validation dialogues and annotated each response for factual consistency with the knowledge
sentence the system was given. `cross_annotation.csv` holds the full annotated set: 544
dialogue turns (`episode_idx`, `round`, `topic`, `message`, `knowledge`, `gold`), each with
both systems' responses and labels (`dodeca_label`, `memnet_label`: 0 = consistent,
1 = inconsistent). The four files `{dodeca,memnet}_{consistent,inconsistent}.csv` (150 rows
each) are the balanced subsets the paper's response-level experiments use; every one of their
600 rows is a row of `cross_annotation.csv` with the same response and the label its file
name states (checked on the mirror, and by tests/data/test_source_q_squared.py), which is also
how the 0/1 coding was confirmed. So this adapter reads `cross_annotation.csv` only, giving
one task, `q_squared_consistency`, with 2 examples per row: 1,088 (628 Yes / 460 No).
Neither the system name nor the human `gold` response is shown to the judge. 39 turns are
the conversation's first (round 0, empty `message`); their previous turn is shown as
"(no previous turn)" rather than dropping the human label.
"""

from __future__ import annotations

from typing import Any, Iterator

from flame.core.errors import DataError
from flame.core.records import (
    Capability,
    Example,
    InputField,
    LabelSpace,
    OutputField,
    Provenance,
    Role,
    TaskSpec,
    TaskType,
)

from ..common import NO_PREVIOUS_TURN
from ..files import SourceFiles
from ..readers import clean, get, guarded, iter_csv
from ..source import Item, Source, github_file

NAME = "q_squared"
LICENSE = "MIT"
REPO, COMMIT = "orhonovich/q-squared", "cab6027dc9a50cf73d80caf0858da05c2323c433"
FILE = "cross_annotation.csv"
SYSTEMS = ("dodeca", "memnet")
_CONSISTENT = {"0": "Yes", "1": "No"}  # the label column marks inconsistency

CONSISTENCY = TaskSpec(
    name="q_squared_consistency",
    task_type=TaskType.CLASSIFICATION,
    capability=Capability.FACTUALITY,
    title="Is the dialogue response factually consistent with the knowledge?",
    description=(
        "In a Wizard of Wikipedia conversation, a dialogue system that plays the knowledgeable "
        "'wizard' was given one sentence of Wikipedia knowledge and the other speaker's previous "
        "turn, and wrote the next response (lower-cased and tokenised, e.g. \"it ' s\"). Decide "
        "whether the response is factually consistent with the knowledge. It is consistent if every "
        "factual claim it makes is supported by the knowledge sentence: repeating, paraphrasing, "
        "shortening or correctly combining its facts is consistent, and so is conversational filler "
        "that states no facts. It is inconsistent if any factual claim contradicts the knowledge "
        "(wrong date, place, number, name or relation, e.g. attributing an event to the wrong "
        "century) or adds facts the knowledge does not support (hallucinated details), even when "
        "the rest is correct. Judge against the knowledge sentence only, not your own world "
        "knowledge, and use the previous turn only to understand what the response refers to. "
        "Answer Yes if the response is consistent and No if it is not."
    ),
    inputs=(
        InputField("knowledge", "the Wikipedia sentence the system was grounded on"),
        InputField("previous_turn", "the other speaker's preceding message"),
        InputField("response", "the system's response to judge"),
    ),
    outputs=(OutputField("consistent", LabelSpace.classes("Yes", "No"),
                         "whether the response is factually consistent with the knowledge"),),
    source=NAME,
    license=LICENSE,
    role=Role.TRAIN,
    notes=(
        "cross_annotation.csv: both systems' responses per turn; label 0 -> Yes, 1 -> No. "
        f"An empty previous turn is shown as {NO_PREVIOUS_TURN!r}."
    ),
)


def _convert(record: Any, prov: Provenance) -> Iterator[Item]:
    where = (FILE, prov.row)
    knowledge = clean(get(record, "knowledge", str, where))
    if not knowledge:
        raise DataError(FILE, "empty value", prov.row, "knowledge")
    previous = clean(get(record, "message", str, where)) or NO_PREVIOUS_TURN
    for system in SYSTEMS:
        response = clean(get(record, f"{system}_response", str, where))
        if not response:
            raise DataError(FILE, "empty value", prov.row, f"{system}_response")
        label = get(record, f"{system}_label", str, where).strip()
        if label not in _CONSISTENT:
            raise DataError(FILE, f"label {label[:20]!r} is not 0 (consistent) or 1 (inconsistent)",
                            prov.row, f"{system}_label")
        yield Example(CONSISTENCY.name, {"knowledge": knowledge, "previous_turn": previous, "response": response},
                      {"consistent": _CONSISTENT[label]}, prov)


def read(files: SourceFiles) -> Iterator[Item]:
    """Q² consistency examples (and Rejected rows) from cross_annotation.csv."""
    yield from guarded(NAME, FILE, iter_csv(files.path(FILE)), _convert)


SOURCE = Source(
    name=NAME,
    title="Q²: factual consistency in knowledge-grounded dialogue (DodecaDialogue and MemNet on WoW)",
    license=LICENSE,
    role=Role.TRAIN,
    homepage=f"https://github.com/{REPO}",
    citation=("Honovich et al. 2021, Q²: Evaluating Factual Consistency in Knowledge-Grounded Dialogues "
              "via Question Generation and Question Answering (EMNLP 2021)"),
    tasks=(CONSISTENCY,),
    reader=read,
    files=(github_file(REPO, COMMIT, FILE, "b9c92dcf44b93fc8c19fa4a289c6a2780d703b090cf1d341175728778c330446",
                       origin_path=f"third_party/data/{FILE}"),),
    expected={CONSISTENCY.name: 1088},
    table7=("Q²",),
)
