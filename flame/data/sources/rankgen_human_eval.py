"""RankGen human evaluation (Krishna et al. 2022): FLAMe held-out benchmark "RankGen".

Origin: github.com/martiansideofthemoon/rankgen at 23a8e7ce, `human-eval-data/gpt2_medium.csv`
and `human-eval-data/t5_xxl_c4.csv` (Apache-2.0). Raw MTurk-layout exports of a blind A/B test
run with English teachers and writers hired on Upwork: each row is one annotator's verdict
on one HIT (`HITId`): a prefix from PG-19 or Wikipedia (`Input.Prefix`) and two
continuations (`Input.First`, `Input.Second`; one from nucleus sampling, one from RankGen
beam search, order given by `Input.Order`). `Answer.utterance` starts with the choice,
"Text 1" or "Text 2", followed by a 1-3 sentence reason.

Label semantics (checked against the repository's `scripts/score_ab_text.py`): a verdict is
the leading "text 1"/"text 2" of the answer (case-insensitive; the script also accepts the
typo "test 1"); the item's label is the majority vote over all of the HIT's annotators
(`most_common` in that script). Each task example is one HIT, and the majority-preferred
continuation is the target. A verdict that starts with neither is Rejected (that row only;
the HIT's other verdicts still vote); a HIT whose votes are evenly split would be Rejected as
a tie (none is in the mirror). A HIT with an empty prefix or continuation is Rejected: the
annotators had nothing to compare.

Counts (confirmed on the mirror): t5_xxl_c4.csv has 300 rows = 100 HITs x 3 writers ("Writer
1-3"), giving 100 examples. gpt2_medium.csv has 309 rows = 100 HITs, each judged by Writers 4
and 5 plus Writer 6 (60 HITs), Writer 7 (33), Writers 6 and 7 (5), or Writers 6, 7 and 8 (2):
no writer judged a HIT twice and no HIT ends in a tie. One gpt2_medium HIT (row 164) has an
empty first continuation (all its writers note "there is no Text 1") and is Rejected, so that
task has 99 examples. The inputs of every row of a HIT are identical (checked by the reader).
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

NAME = "rankgen_human_eval"
LICENSE = "Apache-2.0"
REPO, COMMIT = "martiansideofthemoon/rankgen", "23a8e7ce2dd6a660e3b7851e97a5ee7a84a5fea6"
FILES = {  # mirror path -> (task name, generator, sha256)
    "gpt2_medium.csv": ("rankgen_gpt2_medium", "GPT2-medium",
                        "587a44c06de2aa0219f9ecd6830fe4dba752c92e1b2262672a9b6964014d6658"),
    "t5_xxl_c4.csv": ("rankgen_t5_xxl", "T5-XXL (C4)",
                      "f0cdc189a07a1120cc30ef71a77dc76468fccc4b845dfbfbcf501702bf01aff4"),
}
INPUTS = ("Input.Prefix", "Input.First", "Input.Second")
ANSWER = "Answer.utterance"

TITLE = "Which continuation continues the passage better?"
DESCRIPTION = (
    "You are shown the opening of a document (a prefix of about 100-200 words from a PG-19 book or "
    "a Wikipedia article) and two machine-written continuations of it, typically about 80 words "
    "each. Choose the continuation that continues the prefix better, as a professional writer or "
    "English teacher would judge it. A good continuation stays on the prefix's topic, characters and "
    "events and flows naturally from its last sentence; does not contradict the prefix or itself; "
    "respects commonsense and world knowledge; does not repeat itself; and is coherent and "
    "grammatical in a style that matches the prefix. Fit to the prefix matters most: drifting off "
    "the prompt was the annotators' most frequent complaint. Either continuation may stop "
    "mid-sentence; do not judge the abrupt ending."
)
CONTEXT = (InputField("prefix", "the opening of the document"),)


def _task(name: str, generator: str):
    return pairwise_task(
        name, title=TITLE, description=DESCRIPTION, context=CONTEXT, capability=Capability.GENERAL,
        source=NAME, license=LICENSE, role=Role.EVAL, candidate="continuation",
        notes=(f"{generator} continuations (nucleus sampling vs RankGen beam search). Target: the "
               "continuation preferred by the majority of the HIT's annotators (3, occasionally 4-5)."),
    )


TASKS = {path: _task(name, generator) for path, (name, generator, _) in FILES.items()}


def verdict(answer: str, file: str, row: int) -> int:
    """0 for "Text 1", 1 for "Text 2": the choice that starts an annotator's answer."""
    head = answer.strip().lower()
    if head.startswith(("text 1", "test 1")):
        return 0
    if head.startswith("text 2"):
        return 1
    raise DataError(file, f"answer does not start with 'Text 1' or 'Text 2': {answer[:40]!r}", row, ANSWER)


def read_file(files: SourceFiles, path: str) -> Iterator[Item]:
    """One example per HIT of path: the majority-preferred continuation is the target."""
    hits: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for row, record in iter_csv(files.path(path)):
        hit = get(record, "HITId", str, (path, row))
        if not hit.strip():
            raise DataError(path, "empty HIT id", row, "HITId")
        hits.setdefault(hit, []).append((row, record))
    task = TASKS[path].name
    for rows in hits.values():
        first_row, first = rows[0]
        prov = Provenance(NAME, path, first_row)
        votes: Counter[int] = Counter()
        for row, record in rows:
            try:
                for field in INPUTS:
                    if record[field] != first[field]:
                        raise DataError(path, f"differs from row {first_row} of the same HIT", row, field)
                votes[verdict(record[ANSWER], path, row)] += 1
            except DataError as e:
                yield Rejected(Provenance(NAME, path, row), e.reason, e.field)
        if not votes:
            continue  # every verdict of the HIT was rejected above
        if votes[0] == votes[1]:
            yield Rejected(prov, f"annotators are evenly split ({votes[0]}-{votes[1]})", ANSWER)
            continue
        prefix, texts = clean(first["Input.Prefix"]), [clean(first["Input.First"]), clean(first["Input.Second"])]
        empty = next((f for f, v in zip(INPUTS, [prefix, *texts]) if not v), None)
        if empty:
            yield Rejected(prov, "empty text: nothing to compare (annotators could only pick the other one)", empty)
            continue
        win = votes.most_common(1)[0][0]
        yield pairwise_example(task, prov, {"prefix": prefix}, texts[win], texts[1 - win])


def read(files: SourceFiles) -> Iterator[Item]:
    """Examples of both RankGen tasks, file by file."""
    for path in FILES:
        yield from read_file(files, path)


SOURCE = Source(
    name=NAME,
    title="RankGen human evaluation (continuation preference)",
    license=LICENSE,
    role=Role.EVAL,
    homepage=f"https://github.com/{REPO}",
    citation="Krishna et al. 2022, RankGen: Improving Text Generation with Large Ranking Models",
    tasks=tuple(TASKS.values()),
    reader=read,
    files=tuple(github_file(REPO, COMMIT, path, sha, origin_path=f"human-eval-data/{path}")
                for path, (_, _, sha) in FILES.items()),
    expected={"rankgen_gpt2_medium": 99, "rankgen_t5_xxl": 100},
)
