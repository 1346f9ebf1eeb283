"""LFQAEval (Xu et al. 2023, "A Critical Evaluation of Evaluations for Long-form Question
Answering"): domain experts' pairwise preferences between long-form answers. FLAMe's held-out
benchmark "LFQAEval"; evaluation only.

Origin: github.com/carriex/lfqa_eval at 5202745b,
`preference_data/experts_pairwise_human_preferences.jsonl`. The file is stored in Git LFS, so it
is downloaded from GitHub's LFS media URL for that commit and checked against the sha256 (and
717,802 bytes) that the commit's LFS pointer records. The repository has no LICENSE file, so the
license is recorded as "none (evaluation only)": never trained on, never copied here.

Schema (the repository README, "Data"): `question`, `answer_a`, `answer_b`, `doc_a` / `doc_b`
(evidence, WebGPT comparisons only; null here), `answer_a_type` / `answer_b_type` (`human` or
the model that wrote it), `overall_preference` (-1: `answer_a` wins, 0: tie, 1: `answer_b`
wins), optional `coherence_preference` / `factuality_preference`, and `justification` (the
expert's free-text reasons, not shown to the judge: it gives the answer away). Texts mark line
breaks with HTML `<br />`, turned into newlines here.

Ties: the README says the processed file keeps ties "whereas in our automatic evaluation we
removed tie data"; FLAMe's protocol for them is not stated, so they are excluded as the
dataset's authors do (counted, with the reason). The other files of `preference_data/` (the
Hurdles and WebGPT comparisons the authors collected from earlier work) are not read: LFQAEval's
own contribution is the expert set, and Hurdles LFQA is a FLAMe training dataset (Table 7).

Task `lfqa_eval_expert_preference` (pairwise): the question and the two answers, the
preferred one placed at A or B by the shared stable coin flip. A row with an
`overall_preference` other than -1, 0 or 1, or an empty question or answer, is Rejected naming
the field.
"""

from __future__ import annotations

from typing import Any, Iterator

from flame.core.errors import DataError
from flame.core.records import Capability, InputField, Provenance, Role

from ..common import pairwise_example, pairwise_task
from ..files import SourceFiles
from ..readers import clean, get, guarded, iter_jsonl
from ..source import Item, RemoteFile, Rejected, Source

NAME = "lfqa_eval"
LICENSE = "none (evaluation only)"
REPO, COMMIT = "carriex/lfqa_eval", "5202745be28c1574c79c18c95143a797567eded9"
FILE = "preference_data/experts_pairwise_human_preferences.jsonl"
SHA256 = "5944620336f9a4f72261d29b6b91dc7fb0ee8a6a7dec6e65bff6275be7c1cfac"  # the commit's LFS pointer

EXPERT = pairwise_task(
    "lfqa_eval_expert_preference",
    title="Which answer to the question would a domain expert prefer?",
    description=(
        "A question asked on a question-answering forum (often in history, science, law or economics) "
        "and two long-form answers to it: one may be written by a person, the other by a language "
        "model. A domain expert read both, judged them and chose the better answer overall. Choose "
        "the answer the expert would prefer: the one that answers every part of the question, "
        "correctly, and notices a false assumption in the question if there is one; that stays "
        "relevant instead of padding or repeating the question; that is well organised and easy to "
        "follow; and whose claims are accurate (citing sources helps). A fluent answer that is vague, "
        "off the point or wrong is worse than a plainer one that is right. Do not prefer an answer "
        "just because it is longer."
    ),
    context=(InputField("question", "the question"),),
    capability=Capability.GENERAL,
    source=NAME,
    license=LICENSE,
    role=Role.EVAL,
    candidate="answer",
    notes="Xu et al. 2023 expert preferences; ties (overall_preference 0) excluded, as the authors do.",
)
WINNER = {-1: 0, 1: 1}  # overall_preference -> index of the preferred answer


def text(record: Any, field: str, where: tuple[str, int]) -> str:
    """A non-empty text field, with the file's `<br />` line breaks as newlines."""
    value = clean(get(record, field, str, where).replace("<br />", "\n"))
    if not value:
        raise DataError(where[0], "empty text", where[1], field)
    return value


def convert(record: Any, prov: Provenance) -> Iterator[Item]:
    """One expert comparison as an example, or its exclusion as a tie."""
    where = (prov.file, prov.row)
    preference = get(record, "overall_preference", int, where)
    if preference not in (-1, 0, 1):
        raise DataError(prov.file, f"expected -1, 0 or 1, got {preference}", prov.row, "overall_preference")
    question = text(record, "question", where)
    answers = [text(record, "answer_a", where), text(record, "answer_b", where)]
    if preference == 0:
        yield Rejected(prov, "tie (overall_preference 0): excluded, as the dataset's authors do",
                       "overall_preference", excluded=True)
        return
    win = WINNER[preference]
    yield pairwise_example(EXPERT.name, prov, {"question": question}, answers[win], answers[1 - win])


def read(files: SourceFiles) -> Iterator[Item]:
    """Every expert comparison, in file order."""
    yield from guarded(NAME, FILE, iter_jsonl(files.path(FILE)), convert)


SOURCE = Source(
    name=NAME,
    title="LFQAEval: domain experts' preferences between long-form answers",
    license=LICENSE,
    role=Role.EVAL,
    homepage=f"https://github.com/{REPO}",
    citation="Xu, Song, Iyyer & Choi 2023, A Critical Evaluation of Evaluations for Long-form Question Answering",
    tasks=(EXPERT,),
    reader=read,
    files=(RemoteFile(FILE, f"https://media.githubusercontent.com/media/{REPO}/{COMMIT}/{FILE}", SHA256),),
    notes="Evaluation only: no license file; the expert comparisons, ties excluded.",
)
