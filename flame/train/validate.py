"""Validation during training, judged by the code path benchmarks use: the Autorater.

The model being trained is wrapped in the transformers judge backend and each validation
example is judged as `flame eval` would judge it: label log-likelihoods, both candidate
orders of a pairwise example (or, with pairwise="separate", each candidate on its own).
Per task and overall: accuracy against the human label, and for pairwise tasks judged in
both orders the share whose two orders agree and the share of single-order verdicts that
pick the candidate shown first (0.5: no position bias). Every process runs the same
validation set (small), so sharded models see the same forward passes on every rank.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from flame.core.judgment import Judgment


def validation_metrics(judgments: Mapping[str, Sequence[Judgment]]) -> dict[str, float]:
    """val_accuracy, val_orders_agree and val_first_shown, per task (`name/TASK`) and over all
    judgments; a rate is left out where nothing was judged that it applies to."""
    metrics: dict[str, float] = {}
    every: list[Judgment] = []
    for task, js in sorted(judgments.items()):
        metrics.update({f"{k}/{task}": v for k, v in _rates(js).items()})
        every += js
    metrics.update(_rates(every))
    return metrics


def _rates(js: Sequence[Judgment]) -> dict[str, float]:
    out: dict[str, float] = {}
    labelled = [j for j in js if j.target is not None]
    if labelled:
        out["val_accuracy"] = sum(bool(j.correct) for j in labelled) / len(labelled)
    agree = [j.orders_agree for j in js if j.orders_agree is not None]
    if agree:
        out["val_orders_agree"] = sum(agree) / len(agree)
    # labels are in the candidates' own names, so in order "BA" the first shown is B
    picks = [label == order[0] for j in js for order, label in j.order_labels.items() if label]
    if picks:
        out["val_first_shown"] = sum(picks) / len(picks)
    return out


def validate(model: Any, tokenizer: Any, rows: Mapping[str, Sequence[Mapping[str, str]]], *, chat: bool,
             pairwise: str = "ab", batch_size: int = 8) -> dict[str, float]:
    """Judge every validation row with an Autorater over the model being trained (module docstring)."""
    from flame.judge.autorater import Autorater
    from flame.judge.backends.hf import HFBackend
    from flame.judge.prompting import has_chat_template

    from .data import row_example, row_task

    was_training = model.training
    backend = HFBackend(model, tokenizer, fingerprint="training", chat=chat and has_chat_template(tokenizer))
    rater = Autorater(backend, swap=True, pairwise=pairwise)
    try:
        judged = {task: rater.judge_many(row_task(task_rows[0]), [row_example(r) for r in task_rows], batch_size)
                  for task, task_rows in rows.items() if task_rows}
    finally:
        if was_training:
            model.train()
    return validation_metrics(judged)
