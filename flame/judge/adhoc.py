"""Ad-hoc tasks for judging your own data: pairwise, pointwise (Likert), a yes/no question
about a response, and classification.

    task = adhoc.pairwise(criteria="Prefer the more concise answer.")
    ex = adhoc.pairwise_example(task, prompt="...", a="...", b="...")
    Autorater(load_backend()).judge(task, ex)

The task definitions follow FLAMe's format: a title, a description with the evaluation
instructions (the user's criteria appended), and the standard input/output fields
(pairwise tasks use flame.core.pairwise's response_a / response_b / choice).
"""

from __future__ import annotations

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
from flame.core.pairwise import RESPONSE_A, RESPONSE_B, pairwise_task

from .long_input import LongInput

SOURCE = "adhoc"
LICENSE = "user data"

PAIRWISE_DESCRIPTION = (
    "A user gave an AI assistant the prompt below, and two assistants each wrote a response. "
    "Decide which response is better. A better response follows the prompt's instructions "
    "faithfully and completely, is correct and honest, is helpful and relevant, and is clear. "
    "Do not prefer a response because it is longer or comes first; judge content, not style."
)
POINTWISE_DESCRIPTION = (
    "A user gave an AI assistant the prompt below, and the assistant wrote the response below. "
    "Rate the response on the scale given, where the lowest score means it fails the criteria "
    "entirely and the highest means it meets them fully. Judge content, not length or style."
)
YES_NO_DESCRIPTION = (
    "A user gave an AI assistant the prompt below, and the assistant wrote the response below. "
    "Answer the question about the response with Yes or No."
)
CLASSIFY_DESCRIPTION = "Read the text below and answer the question with exactly one of the allowed classes."
DEFAULT_CRITERIA = "How well does the response follow the prompt: is it helpful, correct, honest and clear?"


def _with_criteria(description: str, criteria: str | None) -> str:
    return description + (f"\nCriteria: {criteria.strip()}" if criteria and criteria.strip() else "")


def pairwise(criteria: str | None = None, tie: bool = False) -> TaskSpec:
    """Which of two responses to a prompt is better (optionally by your criteria; optional tie)."""
    return pairwise_task(
        "adhoc_pairwise",
        title="Which response is better?",
        description=_with_criteria(PAIRWISE_DESCRIPTION, criteria),
        context=(InputField("prompt", "the user's prompt"),),
        capability=Capability.GENERAL,
        source=SOURCE,
        license=LICENSE,
        role=Role.EVAL,
        tie=tie,
    )


def pointwise(criteria: str | None = None, low: int = 1, high: int = 5) -> TaskSpec:
    """Rate one response to a prompt on an integer scale low-high by your criteria."""
    return TaskSpec(
        name="adhoc_pointwise",
        task_type=TaskType.POINTWISE,
        capability=Capability.GENERAL,
        title=f"How good is the response, on a scale from {low} to {high}?",
        description=_with_criteria(POINTWISE_DESCRIPTION, criteria or DEFAULT_CRITERIA),
        inputs=(InputField("prompt", "the user's prompt"), InputField("response", "the assistant's response")),
        outputs=(OutputField("score", LabelSpace.likert(low, high), f"{low} (worst) to {high} (best)"),),
        source=SOURCE,
        license=LICENSE,
        role=Role.EVAL,
    )


def yes_no(question: str) -> TaskSpec:
    """A yes/no question about one response to a prompt, e.g. "Is the response factually correct?"."""
    question = question.strip()
    if not question:
        raise ValueError("a yes/no question needs its text")
    return TaskSpec(
        name="adhoc_yes_no",
        task_type=TaskType.CLASSIFICATION,
        capability=Capability.GENERAL,
        title=question,
        description=YES_NO_DESCRIPTION + f"\nQuestion: {question}",
        inputs=(InputField("prompt", "the user's prompt"), InputField("response", "the assistant's response")),
        outputs=(OutputField("answer", LabelSpace.classes("Yes", "No"), "Yes or No"),),
        source=SOURCE,
        license=LICENSE,
        role=Role.EVAL,
    )


def classification(classes: tuple[str, ...] | list[str], question: str | None = None) -> TaskSpec:
    """Put a text into one of the named classes, answering `question` (default: which class fits)."""
    question = (question or f"Which of these classes does the text belong to: {', '.join(classes)}?").strip()
    return TaskSpec(
        name="adhoc_classification",
        task_type=TaskType.CLASSIFICATION,
        capability=Capability.GENERAL,
        title=question,
        description=CLASSIFY_DESCRIPTION + f"\nQuestion: {question}",
        inputs=(InputField("text", "the text to classify"),),
        outputs=(OutputField("answer", LabelSpace.classes(*classes), "the class that fits"),),
        source=SOURCE,
        license=LICENSE,
        role=Role.EVAL,
    )


def classification_long_input(keep: str | None, classes: tuple[str, ...] | list[str]) -> LongInput | None:
    """How a classification text longer than the model (or a server) takes is judged: in chunks,
    keeping the chunk most likely class `keep`; None without `keep`. ValueError when `keep` is
    not one of `classes`."""
    if keep is None:
        return None
    if keep not in classes:
        raise ValueError(f"must be one of the classes ({', '.join(classes)}), got {keep!r}")
    return LongInput("text", keep)


def _example(task: TaskSpec, inputs: dict[str, str], where: str, row: int | str) -> Example:
    return Example(task=task.name, inputs=inputs, targets={}, provenance=Provenance(SOURCE, where, row))


def pairwise_example(task: TaskSpec, prompt: str, a: str, b: str, where: str = "cli", row: int | str = 0) -> Example:
    """An example of an ad-hoc pairwise task (no human label)."""
    return _example(task, {"prompt": prompt, RESPONSE_A: a, RESPONSE_B: b}, where, row)


def pointwise_example(task: TaskSpec, prompt: str, response: str, where: str = "cli", row: int | str = 0) -> Example:
    """An example of a task judging one response to a prompt (pointwise, a yes/no question, or
    the single-response twin of a pairwise task: all take `prompt` and `response`)."""
    return _example(task, {"prompt": prompt, "response": response}, where, row)


def classification_example(task: TaskSpec, text: str, where: str = "cli", row: int | str = 0) -> Example:
    """An example of an ad-hoc classification task."""
    return _example(task, {"text": text}, where, row)
