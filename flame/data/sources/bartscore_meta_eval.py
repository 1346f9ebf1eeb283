"""BARTScore meta-evaluation sets (Yuan et al. 2021): human judgments of summaries, data-to-text
utterances and translations, in the unified form of github.com/neulab/BARTScore at 248f511c.

The mirror holds the repository's `data.pkl` files converted to gzipped JSON (no change but
integer keys becoming strings; `convert="pickle-to-json-gz"` rebuilds them from the pinned
pickles). Apache-2.0 (BARTScore LICENSE); the human judgments come from the papers cited below.

Tasks and counts (SOURCE.md counts confirmed on the mirror files):

- SummEval (Fabbri et al. 2021): 100 CNN/DM articles x 16 systems = 1,600 summaries, each with
  the mean of 3 expert ratings (1-5) of coherence, consistency, fluency and relevance: four
  pointwise tasks `summeval_*`. In 54 cases two systems produced the identical summary of the same
  article; their ratings are pooled (below), so each task has 1,546 examples and 54 rows are
  reported as rejected.
- Newsroom (Grusky et al. 2018): 60 articles x 7 systems = 420 summaries, mean of 3 crowd ratings
  (1-5) of coherence, fluency, informativeness and relevance: four tasks `newsroom_*`; one identical
  summary pair is pooled, so 419 examples each. Newsroom's "relevance" asks whether the summary's
  details are consistent with the article, so that task is filed under factuality.
- Pairwise SummEval and Newsroom, `summeval_pairwise_*` and `newsroom_pairwise_*` (the same four
  aspects each), derived from the same ratings by `margin_pairs`: two different summaries of the
  same article whose (pooled) mean rating differs by at least 1.0 point, the higher-rated one
  preferred; an article with more than 60 such pairs for an aspect keeps the 60 with the largest
  rating differences (SummEval coherence: 54 articles, 6,065 -> 5,500 pairs; relevance: 18,
  4,232 -> 4,044; fluency: 2, 2,415 -> 2,387; consistency: 1, 2,264 -> 2,263; no Newsroom article
  has more than 16 pairs). Examples (summaries in no pair, rejected by design, per task):
  SummEval coherence 5,500 (2), consistency 2,263 (233), fluency 2,387 (239), relevance 4,044
  (82); Newsroom coherence 579 (15), fluency 548 (35), informativeness 648 (3), relevance 568 (10).
  No summary loses all its pairs to the cap.
- REALSumm (Bhandari et al. 2020): 100 articles x 24 systems with LitePyramid recall (share of the
  reference summary's content units that crowd workers found in the summary). The per-summary
  recall is noisy (identical summaries of one article were scored as far apart as 0.14 and 0.86),
  so it is used only for one pairwise task, `realsumm_content_coverage`, between summaries of the
  same article whose recall differs by at least 0.5 (the higher recall is preferred). Of the
  2,400 rows, 128 repeat a summary of the same article and are pooled into it (mean recall),
  19 are identical summaries whose own recalls differ by 0.5 or more and are all rejected as
  unreliable, and 1,242 of the 2,253 remaining summaries fall in no pair and are rejected by
  design: 1,873 pairs.
- Rank19 (Falke et al. 2019): 373 (source sentence, correct, incorrect summary sentence) triples:
  pairwise `rank19_factual_consistency`; 3 triples whose two sentences are identical are
  rejected, so 370 examples.
- BAGEL, SF-HOT, SF-RES with Novikova et al. (2017) crowd ratings (1-6, half-point steps) of
  informativeness, naturalness and quality: nine pointwise tasks `{bagel,sfhot,sfres}_*`.
  Identical (meaning representation, utterance) pairs from different systems are pooled:
  404 - 15 = 389, 875 - 34 = 841 and 1,181 - 38 = 1,143 examples per task.
- WMT19 DARR (Ma et al. 2019), gu-en 20,110, kk-en 9,728, lt-en 21,862 pairs: one pairwise task
  `wmt19_darr_to_english`. A pair repeated with the same texts (different systems, identical
  output) is kept once (261 + 378 + 1,587 repeats rejected); 2 kk-en translation pairs occur in
  both orders and all 4 of those rows are rejected as contradictory: 49,470 examples.

Pointwise targets: the (pooled) mean rating rounded half up to an integer (`round_half_up`;
with three raters a mean is k/3 and never a tie, so only pooled means or half-point D2T ratings
are rounded up from .5). Pooling: rows with identical task inputs (the same article and summary,
the same meaning representation and utterance) become one example with the mean of their mean
ratings, at the first row; each later copy is reported as a `Rejected` naming that row.

Overlap with `unieval_meta_eval`: QAGS-CNN/XSum (`SUM/QAGS_*`) and SF-HOT/SF-RES are in both
repositories with identical texts and scores (checked item by item). SF-HOT/SF-RES are registered
here, beside BAGEL, whose ratings come from the same study; QAGS is registered by
`unieval_meta_eval` only, so the QAGS files here are not declared. The WMT pairs de-en, fi-en,
ru-en and zh-en are too large for the mirror and are not used.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence, TypeVar

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

from ..common import pairwise_example, pairwise_task
from ..files import SourceFiles
from ..readers import clean, get, read_json
from ..source import Item, Rejected, Source, github_file

NAME = "bartscore_meta_eval"
LICENSE = "Apache-2.0"
REPO, COMMIT = "neulab/BARTScore", "248f511cb34ae3753fc81f7d7a945de5bfe33458"
T = TypeVar("T")

# ---------------------------------------------------------------- shared rating helpers


def round_half_up(value: float) -> int:
    """The nearest integer, halves rounded up (4.5 -> 5, 2.333 -> 2): how a mean rating
    becomes a Likert label. The epsilon absorbs float error in means such as (13/3 + 14/3) / 2."""
    return math.floor(value + 0.5 + 1e-9)


def likert_task(name: str, *, title: str, description: str, inputs: tuple[InputField, ...], aspect: str,
                low: int, high: int, capability: Capability, source: str, license: str,
                notes: str = "") -> TaskSpec:
    """A pointwise task whose single output field `aspect` is an integer rating low..high."""
    return TaskSpec(
        name=name, task_type=TaskType.POINTWISE, capability=capability, title=title,
        description=description, inputs=inputs,
        outputs=(OutputField(aspect, LabelSpace.likert(low, high), f"{aspect} rating, {low} to {high}"),),
        source=source, license=license, role=Role.TRAIN, notes=notes,
    )


@dataclass(frozen=True)
class Rated:
    """One rated output read from a source row: the task inputs and its mean human scores."""

    provenance: Provenance
    inputs: tuple[tuple[str, str], ...]
    scores: Mapping[str, float]


def parsed(source: str, file: str, rows: Iterable[tuple[int | str, Any]],
           parse: Callable[[Any, Provenance], T]) -> Iterator[T | Rejected]:
    """Like readers.guarded, for adapters that parse rows into intermediate records (to pool or
    pair them) before building examples: a row whose parse raises DataError becomes a Rejected."""
    for row, record in rows:
        prov = Provenance(source, file, row)
        try:
            yield parse(record, prov)
        except DataError as e:
            yield Rejected(prov, e.reason, e.field)


def pool(items: Iterable[Rated | Rejected], what: str) -> Iterator[Rated | Rejected]:
    """Merge rated items with identical inputs (two systems that produced the same text for the
    same input) into one item with the mean of their scores, at the first item's row; each later
    copy becomes a Rejected naming the row it was pooled into."""
    groups: dict[tuple[tuple[str, str], ...], list[Rated]] = {}
    for item in items:
        if isinstance(item, Rejected):
            yield item
        else:
            groups.setdefault(item.inputs, []).append(item)
    for group in groups.values():
        first = group[0]
        scores = {k: sum(g.scores[k] for g in group) / len(group) for k in first.scores}
        yield Rated(first.provenance, first.inputs, scores)
        for dup in group[1:]:
            yield Rejected(dup.provenance, f"same {what} as row {first.provenance.row}; "
                                           "its ratings are averaged into that example")


def likert_examples(items: Iterable[Rated | Rejected], tasks: Mapping[str, TaskSpec]) -> Iterator[Item]:
    """One example per (item, aspect) in tasks (aspect -> task): the item's inputs that the task
    declares, and the aspect's score rounded half up."""
    for item in items:
        if isinstance(item, Rejected):
            yield item
            continue
        for aspect, task in tasks.items():
            inputs = {k: v for k, v in item.inputs if k in task.input_names}
            label = str(round_half_up(item.scores[aspect]))
            yield Example(task.name, inputs, {task.primary_output.name: label}, item.provenance)


