"""CommitPackFT: real GitHub commits in six languages as (before, after) program pairs
(FLAMe Table 7: "CommitPack" and "CommitPack-Bugs", coding, pairwise).

Origin: the Hub dataset bigcode/commitpackft at commit fc56fe33 (MIT on the card; each row
also carries the permissive license of its repository). CommitPackFT is the 2 GB subset of
CommitPack (4 TB) whose commit messages read like instructions (Muennighoff et al. 2023,
OctoPack); we use it rather than the full CommitPack. The repository holds a deprecated
loading script (`commitpackft.py`, which `datasets` 4+ refuses), so the JSONL files are read
directly through the json builder (`SourceFiles.hf_rows(data_files=...)`): `data/<lang>/data.jsonl` for python,
javascript, java, c++, go and rust (the six languages of FLAMe's coding data). Schema
confirmed from the dataset card and loading script (huggingface.co/datasets/bigcode/
commitpackft): commit, old_file, new_file, old_contents, new_contents, subject, message,
lang, license, repos. The Python file has 56,025 commits (per a Hub copy's card,
eitanturok/commitpackft); the other counts were not confirmed, so `expected` is empty.

The human judgment is the developer's commit: the new file is the accepted version of the
change the message asks for. Two disjoint tasks:
- `commitpack_bugfix` (CommitPack-Bugs): commits whose subject or message says they fix a bug
  (`BUGFIX` below: fix, bug, crash, error, broken, wrong, typo, ...). Candidates: the fixed
  file vs the buggy file.
- `commitpack_change` (CommitPack): all other commits. Candidates: the file after vs before
  the commit, judged against the commit message.
Rows whose old file is empty (a newly created file: no "before" program) or unchanged are
excluded by design with that reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import chain
from typing import Any

from flame.core.records import Capability, InputField, Provenance, Role

from ..common import pairwise_example, pairwise_task
from ..files import SourceFiles
from ..readers import clean, get
from ..source import HFOrigin, Item, Source
from ._hub_kit import excluded, read_split, text

NAME = "commitpack"
LICENSE = "MIT"
DATASET, REVISION = "bigcode/commitpackft", "fc56fe33c030c6daa414c2b112c932b8eed085e6"
LANGUAGES = {"python": "Python", "javascript": "JavaScript", "java": "Java", "c++": "C++", "go": "Go", "rust": "Rust"}
SPLIT = "train"
BUGFIX = re.compile(r"\b(fix(es|ed|ing)?|bug(s|fix)?|hotfix|crash(es|ing)?|errors?|exceptions?|broken|"
                    r"wrong|incorrect|typo|regression|fault)\b", re.IGNORECASE)

_CONTEXT = (
    InputField("language", "the programming language"),
    InputField("file_name", "the path of the file in its repository"),
    InputField("commit_message", "what the change should do, as the developer wrote it"),
)

BUGFIX_TASK = pairwise_task(
    "commitpack_bugfix",
    title="Which version of the file is the fixed one?",
    description=(
        "A developer fixed a bug in a source file of a real GitHub project; the commit message describes "
        "the problem or the fix. You see two versions of the file: the one before the fix (buggy) and the "
        "one after it. Choose the version that is correct: the one in which the problem described by the "
        "commit message (a crash, an exception, a wrong result, a typo, a broken call, a missed edge case) "
        "no longer occurs, without introducing new errors. Read the code that differs between the two "
        "versions and reason about its behaviour; do not prefer a version for being longer or more "
        "heavily commented."
    ),
    context=_CONTEXT,
    capability=Capability.CODING,
    source=NAME,
    license=LICENSE,
    candidate="program",
    notes="Better: new_contents (after the commit); worse: old_contents. Commits whose subject/message "
          "matches the bug-fix pattern in commitpack.BUGFIX.",
)

CHANGE_TASK = pairwise_task(
    "commitpack_change",
    title="Which version of the file carries out the change the commit message asks for?",
    description=(
        "The commit message of a real GitHub commit is given as an instruction (e.g. \"Add a timeout "
        "option to the client\", \"Use the new logging API\"), together with two versions of the file it "
        "touched: the one before the commit and the one after it. Choose the version that correctly "
        "implements the requested change: it does what the message asks, completely, keeps the rest of "
        "the program working, and is valid code in its language. The other version lacks the change or "
        "implements it wrongly. Judge against the message, not against style or length."
    ),
    context=_CONTEXT,
    capability=Capability.CODING,
    source=NAME,
    license=LICENSE,
    candidate="program",
    notes="Better: new_contents (after the commit); worse: old_contents. Commits not matching the "
          "bug-fix pattern (those go to commitpack_bugfix).",
)


def data_file(lang: str) -> str:
    """The JSONL file of one language inside the Hub repository."""
    return f"data/{lang}/data.jsonl"


def _converter(lang: str):
    def convert(record: Any, prov: Provenance) -> Iterator[Item]:
        where = (prov.file, prov.row)
        message = text(record, "message", prov)
        subject = clean(get(record, "subject", str, where))
        new = text(record, "new_contents", prov)
        old = clean(get(record, "old_contents", str, where))
        if not old:
            yield excluded(prov, "empty old file (the commit creates it): no before/after pair", "old_contents")
            return
        if old == new:
            yield excluded(prov, "old and new contents are identical", "new_contents")
            return
        context = {"language": LANGUAGES[lang], "file_name": text(record, "new_file", prov),
                   "commit_message": message}
        task = BUGFIX_TASK if BUGFIX.search(subject + "\n" + message) else CHANGE_TASK
        yield pairwise_example(task.name, prov, context, new, old)

    return convert


def read(files: SourceFiles) -> Iterator[Item]:
    """Both CommitPack tasks from the six languages' files."""
    yield from chain.from_iterable(
        read_split(files, SPLIT, _converter(lang), lang, (data_file(lang),)) for lang in LANGUAGES
    )


SOURCE = Source(
    name=NAME,
    title="CommitPackFT (Python, JavaScript, Java, C++, Go, Rust)",
    license=LICENSE,
    role=Role.TRAIN,
    homepage="https://huggingface.co/datasets/bigcode/commitpackft",
    citation="Muennighoff et al. 2023, OctoPack: Instruction Tuning Code Large Language Models",
    tasks=(CHANGE_TASK, BUGFIX_TASK),
    reader=read,
    hf=HFOrigin(DATASET, REVISION, None, SPLIT),
    table7=("CommitPack", "CommitPack-Bugs"),
)
