"""UniEval meta-evaluation sets (Zhong et al. 2022): USR Topical-Chat dialogue ratings and QAGS
factual-consistency judgments, as released in github.com/maszhongming/UniEval at d33e7b6c
(`reproduce/data/...`, MIT; the human judgments come from the papers cited below).

Tasks and counts (SOURCE.md counts confirmed on the mirror files):

- USR Topical-Chat (Mehri & Eskenazi 2020), `dialogue/topical_chat.json`: 60 dialogue contexts x
  6 responses (original and new human responses, a Transformer with argmax and nucleus decoding
  p = 0.3/0.5/0.7) = 360 items, each with the mean of 3 annotators' ratings on USR's original
  scales, which the data confirms (means are multiples of 1/3 within these ranges):
  understandable 0-1, natural 1-3, maintains context 1-3, interesting 1-3, uses knowledge 0-1,
  overall quality 1-5. UniEval renamed them understandability, naturalness, coherence,
  engagingness, groundedness, overall; the tasks keep USR's names: six pointwise tasks
  `usr_topicalchat_*`. Rows 354 and 356 are the same response to the same context (identical
  ratings) and are pooled, so each task has 359 examples, except `uses_knowledge`: 8 contexts
  (48 items, none of them the pooled pair) have no knowledge fact (`_nofact`) and their uses-knowledge
  rating has nothing to be judged against (it is 1 or 2/3 for all six responses of a context
  alike), so they are rejected by design for that task: 311 examples. The fact is an input of
  `uses_knowledge` and `overall` only (overall shows "none" for `_nofact` contexts); the other
  aspects are judged on the dialogue alone.
- Pairwise USR, `usr_topicalchat_pairwise_{natural,maintains_context,interesting,overall_quality}`,
  derived from the same ratings by `bartscore_meta_eval.margin_pairs`: two different (pooled)
  responses to the same dialogue context (same history and fact) whose mean rating differs by at
  least 1 point, the higher-rated one preferred (6 responses give at most 15 pairs, no cap).
  Examples (responses in no pair, rejected by design): natural 346 (58), maintains_context 333
  (63), interesting 372 (27), overall_quality 604 (0). Understandable and uses knowledge are 0-1
  ratings, where a 1-point margin would only pair unanimous yes with unanimous no votes, so they
  stay pointwise only. The pairwise overall_quality shows the fact ("none" for `_nofact`
  contexts), the others the dialogue alone, as their pointwise tasks do.
- QAGS (Wang et al. 2020), `fact/qags_cnndm.json` (235 CNN/DM summaries) and `fact/qags_xsum.json`
  (239 XSum summaries): `consistency` = the fraction of summary sentences that a majority of 3
  crowd workers judged supported by the article. FLAMe uses QAGS as classification, so each
  file gives a task `qags_{cnndm,xsum}_fully_supported`: "Yes" when every sentence is supported
  (consistency = 1), otherwise "No". A partly supported summary is "No" because it contains
  an unsupported claim. CNN/DM 113 Yes / 122 No, XSum (one-sentence summaries, so 0 or 1)
  116 Yes / 123 No. No row is rejected.

Pointwise targets: the (pooled) mean rating rounded half up (`round_half_up`; with three raters
a 0-1 rating rounds to the majority vote). Rows with identical inputs are pooled as in
`bartscore_meta_eval` (mean of their means, later rows reported as rejected).

Overlap with `bartscore_meta_eval`: QAGS and SF-HOT/SF-RES are in both repositories with
identical texts and scores (checked item by item). QAGS is registered here; SF-HOT/SF-RES
(`data2text/sf*.json`) are registered by `bartscore_meta_eval` beside BAGEL, so they are not
declared here. The QAGS repository itself has no LICENSE file; its judgments are redistributed
by UniEval (MIT) and BARTScore (Apache-2.0). `summarization/summeval.json` is not mirrored;
SummEval comes from `bartscore_meta_eval`.
"""

from __future__ import annotations

from collections import defaultdict
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

from ..common import pairwise_task
from ..files import SourceFiles
from ..readers import clean, read_json
from ..source import Item, Rejected, Source, github_file
from .bartscore_meta_eval import Rated, likert_examples, likert_task, margin_pairs, parsed, pool, score, text

NAME = "unieval_meta_eval"
LICENSE = "MIT"
REPO, COMMIT = "maszhongming/UniEval", "d33e7b6cfebe97b2bafe435adbd818230d5a416a"
TOPICAL_CHAT = "dialogue/topical_chat.json"
NO_FACT = "_nofact"