def margin_pairs(task: str, context: Mapping[str, str], outputs: Sequence[tuple[Rated, str, float]],
                 margin: float, unpaired: Callable[[float], str], *, cap: int | None = None) -> Iterator[Item]:
    """Pairwise examples from the rated outputs of one context, given as (item, candidate text,
    score) with distinct texts: every two outputs whose scores differ by `margin` or more, the
    higher score preferred (A/B placed by `pairwise_example`), provenance row "better > worse".
    With `cap`, a context with more pairs keeps the `cap` with the largest score differences
    (earlier pairs first among equal ones), in their original order. Each output in no kept pair
    is a Rejected excluded by design, its reason `unpaired(score)` (or the cap's)."""
    pairs = [(i, j) for i, j in combinations(range(len(outputs)), 2)
             if abs(outputs[i][2] - outputs[j][2]) >= margin - 1e-9]
    candidates = {k for pair in pairs for k in pair}
    if cap is not None and len(pairs) > cap:
        by_gap = sorted(range(len(pairs)), key=lambda n: -abs(outputs[pairs[n][0]][2] - outputs[pairs[n][1]][2]))
        pairs = [pairs[n] for n in sorted(by_gap[:cap])]
    paired: set[int] = set()
    for i, j in pairs:
        paired.update((i, j))
        (better, better_text, _), (worse, worse_text, _) = sorted((outputs[i], outputs[j]), key=lambda o: -o[2])
        prov = Provenance(better.provenance.source, better.provenance.file,
                          f"{better.provenance.row} > {worse.provenance.row}")
        yield pairwise_example(task, prov, dict(context), better_text, worse_text)
    for k, (item, _, value) in enumerate(outputs):
        if k in paired:
            continue
        reason = (unpaired(value) if k not in candidates else
                  f"its pairs were among the smallest rating differences of a context with more than "
                  f"{cap} pairs, of which only the {cap} largest are kept (excluded by design from {task})")
        yield Rejected(item.provenance, reason, excluded=True)


