"""One number per response, higher is better: what pointwise reranking and RL rewards read.

Three kinds (`kind_for` picks one):

- "expected": the expected score of a rating on an integer scale (adhoc.pointwise): the
  probability of each level, averaged.
- "yes": P(Yes) for a yes/no question about the response (adhoc.yes_no), e.g. "Does the
  program solve the problem?".
- "separate": for a judge that compares pairs by scoring each response alone
  (pairwise="separate", flame.judge.separate), the response's own score
  s = log P(Yes) - log P(No) under the single-response twin of the pairwise task: the score
  its pairwise verdicts compare, P(A better) = sigmoid(s_A - s_B). Unbounded, not a probability.

A response whose judgment is invalid, or was generated rather than scored (a backend that
gives no label likelihoods), has no score: None.
"""

from __future__ import annotations

import math
from functools import lru_cache

from flame.core.judgment import Judgment
from flame.core.records import TaskSpec

from . import adhoc
from .separate import NO, YES, single_response_task

KINDS = ("expected", "yes", "separate")


def kind_for(pairwise: str, question: str | None) -> str:
    """The kind of score a judge gives: "yes" when a question is asked, else "separate" for a
    judge in pairwise="separate" mode, else "expected"."""
    if question is not None and question.strip():
        return "yes"
    return "separate" if pairwise == "separate" else "expected"


@lru_cache(maxsize=256)
def task_for(kind: str, criteria: str | None = None, scale: tuple[int, int] = (1, 5),
             question: str | None = None) -> TaskSpec:
    """The task a response is scored with (inputs `prompt` and `response`; build examples with
    adhoc.pointwise_example)."""
    if kind == "expected":
        return adhoc.pointwise(criteria, *scale)
    if kind == "yes":
        return adhoc.yes_no(question or "")
    if kind == "separate":
        return single_response_task(adhoc.pairwise(criteria))
    raise ValueError(f"score kind must be one of {', '.join(KINDS)}, got {kind!r}")


def value(kind: str, judgment: Judgment) -> float | None:
    """The score in a judgment of the task `task_for(kind, ...)` gives (None: see the module docstring)."""
    if not judgment.valid or not judgment.probs:
        return None
    if kind == "expected":
        return judgment.expected
    if kind == "yes":
        return judgment.probs[YES]
    p_yes, p_no = judgment.probs[YES], judgment.probs[NO]
    if p_yes == 0.0 or p_no == 0.0:  # a label the backend ruled out
        return -math.inf if p_yes == 0.0 else math.inf
    return math.log(p_yes) - math.log(p_no)
