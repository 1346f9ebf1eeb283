"""Contrastive search vs contrastive decoding human evaluation (Su & Xu 2022): FLAMe held-out
benchmark "ContrSearch".

Origin: github.com/yxuansu/Contrastive_Search_versus_Contrastive_Decoding at bdca42dd,
`human_evaluation_annotations/human_evaluation_annotations.json` (MIT). A JSON list of 150
items, 50 per domain (book, wikinews, wikitext): a `prompt`, two GPT2-XL texts
`system_a_result` / `system_b_result` (each is the prompt followed by its continuation), the
name of the method behind each (`system_a_name` / `system_b_name`: contrastive_search or
contrastive_decoding; which one is "a" varies per item) and `human_annotation`, a dict of 4
annotators' verdicts: "system a is more human-like.", "system b is more human-like." or
"two systems are comparable.".

Label semantics: the target is the continuation with strictly more "more human-like" votes
among the 4 annotators; a "comparable" verdict votes for neither. The task has no tie label:
an item whose votes are equal is Rejected by design with the split in the reason. The context
is the prompt; each candidate is its continuation, i.e. the text after the prompt (cut where
the prompt ends, so a continuation may begin in the middle of the prompt's last word).

Counts (confirmed on the mirror; verdict totals a 305 / b 285 / comparable 10 match SOURCE.md):
vote splits a-b are 4-0 (18), 0-4 (18), 3-1 (40), 1-3 (27), 3-0 (1), 0-3 (2), 2-1 (2),
1-2 (5) and 2-2 (37). The 37 even splits are Rejected, so the task has 113 examples
(contrastive search preferred in 95, contrastive decoding in 18).
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterator

from flame.core.errors import DataError
from flame.core.records import Capability, InputField, Provenance, Role

from ..common import pairwise_example, pairwise_task
from ..files import SourceFiles
from ..readers import clean, get, guarded, read_json_list
from ..source import Item, Source, github_file

NAME = "contrsearch_human_eval"
LICENSE = "MIT"
REPO, COMMIT = "yxuansu/Contrastive_Search_versus_Contrastive_Decoding", "bdca42ddae6e3109b4b4eca1d6dd6b2dc5b05c2d"
FILE = "human_evaluation_annotations.json"
ORIGIN_PATH = "human_evaluation_annotations/human_evaluation_annotations.json"
VERDICTS = {
    "system a is more human-like.": "a",
    "system b is more human-like.": "b",
    "two systems are comparable.": None,
}

HUMAN_LIKENESS = pairwise_task(
    "contrsearch_human_likeness",
    title="Which continuation of the prompt reads more like text written by a human?",
    description=(
        "You are shown the opening of a text (a prompt of one or two sentences from a book, a "
        "Wikinews article or a Wikipedia article) and two continuations of it written by a language "
        "model. Each continuation picks up exactly where the prompt stops, so it may begin in the "
        "middle of a word. Choose the continuation that is more human-like: the one a skilled human "
        "writer could plausibly have written. Human-like text stays coherent with the prompt and "
        "with itself, develops the topic with specific, informative content, is fluent and "
        "grammatical, and does not fall into repetition, degenerate loops, sudden topic changes or "
        "incoherent lists. Both texts are long and may stop mid-sentence; do not judge the ending "
        "or prefer a text for being shorter or longer."
    ),
    context=(InputField("prompt", "the opening of the text"),),
    capability=Capability.GENERAL,
    source=NAME,
    license=LICENSE,
    role=Role.EVAL,
    candidate="continuation",
    notes=("GPT2-XL contrastive search vs contrastive decoding. Target: the continuation more of the 4 "
           "annotators judged more human-like ('comparable' votes for neither); even splits are excluded."),
)


def continuation(prompt: str, result: str, field: str, row: int | str) -> str:
    """The text a system wrote after the prompt (result must start with the prompt)."""
    if not result.startswith(prompt):
        raise DataError(FILE, "text does not start with the item's prompt", row, field)
    text = clean(result[len(prompt):])
    if not text:
        raise DataError(FILE, "empty continuation", row, field)
    return text


def votes(annotation: Any, row: int | str) -> Counter[str]:
    """How many annotators found system a / system b more human-like."""
    if not isinstance(annotation, dict) or not annotation:
        raise DataError(FILE, "expected a non-empty object of annotator verdicts", row, "human_annotation")
    count: Counter[str] = Counter()
    for annotator, verdict in annotation.items():
        if not isinstance(verdict, str) or verdict.strip().lower() not in VERDICTS:
            raise DataError(FILE, f"unknown verdict {verdict!r} from {annotator}", row, "human_annotation")
        side = VERDICTS[verdict.strip().lower()]
        if side:
            count[side] += 1
    return count


def _convert(record: Any, prov: Provenance) -> Iterator[Item]:
    where = (FILE, prov.row)
    prompt = get(record, "prompt", str, where)
    texts = {side: continuation(prompt, get(record, f"system_{side}_result", str, where),
                                f"system_{side}_result", prov.row) for side in ("a", "b")}
    count = votes(get(record, "human_annotation", dict, where), prov.row)
    if count["a"] == count["b"]:
        raise DataError(FILE, f"annotators are evenly split ({count['a']}-{count['b']}, "
                              f"{len(record['human_annotation']) - 2 * count['a']} comparable); "
                              "the task has no tie label", prov.row, "human_annotation")
    if not clean(prompt):
        raise DataError(FILE, "empty prompt", prov.row, "prompt")
    win, lose = ("a", "b") if count["a"] > count["b"] else ("b", "a")
    yield pairwise_example(HUMAN_LIKENESS.name, prov, {"prompt": clean(prompt)}, texts[win], texts[lose])


def read(files: SourceFiles) -> Iterator[Item]:
    """One example per item whose annotators prefer one side."""
    yield from guarded(NAME, FILE, enumerate(read_json_list(files.path(FILE), FILE)), _convert)


SOURCE = Source(
    name=NAME,
    title="Contrastive search vs contrastive decoding: human evaluation",
    license=LICENSE,
    role=Role.EVAL,
    homepage=f"https://github.com/{REPO}",
    citation="Su & Xu 2022, Contrastive Search Is What You Need For Neural Text Generation",
    tasks=(HUMAN_LIKENESS,),
    reader=read,
    files=(github_file(REPO, COMMIT, FILE, "ff547c4bd4367bb7a587d358f89055ee3de0be8a019ff4ba51b4cd1de17a24ce",
                       origin_path=ORIGIN_PATH),),
    expected={HUMAN_LIKENESS.name: 113},
)