def text(record: Any, field: str, where: tuple[str, int | str]) -> str:
    """A required, non-empty text field, cleaned."""
    value = clean(get(record, field, str, where))
    if not value:
        raise DataError(where[0], "empty text", where[1], field)
    return value


def score(record: Any, aspect: str, low: float, high: float, where: tuple[str, int | str]) -> float:
    """record["scores"][aspect] as a float checked to lie on the low..high scale."""
    field = f"scores.{aspect}"
    scores = get(record, "scores", dict, where)
    try:
        value = get(scores, aspect, float, where)
    except DataError as e:
        raise DataError(e.file, e.reason, e.row, field) from None
    if not low <= value <= high:  # also rejects NaN
        raise DataError(where[0], f"{value} is outside the {low:g}-{high:g} scale", where[1], field)
    return value


def load_object(files: SourceFiles, rel: str) -> dict[str, Any]:
    """A mirror file whose top level is a JSON object keyed by item id."""
    data = read_json(files.path(rel))
    if not isinstance(data, dict) or not data:
        raise DataError(rel, f"expected a non-empty JSON object keyed by id, got {type(data).__name__}")
    return data


# ---------------------------------------------------------------- task declarations

ARTICLE = InputField("article", "the news article")
SUMMARY = InputField("summary", "the summary to rate")
TOKENIZED = ("Texts are shown tokenized as in the released data (spaces around punctuation, "
             "some lowercasing); do not count these artefacts against the summary.")
POOL_NOTE = ("Identical (input, output) rows from different systems are pooled: their mean "
             "ratings are averaged into one example and the later rows are reported as rejected.")

SUMMEVAL_INTRO = ("You will read a CNN/DailyMail news article and a summary of it written by an "
                  "automatic summarization system (SummEval, Fabbri et al. 2021). ")
SUMMEVAL_ASPECTS = {
    "coherence": (
        "How coherent is the summary?",
        "Rate the coherence of the summary: the collective quality of all its sentences. A "
        "coherent summary is well-structured and well-organized; it does not just heap up related "
        "information but builds from sentence to sentence into a coherent body of information "
        "about a topic. Penalize disconnected or badly ordered sentences, abrupt topic shifts and "
        "dangling references. 1 means very incoherent, 5 means perfectly coherent.",
        Capability.GENERAL),
    "consistency": (
        "Is the summary factually consistent with the article?",
        "Rate the factual consistency of the summary with the article: a factually consistent "
        "summary contains only statements that are entailed by the article. Penalize every "
        "hallucinated or distorted fact: names, numbers, dates, places, quotes or relations that "
        "the article does not state or that contradict it. 1 means mostly unsupported or "
        "contradicted, 5 means every statement is supported by the article.",
        Capability.FACTUALITY),
    "fluency": (
        "How fluent are the sentences of the summary?",
        "Rate the fluency of the summary: the quality of its individual sentences. Sentences "
        "should have no formatting problems, capitalization errors or obviously ungrammatical "
        "constructions (fragments, missing components, repeated words) that make the text hard to "
        "read. Judge each sentence on its own, not the content or the organisation of the summary. "
        "1 means very hard to read, 5 means every sentence is well-formed. " + TOKENIZED,
        Capability.GENERAL),
    "relevance": (
        "How well does the summary select the important content of the article?",
        "Rate the relevance of the summary: how well it selects the important content of the "
        "article. The summary should include only the article's most important information; "
        "penalize summaries that miss its key points, repeat themselves, or spend words on minor "
        "details. 1 means the summary misses what matters, 5 means it captures the key points "
        "and nothing superfluous.",
        Capability.GENERAL),
}
SUMMEVAL = {
    aspect: likert_task(
        f"summeval_{aspect}", title=title, description=SUMMEVAL_INTRO + criterion,
        inputs=(ARTICLE, SUMMARY), aspect=aspect, low=1, high=5, capability=capability, source=NAME,
        license=LICENSE,
        notes="Target: mean of 3 expert ratings (1-5) rounded half up. " + POOL_NOTE,
    )
    for aspect, (title, criterion, capability) in SUMMEVAL_ASPECTS.items()
}

NEWSROOM_INTRO = ("You will read a news article from one of the 38 publishers in the Newsroom "
                  "corpus and a summary of it produced by an automatic system, extractive or "
                  "abstractive (Grusky et al. 2018). ")