HISTORY = InputField("dialogue_history", "the conversation so far, one turn per line")
FACT = InputField("fact", "the knowledge snippet the response was conditioned on")
RESPONSE = InputField("response", "the next turn to rate")
USR_INTRO = (
    "Two people are chatting about a topic, using knowledge snippets (Wikipedia passages, fun "
    "facts, news articles) from the Topical-Chat corpus; turns alternate between them, one per "
    "line. The response is a candidate next turn, written by a person or generated by a neural "
    "model. Annotators rated each response (USR, Mehri & Eskenazi 2020). "
)
# UniEval score key -> (task suffix / output field, low, high, needs fact, title, criterion)
USR_ASPECTS = {
    "understandability": (
        "understandable", 0, 1, False, "Is the response understandable in the context of the dialogue?",
        "Is the response understandable given the dialogue history? This is not about whether it is "
        "on topic: it should make sense as a turn of this conversation, e.g. its pronouns and "
        "references must be resolvable from the history. 0 means not understandable, 1 means "
        "understandable."),
    "naturalness": (
        "natural", 1, 3, False, "Is the response naturally written?",
        "Is the response naturally written: does it seem like something a person would naturally "
        "say in this conversation? Penalize awkward, garbled or robotic wording and unnatural "
        "repetition. 1 means unnatural, 2 somewhat natural, 3 natural."),
    "coherence": (
        "maintains_context", 1, 3, False, "Does the response maintain the context of the conversation?",
        "Does the response serve as a valid continuation of the conversation history? It should "
        "follow on from the previous turns, e.g. answer a question just asked, and not ignore, "
        "repeat or contradict what was said. 1 means it does not maintain the context, 2 somewhat, "
        "3 it does."),
    "engagingness": (
        "interesting", 1, 3, False, "Is the response dull or interesting?",
        "Is the response dull or interesting? An interesting response adds something to the "
        "conversation (an opinion, a fact, a question that invites more) rather than a generic "
        "reply such as 'that is cool'. 1 means dull, 2 somewhat interesting, 3 interesting."),
    "groundedness": (
        "uses_knowledge", 0, 1, True, "Does the response use the knowledge fact it was conditioned on?",
        "The fact is the knowledge snippet that the response was meant to draw on. Given that fact, "
        "does the response use it, i.e. does it mention or build on information from the fact "
        "(correctly, in the flow of the conversation)? 0 means it does not use the fact, 1 means "
        "it does."),
    "overall": (
        "overall_quality", 1, 5, True, "What is the overall quality of the response?",
        "Considering whether the response is understandable, natural, maintains the context, is "
        "interesting and uses the knowledge fact (where one is given), what is your overall "
        "impression of this response as the next turn of the conversation? 1 means very poor, "
        "5 means excellent."),
}
USR = {
    key: likert_task(
        f"usr_topicalchat_{field}", title=title, description=USR_INTRO + criterion,
        inputs=(HISTORY, FACT, RESPONSE) if needs_fact else (HISTORY, RESPONSE),
        aspect=field, low=low, high=high, capability=Capability.GENERAL, source=NAME, license=LICENSE,
        notes=(f"Target: mean of 3 annotator ratings on USR's {low}-{high} scale rounded half up"
               + (" (= the majority vote)" if high - low == 1 else "")
               + ". Identical (context, response) rows are pooled."),
    )
    for key, (field, low, high, needs_fact, title, criterion) in USR_ASPECTS.items()
}
USES_KNOWLEDGE = USR["groundedness"]

