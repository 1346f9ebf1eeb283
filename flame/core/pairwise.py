"""The shape every pairwise task shares: its field names, its TaskSpec, and balanced A/B placement.

Every pairwise task uses the input fields `response_a` and `response_b` (after its own
context fields) and the output field `choice`, so adapters, judges, benchmarks and training
treat all pairwise tasks alike.
"""

from __future__ import annotations

import hashlib

from .records import (
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

RESPONSE_A = "response_a"
RESPONSE_B = "response_b"
CHOICE = "choice"


def pairwise_task(
    name: str,
    *,
    title: str,
    description: str,
    context: tuple[InputField, ...],
    capability: Capability,
    source: str,
    license: str,
    role: Role = Role.TRAIN,
    tie: bool = False,
    candidate: str = "response",
    notes: str = "",
) -> TaskSpec:
    """A pairwise task: context fields, then response_a / response_b, answered by `choice`."""
    labels = LabelSpace.pairwise(tie=tie)
    choice_help = f"A if {candidate} A is better, B if {candidate} B is better" + (", tie if they are equally good" if tie else "")
    return TaskSpec(
        name=name,
        task_type=TaskType.PAIRWISE,
        capability=capability,
        title=title,
        description=description,
        inputs=context + (InputField(RESPONSE_A, f"{candidate} A"), InputField(RESPONSE_B, f"{candidate} B")),
        outputs=(OutputField(CHOICE, labels, choice_help),),
        source=source,
        license=license,
        role=role,
        notes=notes,
    )


def better_goes_first(better: str, worse: str) -> bool:
    """Whether the better candidate is shown as A: a stable coin flip on the pair's text,
    so about half of every pairwise task has label A and half B, identically on every run."""
    digest = hashlib.sha256((better + "\x00" + worse).encode("utf-8")).digest()
    return digest[0] % 2 == 0


def pairwise_example(task: str, provenance: Provenance, context: dict[str, str],
                     better: str, worse: str) -> Example:
    """An example where `better` is the human-preferred candidate, placed at A or B by
    `better_goes_first`."""
    if better_goes_first(better, worse):
        a, b, label = better, worse, "A"
    else:
        a, b, label = worse, better, "B"
    inputs = dict(context)
    inputs[RESPONSE_A] = a
    inputs[RESPONSE_B] = b
    return Example(task=task, inputs=inputs, targets={CHOICE: label}, provenance=provenance)


def tie_example(task: str, provenance: Provenance, context: dict[str, str], first: str, second: str) -> Example:
    """An example whose two candidates the humans judged equally good (label `tie`)."""
    inputs = dict(context)
    inputs[RESPONSE_A] = first
    inputs[RESPONSE_B] = second
    return Example(task=task, inputs=inputs, targets={CHOICE: "tie"}, provenance=provenance)