NEWSROOM_ASPECTS = {
    "coherence": (
        "Do the phrases and sentences of the summary fit together?",
        "Rate coherence: do the phrases and sentences of the summary fit together and make sense "
        "collectively? A summary of unrelated or truncated fragments is incoherent even if each "
        "fragment is grammatical. 1 means not at all, 5 means completely.",
        Capability.GENERAL),
    "fluency": (
        "Are the individual sentences of the summary well-written?",
        "Rate fluency: are the individual sentences of the summary well-written and grammatical? "
        "Judge the sentences themselves, not whether they capture the article. 1 means badly "
        "written, 5 means well-written throughout. " + TOKENIZED,
        Capability.GENERAL),
    "informativeness": (
        "How well does the summary capture the key points of the article?",
        "Rate informativeness: how well does the summary capture the key points of the article? "
        "A summary that describes side details or boilerplate instead of the main news is "
        "uninformative. 1 means it captures none of the key points, 5 means it captures them all.",
        Capability.GENERAL),
    "relevance": (
        "Are the details of the summary consistent with the article?",
        "Rate relevance in Newsroom's sense: are the details provided by the summary consistent "
        "with the details in the article? Penalize details that the article does not contain or "
        "that it contradicts, and text unrelated to the article. 1 means the details are "
        "inconsistent with or unrelated to the article, 5 means all of them are consistent with it.",
        Capability.FACTUALITY),
}
NEWSROOM = {
    aspect: likert_task(
        f"newsroom_{aspect}", title=title, description=NEWSROOM_INTRO + criterion,
        inputs=(ARTICLE, SUMMARY), aspect=aspect, low=1, high=5, capability=capability, source=NAME,
        license=LICENSE,
        notes="Target: mean of 3 crowd ratings (1-5) rounded half up. " + POOL_NOTE,
    )
    for aspect, (title, criterion, capability) in NEWSROOM_ASPECTS.items()
}

RATING_MARGIN = 1.0  # points of mean rating between the two summaries of a pair
PAIRS_PER_ARTICLE = 60  # at most this many pairs per article and aspect


def _pair_notes(raters: str) -> str:
    return (f"Derived from the pointwise ratings: pairs of two different summaries of the same article "
            f"whose mean of {raters} ratings (1-5; identical summaries pooled as in the pointwise task) "
            f"differs by at least {RATING_MARGIN:g} point; the higher-rated summary is preferred. An "
            f"article with more than {PAIRS_PER_ARTICLE} such pairs keeps the {PAIRS_PER_ARTICLE} with "
            "the largest rating differences, so that no article dominates. Summaries in no pair are "
            "reported as rejected (excluded by design).")


SUMMEVAL_PAIR_INTRO = (
    "Two automatic summarization systems summarized the same CNN/DailyMail news article (SummEval, "
    "Fabbri et al. 2021). Three expert annotators rated each summary on its own on a 1-5 scale; "
    f"the summary with the clearly higher mean rating (by at least {RATING_MARGIN:g} point) is preferred. ")
SUMMEVAL_PAIR_ASPECTS = {
    "coherence": (
        "Which summary is more coherent?",
        "Choose the more coherent summary. Coherence is the collective quality of all its sentences: "
        "a coherent summary is well-structured and well-organized and builds from sentence to "
        "sentence into a coherent body of information about a topic, rather than a heap of related "
        "facts. Prefer the summary with fewer disconnected or badly ordered sentences, abrupt topic "
        "shifts and dangling references."),
    "consistency": (
        "Which summary is more factually consistent with the article?",
        "Choose the summary that is more factually consistent with the article: a factually "
        "consistent summary contains only statements that are entailed by the article. Prefer the "
        "summary with fewer hallucinated or distorted facts: names, numbers, dates, places, quotes or "
        "relations that the article does not state or that contradict it. Do not prefer a summary "
        "for being longer, more informative or better written."),
    "fluency": (
        "Which summary has the more fluent sentences?",
        "Choose the more fluent summary. Fluency is the quality of the individual sentences: prefer "
        "the summary with fewer formatting problems, capitalization errors and ungrammatical "
        "constructions (fragments, missing components, repeated words) that make the text hard to "
        "read. Judge the sentences, not the content or the organisation of the summary. " + TOKENIZED),
    "relevance": (
        "Which summary better selects the important content of the article?",
        "Choose the summary that better selects the important content of the article: it should "
        "include the article's most important information and nothing superfluous. Prefer the "
        "summary that misses fewer key points and spends fewer words on repetition or minor details."),
}


def _summary_pair_tasks(dataset: str, intro: str, aspects: Mapping[str, tuple[str, str]],
                        pointwise_aspects: Mapping[str, tuple], raters: str) -> dict[str, TaskSpec]:
    """One pairwise task per rated aspect of a summary dataset, filed under its pointwise task's capability."""
    return {
        aspect: pairwise_task(
            f"{dataset}_pairwise_{aspect}", title=title, description=intro + criterion, context=(ARTICLE,),
            capability=pointwise_aspects[aspect][2], source=NAME, license=LICENSE, candidate="summary",
            notes=_pair_notes(raters),
        )
        for aspect, (title, criterion) in aspects.items()
    }


SUMMEVAL_PAIRWISE = _summary_pair_tasks("summeval", SUMMEVAL_PAIR_INTRO, SUMMEVAL_PAIR_ASPECTS, SUMMEVAL_ASPECTS,
                                        "3 expert")

NEWSROOM_PAIR_INTRO = (
    "Two automatic systems, extractive or abstractive, summarized the same news article from one of "
    "the 38 publishers in the Newsroom corpus (Grusky et al. 2018). Three crowd workers rated each "
    "summary on its own on a 1-5 scale; the summary with the clearly higher mean rating (by at least "
    f"{RATING_MARGIN:g} point) is preferred. ")
