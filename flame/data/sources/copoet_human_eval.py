"""CoPoet poem-preference evaluation (Chakrabarty et al. 2022): FLAMe held-out benchmark "CoPoet".

Origin: github.com/vishakhpk/creative-instructions at 65d6266f,
`Batch_4739845_batch_results - Batch_4739845_batch_results.csv` (MIT), stored in the mirror as
`Batch_4739845_batch_results.csv` (renamed only; bytes unchanged). An MTurk export of the
"Pick the better poem" HITs ("Given 2 poems on the same topic, decide which one is more
creative and interesting"): each row is one worker's answer for one HIT (`HITId`): a title
(`Input.title`) and two poems (`Input.poem_1`, `Input.poem_2`, lines separated by HTML
`<br />`). `Answer.creative1.creative1` / `Answer.creative2.creative2` is TRUE on the poem the
worker found more creative (exactly one of them per row). The per-poem "accurate" yes/no
answers (does the poem fit the title) are not used.

Label semantics: one example per HIT; the target is the poem that the majority of its 3
workers found more creative (3 votes, so there is always a majority). `<br />` becomes a line
break. A row whose creativity answer is not exactly one TRUE is Rejected naming the field; a
HIT whose remaining votes are evenly split would be Rejected as a tie (none in the mirror).

Counts (confirmed on the mirror): 153 rows = 51 HITs x 3 distinct workers, 51 titles, nothing
rejected, 51 examples. Cross-checked against `AMT Results - Collaborative Poems.csv` of the
same commit (not used here): `poem_1` is the collaborative (CoPoet-assisted) poem in every
HIT and `poem_2` the solo one; the majority preferred the collaborative poem in 29 HITs and
the solo poem in 22. Workers always saw the collaborative poem first; the examples place the
preferred poem at A or B by the shared stable coin flip. Whether this exact batch is FLAMe's
CoPoet set is not verified (SOURCE.md).
"""

from __future__ import annotations

from collections import Counter
from typing import Iterator

from flame.core.errors import DataError
from flame.core.records import Capability, InputField, Provenance, Role

from ..common import pairwise_example, pairwise_task
from ..files import SourceFiles
from ..readers import clean, get, iter_csv
from ..source import Item, Rejected, Source, github_file

NAME = "copoet_human_eval"
LICENSE = "MIT"
REPO, COMMIT = "vishakhpk/creative-instructions", "65d6266f7ea3d80f111742904f7c97dba733e3be"
FILE = "Batch_4739845_batch_results.csv"
ORIGIN_PATH = "Batch_4739845_batch_results%20-%20Batch_4739845_batch_results.csv"
INPUTS = ("Input.title", "Input.poem_1", "Input.poem_2")
CHOICES = ("Answer.creative1.creative1", "Answer.creative2.creative2")

CREATIVITY = pairwise_task(
    "copoet_creativity",
    title="Which of the two poems on this title is more creative and interesting?",
    description=(
        "You are shown a title and two short poems written for it (written in different ways, for "
        "example with or without a poetry-writing assistant; you are not told which). Decide "
        "which poem is more creative and interesting to read. Reward fresh imagery and word choice, "
        "surprising but apt ideas or turns, emotional resonance, and effective use of poetic devices "
        "such as rhyme, rhythm, metaphor and line breaks; penalise clichés, flat statement, "
        "awkward or forced rhymes, and lines that lose the thread. Both poems are meant to be about "
        "the title; a poem that ignores it is less successful. Do not prefer a poem just because it "
        "is longer."
    ),
    context=(InputField("title", "the title both poems were written for"),),
    capability=Capability.GENERAL,
    source=NAME,
    license=LICENSE,
    role=Role.EVAL,
    candidate="poem",
    notes=("CoPoet collaborative vs solo poems, MTurk 'Pick the better poem'. Target: the poem the majority "
           "of 3 workers judged more creative and interesting."),
)


def poem(text: str) -> str:
    """A poem with its HTML line breaks turned into newlines."""
    return "\n".join(line.strip() for line in clean(text.replace("<br />", "\n")).split("\n"))


def vote(record: dict[str, str], row: int) -> int:
    """0 if the worker marked poem 1 more creative, 1 for poem 2."""
    marks = [get(record, field, str, (FILE, row)).strip().upper() for field in CHOICES]
    for field, mark in zip(CHOICES, marks):
        if mark not in ("TRUE", "FALSE"):
            raise DataError(FILE, f"expected TRUE or FALSE, got {mark[:20]!r}", row, field)
    if marks.count("TRUE") != 1:
        raise DataError(FILE, f"exactly one poem must be marked more creative, got {marks}", row, CHOICES[0])
    return marks.index("TRUE")


def read(files: SourceFiles) -> Iterator[Item]:
    """One example per HIT: the majority-preferred poem is the target."""
    hits: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for row, record in iter_csv(files.path(FILE)):
        hit = get(record, "HITId", str, (FILE, row))
        if not hit.strip():
            raise DataError(FILE, "empty HIT id", row, "HITId")
        hits.setdefault(hit, []).append((row, record))
    for rows in hits.values():
        first_row, first = rows[0]
        prov = Provenance(NAME, FILE, first_row)
        votes: Counter[int] = Counter()
        for row, record in rows:
            try:
                for field in INPUTS:
                    if get(record, field, str, (FILE, row)) != first[field]:
                        raise DataError(FILE, f"differs from row {first_row} of the same HIT", row, field)
                votes[vote(record, row)] += 1
            except DataError as e:
                yield Rejected(Provenance(NAME, FILE, row), e.reason, e.field)
        if not votes:
            continue  # every answer of the HIT was rejected above
        if votes[0] == votes[1]:
            yield Rejected(prov, f"workers are evenly split ({votes[0]}-{votes[1]})", CHOICES[0])
            continue
        title, poems = clean(first["Input.title"]), [poem(first["Input.poem_1"]), poem(first["Input.poem_2"])]
        empty = next((f for f, v in zip(INPUTS, [title, *poems]) if not v), None)
        if empty:
            yield Rejected(prov, "empty text", empty)
            continue
        win = votes.most_common(1)[0][0]
        yield pairwise_example(CREATIVITY.name, prov, {"title": title}, poems[win], poems[1 - win])


SOURCE = Source(
    name=NAME,
    title="CoPoet poem preference (MTurk creativity comparison)",
    license=LICENSE,
    role=Role.EVAL,
    homepage=f"https://github.com/{REPO}",
    citation=("Chakrabarty, Padmakumar & He 2022, Help me write a poem: Instruction Tuning as a Vehicle "
              "for Collaborative Poetry Writing"),
    tasks=(CREATIVITY,),
    reader=read,
    files=(github_file(REPO, COMMIT, FILE, "da72e8c1d4416f0790955d381f653f317f9f86cd684825651e388db9e1d6dc01",
                       origin_path=ORIGIN_PATH),),
    expected={CREATIVITY.name: 51},
)
