"""Judging from Python in one line: `Judge`.

    from flame import Judge

    judge = Judge("flame-smollm2-135m")
    judge.pairwise("What is 2+2?", "4", "5").verdict                  # "A" or "B"
    judge.pointwise("Say hi.", "Hello!", scale=(1, 5)).expected       # 1.0 .. 5.0
    judge.classify("The cat sat.", ["Yes", "No"], question="Is it about an animal?").label
    judge.rerank("Write a haiku.", ["...", "...", "..."]).best        # index of the best candidate

Each method also takes lists (a single string among lists is used for every item) and
judges them in batches; it then returns a list of results, in order. A result is a small
frozen dataclass; its `judgment` is the full flame.core.judgment.Judgment, and a failed
judgment (e.g. a prompt longer than the model reads) is a result with `error` set, never an
exception. An empty response is judged like any other; an empty prompt (or text to
classify) is a ValueError naming the item.

Built on the engine's own pieces: flame.judge.models (the model spec, its judge.json
default), flame.judge.adhoc (the tasks), the Autorater, flame.judge.scores and
flame.judge.rerank.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from flame.core.judgment import Judgment
from flame.core.records import Example, TaskSpec

from . import adhoc, scores
from . import rerank as reranking
from .autorater import Autorater
from .backends.base import Backend
from .models import DEFAULT_MODEL, judge_defaults, load_backend

Texts = str | Sequence[str]


@dataclass(frozen=True)
class PairwiseResult:
    """Which of two responses is better.

    `verdict` "A" or "B" (None when the judgment failed: see `error`); `probabilities` P(A)
    and P(B) (empty where the backend gives no likelihoods); `orders_agree` whether the two
    candidate orders gave the same verdict (None with one order, or when each response was
    scored alone, pairwise="separate")."""

    verdict: str | None
    probabilities: Mapping[str, float]
    orders_agree: bool | None
    error: str
    judgment: Judgment

    @property
    def valid(self) -> bool:
        """Whether the judge gave a verdict."""
        return self.judgment.valid


@dataclass(frozen=True)
class PointwiseResult:
    """A rating on an integer scale: `score` the most probable level, `expected` the
    probability-weighted mean, `probabilities` per level (as strings, "1" .. "5")."""

    score: int | None
    expected: float | None
    probabilities: Mapping[str, float]
    error: str
    judgment: Judgment

    @property
    def valid(self) -> bool:
        """Whether the judge gave a rating."""
        return self.judgment.valid


@dataclass(frozen=True)
class ClassifyResult:
    """A class for a text: `label`, `probabilities` per class, and `chunks`: how many chunks
    a text longer than the model reads was judged in (with `split_long`; None otherwise)."""

    label: str | None
    probabilities: Mapping[str, float]
    chunks: int | None
    error: str
    judgment: Judgment

    @property
    def valid(self) -> bool:
        """Whether the judge gave a class."""
        return self.judgment.valid


def _items(names: Sequence[str], values: Sequence[Any], required: Sequence[str]) -> tuple[bool, list[dict[str, str]]]:
    """Broadcast string-or-list arguments into items: (whether lists were given, items).
    TypeError for a value that is not a string; ValueError for lists of different lengths or
    an empty value of a `required` field."""
    lengths = {len(v) for v in values if not isinstance(v, str)}
    if len(lengths) > 1:
        raise ValueError(f"{', '.join(names)}: lists of different lengths {sorted(lengths)}")
    many = bool(lengths)
    n = lengths.pop() if many else 1
    items = []
    for i in range(n):
        item = {}
        for name, value in zip(names, values):
            v = value if isinstance(value, str) else value[i]
            where = f"item {i}: " if many else ""
            if not isinstance(v, str):
                raise TypeError(f"{where}{name} must be a string, got {type(v).__name__}")
            if name in required and not v.strip():
                raise ValueError(f"{where}{name} is empty")
            item[name] = v
        items.append(item)
    return many, items


class Judge:
    """A loaded judge (see the module docstring).

    model: a model spec (flame.judge.models: "smollm2-135m", "flame-smollm2-135m", a
    directory, "hf:DIR+adapter:DIR", "openai:MODEL@URL", ...) or a Backend object.
    pairwise: "ab" (both responses shown, read A/B) or "separate" (each response scored
    alone); None: the model's judge.json default (for a Backend object: "ab").
    swap: judge pairs in both candidate orders. batch_size: examples per backend call.
    cache: the persistent result cache (True: $FLAME_HOME/cache/judge.sqlite, or a path).
    backend_options: passed to the backend (device, dtype, chat, ...).
    """

    def __init__(self, model: str | Backend = DEFAULT_MODEL, *, pairwise: str | None = None, swap: bool = True,
                 batch_size: int = 8, cache: bool | str | Path = True, **backend_options: Any) -> None:
        if isinstance(model, str):
            mode = pairwise or judge_defaults(model)["pairwise"]
            backend = load_backend(model, batch_size=batch_size, cache=cache, **backend_options)
        elif isinstance(model, Backend):
            mode, backend = pairwise or "ab", model
        else:
            raise TypeError(f"model must be a model spec string or a Backend, got {type(model).__name__}")
        self.batch_size = batch_size
        self.autorater = Autorater(backend, swap=swap, pairwise=mode)

    @property
    def pairwise_mode(self) -> str:
        """How pairs are judged: "ab" or "separate"."""
        return self.autorater.pairwise

    def _judge(self, task: TaskSpec, examples: list[Example], autorater: Autorater | None = None) -> list[Judgment]:
        return (autorater or self.autorater).judge_many(task, examples, self.batch_size)

    def pairwise(self, prompt: Texts, a: Texts, b: Texts, criteria: str | None = None
                 ) -> PairwiseResult | list[PairwiseResult]:
        """Which of responses `a` and `b` to `prompt` is better, by `criteria` (default: overall quality)."""
        many, items = _items(("prompt", "a", "b"), (prompt, a, b), required=("prompt",))
        task = adhoc.pairwise(criteria)
        judged = self._judge(task, [adhoc.pairwise_example(task, it["prompt"], it["a"], it["b"], "python", i)
                                    for i, it in enumerate(items)])
        out = [PairwiseResult(j.label, {k: j.probs[k] for k in ("A", "B") if k in j.probs}, j.orders_agree, j.error, j)
               for j in judged]
        return out if many else out[0]

    def pointwise(self, prompt: Texts, response: Texts, scale: tuple[int, int] = (1, 5), criteria: str | None = None
                  ) -> PointwiseResult | list[PointwiseResult]:
        """Rate `response` to `prompt` on the integer `scale` (low, high) by `criteria`."""
        many, items = _items(("prompt", "response"), (prompt, response), required=("prompt",))
        task = adhoc.pointwise(criteria, *scale)
        judged = self._judge(task, [adhoc.pointwise_example(task, it["prompt"], it["response"], "python", i)
                                    for i, it in enumerate(items)])
        out = [PointwiseResult(int(j.label) if j.valid else None, j.expected, dict(j.probs), j.error, j)
               for j in judged]
        return out if many else out[0]

    def classify(self, text: Texts, classes: Sequence[str], question: str | None = None,
                 split_long: str | None = None) -> ClassifyResult | list[ClassifyResult]:
        """Put `text` into one of `classes`, answering `question`; `split_long`: judge a text
        longer than the model reads in chunks, keeping the chunk most likely this class."""
        many, items = _items(("text",), (text,), required=("text",))
        classes = tuple(classes)
        task = adhoc.classification(classes, question)
        long_input = adhoc.classification_long_input(split_long, classes)
        rater = None
        if long_input is not None:
            base = self.autorater
            rater = Autorater(base.backend, swap=base.swap, pairwise=base.pairwise, long_input=long_input)
        judged = self._judge(task, [adhoc.classification_example(task, it["text"], "python", i)
                                    for i, it in enumerate(items)], rater)
        out = [ClassifyResult(j.label, dict(j.probs), j.chunks, j.error, j) for j in judged]
        return out if many else out[0]

    def score(self, prompt: Texts, response: Texts, *, criteria: str | None = None, scale: tuple[int, int] = (1, 5),
              question: str | None = None) -> float | None | list[float | None]:
        """One number per response, higher is better (flame.judge.scores): P(Yes) to
        `question` when given; else, for a judge in pairwise="separate" mode, the response's
        own score log P(Yes) - log P(No); else the expected rating on `scale`. None where the
        judgment failed."""
        many, items = _items(("prompt", "response"), (prompt, response), required=("prompt",))
        kind = scores.kind_for(self.pairwise_mode, question)
        task = scores.task_for(kind, criteria, scale, question)
        judged = self._judge(task, [adhoc.pointwise_example(task, it["prompt"], it["response"], "python", i)
                                    for i, it in enumerate(items)])
        out = [scores.value(kind, j) for j in judged]
        return out if many else out[0]

    def rerank(self, prompt: str, candidates: Sequence[str], method: str = "tournament", *,
               criteria: str | None = None, scale: tuple[int, int] = (1, 5),
               question: str | None = None) -> reranking.Ranking:
        """The best of `candidates` for `prompt` (flame.judge.rerank): by a round-robin
        `method="tournament"`, or by each candidate's own score, `method="pointwise"`
        (`scale` and `question` as for `score`)."""
        _, items = _items(("prompt",), (prompt,), required=("prompt",))
        if isinstance(candidates, str):
            raise TypeError("candidates must be a list of strings, got one string")
        for i, c in enumerate(candidates):
            if not isinstance(c, str):
                raise TypeError(f"candidates[{i}] must be a string, got {type(c).__name__}")
        item = reranking.Candidates(items[0]["prompt"], tuple(candidates), criteria)
        return next(reranking.rerank_many(self.autorater, [item], method, scale=scale, question=question,
                                          batch_size=self.batch_size))