NEWSROOM_PAIR_ASPECTS = {
    "coherence": (
        "Which summary's phrases and sentences fit together better?",
        "Choose the more coherent summary: the one whose phrases and sentences better fit together "
        "and make sense collectively. A summary of unrelated or truncated fragments is incoherent "
        "even if each fragment is grammatical."),
    "fluency": (
        "Which summary has the better-written sentences?",
        "Choose the more fluent summary: the one whose individual sentences are better written and "
        "more grammatical. Judge the sentences themselves, not whether they capture the article. "
        + TOKENIZED),
    "informativeness": (
        "Which summary better captures the key points of the article?",
        "Choose the more informative summary: the one that better captures the key points of the "
        "article. A summary that describes side details or boilerplate instead of the main news is "
        "uninformative."),
    "relevance": (
        "Which summary's details are more consistent with the article?",
        "Choose the summary whose details are more consistent with the details in the article "
        "(Newsroom's 'relevance'). Prefer the summary with fewer details that the article does not "
        "contain or that it contradicts, and with less text unrelated to the article."),
}
NEWSROOM_PAIRWISE = _summary_pair_tasks("newsroom", NEWSROOM_PAIR_INTRO, NEWSROOM_PAIR_ASPECTS, NEWSROOM_ASPECTS,
                                        "3 crowd")

REALSUMM_MARGIN = 0.5
REALSUMM = pairwise_task(
    "realsumm_content_coverage",
    title="Which summary covers more of the content of the reference summary?",
    description=(
        "Two automatic systems summarized the same CNN/DailyMail news article. Experts split the "
        "article's reference summary into semantic content units: short atomic facts such as "
        "'Police have no objections to the late kick-off'. Crowd workers then checked, unit by "
        "unit, whether each summary expresses it (the LitePyramid protocol of REALSumm, Bhandari "
        "et al. 2020). Choose the summary that expresses more of the reference summary's content "
        "units. A unit counts when its meaning is present, in any wording; shared words without "
        "the same fact do not count, and content absent from the reference neither helps nor hurts."
    ),
    context=(InputField("reference_summary", "the human reference summary"),),
    capability=Capability.GENERAL,
    source=NAME,
    license=LICENSE,
    candidate="summary",
    notes=(f"Pairs of summaries of the same article whose LitePyramid recall differs by at least "
           f"{REALSUMM_MARGIN}; the higher recall is preferred. Identical summaries are pooled "
           "(mean recall) unless their recalls differ by that margin, then all copies are rejected."),
)

RANK19 = pairwise_task(
    "rank19_factual_consistency",
    title="Which summary sentence is factually consistent with the source sentence?",
    description=(
        "Abstractive summarization systems produced the two candidate sentences from a "
        "CNN/DailyMail article; the source sentence is the article sentence they are based on "
        "(Falke et al. 2019). Annotators judged one candidate correct, meaning every fact it "
        "states is entailed by the source sentence, and the other incorrect: it changes an "
        "entity, number, date or relation, merges facts wrongly, or states something the source "
        "does not support. Choose the factually consistent sentence. Judge only consistency with "
        "the source sentence, not fluency, length or informativeness; a shorter sentence that "
        "drops details can still be correct."
    ),
    context=(InputField("source_sentence", "the article sentence the candidates are based on"),),
    capability=Capability.FACTUALITY,
    source=NAME,
    license=LICENSE,
    candidate="sentence",
    notes="Pairs as released (correct = fact 1, incorrect = fact 0); identical pairs rejected.",
)

D2T_DATASETS = {
    "bagel": ("D2T/BAGEL", "BAGEL (Mairesse et al. 2010): information about restaurants in "
              "Cambridge. Names and places are replaced by the placeholder X in both the meaning "
              "representation and the utterance"),
    "sfhot": ("D2T/SFHOT", "SF-HOT (Wen et al. 2015): a spoken dialogue system giving information "
              "about hotels in San Francisco, e.g. inform, confirm, request or inform_no_match "
              "acts with slots such as area, price range, phone or internet access"),
    "sfres": ("D2T/SFRES", "SF-RES (Wen et al. 2015): a spoken dialogue system giving information "
              "about restaurants in San Francisco, e.g. inform, confirm, request or inform_no_match "
              "acts with slots such as food, area, price range or whether children are allowed"),
}
D2T_ASPECTS = {
    "informativeness": (
        "Does the utterance provide all the useful information in the meaning representation?",
        "Rate informativeness: does the utterance provide all the useful information from the "
        "meaning representation? Penalize missing, wrong or invented slot values and a wrong "
        "dialogue act (e.g. a question where a statement is due). Judge content, not style."),
    "naturalness": (
        "Could the utterance have been produced by a native speaker?",
        "Rate naturalness: could the utterance have been produced by a native speaker? Penalize "
        "wording that sounds machine-made: odd phrasing, unnatural word order, repetitions or "
        "redundant phrases, even when the information is correct."),
    "quality": (
        "How good is the utterance in terms of grammatical correctness and fluency?",
        "Rate overall quality: how do you judge the utterance in terms of its grammatical "
        "correctness and fluency? Penalize grammatical errors, missing words and disfluent or "
        "garbled phrases."),
}


