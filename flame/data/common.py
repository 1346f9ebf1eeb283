"""Shared shapes for adapters: standard pairwise fields and balanced A/B placement.

Every pairwise task uses the input fields `response_a` and `response_b` (after its own
context fields) and the output field `choice`, so judges and benchmarks treat all pairwise
tasks alike.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from typing import Iterable, Iterator

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

from .rows import Item, Rejected

RESPONSE_A = "response_a"
RESPONSE_B = "response_b"
CHOICE = "choice"
# Shown for the previous turn of a dialogue response that opens the conversation.
NO_PREVIOUS_TURN = "(no previous turn)"


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


def dedupe(items: Iterable[Item]) -> Iterator[Item]:
    """Items in order, keeping one example per (task, inputs).

    A repeat with the same targets becomes a Rejected naming the row it duplicates; when the
    repeats disagree on the targets, every one of them is rejected as a human disagreement.
    """
    items = list(items)
    groups: dict[tuple, list[int]] = defaultdict(list)
    for i, item in enumerate(items):
        if isinstance(item, Example):
            groups[(item.task, item.inputs)].append(i)
    verdicts: dict[int, Rejected] = {}
    for idxs in groups.values():
        if len(idxs) < 2:
            continue
        first = items[idxs[0]]
        if len({items[i].targets for i in idxs}) > 1:
            rows = ", ".join(f"{items[i].provenance.file} row {items[i].provenance.row}" for i in idxs)
            for i in idxs:
                verdicts[i] = Rejected(items[i].provenance, f"conflicting human labels for identical inputs ({rows})",
                                       sorted(first.targets)[0], excluded=True)
        else:
            for i in idxs[1:]:
                verdicts[i] = Rejected(items[i].provenance, f"duplicate of {first.provenance.file} row "
                                       f"{first.provenance.row} (same inputs and label)", excluded=True)
    for i, item in enumerate(items):
        yield verdicts.get(i, item)
