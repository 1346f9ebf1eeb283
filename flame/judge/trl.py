"""TRL integration (extra `trl`): a flame judge as TRL's pairwise judge and as a GRPO reward.

    from flame import Judge
    from flame.judge.trl import FlamePairwiseJudge, FlameReward

    judge = Judge("flame-smollm2-135m")
    OnlineDPOTrainer(model, judge=FlamePairwiseJudge(judge), ...)    # trl.experimental.online_dpo
    WinRateCallback(FlamePairwiseJudge(judge), trainer)              # trl.experimental.winrate_callback
    GRPOTrainer(model, reward_funcs=FlameReward(judge), ...)         # the expected 1-5 rating

TRL's judges API (trl.experimental.judges.BasePairwiseJudge, used by online DPO, XPO,
Nash-MD and the WinRateCallback) is in TRL 1.0 and was removed in TRL 1.1, so the extra
pins trl>=1.0,<1.1. Conversational prompts and completions (lists of {"role", "content"}
messages) are judged as text: one message as its content, several as "role: content" lines.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from flame.core.errors import require

from .api import Judge

BasePairwiseJudge = require("trl.experimental.judges", "trl").BasePairwiseJudge
Text = str | Sequence[dict[str, Any]]


def as_text(value: Text) -> str:
    """A prompt or completion as the text the judge reads (see the module docstring)."""
    if isinstance(value, str):
        return value
    messages = list(value)
    if not all(isinstance(m, dict) and isinstance(m.get("content"), str) for m in messages):
        raise TypeError(f"expected a string or a list of {{'role', 'content'}} messages, got {value!r:.200}")
    if len(messages) == 1:
        return messages[0]["content"]
    return "\n".join(f"{m.get('role', 'user')}: {m['content']}" for m in messages)


class FlamePairwiseJudge(BasePairwiseJudge):
    """TRL's pairwise judge backed by a flame Judge (`criteria`: what "better" means).

    `judge()` returns, per prompt, 0 when the first completion is better and 1 when the
    second is; with `return_scores`, the probability that the first completion is better.
    A pair the judge could not judge (e.g. longer than the model reads) is -1, TRL's mark
    for a failed judgment, or NaN as a score. `shuffle_order` is accepted and has no
    effect: a flame judge removes candidate order itself (both orders averaged, or each
    completion scored alone; with swap=False a stable per-pair coin flip picks the order).
    """

    def __init__(self, judge: Judge, criteria: str | None = None) -> None:
        self.flame, self.criteria = judge, criteria

    def judge(self, prompts: list[Text], completions: list[list[Text]], shuffle_order: bool = True,
              return_scores: bool = False) -> list[int | float]:
        """0/1 (the better completion's index) per prompt, or P(first better) with `return_scores`."""
        if len(prompts) != len(completions):
            raise ValueError(f"{len(prompts)} prompts but {len(completions)} completion pairs")
        for i, pair in enumerate(completions):
            if len(pair) != 2:
                raise ValueError(f"completions[{i}]: a pairwise judge needs exactly 2 completions, got {len(pair)}")
        if not prompts:
            return []
        results = self.flame.pairwise([as_text(p) for p in prompts], [as_text(a) for a, _ in completions],
                                      [as_text(b) for _, b in completions], self.criteria)
        if return_scores:
            return [(r.probabilities.get("A", float(r.verdict == "A"))) if r.valid else math.nan for r in results]
        return [{"A": 0, "B": 1}[r.verdict] if r.valid else -1 for r in results]


class FlameReward:
    """A GRPOTrainer reward function from a flame Judge: one float per completion
    (Judge.score: P(Yes) to `question` when given; else, for a judge in pairwise="separate"
    mode, the completion's own score log P(Yes) - log P(No); else its expected rating on
    `scale` by `criteria`). A completion the judge could not judge gets None, which TRL
    counts as a missing reward (NaN). `name` names the reward in TRL's logs."""

    def __init__(self, judge: Judge, *, criteria: str | None = None, scale: tuple[int, int] = (1, 5),
                 question: str | None = None, name: str = "flame") -> None:
        self.judge, self.criteria, self.scale, self.question = judge, criteria, scale, question
        self.__name__ = name  # TRL reads a reward function's __name__

    def __call__(self, prompts: list[Text], completions: list[Text], **kwargs: Any) -> list[float | None]:
        """The rewards of `completions` to `prompts` (TRL's other keyword arguments are ignored)."""
        if len(prompts) != len(completions):
            raise ValueError(f"{len(prompts)} prompts but {len(completions)} completions")
        if not prompts:
            return []
        return self.judge.score([as_text(p) for p in prompts], [as_text(c) for c in completions],
                                criteria=self.criteria, scale=self.scale, question=self.question)