def _d2t_task(dataset: str, aspect: str) -> TaskSpec:
    title, criterion = D2T_ASPECTS[aspect]
    domain = D2T_DATASETS[dataset][1]
    return likert_task(
        f"{dataset}_{aspect}", title=title,
        description=(
            "A natural language generation system turned a meaning representation (a dialogue "
            f"act with slot-value pairs) into an utterance. Domain: {domain}. Crowd workers rated "
            f"each utterance on a 6-point scale (Novikova et al. 2017). {criterion} 1 is the "
            "worst and 6 the best rating. Texts are tokenized as released (e.g. 'child -s')."
        ),
        inputs=(InputField("meaning_representation", "the dialogue act to express"),
                InputField("utterance", "the generated utterance to rate")),
        aspect=aspect, low=1, high=6, capability=Capability.GENERAL, source=NAME, license=LICENSE,
        notes="Target: the released crowd rating (1-6, half-point steps) rounded half up. " + POOL_NOTE,
    )


D2T = {dataset: {aspect: _d2t_task(dataset, aspect) for aspect in D2T_ASPECTS} for dataset in D2T_DATASETS}

WMT_PAIRS = {"gu-en": "Gujarati", "kk-en": "Kazakh", "lt-en": "Lithuanian"}
WMT = pairwise_task(
    "wmt19_darr_to_english",
    title="Which English translation better expresses the meaning of the reference translation?",
    description=(
        "A sentence from a news article was translated into English by two machine translation "
        "systems of the WMT19 news translation task. Human assessors scored how adequately each "
        "translation expresses the meaning of the human reference translation on a 0-100 scale "
        "(direct assessment); only translations of the same sentence whose scores differ by more "
        "than 25 points form a pair (DARR, Ma et al. 2019). Choose the translation that conveys the "
        "meaning of the reference more completely and accurately. Penalize omitted or added "
        "content, mistranslated words, wrong names or numbers, and English so ungrammatical that "
        "the meaning is unclear. Do not prefer a translation merely for sharing more words with "
        "the reference."
    ),
    context=(InputField("source_language", "the language of the source sentence"),
             InputField("source", "the source sentence"),
             InputField("reference", "the human reference translation")),
    capability=Capability.GENERAL,
    source=NAME,
    license=LICENSE,
    candidate="translation",
    notes=("DARR pairs of gu-en, kk-en and lt-en as released; repeated pairs kept once, pairs "
           "released in both orders rejected."),
)

TASKS = (*SUMMEVAL.values(), *NEWSROOM.values(), *SUMMEVAL_PAIRWISE.values(), *NEWSROOM_PAIRWISE.values(),
         REALSUMM, RANK19,
         *(t for tasks in D2T.values() for t in tasks.values()), WMT)

# ---------------------------------------------------------------- readers


def _summaries(files: SourceFiles, rel: str, parse: Callable[[str, Any, Provenance], T],
               ) -> Iterator[tuple[str, dict[str, Any], T | Rejected]]:
    """(document id, document record, parsed system summary) for each system of each document
    of a SUM file; a document without a usable src or sys_summs is one Rejected."""
    for doc, record in load_object(files, rel).items():
        where = (rel, doc)
        try:
            src = text(record, "src", where)
            systems = get(record, "sys_summs", dict, where)
        except DataError as e:
            yield doc, {}, Rejected(Provenance(NAME, rel, doc), e.reason, e.field)
            continue
        rows = ((f"{doc}/{name}", summary) for name, summary in systems.items())
        for item in parsed(NAME, rel, rows, lambda r, prov: parse(src, r, prov)):
            yield doc, record, item


def _rated_summaries(files: SourceFiles, rel: str, aspects: Iterable[str]) -> Iterator[Rated | Rejected]:
    def parse(src: str, record: Any, prov: Provenance) -> Rated:
        where = (rel, prov.row)
        scores = {a: score(record, a, 1, 5, where) for a in aspects}
        return Rated(prov, (("article", src), ("summary", text(record, "sys_summ", where))), scores)

    return pool((item for _, _, item in _summaries(files, rel, parse)), "article and summary")


def _summary_pairs(items: Iterable[Rated | Rejected], tasks: Mapping[str, TaskSpec]) -> Iterator[Item]:
    """For each aspect -> pairwise task, `margin_pairs` of each article's (pooled) summaries;
    the Rejected items are skipped (the pointwise tasks report them)."""
    by_article: dict[str, list[Rated]] = defaultdict(list)
    for item in items:
        if isinstance(item, Rated):
            by_article[dict(item.inputs)["article"]].append(item)
    for aspect, task in tasks.items():
        def unpaired(value: float, task: TaskSpec = task, aspect: str = aspect) -> str:
            return (f"no other summary of this article differs from its mean {aspect} rating {value:.2f} by "
                    f"{RATING_MARGIN:g} or more (excluded by design from {task.name})")

        for article, rated in by_article.items():
            outputs = [(r, dict(r.inputs)["summary"], r.scores[aspect]) for r in rated]
            yield from margin_pairs(task.name, {"article": article}, outputs, RATING_MARGIN, unpaired,
                                    cap=PAIRS_PER_ARTICLE)


