"""CodeContests: competitive-programming problems with accepted and rejected human submissions
(FLAMe Table 7: "Code Contests", coding, pairwise).

Origin: the Hub dataset deepmind/code_contests (CC-BY-4.0) at commit 802411c3 (the card's
last commit, short hash 802411c; the full hash is the revision public code pins). Schema
confirmed from the dataset card (huggingface.co/datasets/deepmind/code_contests): each row
is a problem with `name`, `description`, and `solutions` / `incorrect_solutions`, each a
sequence of {language, solution} (stored column-wise as {"language": [int], "solution":
[str]}); language ids: 0 unknown, 1 Python 2, 2 C++,
3 Python 3, 4 Java. Splits (AlphaCode paper): train 13,328 / valid 117 / test 165 problems; we use train
only (valid and test are AlphaCode's evaluation problems).

Correct and incorrect solutions are human contestants' submissions, judged by the contest's
tests. Task `code_contests_correct_vs_incorrect`: for each problem and language, the i-th
correct and the i-th incorrect submission form a pair, at most `MAX_PAIRS` pairs per problem
and language (the data holds hundreds per problem; the cap keeps one problem from dominating).
A problem with no language having both kinds gives one Rejected row, excluded by design, with that reason.
Counts are not known offline, so `expected` is empty.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flame.core.errors import DataError
from flame.core.records import Capability, InputField, Provenance, Role

from ..common import pairwise_example, pairwise_task
from ..files import SourceFiles
from ..readers import clean, get
from ..source import HFOrigin, Item, Source
from ._hub_kit import excluded, read_split, text

NAME = "code_contests"
LICENSE = "CC-BY-4.0"
DATASET, REVISION, SPLIT = "deepmind/code_contests", "802411c3010cb00d1b05bad57ca77365a3c699d6", "train"
LANGUAGES = {1: "Python 2", 2: "C++", 3: "Python 3", 4: "Java"}
MAX_PAIRS = 10

TASK = pairwise_task(
    "code_contests_correct_vs_incorrect",
    title="Which program correctly solves the competitive-programming problem?",
    description=(
        "A competitive-programming problem (from Codeforces, AtCoder, CodeChef, HackerEarth or Aizu) is "
        "given with its statement, input/output format and examples, together with two programs in the "
        "same language submitted by contestants. Exactly one of them was accepted: it produces the "
        "correct output on every official test within the time and memory limits. The other was "
        "rejected: it gives a wrong answer on some test, crashes, or is too slow. Choose the accepted "
        "program. Trace the logic against the statement, check edge cases (smallest and largest inputs, "
        "off-by-one boundaries, overflow) and the algorithm's complexity against the limits; do not "
        "judge by style, comments or length."
    ),
    context=(InputField("problem", "the problem statement"), InputField("language", "the programming language")),
    capability=Capability.CODING,
    source=NAME,
    license=LICENSE,
    candidate="program",
    notes=f"Better: a submission from `solutions`; worse: one from `incorrect_solutions` of the same problem "
          f"and language, paired in order, at most {MAX_PAIRS} pairs per problem and language.",
)


def submissions(record: Any, field: str, prov: Provenance) -> dict[int, list[str]]:
    """A problem's submissions of one kind, grouped by language id (known languages only)."""
    column = get(record, field, dict, (prov.file, prov.row))
    langs, codes = column.get("language"), column.get("solution")
    if not isinstance(langs, list) or not isinstance(codes, list) or len(langs) != len(codes):
        raise DataError(prov.file, "expected equal-length lists 'language' and 'solution'", prov.row, field)
    grouped: dict[int, list[str]] = {}
    for lang, code in zip(langs, codes):
        if not isinstance(lang, int) or not isinstance(code, str):
            raise DataError(prov.file, "expected int language ids and str solutions", prov.row, field)
        if lang in LANGUAGES and clean(code):
            grouped.setdefault(lang, []).append(clean(code))
    return grouped


def _convert(record: Any, prov: Provenance) -> Iterator[Item]:
    problem = text(record, "description", prov)
    right, wrong = submissions(record, "solutions", prov), submissions(record, "incorrect_solutions", prov)
    shared = [lang for lang in LANGUAGES if right.get(lang) and wrong.get(lang)]
    if not shared:
        yield excluded(prov, "no language with both a correct and an incorrect submission", "incorrect_solutions")
        return
    for lang in shared:
        pairs = [(good, bad) for good, bad in zip(right[lang], wrong[lang]) if good != bad][:MAX_PAIRS]
        for good, bad in pairs:
            yield pairwise_example(TASK.name, prov, {"problem": problem, "language": LANGUAGES[lang]}, good, bad)


def read(files: SourceFiles) -> Iterator[Item]:
    """Correct-vs-incorrect submission pairs from the train problems."""
    yield from read_split(files, SPLIT, _convert)


SOURCE = Source(
    name=NAME,
    title="CodeContests (train)",
    license=LICENSE,
    role=Role.TRAIN,
    homepage="https://github.com/google-deepmind/code_contests",
    citation="Li et al. 2022, Competition-Level Code Generation with AlphaCode",
    tasks=(TASK,),
    reader=read,
    hf=HFOrigin(DATASET, REVISION, None, SPLIT),
    table7=("Code Contests",),
)
