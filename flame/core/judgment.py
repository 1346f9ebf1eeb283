"""Judgment: a judge's answer to one example. Pure Python; imports no torch.

A closed label space (A/B, a Likert scale, named classes) is judged by the likelihood of
each label, so a Judgment carries a probability per label; an open-ended task carries the
generated text and whether it parsed. For pairwise tasks it also carries the answer in
each candidate order (mapped back to the example's own A/B), whether the two orders agree,
and which order was shown first.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Mapping

ORIGINAL, SWAPPED = "AB", "BA"  # candidate orders: as in the example, or A and B exchanged


@dataclass(frozen=True)
class Judgment:
    """The judge's verdict on one example.

    - `label`: the verdict (argmax label, or the parsed value); None when `valid` is False.
    - `probs`: probability per label, where the backend gives log-likelihoods (else empty).
    - `expected`: the probability-weighted mean score for a Likert scale (else None).
    - `raw`: generated text (open-ended or generate-then-parse judging), else "".
    - `valid` / `error`: False with the reason when the output could not be read as a label;
      such an output is reported, never coerced into one.
    - `order_probs`: pairwise only: {"AB": probs, "BA": probs}, each in the example's own
      A/B terms; `order_labels` the verdict of each order; `orders_agree` whether they match
      (None when only one order ran); `first_order` the order shown first.
    - `target`: the human label, when the example carries one (for metrics).
    - `model`: the fingerprint of the backend that judged.
    - `chunks`: when the prompt was longer than the model's context and an input was split
      (flame.judge.long_input), the number of chunks judged; the judgment is the kept chunk's.
    """

    task: str
    uid: str
    label: str | None
    probs: dict[str, float] = field(default_factory=dict)
    expected: float | None = None
    raw: str = ""
    valid: bool = True
    error: str = ""
    order_probs: dict[str, dict[str, float]] = field(default_factory=dict)
    order_labels: dict[str, str | None] = field(default_factory=dict)
    orders_agree: bool | None = None
    first_order: str | None = None
    target: str | None = None
    model: str = ""
    chunks: int | None = None

    def __post_init__(self) -> None:
        if self.valid and self.label is None:
            raise ValueError(f"judgment {self.uid}: a valid judgment needs a label")
        if not self.valid and not self.error:
            raise ValueError(f"judgment {self.uid}: an invalid judgment needs an error")
        if self.first_order not in (None, ORIGINAL, SWAPPED):
            raise ValueError(f"judgment {self.uid}: first_order must be AB or BA, got {self.first_order!r}")

    @property
    def correct(self) -> bool | None:
        """Whether the verdict matches the human label (None when there is no label)."""
        if self.target is None:
            return None
        return self.valid and self.label == self.target

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (one line of a judgments JSONL file)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Judgment":
        """Inverse of to_dict; unknown keys are an error rather than silently dropped."""
        unknown = set(d) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown Judgment field(s): {sorted(unknown)}")
        return cls(**dict(d))


def summarize(judgments: list[Judgment]) -> dict[str, Any]:
    """Counts a user should see after a run: total, valid, invalid (with reasons),
    pairwise order disagreements, and accuracy where human labels are present."""
    invalid = [j for j in judgments if not j.valid]
    reasons: dict[str, int] = {}
    for j in invalid:
        reasons[j.error] = reasons.get(j.error, 0) + 1
    labelled = [j for j in judgments if j.target is not None]
    paired = [j for j in judgments if j.orders_agree is not None]
    return {
        "total": len(judgments),
        "valid": len(judgments) - len(invalid),
        "invalid": len(invalid),
        "invalid_reasons": reasons,
        "orders_disagree": sum(1 for j in paired if not j.orders_agree),
        "accuracy": (sum(1 for j in labelled if j.correct) / len(labelled)) if labelled else None,
    }