def _realsumm(files: SourceFiles, rel: str) -> Iterator[Item]:
    def parse(src: str, record: Any, prov: Provenance) -> Rated:
        where = (rel, prov.row)
        recall = score(record, "litepyramid_recall", 0, 1, where)
        return Rated(prov, (("summary", text(record, "sys_summ", where)),), {"recall": recall})

    docs: dict[str, list[Rated]] = defaultdict(list)
    references: dict[str, str] = {}
    for doc, record, item in _summaries(files, rel, parse):
        if doc not in references and isinstance(item, Rated):
            try:
                references[doc] = text(record, "ref_summ", (rel, doc))
            except DataError as e:
                references[doc] = ""
                yield Rejected(Provenance(NAME, rel, doc), e.reason, e.field)
        if isinstance(item, Rejected):
            yield item
        elif references[doc]:
            docs[doc].append(item)
    for doc, items in docs.items():
        yield from _realsumm_pairs(references[doc], items)


def _realsumm_pairs(reference: str, items: list[Rated]) -> Iterator[Item]:
    """Pairs of one article's summaries whose pooled recall differs by REALSUMM_MARGIN or more."""
    by_text: dict[str, list[Rated]] = defaultdict(list)
    for item in items:
        by_text[item.inputs[0][1]].append(item)
    summaries: list[tuple[Rated, str, float]] = []
    for copies in by_text.values():
        recalls = [c.scores["recall"] for c in copies]
        first = copies[0].provenance.row
        if max(recalls) - min(recalls) >= REALSUMM_MARGIN - 1e-9:
            for c in copies:
                yield Rejected(c.provenance, "identical summaries of this article received recalls "
                                             f"{min(recalls):.2f} and {max(recalls):.2f}", "scores.litepyramid_recall")
            continue
        for c in copies[1:]:
            yield Rejected(c.provenance, f"same summary as row {first}; its recall is averaged into that row")
        summaries.append((copies[0], copies[0].inputs[0][1], sum(recalls) / len(recalls)))
    yield from margin_pairs(
        REALSUMM.name, {"reference_summary": reference}, summaries, REALSUMM_MARGIN,
        lambda recall: (f"no other summary of this article differs from its recall "
                        f"{recall:.2f} by {REALSUMM_MARGIN} or more (excluded by design)"))


def _rank19(files: SourceFiles, rel: str) -> Iterator[Item]:
    def convert(record: Any, prov: Provenance) -> Example:
        where = (rel, prov.row)
        source = text(record, "src", where)
        systems = get(record, "sys_summs", dict, where)
        sentences = {}
        for side, fact in (("correct", 1), ("incorrect", 0)):
            field = f"sys_summs.{side}"
            entry = systems.get(side)
            if not isinstance(entry, dict):
                raise DataError(rel, "missing candidate", prov.row, field)
            if score(entry, "fact", 0, 1, where) != fact:
                raise DataError(rel, f"expected fact score {fact}", prov.row, f"{field}.scores.fact")
            sentences[side] = text(entry, "sys_summ", where)
        if sentences["correct"] == sentences["incorrect"]:
            raise DataError(rel, "correct and incorrect sentences are identical", prov.row, "sys_summs")
        return pairwise_example(RANK19.name, prov, {"source_sentence": source},
                                sentences["correct"], sentences["incorrect"])

    yield from parsed(NAME, rel, load_object(files, rel).items(), convert)


def _d2t(files: SourceFiles, dataset: str) -> Iterator[Item]:
    rel = f"{D2T_DATASETS[dataset][0]}/data.json.gz"

    def parse(record: Any, prov: Provenance) -> Rated:
        where = (rel, prov.row)
        scores = {a: score(record, a, 1, 6, where) for a in D2T_ASPECTS}
        inputs = (("meaning_representation", text(record, "src", where)),
                  ("utterance", text(record, "sys_summ", where)))
        return Rated(prov, inputs, scores)

    rated = pool(parsed(NAME, rel, load_object(files, rel).items(), parse), "meaning representation and utterance")
    yield from likert_examples(rated, D2T[dataset])


@dataclass(frozen=True)
class _Ranked:
    provenance: Provenance
    source: str
    reference: str
    better: str
    worse: str


def _wmt(files: SourceFiles, pair: str) -> Iterator[Item]:
    rel = f"WMT/{pair}/data.json.gz"

    def parse(record: Any, prov: Provenance) -> _Ranked:
        where = (rel, prov.row)
        sides = [text(get(record, side, dict, where), "sys", where) for side in ("better", "worse")]
        if sides[0] == sides[1]:
            raise DataError(rel, "better and worse translations are identical", prov.row, "worse")
        return _Ranked(prov, text(record, "src", where), text(record, "ref", where), *sides)

    items = list(parsed(NAME, rel, load_object(files, rel).items(), parse))
    ranked = {(i.source, i.better, i.worse) for i in items if isinstance(i, _Ranked)}
    first: dict[tuple[str, str, str], int | str] = {}
    for item in items:
        if isinstance(item, Rejected):
            yield item
            continue
        key = (item.source, item.better, item.worse)
        if (item.source, item.worse, item.better) in ranked:
            yield Rejected(item.provenance, "another row ranks the same two translations the other way round", "better")
        elif key in first:
            yield Rejected(item.provenance, f"same source and translation pair as row {first[key]}")
        else:
            first[key] = item.provenance.row
            context = {"source_language": WMT_PAIRS[pair], "source": item.source, "reference": item.reference}
            yield pairwise_example(WMT.name, item.provenance, context, item.better, item.worse)


