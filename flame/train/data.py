"""From collection rows to training tensors: the loss falls on target tokens only.

An example is `prompt + target + eos`, tokenized as two pieces (the prompt ends with
"EVALUATION:\\n", so the cut is a clean token boundary); the prompt is prepared as the
judge's HF backend prepares it (its own `chat_prepare` and `encode_context`: chat template
where the tokenizer has one, BOS where the model expects it). Prompt positions get label -100 and
add nothing to the loss. A global batch is sorted by length before it is cut into
micro-batches (length grouping: little padding), and every micro-batch goes to one process.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flame.judge.backends.hf import chat_prepare, encode_context

IGNORE = -100


@dataclass(frozen=True)
class Encoded:
    """One tokenized example: input ids and labels of equal length (-100 on the prompt)."""

    input_ids: list[int]
    labels: list[int]
    task: str

    @property
    def target_tokens(self) -> int:
        return sum(1 for t in self.labels if t != IGNORE)


def prepare_prompt(tokenizer: Any, prompt: str, chat: bool) -> str:
    """The text the model continues, exactly as the judge's HF backend prepares it.

    With chat (and a tokenizer that has a chat template) the INSTRUCTIONS and CONTEXT blocks
    form a user turn and the assistant turn starts with the `EVALUATION:` header, so the
    model learns the verdict lines as its answer; a model is judged as it was trained.
    """
    if not chat or not getattr(tokenizer, "chat_template", None):
        return prompt
    return chat_prepare(tokenizer, prompt)


def encode(tokenizer: Any, prompt: str, target: str, max_length: int, task: str = "") -> Encoded:
    """Tokenize a prepared prompt and its target; prompt tokens are masked out of the loss.

    When the example is longer than max_length, tokens are removed from the middle of the
    prompt, keeping the instructions at its start and the EVALUATION header at its end; a
    target that alone does not fit is cut at its end.
    """
    p = encode_context(tokenizer, prompt)
    t = tokenizer(target, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
    if len(t) >= max_length:
        t = t[: max_length - 1]
    room = max_length - len(t)
    if len(p) > room:
        head = room // 2
        p = p[:head] + p[len(p) - (room - head):]
    return Encoded(p + t, [IGNORE] * len(p) + t, task)


def micro_batches(batch: Sequence[Encoded], micro_batch_size: int) -> list[list[Encoded]]:
    """Cut a global batch into micro-batches of similar lengths (longest first)."""
    order = sorted(range(len(batch)), key=lambda i: (-len(batch[i].input_ids), i))
    ordered = [batch[i] for i in order]
    return [ordered[i : i + micro_batch_size] for i in range(0, len(ordered), micro_batch_size)]


def collate(examples: Sequence[Encoded], pad_id: int) -> dict[str, Any]:
    """Right-padded tensors: input_ids, attention_mask, labels (-100 on padding)."""
    import torch

    width = max(len(e.input_ids) for e in examples)
    ids = torch.full((len(examples), width), pad_id, dtype=torch.long)
    labels = torch.full((len(examples), width), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(examples), width), dtype=torch.long)
    for i, e in enumerate(examples):
        n = len(e.input_ids)
        ids[i, :n] = torch.tensor(e.input_ids)
        labels[i, :n] = torch.tensor(e.labels)
        mask[i, :n] = 1
    return {"input_ids": ids, "attention_mask": mask, "labels": labels}


def target_logits(model: Any, batch: dict[str, Any]) -> tuple[Any, Any]:
    """(logits, labels) at the positions that predict a target token, for every row.

    The LM head runs only where some row of the micro-batch has a target token (prompts are
    long, verdicts short; the full vocabulary projection of every prompt position would cost
    far more than the rest of the model); rows are length-grouped, so these positions are few.
    """
    import torch

    labels = batch["labels"][:, 1:]
    positions = torch.nonzero((labels != IGNORE).any(0)).squeeze(-1)  # position p predicts token p + 1
    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                   logits_to_keep=positions).logits
    return logits.float(), labels[:, positions].to(logits.device)


def token_loss_sum(model: Any, batch: dict[str, Any]) -> Any:
    """Sum of the cross-entropy of every labelled (target) token in the batch."""
    import torch.nn.functional as F

    logits, labels = target_logits(model, batch)
    return F.cross_entropy(logits.reshape(-1, logits.size(-1)), labels.reshape(-1), ignore_index=IGNORE, reduction="sum")
