"""Factcheck-GPT / Factcheck-Bench (Wang et al. 2023): the "FactCheck-GPT" component of
LLM-AggreFact, plus the benchmark's own stance and claim-factuality labels.

Origin: github.com/yuxiaw/Factcheck-GPT at a9e6a04a (Apache-2.0). 94 ChatGPT answers to open
questions were split into 661 check-worthy atomic claims; for each claim 5 web passages were
retrieved and annotators labelled the stance of every passage towards the claim, then the
claim itself as true or false.
- `subtasks/subtask3_claim_evidence_stance.jsonl`: 3,305 lines = 661 claims x 5 passages,
  `{claim, evidence, stance}`, stance in completely-support (696) / partially-support (391) /
  refute (161) / irrelevant (2,057).
- `subtasks/subtask4_claim_factuality.jsonl`: 661 lines `{claim, label, revised_claim}`,
  label true (472) / false (159) / not_enough_evidence (30).

Tasks and label semantics:
- `factcheck_gpt_support` (shared LLM-AggreFact layout from `wice`): document = one evidence
  passage, claim = the claim; supported = Yes for "completely-support", No for
  "partially-support" and "refute" (LLM-AggreFact labels a claim 1 only when the document fully
  supports it). "irrelevant" passages are excluded by design (Rejected with that reason): an
  off-topic passage is not a grounding document for the claim, and 62% of pairs would then be
  trivially No. Not confirmed: LLM-AggreFact's published FactCheck-GPT test split has 1,566
  examples, which no reading of these files reproduces (non-irrelevant pairs: 1,248; unique:
  1,147; all pairs 3,305); its conversion script was not available, so this task follows the
  card's definition ("1 if the claim is supported, 0 otherwise") rather than its exact rows.
- `factcheck_gpt_stance`: the benchmark's own 4-way stance of a passage towards a claim.
- `factcheck_gpt_claim_factuality`: the benchmark's own claim label, closed-book (the claim
  alone): true -> Yes, false -> No; "not_enough_evidence" claims are Rejected by design.

Duplicates: some passages were retrieved twice for the same claim. Each distinct
(claim, passage) pair is one example (first row kept, later rows Rejected as duplicates);
the 7 pairs whose copies carry different stances are Rejected entirely (15 rows).

Counts (confirmed on the mirror): 3,098 distinct pairs - 7 conflicting = 3,091 stance
examples (irrelevant 1,951, completely 637, partially 357, refute 146); support examples =
3,091 - 1,951 = 1,140 (637 Yes / 503 No); claim factuality 661 - 30 = 631 (472 Yes / 159 No).
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

from ..files import SourceFiles
from ..readers import clean, get, guarded, iter_jsonl
from ..source import Item, Rejected, Source, github_file
from .wice import CLAIM, DOCUMENT, NO, SUPPORTED, YES, grounding_task

NAME = "factcheck_gpt"
LICENSE = "Apache-2.0"
REPO, COMMIT = "yuxiaw/Factcheck-GPT", "a9e6a04a953ad880806529c504a679dd1ad06528"
STANCE_FILE = "subtasks/subtask3_claim_evidence_stance.jsonl"
CLAIM_FILE = "subtasks/subtask4_claim_factuality.jsonl"
STANCES = ("completely-support", "partially-support", "refute", "irrelevant")
SUPPORT_OF = {"completely-support": YES, "partially-support": NO, "refute": NO}
FACTUALITY_OF = {"true": YES, "false": NO}

SUPPORT = grounding_task(
    "factcheck_gpt_support", source=NAME, license=LICENSE,
    notes=("LLM-AggreFact 'FactCheck-GPT' layout: one retrieved web passage as the document. "
           "completely-support -> Yes; partially-support, refute -> No; irrelevant passages excluded."),
)
STANCE = TaskSpec(
    name="factcheck_gpt_stance",
    task_type=TaskType.CLASSIFICATION,
    capability=Capability.FACTUALITY,
    title="What is the stance of the evidence passage towards the claim?",
    description=(
        "The claim is one atomic statement taken from a chatbot's answer to an open question; the "
        "evidence is a passage retrieved from the web for checking it. Classify how the passage "
        "relates to the claim. completely-support: the passage states or directly implies everything "
        "the claim says. partially-support: the passage backs some of the claim's content but not all "
        "of it (for example it confirms the person and the event but not the date). refute: the "
        "passage contradicts the claim or part of it. irrelevant: the passage is about something else "
        "or says nothing that bears on whether the claim is true. Judge only from the passage."
    ),
    inputs=(InputField("evidence", "a retrieved web passage"), InputField(CLAIM, "the claim")),
    outputs=(OutputField("stance", LabelSpace.classes(*STANCES), "the passage's stance"),),
    source=NAME,
    license=LICENSE,
    role=Role.EVAL,
    notes="Factcheck-Bench subtask 3 (stance detection), the annotators' 4-way label.",
)
FACTUALITY = TaskSpec(
    name="factcheck_gpt_claim_factuality",
    task_type=TaskType.CLASSIFICATION,
    capability=Capability.FACTUALITY,
    title="Is this claim from a chatbot's answer factually correct?",
    description=(
        "The claim is one atomic, self-contained statement taken from ChatGPT's answer to an open "
        "question (on history, science, geography, people, technology and so on). Decide whether it "
        "is factually correct in the real world, as expert fact-checkers did using web search: answer "
        "Yes if everything the claim states is true, and No if any part of it is false, for example a "
        "wrong date, number, name or attribution, or an event that did not happen."
    ),
    inputs=(InputField(CLAIM, "the claim"),),
    outputs=(OutputField("factual", LabelSpace.classes(YES, NO), "Yes if the claim is true"),),
    source=NAME,
    license=LICENSE,
    role=Role.EVAL,
    notes="Factcheck-Bench subtask 4 claim label: true -> Yes, false -> No; not_enough_evidence excluded.",
)


def _pair(record: Any, row: int) -> tuple[str, str, str]:
    """(claim, evidence, stance) of one stance row, checked."""
    where = (STANCE_FILE, row)
    claim, evidence = clean(get(record, "claim", str, where)), clean(get(record, "evidence", str, where))
    stance = get(record, "stance", str, where)
    for field, value in (("claim", claim), ("evidence", evidence)):
        if not value:
            raise DataError(STANCE_FILE, "empty text", row, field)
    if stance not in STANCES:
        raise DataError(STANCE_FILE, f"unknown stance {stance!r} (expected one of {list(STANCES)})", row, "stance")
    return claim, evidence, stance


def read_stances(files: SourceFiles) -> Iterator[Item]:
    """Stance and support examples, one per distinct (claim, passage) pair."""
    pairs: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
    for row, record in iter_jsonl(files.path(STANCE_FILE)):
        try:
            claim, evidence, stance = _pair(record, row)
        except DataError as e:
            yield Rejected(Provenance(NAME, STANCE_FILE, row), e.reason, e.field)
            continue
        pairs[(claim, evidence)].append((row, stance))
    for (claim, evidence), rows in pairs.items():
        stances = {stance for _, stance in rows}
        if len(stances) > 1:
            for row, _ in rows:
                yield Rejected(Provenance(NAME, STANCE_FILE, row),
                               f"the same claim and passage carry conflicting stances {sorted(stances)}", "stance")
            continue
        (row, stance), duplicates = rows[0], rows[1:]
        prov = Provenance(NAME, STANCE_FILE, row)
        yield Example(task=STANCE.name, inputs={"evidence": evidence, CLAIM: claim},
                      targets={"stance": stance}, provenance=prov)
        if stance in SUPPORT_OF:
            yield Example(task=SUPPORT.name, inputs={DOCUMENT: evidence, CLAIM: claim},
                          targets={SUPPORTED: SUPPORT_OF[stance]}, provenance=prov)
        else:
            yield Rejected(prov, f"{SUPPORT.name}: passage is irrelevant to the claim (excluded by design)", "stance")
        for dup, _ in duplicates:
            yield Rejected(Provenance(NAME, STANCE_FILE, dup), f"duplicate of row {row} (same claim and passage)",
                           "evidence")


def _claim_example(record: Any, prov: Provenance) -> Iterator[Item]:
    where = (CLAIM_FILE, prov.row)
    label = get(record, "label", str, where)
    if label == "not_enough_evidence":
        raise DataError(CLAIM_FILE, "annotators found not enough evidence (excluded by design)", prov.row, "label")
    if label not in FACTUALITY_OF:
        raise DataError(CLAIM_FILE, f"unknown label {label!r}", prov.row, "label")
    claim = clean(get(record, "claim", str, where))
    if not claim:
        raise DataError(CLAIM_FILE, "empty claim", prov.row, "claim")
    yield Example(task=FACTUALITY.name, inputs={CLAIM: claim}, targets={"factual": FACTUALITY_OF[label]},
                  provenance=prov)


def read(files: SourceFiles) -> Iterator[Item]:
    """Examples of the support, stance and claim-factuality tasks."""
    yield from read_stances(files)
    yield from guarded(NAME, CLAIM_FILE, iter_jsonl(files.path(CLAIM_FILE)), _claim_example)


SOURCE = Source(
    name=NAME,
    title="Factcheck-GPT (Factcheck-Bench): claims, evidence stances and claim factuality",
    license=LICENSE,
    role=Role.EVAL,
    homepage=f"https://github.com/{REPO}",
    citation="Wang et al. 2023, Factcheck-Bench: Fine-Grained Evaluation Benchmark for Automatic Fact-checkers",
    tasks=(SUPPORT, STANCE, FACTUALITY),
    reader=read,
    files=(
        github_file(REPO, COMMIT, STANCE_FILE, "3bfa17d7b37bca82bcc0aacf69a8bbd85cffe117d337c95cf7c3b00e34b98d1a"),
        github_file(REPO, COMMIT, CLAIM_FILE, "b87f971ce324c87e0427f100fe24b50594b9d44e3a764490b1bef188917dbae1"),
    ),
    expected={SUPPORT.name: 1140, STANCE.name: 3091, FACTUALITY.name: 631},
)
