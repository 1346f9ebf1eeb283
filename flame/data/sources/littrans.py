"""LitTrans (Karpinska & Iyyer 2023): professional translators' preferences between two machine
translations of a literary paragraph. FLAMe's held-out benchmark "LitTrans"; evaluation only.

Origin: github.com/marzenakrp/LiteraryTranslation at 7875c8ae,
`annotations/default_format_v1/all_annotations_v1.json`. The repository states no license and
the texts are excerpts of published novels and their translations, so the license is recorded
as "none (evaluation only)": the source is never trained on (its tasks have role eval, which
`flame data build` leaves out) and nothing of it is copied into this repository.

File: a JSON list of 540 comparisons. Each object has `source_lang` / `target_lang` (language
codes), `source` (the source-language paragraph), `text1` / `text2` (two machine translations of
it), `choice` (`text1` or `text2`: the translator's preferred translation) and
`difficult_choice` (a free-text answer starting "YES" or "NO": whether the choice was hard).
Also present but not shown to the judge: `target` (a human reference translation, which the
translators did not see either), `text1_tag` / `text2_tag` (which system made each text),
`comment` (the translator's justification), `added_omitted` and `annotations` (the error spans
the translator marked): all of them reveal or hint at the answer.

Protocol (the paper's, written into the task prompt): the translators read the source
paragraph and both translations, marked the errors in each (mistranslation, grammar,
untranslated text, inconsistency, register, format, ...), noted added or omitted content,
then chose the better translation and said whether the choice was difficult. Each system
appears as `text1` and as `text2` (the tags show both orders); here the preferred text is
placed at A or B by flame's shared stable coin flip.

`difficult_choice`: every comparison keeps its translator's choice, including the 213 the
translator called difficult ("YES, both translations are close in quality and it was hard to
choose between them"); none is dropped. The answer splits the items into two tasks with the
same prompt, `littrans_clear_choice` (327: "NO, the translations I have chosen is visibly
better") and `littrans_difficult_choice` (213), so a benchmark reports accuracy on each as
well as on all 540. Which items FLAMe sampled (256 of the 540, PAPER.md §7.1) and whether it
kept the difficult ones is not published. A row whose `difficult_choice` starts with neither
YES nor NO, whose `choice` is neither text, or whose texts are empty or identical is Rejected
naming the field (none on the mirror).
"""

from __future__ import annotations

from typing import Any, Iterator

from flame.core.errors import DataError
from flame.core.records import Capability, InputField, Provenance, Role, TaskSpec

from ..common import pairwise_example, pairwise_task
from ..files import SourceFiles
from ..readers import clean, get, guarded, read_json_list
from ..source import Item, Source, github_file

NAME = "littrans"
LICENSE = "none (evaluation only)"
REPO, COMMIT = "marzenakrp/LiteraryTranslation", "7875c8ae052c6a26aca2c80e0602f8bae894a25c"
FILE = "annotations/default_format_v1/all_annotations_v1.json"
LANGUAGES = {"cs": "Czech", "de": "German", "en": "English", "fr": "French", "ja": "Japanese", "pl": "Polish",
             "ru": "Russian", "zh": "Chinese"}

_DESCRIPTION = (
    "Below is a paragraph from a published novel, in its original language, and two machine "
    "translations of the whole paragraph into the target language. Professional literary "
    "translators compared such translations: they read the source paragraph and both translations, "
    "marked the errors in each (mistranslations that change the meaning, grammar errors, words left "
    "untranslated, inconsistencies such as a name, gender or tense that changes between sentences, "
    "a register or style that does not fit the text, formatting problems) and noted information "
    "that a translation adds or omits, and then chose the better translation. Choose the translation "
    "such a translator would prefer: the one that conveys the meaning of the whole paragraph "
    "faithfully, reads fluently and naturally in the target language, keeps the author's tone, style "
    "and register, and stays coherent across sentences. Weigh errors that change the meaning, and "
    "added or omitted content, over small differences of wording; do not prefer a translation for "
    "being longer or more literal."
)


def _task(name: str, difficulty: str) -> TaskSpec:
    return pairwise_task(
        name,
        title="Which of the two translations of this literary paragraph is better?",
        description=_DESCRIPTION,
        context=(InputField("source_language", "the language of the original paragraph"),
                 InputField("target_language", "the language of both translations"),
                 InputField("source", "the original paragraph")),
        capability=Capability.GENERAL,
        source=NAME,
        license=LICENSE,
        role=Role.EVAL,
        candidate="translation",
        notes=(f"LitTrans comparisons the translator called {difficulty}. Target: the translation the "
               "professional translator preferred."),
    )


CLEAR = _task("littrans_clear_choice", "not difficult (the chosen translation is visibly better)")
DIFFICULT = _task("littrans_difficult_choice", "difficult (both close in quality)")
CHOICES = ("text1", "text2")


def difficulty_task(answer: str, where: tuple[str, int]) -> str:
    """The task an item belongs to from its translator's `difficult_choice` answer."""
    head = answer.strip().upper()
    if head.startswith("YES"):
        return DIFFICULT.name
    if head.startswith("NO"):
        return CLEAR.name
    raise DataError(where[0], f"expected an answer starting YES or NO, got {answer[:40]!r}", where[1],
                    "difficult_choice")


def _language(record: Any, field: str, where: tuple[str, int]) -> str:
    code = get(record, field, str, where)
    if code not in LANGUAGES:
        raise DataError(where[0], f"unknown language code {code!r}", where[1], field)
    return LANGUAGES[code]


def convert(record: Any, prov: Provenance) -> Iterator[Item]:
    """One comparison as an example of its difficulty's task; DataError names a bad field."""
    where = (prov.file, prov.row)
    context = {"source_language": _language(record, "source_lang", where),
               "target_language": _language(record, "target_lang", where),
               "source": clean(get(record, "source", str, where))}
    texts = {c: clean(get(record, c, str, where)) for c in CHOICES}
    choice = get(record, "choice", str, where)
    if choice not in CHOICES:
        raise DataError(prov.file, f"expected text1 or text2, got {choice[:20]!r}", prov.row, "choice")
    empty = next((f for f, v in [("source", context["source"]), *texts.items()] if not v), None)
    if empty:
        raise DataError(prov.file, "empty text", prov.row, empty)
    if texts["text1"] == texts["text2"]:
        raise DataError(prov.file, "the two translations are identical", prov.row, "text2")
    task = difficulty_task(get(record, "difficult_choice", str, where), where)
    other = CHOICES[1 - CHOICES.index(choice)]
    yield pairwise_example(task, prov, context, texts[choice], texts[other])


def read(files: SourceFiles) -> Iterator[Item]:
    """Every comparison of the annotation file, in file order."""
    records = read_json_list(files.path(FILE), FILE)
    yield from guarded(NAME, FILE, enumerate(records), convert)


SOURCE = Source(
    name=NAME,
    title="LitTrans: literary translators' preferences between machine translations",
    license=LICENSE,
    role=Role.EVAL,
    homepage=f"https://github.com/{REPO}",
    citation=("Karpinska & Iyyer 2023, Large language models effectively leverage document-level context "
              "for literary translation, but critical errors persist"),
    tasks=(CLEAR, DIFFICULT),
    reader=read,
    files=(github_file(REPO, COMMIT, FILE, "bb847457473d0b57b0fba5a8ea31dfe5e31618e9bdab74c53652377b91a29743"),),
    expected={CLEAR.name: 327, DIFFICULT.name: 213},
    notes="Evaluation only: no license stated; 540 comparisons, 18 language pairs.",
)