USR_MARGIN = 1.0  # points of mean rating between the two responses of a pair
USR_PAIR_INTRO = (
    "Two people are chatting about a topic, using knowledge snippets (Wikipedia passages, fun "
    "facts, news articles) from the Topical-Chat corpus; turns alternate between them, one per "
    "line. Responses A and B are two different candidate next turns for the same conversation, "
    "written by a person or generated by a neural model. Three annotators rated each response on "
    "its own (USR, Mehri & Eskenazi 2020); the response with the clearly higher mean rating (by at "
    f"least {USR_MARGIN:g} point) is preferred. "
)
# UniEval score key -> (title, criterion) for the aspects whose scale (1-3 or 1-5) leaves room for a
# 1-point margin; understandable and uses knowledge are 0-1 (yes/no) ratings and are not paired.
USR_PAIR_ASPECTS = {
    "naturalness": (
        "Which response is more naturally written?",
        "Choose the more natural response: the one that seems more like something a person would "
        "naturally say in this conversation. Penalize awkward, garbled or robotic wording and "
        "unnatural repetition."),
    "coherence": (
        "Which response better maintains the context of the conversation?",
        "Choose the response that better serves as a valid continuation of the conversation history: "
        "it should follow on from the previous turns, e.g. answer a question just asked, and not "
        "ignore, repeat or contradict what was said."),
    "engagingness": (
        "Which response is more interesting?",
        "Choose the more interesting response: one that adds something to the conversation (an "
        "opinion, a fact, a question that invites more) rather than a dull, generic reply such as "
        "'that is cool'."),
    "overall": (
        "Which response is the better next turn of the conversation?",
        "Choose the response of higher overall quality as the next turn of the conversation, "
        "considering whether it is understandable, natural, maintains the context, is interesting "
        "and uses the knowledge fact (where one is given)."),
}
USR_PAIRWISE = {
    key: pairwise_task(
        f"usr_topicalchat_pairwise_{USR_ASPECTS[key][0]}", title=title, description=USR_PAIR_INTRO + criterion,
        context=(HISTORY, FACT) if USR_ASPECTS[key][3] else (HISTORY,), capability=Capability.GENERAL,
        source=NAME, license=LICENSE,
        notes=(f"Derived from the pointwise ratings: pairs of two different responses to the same "
               f"dialogue context (history and fact) whose mean of 3 annotator ratings on USR's "
               f"{USR_ASPECTS[key][1]}-{USR_ASPECTS[key][2]} scale differs by at least {USR_MARGIN:g} "
               "point; the higher-rated response is preferred. Identical responses are pooled as in "
               "the pointwise task. A context has at most 15 pairs (6 responses), so no cap is needed. "
               "Responses in no pair are reported as rejected (excluded by design)."),
    )
    for key, (title, criterion) in USR_PAIR_ASPECTS.items()
}

QAGS_FILES = {
    "cnndm": ("fact/qags_cnndm.json", "a CNN/DailyMail news article (its first part, as released) "
              "and a multi-sentence summary of it"),
    "xsum": ("fact/qags_xsum.json", "a BBC news article from XSum and a one-sentence, highly "
             "abstractive summary of it"),
}


def _qags_task(corpus: str) -> TaskSpec:
    shown = QAGS_FILES[corpus][1]
    return TaskSpec(
        name=f"qags_{corpus}_fully_supported",
        task_type=TaskType.CLASSIFICATION,
        capability=Capability.FACTUALITY,
        title="Is every sentence of the summary supported by the article?",
        description=(
            f"You will read {shown}, written by an abstractive summarization model (QAGS, Wang et "
            "al. 2020). For each summary sentence, crowd workers judged whether it is factually "
            "supported by the article: every claim in it must be stated in or directly implied by "
            "the article, with no contradicted or invented names, numbers, events or relations. "
            "Answer Yes if every sentence of the summary is supported by the article, and No if "
            "at least one sentence is not. Judge only factual support, not fluency or coverage; "
            "background knowledge that the article does not state does not count as support."
        ),
        inputs=(InputField("article", "the source article"), InputField("summary", "the summary to check")),
        outputs=(OutputField("fully_supported", LabelSpace.classes("Yes", "No"),
                             "Yes if every summary sentence is supported by the article"),),
        source=NAME,
        license=LICENSE,
        role=Role.TRAIN,
        notes=("Yes iff the released consistency score (fraction of sentences a majority of 3 "
               "workers judged supported) is 1; any unsupported sentence makes it No."),
    )


QAGS = {corpus: _qags_task(corpus) for corpus in QAGS_FILES}
TASKS = (*USR.values(), *USR_PAIRWISE.values(), *QAGS.values())


def load_list(files: SourceFiles, rel: str) -> list[Any]:
    """A mirror file whose top level is a non-empty JSON list of items."""
    data = read_json(files.path(rel))
    if not isinstance(data, list) or not data:
        raise DataError(rel, f"expected a non-empty JSON list of items, got {type(data).__name__}")
    return data


def dialogue_history(raw: str) -> str:
    """USR's history (turns separated by newlines, padded with spaces) as one turn per line."""
    return "\n".join(turn for turn in (clean(t) for t in raw.split("\n")) if turn)


