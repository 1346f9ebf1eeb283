"""From collection rows to training tensors.

Two ways to train on a row, as the judge will be asked (`pairwise` in the config):

- "ab" (every task; pairwise tasks show both candidates): the example is
  `prompt + target + eos`, tokenized as two pieces (the prompt ends with "EVALUATION:\\n",
  so the cut is a clean token boundary). Prompt positions get label -100 and add nothing to
  the loss. With `swap_augment`, a pairwise row is trained in both candidate orders (the
  second with A and B exchanged), so always answering the first-shown candidate cannot
  lower the loss (JudgeLM's swap augmentation).
- "separate" (pairwise tasks): each candidate is rendered alone as the task's
  single-response twin (flame.judge.separate), up to `preferred:`; the Bradley-Terry loss
  compares the Yes-vs-No logits at the two ends.

Prompts are prepared as every judge backend prepares them (flame.judge.prompting: the chat
layout where the tokenizer has a template, BOS where the model expects it), so a model is
judged exactly as it was trained. A prompt longer than `max_length` loses the start of its longest context input (a
dialogue's oldest turns, a document's opening), never the candidates being judged; only
when that is not enough is the middle of the prompt cut. A global batch is sorted by
length before it is cut into micro-batches of rows (length grouping: little padding), and
every micro-batch goes to one process.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flame.core.records import Example, Provenance, TaskSpec, TaskType
from flame.core.template import render
from flame.core.pairwise import RESPONSE_A, RESPONSE_B
from flame.judge.autorater import swap_candidates
from flame.judge.prompting import common_prefix, encode_context, prepare, split_whitespace
from flame.judge.separate import NO, PREFERRED, RESPONSE, YES, single_response_example, single_response_task

IGNORE = -100
ELLIPSIS = "…"


@dataclass(frozen=True)
class Encoded:
    """One tokenized example: input ids and labels of equal length (-100 on the prompt)."""

    input_ids: list[int]
    labels: list[int]
    task: str

    @property
    def target_tokens(self) -> int:
        return sum(1 for t in self.labels if t != IGNORE)


@dataclass(frozen=True)
class Pair:
    """A pairwise row trained by the Bradley-Terry loss: the token ids of the chosen and of the
    rejected candidate's single-response prompt, each ending at `preferred:`."""

    chosen: list[int]
    rejected: list[int]
    task: str


Unit = list  # what one row becomes: one or two Encoded (ab), or one Pair (separate)


def unit_length(unit: Sequence[Encoded | Pair]) -> int:
    """The longest sequence of a row's unit (for length grouping)."""
    return max(len(x.input_ids) if isinstance(x, Encoded) else max(len(x.chosen), len(x.rejected)) for x in unit)


def row_task(row: dict[str, str]) -> TaskSpec:
    """The TaskSpec of a collection row, looked up in its own source (only that adapter is imported)."""
    from flame.data.sources import SOURCES

    return SOURCES.get(row["source"]).task(row["task"])


def row_example(row: dict[str, str]) -> Example:
    """The Example a collection row holds (uid checked against its content)."""
    return Example(task=row["task"], inputs=json.loads(row["inputs"]), targets=json.loads(row["targets"]),
                   provenance=Provenance(row["source"], row.get("file", ""), row.get("row", "")))


def label_token_ids(tokenizer: Any, labels: Sequence[str] = (YES, NO)) -> list[int]:
    """The token id of each label as the judge scores it after `field: ` (" Yes"); one token each."""
    ids = []
    for label in labels:
        _, cont = split_whitespace(f"{PREFERRED}: ", label)
        tokens = tokenizer(cont, add_special_tokens=False).input_ids
        if len(tokens) != 1:
            raise ValueError(f"label {cont!r} is {len(tokens)} tokens for this tokenizer; the Bradley-Terry "
                             f"loss needs one-token labels")
        ids.append(tokens[0])
    return ids


def fit_prompt(tokenizer: Any, task: TaskSpec, example: Example, chat: bool, budget: int) -> str:
    """The prepared prompt of example, made to fit `budget` tokens by cutting the start of its
    longest context input (never a candidate under judgment); may still be over budget when
    the candidates alone are longer."""
    protected = _judged_inputs(task)
    for _ in range(4):
        prompt = prepare(tokenizer, render(task, example).text, chat)
        over = len(encode_context(tokenizer, prompt)) - budget
        cuttable = [n for n in task.input_names if n not in protected and example.inputs[n]]
        if over <= 0 or not cuttable:
            return prompt
        name = max(cuttable, key=lambda n: len(example.inputs[n]))
        ids = tokenizer(example.inputs[name], add_special_tokens=False).input_ids
        kept = tokenizer.decode(ids[over + 8 :]) if len(ids) > over + 8 else ""  # 8: re-tokenization slack
        inputs = {**example.inputs, name: ELLIPSIS + kept}
        example = Example(task=example.task, inputs=inputs, targets=example.targets, provenance=example.provenance)
    return prompt


