"""The Autorater: judge examples of any FLAMe task with any backend.

- Closed label spaces (pairwise A/B, Likert scales, named classes) are judged by the
  log-likelihood of each verbalized label after the prompt's `EVALUATION:` header and
  `<field>: `; a softmax over the labels gives a probability per label. Pointwise (Likert)
  judgments also get the expected score; the verdict is the most probable label.
- Pairwise tasks run both candidate orders by default (`swap=True`): the swapped order's
  probabilities are mapped back to the example's own A/B and averaged, and the Judgment
  reports whether the two orders agree. Which order is shown first is a stable coin flip
  on the example uid; with `swap=False` only that order runs.
- Open-ended fields, `mode="generate"` (the generate-then-parse way), and backends that
  give no log-likelihoods (`can_score` False) generate text and parse it with the FLAMe
  parser; output that does not parse is an invalid Judgment with the reason, never coerced
  into a label. Generated pairwise verdicts carry no probabilities; on a split between
  the two orders the order shown first decides and `orders_agree` is False.
- `pairwise="separate"` judges a pairwise task without showing the two responses together:
  each is scored on its own (P(Yes) that the raters prefer it) and P(A) = sigmoid(s_A - s_B)
  (flame.judge.separate). Position cannot enter, so there is no candidate order to swap:
  such judgments have no `order_probs` and `orders_agree` is None.
- Only the primary (first) output field is judged; a multi-field task whose first field is
  closed is scored on that field alone.
- A prompt longer than the model's context is an invalid judgment, unless `long_input`
  says which input to split (flame.judge.long_input: judged in chunks, MiniCheck's way).
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

from flame.core.judgment import ORIGINAL, SWAPPED, Judgment
from flame.core.records import Example, LabelKind, TaskSpec, TaskType
from flame.core.pairwise import RESPONSE_A, RESPONSE_B
from flame.core.template import parse, render

from .backends.base import Backend, BackendError, GenerateRequest, PromptTooLong, ScoreRequest
from .long_input import LongInput, chunk_budget, split_text
from .separate import prob_a_better, response_score, single_response_example, single_response_task

_SWAP_LABEL = {"A": "B", "B": "A"}
PAIRWISE_MODES = ("ab", "separate")
MAX_SPLITS = 3  # a chunk still too long is split again, this many levels deep at most


def first_order(uid: str) -> str:
    """The candidate order shown first for an example: a stable coin flip on its uid."""
    return ORIGINAL if hashlib.sha256(uid.encode()).digest()[0] % 2 == 0 else SWAPPED


def swap_candidates(example: Example) -> Example:
    """The example with response_a and response_b exchanged (targets mapped to match)."""
    inputs = dict(example.inputs)
    inputs[RESPONSE_A], inputs[RESPONSE_B] = example.inputs[RESPONSE_B], example.inputs[RESPONSE_A]
    targets = {k: _SWAP_LABEL.get(v, v) for k, v in example.targets.items()}
    return Example(task=example.task, inputs=inputs, targets=targets, provenance=example.provenance)


@dataclass
class _Run:
    """One prompt to judge: an example in one candidate order, or one candidate alone
    (pairwise="separate": order is the candidate, "A" or "B", and the task its twin)."""

    order: str
    prompt: str
    task: TaskSpec


class Autorater:
    """Judges examples with a backend (see the module docstring).

    mode: "score" judges closed label spaces by log-likelihood (open-ended fields are
    always generated); "generate" generates and parses for every task.
    long_input: how to judge an example whose prompt is longer than the model's context
    (which input to split into chunks, which label's chunk to keep); None: such an
    example is an invalid judgment.
    pairwise: "ab" shows both candidates and reads the A/B verdict (both orders with swap);
    "separate" scores each candidate on its own and compares the scores (needs scoring).
    """

    def __init__(self, backend: Backend, *, swap: bool = True, mode: str = "score", max_tokens: int = 256,
                 long_input: LongInput | None = None, pairwise: str = "ab") -> None:
        if mode not in ("score", "generate"):
            raise ValueError(f"mode must be 'score' or 'generate', got {mode!r}")
        if pairwise not in PAIRWISE_MODES:
            raise ValueError(f"pairwise must be one of {', '.join(PAIRWISE_MODES)}, got {pairwise!r}")
        if pairwise == "separate" and mode == "generate":
            raise ValueError("pairwise='separate' compares label likelihoods; it cannot run with mode='generate'")
        self.backend, self.swap, self.mode, self.max_tokens = backend, swap, mode, max_tokens
        self.pairwise = pairwise
        self.long_input = long_input
        self._can_score: bool | None = None

    def judge(self, task: TaskSpec, example: Example) -> Judgment:
        """Judge one example."""
        return self.judge_many(task, [example])[0]

    def judge_in_chunks(self, task: TaskSpec, example: Example, tokens: int, limit: int) -> Judgment:
        """Judge an example of `tokens` tokens in chunks of its `long_input` field sized for
        `limit` tokens: what a too-long prompt gets, for a caller that knows the length first
        (a server whose input cap is below the model's context)."""
        if self.long_input is None or self.long_input.field not in example.inputs:
            raise ValueError(f"judging in chunks needs long_input naming an input of {task.name!r}")
        return self._judge_long(task, example, PromptTooLong(tokens, limit), MAX_SPLITS)

    def judge_many(self, task: TaskSpec, examples: Iterable[Example], batch_size: int = 8) -> list[Judgment]:
        """Judge examples of one task, `batch_size` examples per backend call; input order kept."""
        return list(self.iter_judge(((task, e) for e in examples), batch_size))

    def iter_judge(self, items: Iterable[tuple[TaskSpec, Example]], batch_size: int = 8) -> Iterator[Judgment]:
        """Judge (task, example) pairs lazily, in order, `batch_size` examples per backend call.

        A batch the backend rejects (e.g. an over-long prompt) is retried one example at a
        time, and an example that still fails becomes an invalid Judgment with the error.
        """
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        batch: list[tuple[TaskSpec, Example]] = []
        for item in items:
            batch.append(item)
            if len(batch) == batch_size:
                yield from self._judge_batch(batch)
                batch = []
        if batch:
            yield from self._judge_batch(batch)

    # -- internals ---------------------------------------------------------------------

    def _judge_batch(self, batch: Sequence[tuple[TaskSpec, Example]]) -> list[Judgment]:
        try:
            return self._judge_all(batch)
        except BackendError as e:
            if len(batch) > 1:
                return [j for item in batch for j in self._judge_batch([item])]
            task, ex = batch[0]
            if isinstance(e, PromptTooLong) and self.long_input and self.long_input.field in ex.inputs:
                return [self._judge_long(task, ex, e, MAX_SPLITS)]
            return [self._invalid(task, ex, f"backend error: {e}")]

    def _judge_long(self, task: TaskSpec, ex: Example, error: PromptTooLong, splits_left: int) -> Judgment:
        """An over-long example judged in chunks of its `long_input` field (module docstring)."""
        assert self.long_input is not None
        name, keep = self.long_input.field, self.long_input.keep
        if keep not in task.primary_output.labels.labels:
            return self._invalid(task, ex, f"backend error: {error}; {name} not split: keep={keep!r} is not a label "
                                           f"of {task.name!r} ({', '.join(task.primary_output.labels.labels)})")
        text = ex.inputs[name]
        prompt = self.backend.prepare(render(task, ex).text)
        try:
            chunks = split_text(text, chunk_budget(len(prompt), len(text), error.tokens, error.limit))
        except ValueError as e:
            return self._invalid(task, ex, f"backend error: {error}; {name} not split: {e}")
        judged = []
        for chunk in chunks:
            part = Example(task=ex.task, inputs={**ex.inputs, name: chunk}, targets=ex.targets,
                           provenance=ex.provenance)
            try:
                judged.append(self._judge_all([(task, part)])[0])
            except PromptTooLong as e:
                judged.append(self._judge_long(task, part, e, splits_left - 1) if splits_left > 1
                              else self._invalid(task, part, f"backend error: {e}"))
            except BackendError as e:
                judged.append(self._invalid(task, part, f"backend error: {e}"))
        count = sum(j.chunks or 1 for j in judged)
        failed = next((j for j in judged if not j.valid), None)
        if failed:  # the most supportive chunk is unknown while one is unjudged
            return self._invalid(task, ex, f"{name} split into {count} chunks; a chunk failed: {failed.error}")
        if any(j.probs for j in judged):
            best = max(judged, key=lambda j: j.probs.get(keep, 0.0))
        else:
            best = next((j for j in judged if j.label == keep), judged[0])
        return dataclasses.replace(best, uid=ex.uid, target=self._target(task, ex), chunks=count)

    def _runs(self, task: TaskSpec, example: Example) -> list[_Run]:
        if task.task_type is not TaskType.PAIRWISE:
            return [_Run(ORIGINAL, self.backend.prepare(render(task, example).text), task)]
        missing = {RESPONSE_A, RESPONSE_B} - set(task.input_names)
        if missing:
            raise ValueError(f"pairwise task {task.name!r} lacks input field(s) {sorted(missing)}")
        if self._separate(task):
            twin = single_response_task(task)
            return [_Run(which, self.backend.prepare(render(twin, single_response_example(task, example, which)).text),
                         twin) for which in ("A", "B")]
        first = first_order(example.uid)
        orders = [first, SWAPPED if first == ORIGINAL else ORIGINAL] if self.swap else [first]
        runs = []
        for order in orders:
            shown = example if order == ORIGINAL else swap_candidates(example)
            runs.append(_Run(order, self.backend.prepare(render(task, shown).text), task))
        return runs

    def _judge_all(self, batch: Sequence[tuple[TaskSpec, Example]]) -> list[Judgment]:
        plans = [(task, ex, self._runs(task, ex)) for task, ex in batch]
        score_reqs: list[ScoreRequest] = []
        gen_reqs: list[GenerateRequest] = []
        for task, ex, runs in plans:
            for run in runs:
                field = run.task.primary_output
                if self._scores(task):
                    score_reqs += [ScoreRequest(run.prompt + f"{field.name}: ", lab) for lab in field.labels.labels]
                elif not self._separate(task):
                    gen_reqs.append(GenerateRequest(run.prompt, *self._gen_limits(task)))
        logps = iter(self.backend.score(score_reqs) if score_reqs else [])
        texts = iter(self.backend.generate(gen_reqs) if gen_reqs else [])
        out = []
        for task, ex, runs in plans:
            if self._scores(task):
                per_run = {run.order: [next(logps) for _ in run.task.primary_output.labels.labels] for run in runs}
                out.append(self._from_separate(task, ex, per_run) if self._separate(task)
                           else self._from_scores(task, ex, runs[0].order, per_run))
            elif self._separate(task):
                out.append(self._invalid(task, ex, "pairwise='separate' needs label log-likelihoods; this backend "
                                                   "gives none (judge with pairwise='ab')"))
            else:
                out.append(self._from_texts(task, ex, runs[0].order, {run.order: next(texts) for run in runs}))
        return out

    def _scores(self, task: TaskSpec) -> bool:
        if self._can_score is None:  # a remote backend may give no logprobs: then generate
            self._can_score = bool(getattr(self.backend, "can_score", True))
        return self.mode == "score" and task.primary_output.labels.closed and self._can_score

    def _separate(self, task: TaskSpec) -> bool:
        return self.pairwise == "separate" and task.task_type is TaskType.PAIRWISE

    def _gen_limits(self, task: TaskSpec) -> tuple[int, tuple[str, ...]]:
        if len(task.outputs) == 1 and task.primary_output.labels.closed:
            return 16, ("\n",)  # one short label line
        return self.max_tokens, ()

    def _from_scores(self, task: TaskSpec, ex: Example, first: str, per_order: dict[str, list[float]]) -> Judgment:
        labels = task.primary_output.labels
        order_probs: dict[str, dict[str, float]] = {}
        for order, values in per_order.items():
            # -inf (a label the backend rules out) is a probability of 0; NaN, or no label
            # with a finite score, is an invalid judgment.
            if any(math.isnan(v) for v in values) or not any(math.isfinite(v) for v in values):
                return self._invalid(task, ex, f"no usable log-likelihood in order {order}: {values}", first)
            probs = dict(zip(labels.labels, _softmax(values)))
            if order == SWAPPED:
                probs = {_SWAP_LABEL.get(k, k): v for k, v in probs.items()}
            order_probs[order] = {lab: probs[lab] for lab in labels.labels}
        probs = {lab: sum(p[lab] for p in order_probs.values()) / len(order_probs) for lab in labels.labels}
        label = max(labels.labels, key=lambda lab: probs[lab])
        pairwise = task.task_type is TaskType.PAIRWISE
        order_labels = {o: max(p, key=p.get) for o, p in order_probs.items()} if pairwise else {}
        return Judgment(
            task=task.name, uid=ex.uid, label=label, probs=probs,
            expected=sum(int(k) * v for k, v in probs.items()) if labels.kind is LabelKind.LIKERT else None,
            order_probs=order_probs if pairwise else {}, order_labels=order_labels,
            orders_agree=(len(set(order_labels.values())) == 1) if len(order_labels) == 2 else None,
            first_order=first if pairwise else None, target=self._target(task, ex), model=self.backend.fingerprint,
        )

    def _from_separate(self, task: TaskSpec, ex: Example, per_run: dict[str, list[float]]) -> Judgment:
        """A pair judged from its candidates' own scores: P(A) = sigmoid(s_A - s_B)."""
        scores = {}
        for which, (log_yes, log_no) in per_run.items():  # the twin's labels are (Yes, No)
            if math.isnan(log_yes) or math.isnan(log_no) or not (math.isfinite(log_yes) or math.isfinite(log_no)):
                return self._invalid(task, ex, f"no usable log-likelihood for response {which}: {[log_yes, log_no]}")
            scores[which] = response_score(log_yes, log_no)
        p_a = prob_a_better(scores["A"], scores["B"]) if scores["A"] != scores["B"] else 0.5
        probs = {lab: {"A": p_a, "B": 1.0 - p_a}.get(lab, 0.0) for lab in task.primary_output.labels.labels}
        return Judgment(task=task.name, uid=ex.uid, label="A" if p_a >= 0.5 else "B", probs=probs,
                        target=self._target(task, ex), model=self.backend.fingerprint)

    def _from_texts(self, task: TaskSpec, ex: Example, first: str, texts: dict[str, str]) -> Judgment:
        field = task.primary_output.name
        pairwise = task.task_type is TaskType.PAIRWISE
        verdicts: dict[str, str | None] = {}
        errors = []
        for order, text in texts.items():
            result = parse(task, text.rstrip())
            value = result.values.get(field) if result.valid else None
            verdicts[order] = _SWAP_LABEL.get(value, value) if (order == SWAPPED and value) else value
            if not result.valid:
                errors.append(f"order {order}: {result.error}" if pairwise else result.error)
        raw = "\n---\n".join(texts[o] for o in texts) if pairwise else texts[ORIGINAL]
        common = dict(task=task.name, uid=ex.uid, raw=raw, target=self._target(task, ex), model=self.backend.fingerprint,
                      first_order=first if pairwise else None, order_labels=verdicts if pairwise else {})
        if errors:
            return Judgment(label=None, valid=False, error="; ".join(errors), **common)
        if not pairwise:
            return Judgment(label=verdicts[ORIGINAL], **common)
        # Generated verdicts carry no probabilities; when the two orders disagree, the
        # order shown first decides (a stable tie-break) and orders_agree says so.
        agree = (len(set(verdicts.values())) == 1) if len(verdicts) == 2 else None
        return Judgment(label=verdicts[first], orders_agree=agree, **common)

    def _invalid(self, task: TaskSpec, ex: Example, error: str, first: str | None = None) -> Judgment:
        return Judgment(task=task.name, uid=ex.uid, label=None, valid=False, error=error,
                        first_order=first if task.task_type is TaskType.PAIRWISE else None,
                        target=self._target(task, ex), model=self.backend.fingerprint)

    @staticmethod
    def _target(task: TaskSpec, ex: Example) -> str | None:
        return ex.targets.get(task.primary_output.name)


def _softmax(values: Sequence[float]) -> list[float]:
    top = max(values)
    exps = [math.exp(v - top) for v in values]
    total = sum(exps)
    return [e / total for e in exps]