def _topical_chat(files: SourceFiles) -> Iterator[Item]:
    rel = TOPICAL_CHAT

    def parse(record: Any, prov: Provenance) -> Rated:
        where = (rel, prov.row)
        history = dialogue_history(text(record, "source", where))
        if not history:
            raise DataError(rel, "empty dialogue history", prov.row, "source")
        scores = {key: score(record, key, spec[1], spec[2], where) for key, spec in USR_ASPECTS.items()}
        fact = text(record, "context", where)
        return Rated(prov, ((HISTORY.name, history), (FACT.name, fact),
                            (RESPONSE.name, text(record, "system_output", where))), scores)

    rows = enumerate(load_list(files, rel))
    contexts: dict[tuple[str, str], list[Rated]] = defaultdict(list)
    for item in pool(parsed(NAME, rel, rows, parse), "dialogue history, fact and response"):
        if isinstance(item, Rejected):
            yield item
            continue
        inputs = dict(item.inputs)
        if inputs[FACT.name] != NO_FACT:
            contexts[inputs[HISTORY.name], inputs[FACT.name]].append(item)
            yield from likert_examples([item], USR)
            continue
        reason = (f"no knowledge fact (_nofact): the uses-knowledge rating has nothing to be judged "
                  f"against (excluded from {USES_KNOWLEDGE.name})")
        yield Rejected(item.provenance, reason, "context")
        inputs[FACT.name] = "none (this response was not conditioned on a fact)"
        shown = Rated(item.provenance, tuple(inputs.items()), item.scores)
        contexts[inputs[HISTORY.name], inputs[FACT.name]].append(shown)
        yield from likert_examples([shown], {k: t for k, t in USR.items() if t is not USES_KNOWLEDGE})
    yield from _usr_pairs(contexts)


def _usr_pairs(contexts: dict[tuple[str, str], list[Rated]]) -> Iterator[Item]:
    """`margin_pairs` of each dialogue context's (pooled) responses, for each USR_PAIRWISE aspect."""
    for key, task in USR_PAIRWISE.items():
        def unpaired(value: float, task: TaskSpec = task, aspect: str = USR_ASPECTS[key][0]) -> str:
            return (f"no other response to this dialogue context differs from its mean {aspect} "
                    f"rating {value:.2f} by {USR_MARGIN:g} or more (excluded by design from {task.name})")

        for (history, fact), rated in contexts.items():
            context = {HISTORY.name: history, FACT.name: fact}
            outputs = [(r, dict(r.inputs)[RESPONSE.name], r.scores[key]) for r in rated]
            yield from margin_pairs(task.name, {k: v for k, v in context.items() if k in task.input_names},
                                    outputs, USR_MARGIN, unpaired)


def _qags(files: SourceFiles, corpus: str) -> Iterator[Item]:
    rel = QAGS_FILES[corpus][0]
    task = QAGS[corpus]

    def convert(record: Any, prov: Provenance) -> Example:
        where = (rel, prov.row)
        supported = score(record, "consistency", 0, 1, where) >= 1 - 1e-9
        inputs = {"article": text(record, "source", where), "summary": text(record, "system_output", where)}
        return Example(task.name, inputs, {"fully_supported": "Yes" if supported else "No"}, prov)

    yield from parsed(NAME, rel, enumerate(load_list(files, rel)), convert)


def read(files: SourceFiles) -> Iterator[Item]:
    """Every example of the UniEval tasks, and a Rejected for each row that is not one."""
    yield from _topical_chat(files)
    for corpus in QAGS_FILES:
        yield from _qags(files, corpus)


def _file(path: str, sha256: str) -> Any:
    return github_file(REPO, COMMIT, path, sha256, origin_path=f"reproduce/data/{path}")


SOURCE = Source(
    name=NAME,
    title="UniEval meta-evaluation (USR Topical-Chat, QAGS)",
    license=LICENSE,
    role=Role.TRAIN,
    homepage=f"https://github.com/{REPO}",
    citation=(
        "Zhong et al. 2022, Towards a Unified Multi-Dimensional Evaluator for Text Generation; human "
        "judgments from Mehri & Eskenazi 2020 (USR) and Wang et al. 2020 (QAGS)"
    ),
    tasks=TASKS,
    reader=read,
    files=(
        _file(TOPICAL_CHAT, "f6361daa6fe162f636d2071a60322a784acd770be0bf3a6920ac949d751b978a"),
        _file("fact/qags_cnndm.json", "de8d216db28b0ce89edf761bf639d1917adca6704c29d807a1e99a0aaaa4b2c5"),
        _file("fact/qags_xsum.json", "1403b4d1abed008d0303f883d35d71c88597c49d5a6e4ef2e1d2d22a283b49df"),
    ),
    expected={
        **{t.name: 359 for t in USR.values() if t is not USES_KNOWLEDGE},
        USES_KNOWLEDGE.name: 311,
        USR_PAIRWISE["naturalness"].name: 346,
        USR_PAIRWISE["coherence"].name: 333,
        USR_PAIRWISE["engagingness"].name: 372,
        USR_PAIRWISE["overall"].name: 604,
        QAGS["cnndm"].name: 235,
        QAGS["xsum"].name: 239,
    },
    notes="SF-HOT/SF-RES are registered by bartscore_meta_eval (same judgments); QAGS only here.",
    table7=("QAGS",),
)
