"""Shared shapes for adapters: dialogue placeholders and de-duplication of a source's items.

The pairwise shape (the `response_a` / `response_b` / `choice` fields, `pairwise_task`,
balanced A/B placement) is flame.core.pairwise's; adapters import it from here, with the
rest of what they share.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Iterator

from flame.core.pairwise import (
    RESPONSE_A,
    RESPONSE_B,
    better_goes_first,
    pairwise_example,
    pairwise_task,
    tie_example,
)
from flame.core.records import Example

from .rows import Item, Rejected

__all__ = ["NO_PREVIOUS_TURN", "RESPONSE_A", "RESPONSE_B", "better_goes_first", "dedupe", "pairwise_example",
           "pairwise_task", "tie_example"]

# Shown for the previous turn of a dialogue response that opens the conversation.
NO_PREVIOUS_TURN = "(no previous turn)"


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
