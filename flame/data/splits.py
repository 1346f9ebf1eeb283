"""Deterministic train / validation / test assignment from an example's uid.

The split depends only on the uid (a hash of task, inputs and targets), so it is the same
on every machine, in every build order, and for any subset of sources.
"""

from __future__ import annotations

from typing import Literal

Split = Literal["train", "validation", "test"]
SPLITS: tuple[Split, ...] = ("train", "validation", "test")


def split_of(uid: str) -> Split:
    """The split of the example with this uid: int(uid, 16) % 1000 < 900 train, < 950 validation, else test."""
    try:
        bucket = int(uid, 16) % 1000
    except (TypeError, ValueError):
        raise ValueError(f"example uid must be a hex string, got {uid!r}") from None
    if bucket < 900:
        return "train"
    return "validation" if bucket < 950 else "test"