def read(files: SourceFiles) -> Iterator[Item]:
    """Every example of the BARTScore tasks, and a Rejected for each row that is not one."""
    for rel, pointwise, pairwise in (("SUM/SummEval/data.json.gz", SUMMEVAL, SUMMEVAL_PAIRWISE),
                                     ("SUM/Newsroom/data.json.gz", NEWSROOM, NEWSROOM_PAIRWISE)):
        rated = list(_rated_summaries(files, rel, pointwise))
        yield from likert_examples(rated, pointwise)
        yield from _summary_pairs(rated, pairwise)
    yield from _realsumm(files, "SUM/REALSumm/data.json.gz")
    yield from _rank19(files, "SUM/Rank19/data.json.gz")
    for dataset in D2T_DATASETS:
        yield from _d2t(files, dataset)
    for pair in WMT_PAIRS:
        yield from _wmt(files, pair)


def _file(folder: str, sha256: str, origin_sha256: str) -> Any:
    return github_file(REPO, COMMIT, f"{folder}/data.json.gz", sha256, origin_path=f"{folder}/data.pkl",
                       origin_sha256=origin_sha256, convert="pickle-to-json-gz")


SOURCE = Source(
    name=NAME,
    title="BARTScore meta-evaluation (SummEval, Newsroom, REALSumm, Rank19, BAGEL, SF-HOT, SF-RES, WMT19 DARR)",
    license=LICENSE,
    role=Role.TRAIN,
    homepage=f"https://github.com/{REPO}",
    citation=(
        "Yuan, Neubig & Liu 2021, BARTScore: Evaluating Generated Text as Text Generation; human "
        "judgments from Fabbri et al. 2021 (SummEval), Grusky et al. 2018 (Newsroom), Bhandari et "
        "al. 2020 (REALSumm), Falke et al. 2019 (Rank19), Novikova et al. 2017 (BAGEL/SF-HOT/SF-RES "
        "ratings) and Ma et al. 2019 (WMT19 metrics task, DARR)"
    ),
    tasks=TASKS,
    reader=read,
    files=(
        _file("SUM/SummEval", "23e631610aa1872a4e29535838fa441686a962d92e4c5d29b65bcb006ccfd795", "008f1639a3352f02"),
        _file("SUM/Newsroom", "77333857f452fba5c528884bfd2e11770bad75d17fe61a6264130942df6b060d", "277795f19d17fef0"),
        _file("SUM/REALSumm", "3c611cdd5f131c9dd61b753f6cb86f1d3e6759f68abac88f4a611327f9f6cccb", "1f9c97d27e8fe3ad"),
        _file("SUM/Rank19", "d1f5e0e2d7b84231517bbbedbf024525ae0e1dc48690e1a714a3e311558d4163", "19f2a41a6ebc33e6"),
        _file("D2T/BAGEL", "bf92c11484442ecc8d59795cb0a8c04a0d04245a8fce118d6b7b226b34c4d84e", "67f2bc57e47501ba"),
        _file("D2T/SFHOT", "90bf309f6983cfeca6ceed56e2061268368a0a3d284bb9456f879b5d7b7201f7", "00492d3f73341198"),
        _file("D2T/SFRES", "eed0588d0182376849deb9c5941a2bfb52fd1077a35c4ada9cdeadad9581d1c8", "7712d435ff79bb0b"),
        _file("WMT/gu-en", "fc23e04bd169c0dfa431ea6f457294d81da114f591dad367faad489d6a49cf32", "9a3995e133a2bfc2"),
        _file("WMT/kk-en", "236c530a1f320c1130a835c42a1b37b8d022d3d33b9727f5ca455bdbeb4d1982", "cac631542aa21a1a"),
        _file("WMT/lt-en", "bedd8b38beddac6c95f2d6b459d81228bcdf4cc21432002e71ed320f986f92eb", "ea0b47ae5618fc64"),
    ),
    expected={
        **{t.name: 1546 for t in SUMMEVAL.values()},
        **{t.name: 419 for t in NEWSROOM.values()},
        SUMMEVAL_PAIRWISE["coherence"].name: 5500,
        SUMMEVAL_PAIRWISE["consistency"].name: 2263,
        SUMMEVAL_PAIRWISE["fluency"].name: 2387,
        SUMMEVAL_PAIRWISE["relevance"].name: 4044,
        NEWSROOM_PAIRWISE["coherence"].name: 579,
        NEWSROOM_PAIRWISE["fluency"].name: 548,
        NEWSROOM_PAIRWISE["informativeness"].name: 648,
        NEWSROOM_PAIRWISE["relevance"].name: 568,
        REALSUMM.name: 1873,
        RANK19.name: 370,
        **{t.name: 389 for t in D2T["bagel"].values()},
        **{t.name: 841 for t in D2T["sfhot"].values()},
        **{t.name: 1143 for t in D2T["sfres"].values()},
        WMT.name: 49470,
    },
    notes=("QAGS-CNN/XSum are registered by unieval_meta_eval (same judgments). Pointwise targets "
           "are mean ratings rounded half up; identical outputs are pooled. SummEval and Newsroom "
           "pairwise tasks pair summaries of one article whose mean ratings differ by 1 point or more."),
    table7=("SummEval", "QAGS"),
)
