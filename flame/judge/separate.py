"""Pairwise judging with no position bias by construction: each response scored on its own.

A pairwise task (context fields, `response_a`, `response_b`, answered by `choice`) has a
single-response twin: the same context and criteria with one `response` field, answered
by `preferred: Yes|No`. A response's score is s = log P(Yes) - log P(No) (its logit of
Yes against No), and the pair is judged as a Bradley-Terry comparison of the two scores:

    P(A better) = sigmoid(s_A - s_B)

Neither response is ever shown beside the other, so which one comes first cannot matter.
Training the same scores with a Bradley-Terry loss, -log sigmoid(s_chosen - s_rejected),
makes the judge a generative verifier: text in, a label's likelihood out, no extra head.
"""

from __future__ import annotations

import math
from functools import lru_cache

from flame.core.records import Example, InputField, LabelSpace, OutputField, TaskSpec, TaskType
from flame.core.pairwise import RESPONSE_A, RESPONSE_B

RESPONSE = "response"
PREFERRED = "preferred"
YES, NO = "Yes", "No"
SUFFIX = ":single"  # the twin task's name is the pairwise task's name + SUFFIX


@lru_cache(maxsize=256)
def single_response_task(task: TaskSpec) -> TaskSpec:
    """The single-response twin of a pairwise task (see the module docstring)."""
    if task.task_type is not TaskType.PAIRWISE or {RESPONSE_A, RESPONSE_B} - set(task.input_names):
        raise ValueError(f"task {task.name!r} is not a pairwise task with {RESPONSE_A} and {RESPONSE_B}")
    candidate = _candidate_noun(task)
    context = tuple(f for f in task.inputs if f.name not in (RESPONSE_A, RESPONSE_B))
    description = (f"{task.description.strip()}\n"
                   f"Here a single {candidate} is shown on its own. Judge it by the criteria above: answer Yes if "
                   f"it is a {candidate} the human raters would prefer, No if they would not.")
    return TaskSpec(
        name=task.name + SUFFIX, task_type=TaskType.CLASSIFICATION, capability=task.capability,
        title=f"Would the human raters prefer this {candidate}? ({task.title.strip()})",
        description=description, inputs=context + (InputField(RESPONSE, candidate),),
        outputs=(OutputField(PREFERRED, LabelSpace.classes(YES, NO), f"{YES} if the {candidate} is preferred"),),
        source=task.source, license=task.license, role=task.role, notes=task.notes,
    )


def single_response_example(task: TaskSpec, example: Example, which: str) -> Example:
    """Candidate `which` ("A" or "B") of a pairwise example as an example of the twin task.

    Its target is Yes for the human-preferred candidate and No for the other; a pair with
    no A/B preference (a tie, or no label) gives an example without a target.
    """
    if which not in ("A", "B"):
        raise ValueError(f"which must be 'A' or 'B', got {which!r}")
    twin = single_response_task(task)
    inputs = {name: example.inputs[name] for name in twin.input_names if name != RESPONSE}
    inputs[RESPONSE] = example.inputs[RESPONSE_A if which == "A" else RESPONSE_B]
    label = example.targets.get(task.primary_output.name)
    targets = {PREFERRED: YES if label == which else NO} if label in ("A", "B") else {}
    return Example(task=twin.name, inputs=inputs, targets=targets, provenance=example.provenance)


def response_score(log_yes: float, log_no: float) -> float:
    """A response's score: its log-odds of Yes against No."""
    return log_yes - log_no


def prob_a_better(score_a: float, score_b: float) -> float:
    """Bradley-Terry: P(A better) = sigmoid(s_A - s_B), computed without overflow."""
    d = score_a - score_b
    if d >= 0:
        return 1.0 / (1.0 + math.exp(-d))
    e = math.exp(d)
    return e / (1.0 + e)


def _candidate_noun(task: TaskSpec) -> str:
    """What the task calls its candidates ("response", "summary", ...), from response_a's description."""
    described = next(f.description for f in task.inputs if f.name == RESPONSE_A).strip()
    noun = described[:-2].strip() if described.endswith(" A") else ""
    return noun or "response"
