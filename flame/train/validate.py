"""Periodic validation: target-token loss per task, and label accuracy where the label space is closed.

Accuracy is judged the way the judge answers closed questions: the log-likelihood of each
verbalized label (`field: label` after the prompt) is computed and the most likely one is
compared with the human label. Every process runs the same validation set (small), so
sharded models (FSDP, ZeRO-3) see the same forward passes on every rank.
"""

from __future__ import annotations

import json
from typing import Any, Mapping, Sequence

from .data import IGNORE, Encoded, collate, encode, micro_batches, prepare_prompt, target_logits


def sequence_logprobs(model: Any, examples: Sequence[Encoded], pad_id: int, micro_batch_size: int) -> tuple[list[float], list[int]]:
    """Per example: summed log-probability of its labelled tokens, and their number."""
    import torch

    totals: list[float] = [0.0] * len(examples)
    counts: list[int] = [e.target_tokens for e in examples]
    index = {id(e): i for i, e in enumerate(examples)}
    for chunk in micro_batches(examples, micro_batch_size):
        device = next(model.parameters()).device
        batch = {k: v.to(device) for k, v in collate(chunk, pad_id).items()}
        logits, labels = target_logits(model, batch)
        logp = torch.log_softmax(logits, dim=-1)
        mask = labels != IGNORE
        picked = logp.gather(-1, labels.clamp(min=0).unsqueeze(-1)).squeeze(-1) * mask
        for e, value in zip(chunk, picked.sum(-1).tolist()):
            totals[index[id(e)]] = value
    return totals, counts


def closed_label_field(source: str, task: str) -> tuple[str, tuple[str, ...]] | None:
    """(primary output field, its labels) when the task's verdict has a closed label space.

    The task is looked up in its own source (the collection's `source` column), so only
    that adapter is imported.
    """
    from flame.core.registry import RegistryError
    from flame.data.sources import SOURCES

    try:
        spec = SOURCES.get(source).task(task)
    except (RegistryError, KeyError):
        return None
    out = spec.primary_output
    return (out.name, out.labels.labels) if out.labels.closed else None


def validate(model: Any, tokenizer: Any, rows: Mapping[str, Sequence[Mapping[str, str]]], *, max_length: int,
             micro_batch_size: int, chat: bool) -> dict[str, float]:
    """val_loss (mean over target tokens), val_loss/TASK, and val_accuracy(/TASK) for closed label spaces."""
    import torch

    pad = tokenizer.pad_token_id
    metrics: dict[str, float] = {}
    loss_total = tokens_total = 0.0
    correct_total = judged_total = 0
    was_training = model.training
    model.eval()
    with torch.no_grad():
        for task, task_rows in sorted(rows.items()):
            prompts = [prepare_prompt(tokenizer, r["prompt"], chat) for r in task_rows]
            encoded = [encode(tokenizer, p, r["target"], max_length, task) for p, r in zip(prompts, task_rows)]
            logps, counts = sequence_logprobs(model, encoded, pad, micro_batch_size)
            metrics[f"val_loss/{task}"] = -sum(logps) / max(1, sum(counts))
            loss_total, tokens_total = loss_total - sum(logps), tokens_total + sum(counts)
            closed = closed_label_field(task_rows[0]["source"], task) if task_rows else None
            if closed is None:
                continue
            name, labels = closed
            candidates = [encode(tokenizer, p, f"{name}: {label}", max_length, task) for p in prompts for label in labels]
            # the eos that `encode` appends is part of every candidate alike; score without it
            candidates = [Encoded(c.input_ids[:-1], c.labels[:-1], task) for c in candidates]
            scores, _ = sequence_logprobs(model, candidates, pad, micro_batch_size)
            correct = 0
            for i, r in enumerate(task_rows):
                row_scores = scores[i * len(labels) : (i + 1) * len(labels)]
                guess = labels[max(range(len(labels)), key=row_scores.__getitem__)]
                correct += guess == json.loads(r["targets"]).get(name)
            metrics[f"val_accuracy/{task}"] = correct / len(task_rows)
            correct_total, judged_total = correct_total + correct, judged_total + len(task_rows)
    if was_training:
        model.train()
    metrics["val_loss"] = loss_total / max(1.0, tokens_total)
    if judged_total:
        metrics["val_accuracy"] = correct_total / judged_total
    return metrics