def _judged_inputs(task: TaskSpec) -> set[str]:
    names = set(task.input_names)
    if {RESPONSE_A, RESPONSE_B} <= names:
        return {RESPONSE_A, RESPONSE_B}
    if RESPONSE in names:
        return {RESPONSE}
    return {task.input_names[-1]}  # what a pointwise or classification task judges comes last


def encode_row(tokenizer: Any, row: dict[str, str], *, max_length: int, chat: bool, pairwise: str = "ab",
               swap_augment: bool = False) -> Unit:
    """What one collection row trains on (module docstring); empty for a pair with no A/B
    preference in separate mode (a tie has no chosen candidate)."""
    task = row_task(row)
    example = row_example(row)
    is_pair = task.task_type is TaskType.PAIRWISE
    if is_pair and pairwise == "separate":
        label = example.targets.get(task.primary_output.name)
        if label not in ("A", "B"):
            return []
        twin = single_response_task(task)
        ids = {}
        for which in ("A", "B"):
            single = single_response_example(task, example, which)
            context, _ = split_whitespace(fit_prompt(tokenizer, twin, single, chat, max_length - 1) + f"{PREFERRED}: ", "")
            ids[which] = encode_context(tokenizer, context)[-max_length:]
        other = "B" if label == "A" else "A"
        return [Pair(ids[label], ids[other], row["task"])]
    shown = [example, swap_candidates(example)] if is_pair and swap_augment else [example]
    unit = []
    for ex in shown:
        target = render(task, ex).target
        budget = max_length - len(tokenizer(target, add_special_tokens=False).input_ids) - 1
        unit.append(encode(tokenizer, fit_prompt(tokenizer, task, ex, chat, budget), target, max_length, row["task"]))
    return unit


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


def unit_micro_batches(units: Sequence[Unit], micro_batch_size: int) -> list[list[Unit]]:
    """Cut a global batch of row units into micro-batches of `micro_batch_size` rows of similar
    lengths (longest first); the count is the same whatever each row became."""
    order = sorted(range(len(units)), key=lambda i: (-unit_length(units[i]) if units[i] else 0, i))
    ordered = [units[i] for i in order]
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


def pair_margins(model: Any, pairs: Sequence[Pair], pad_id: int, label_ids: Sequence[int]) -> Any:
    """s_chosen - s_rejected for each pair, where s = logit(Yes) - logit(No) at a sequence's
    last token (the judge's response score, flame.judge.separate).

    The two sequences of a pair share everything before the candidate (chat header,
    instructions, context): that prefix runs once, and the two rests run on its KV cache
    (gradients flow through the cache), at about half the tokens of two full passes. Pairs
    run one at a time: on a CPU, padding costs more than small batches save.
    """
    import torch

    device = next(model.parameters()).device
    yes, no = label_ids
    margins = []
    for pair in pairs:
        seqs = (pair.chosen, pair.rejected)
        shared = min(common_prefix(seqs), len(pair.chosen) - 1, len(pair.rejected) - 1)
        cache = None
        if shared:
            cache = model(input_ids=torch.tensor([pair.chosen[:shared]], device=device), use_cache=True,
                          logits_to_keep=1).cache
            cache.batch_repeat_interleave(2)
        rests = [s[shared:] for s in seqs]
        width = max(len(r) for r in rests)
        ids = torch.full((2, width), pad_id, dtype=torch.long)
        mask = torch.zeros((2, shared + width), dtype=torch.long)
        mask[:, :shared] = 1
        for i, r in enumerate(rests):
            ids[i, : len(r)] = torch.tensor(r)
            mask[i, shared : shared + len(r)] = 1
        ends = torch.tensor([len(r) - 1 for r in rests])
        positions, where = torch.unique(ends, return_inverse=True)
        out = model(input_ids=ids.to(device), attention_mask=mask.to(device), cache=cache, use_cache=shared > 0,
                    position_ids=(shared + torch.arange(width)).expand(2, -1).to(device),
                    logits_to_keep=positions.to(device))
        last = out.logits[torch.arange(2, device=device), where.to(device)].float()
        score = last[:, yes] - last[:, no]
        margins.append(score[0] - score[1])
    return torch.stack(margins)


def preference_loss_sum(model: Any, pairs: Sequence[Pair], pad_id: int, label_ids: Sequence[int]) -> tuple[Any, int]:
    """Sum over pairs of the Bradley-Terry loss -log sigmoid(s_chosen - s_rejected), and how
    many pairs have s_chosen > s_rejected."""
    import torch.nn.functional as F

    margin = pair_margins(model, pairs, pad_id, label_ids)
    return -F.logsigmoid(margin).sum(), int((margin > 0).sum().item())
