"""transformers backend: any causal LM (fp32 on CPU, bf16 on CUDA), optional PEFT adapter.

Scoring computes each distinct context once and only the logits it needs: the LM head is
applied to a context's last position only, which gives the log-probability of every
continuation's first token (a closed label space of one-token labels such as A/B or Yes/No
costs one prompt pass); continuations longer than one token (" 1" is a space token then a
digit) are run on top of the context's KV cache. Two schedules share that:

- sequential (the default on CPU): contexts are run one at a time in token order, and a KV
  cache kept across calls is cut back to the prefix each context shares with the previous
  one, so only the rest is computed (llama.cpp's prompt cache). Both candidate orders of a
  pair share the CONTEXT up to the first response, every pair of a CoBBLEr instruction or a
  code-rerank problem shares the question (and, in token order, often the first response),
  every example of a task shares the INSTRUCTIONS block. No padding is computed.
  (`bench/judge_schedule.py` measures it against the batched schedule: 1.8-3.2x on CPU.)
- batched (the default on CUDA, where one wide pass beats many narrow ones): the distinct
  contexts of a call are right-padded and run in one pass; with `prefix_cache` the tokens all
  of them share run once first and their KV cache is expanded to the batch. Right padding
  with explicit masks and position ids keeps every real token at the same position whatever
  the batch, so results do not depend on batch size beyond float rounding (tests check 1 vs 8
  within 1e-4).

`prefix_cache=False` computes every context in full (for tests and benchmarks).

The text and tokens the model sees (chat layout where the tokenizer has a template, BOS,
lm-eval's whitespace rule) are flame.judge.prompting's, shared with the other backends and
with training.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Sequence

from flame.core.errors import require

from ..prompting import (bos_to_add, chat_prepare, common_prefix, encode_context, format_hash, has_chat_template,
                         split_whitespace)
from .base import BackendError, GenerateRequest, PromptTooLong, ScoreRequest, cut_at_stop

MIN_SHARED_PREFIX = 16  # shorter shared prefixes are not worth a separate pass


class HFBackend:
    """A transformers causal LM as a judge backend.

    Build it with `HFBackend.load(path, ...)`, or from an already loaded model and tokenizer
    (the fingerprint must then name them; by default it hashes the parameters).
    """

    def __init__(self, model: Any, tokenizer: Any, *, fingerprint: str | None = None,
                 chat: bool | None = None, name: str = "hf", prefix_cache: bool = True,
                 sequential: bool | None = None) -> None:
        torch = require("torch", "hf")
        self.torch = torch
        self.model = model.eval()
        self.prefix_cache = prefix_cache
        self.tokenizer = tokenizer
        self.device = next(model.parameters()).device
        self.sequential = self.device.type == "cpu" if sequential is None else sequential
        # The Batched wrapper hands a sequential backend its requests in context order, so
        # neighbours share prefixes; a padded batch wants similar lengths together instead.
        self.request_order = "context" if self.sequential else "length"
        self._lock = threading.Lock()  # the kept KV cache is state: one call at a time
        self._kept: tuple[list[int], Any] = ([], None)  # (token ids, their KV cache)
        self.chat = has_chat_template(tokenizer) if chat is None else chat
        if self.chat and not has_chat_template(tokenizer):
            raise BackendError("chat=True but the tokenizer has no chat template")
        base = model.get_base_model() if hasattr(model, "get_base_model") else model
        self._decoder = base.get_decoder()
        self._head = base.get_output_embeddings()
        self._bos = bos_to_add(tokenizer)
        self.max_length = int(getattr(model.config, "max_position_embeddings", 0) or 0) or None
        weights = fingerprint or _parameter_hash(model)
        dtype = str(next(model.parameters()).dtype).removeprefix("torch.")
        self.fingerprint = f"{name}:{weights}:{dtype}:fmt-{format_hash(tokenizer.chat_template if self.chat else None)}"

    @classmethod
    def load(cls, path: str | Path, *, adapter: str | Path | None = None, device: str | None = None,
             dtype: str | None = None, chat: bool | None = None, fingerprint: str | None = None,
             prefix_cache: bool = True, sequential: bool | None = None) -> "HFBackend":
        """Load a model directory (safetensors) and its tokenizer, plus an optional PEFT adapter.

        Defaults: CUDA in bfloat16 when available, else CPU in float32.
        """
        torch = require("torch", "hf")
        transformers = require("transformers", "hf")
        device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        dtype = dtype or ("bfloat16" if device.startswith("cuda") else "float32")
        tokenizer = transformers.AutoTokenizer.from_pretrained(str(path))
        model = transformers.AutoModelForCausalLM.from_pretrained(str(path), dtype=getattr(torch, dtype))
        if adapter is not None:
            peft = require("peft", "hf")
            model = peft.PeftModel.from_pretrained(model, str(adapter))
        model.to(device)
        return cls(model, tokenizer, fingerprint=fingerprint, chat=chat, prefix_cache=prefix_cache,
                   sequential=sequential)

    # -- prompt format ---------------------------------------------------------------

    def prepare(self, prompt: str) -> str:
        """The exact text the model continues for a FLAMe prompt (see module docstring)."""
        return chat_prepare(self.tokenizer, prompt) if self.chat else prompt

    def encode(self, text: str) -> list[int]:
        """Token ids of a context (with the BOS token where the model expects one)."""
        return encode_context(self.tokenizer, text, self._bos)

    # -- scoring -----------------------------------------------------------------------

    def score(self, requests: Sequence[ScoreRequest]) -> list[float]:
        """Log-likelihood of each continuation after its context (see module docstring)."""
        if not requests:
            return []
        torch = self.torch
        contexts: dict[str, int] = {}
        rows: list[tuple[int, list[int]]] = []
        for r in requests:
            ctx, cont = split_whitespace(r.context, r.continuation)
            cont_ids = self.tokenizer(cont, add_special_tokens=False).input_ids
            if not cont_ids:
                raise BackendError(f"empty continuation {r.continuation!r}")
            rows.append((contexts.setdefault(ctx, len(contexts)), cont_ids))
        ctx_ids = [self.encode(c) for c in contexts]
        longest = max(len(c) for c in ctx_ids) + max(len(c) for _, c in rows)
        if self.max_length and longest > self.max_length:
            raise PromptTooLong(longest, self.max_length)

        with torch.inference_mode(), self._lock:
            if self.sequential:
                return self._score_sequential(ctx_ids, rows)
            multi = [i for i, (_, c) in enumerate(rows) if len(c) > 1]
            last, cache, mask = self._run_contexts(ctx_ids, keep_cache=bool(multi))
            first = torch.log_softmax(self._head(last).float(), dim=-1)
            scores = [first[c, cont[0]].item() for c, cont in rows]
            if multi:
                rest = self._score_rest(cache, mask, mask.sum(1), [rows[i] for i in multi])
                for i, s in zip(multi, rest):
                    scores[i] += s
        return scores

    def _score_sequential(self, ctx_ids: list[list[int]], rows: list[tuple[int, list[int]]]) -> list[float]:
        """The sequential schedule: each context in token order on the kept KV cache."""
        torch = self.torch
        by_context: dict[int, list[int]] = {}
        for i, (c, _) in enumerate(rows):
            by_context.setdefault(c, []).append(i)
        scores = [0.0] * len(rows)
        for c in sorted(by_context, key=lambda c: ctx_ids[c]):
            ids = ctx_ids[c]
            last, cache = self._extend(ids)
            first = torch.log_softmax(self._head(last).float(), dim=-1)
            for i in by_context[c]:
                cont = rows[i][1]
                scores[i] = first[cont[0]].item()
                if len(cont) > 1:  # tokens 2..n on top of the context, then cut back to it
                    kept, self._kept = self._kept, ([], None)  # until the cut, the cache holds more than ids
                    out = self._decoder(input_ids=torch.tensor([cont[:-1]], device=self.device), cache=cache,
                                        use_cache=True)
                    logp = torch.log_softmax(self._head(out.last_hidden_state[0]).float(), dim=-1)
                    target = torch.tensor(cont[1:], device=self.device)
                    scores[i] += logp.gather(1, target.unsqueeze(1)).sum().item()
                    cache.crop(-(len(cont) - 1))
                    self._kept = kept
        return scores

    def _extend(self, ids: list[int]) -> tuple[Any, Any]:
        """Run a context on the kept KV cache, cut back to the prefix it shares with `ids`
        (at least one token is run, for its hidden state); (last hidden state, cache)."""
        kept_ids, cache = self._kept
        keep = 0
        if self.prefix_cache and cache is not None:
            keep = min(common_prefix([kept_ids, ids]), len(ids) - 1)
        if keep == 0:
            cache = None
        elif keep < len(kept_ids):
            cache.crop(-(len(kept_ids) - keep))
        self._kept = ([], None)  # a failure below must not leave a cache that disagrees with its ids
        out = self._decoder(input_ids=self.torch.tensor([ids[keep:]], device=self.device), cache=cache,
                            use_cache=True)
        self._kept = (ids, out.cache)
        return out.last_hidden_state[0, -1], out.cache

    def _run_contexts(self, ctx_ids: list[list[int]], keep_cache: bool) -> tuple[Any, Any, Any]:
        """Run the contexts; (last-position hidden states, KV cache, attention mask).

        With prefix_cache, the tokens all contexts share (chat header, INSTRUCTIONS block,
        ...) are run once and their KV cache is expanded to the batch; only the rest of each
        context is run, right-padded, at positions continuing after the prefix.
        """
        torch = self.torch
        shared = common_prefix(ctx_ids) if self.prefix_cache and len(ctx_ids) > 1 else 0
        shared = min(shared, min(len(c) for c in ctx_ids) - 1)  # every row keeps a token to read
        if shared < MIN_SHARED_PREFIX:
            ids, mask = self._pad(ctx_ids)
            out = self._decoder(input_ids=ids, attention_mask=mask, use_cache=keep_cache)
            last = out.last_hidden_state[torch.arange(len(ctx_ids), device=self.device), mask.sum(1) - 1]
            return last, out.cache, mask
        prefix = torch.tensor([ctx_ids[0][:shared]], device=self.device)
        cache = self._decoder(input_ids=prefix, use_cache=True).cache
        cache.batch_repeat_interleave(len(ctx_ids))
        ids, rest_mask = self._pad([c[shared:] for c in ctx_ids])
        mask = torch.cat([torch.ones((len(ctx_ids), shared), dtype=rest_mask.dtype, device=self.device), rest_mask], 1)
        positions = shared + torch.arange(ids.shape[1], device=self.device).expand(len(ctx_ids), -1)
        out = self._decoder(input_ids=ids, attention_mask=mask, position_ids=positions, cache=cache, use_cache=True)
        last = out.last_hidden_state[torch.arange(len(ctx_ids), device=self.device), rest_mask.sum(1) - 1]
        return last, out.cache, mask

    def _score_rest(self, cache: Any, ctx_mask: Any, lengths: Any, rows: list[tuple[int, list[int]]]) -> list[float]:
        """Log-probability of tokens 2..n of each continuation, on top of the context cache."""
        torch = self.torch
        sel = torch.tensor([c for c, _ in rows], device=self.device)
        cache.batch_select_indices(sel)
        feed = [cont[:-1] for _, cont in rows]  # token k predicts token k+1
        ids, mask = self._pad(feed)
        steps = ids.shape[1]
        positions = lengths[sel].unsqueeze(1) + torch.arange(steps, device=self.device).unsqueeze(0)
        out = self._decoder(
            input_ids=ids,
            attention_mask=torch.cat([ctx_mask[sel], mask], dim=1),
            position_ids=positions,
            cache=cache,
            use_cache=True,
        )
        hidden = out.last_hidden_state
        scores = []
        for j, (_, cont) in enumerate(rows):
            logp = torch.log_softmax(self._head(hidden[j, : len(cont) - 1]).float(), dim=-1)
            target = torch.tensor(cont[1:], device=self.device)
            scores.append(logp.gather(1, target.unsqueeze(1)).sum().item())
        return scores

    def _pad(self, seqs: list[list[int]]) -> tuple[Any, Any]:
        torch = self.torch
        width = max(len(s) for s in seqs)
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        ids = torch.full((len(seqs), width), pad, dtype=torch.long)
        mask = torch.zeros((len(seqs), width), dtype=torch.long)
        for i, s in enumerate(seqs):
            ids[i, : len(s)] = torch.tensor(s, dtype=torch.long)
            mask[i, : len(s)] = 1
        return ids.to(self.device), mask.to(self.device)

    # -- generation --------------------------------------------------------------------

    def generate(self, requests: Sequence[GenerateRequest]) -> list[str]:
        """Greedy continuation of each prompt, cut at its stop strings."""
        if not requests:
            return []
        torch = self.torch
        seqs = [self.encode(r.prompt) for r in requests]
        width = max(len(s) for s in seqs)
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        ids = torch.full((len(seqs), width), pad, dtype=torch.long)
        mask = torch.zeros((len(seqs), width), dtype=torch.long)
        for i, s in enumerate(seqs):  # left padding: generation appends on the right
            ids[i, width - len(s):] = torch.tensor(s, dtype=torch.long)
            mask[i, width - len(s):] = 1
        longest = max(r.max_tokens for r in requests)
        with torch.inference_mode():
            out = self.model.generate(
                input_ids=ids.to(self.device), attention_mask=mask.to(self.device), max_new_tokens=longest,
                do_sample=False, pad_token_id=pad, eos_token_id=self.tokenizer.eos_token_id,
            )
        texts = []
        for r, row in zip(requests, out[:, width:].tolist()):
            text = self.tokenizer.decode(row[: r.max_tokens], skip_special_tokens=True)
            texts.append(cut_at_stop(text, r.stop))
        return texts


def _parameter_hash(model: Any) -> str:
    import hashlib

    import torch

    h = hashlib.sha256()
    for name, p in sorted(model.state_dict().items()):
        h.update(name.encode())
        h.update(p.detach().cpu().contiguous().view(-1).view(torch.uint8).numpy().tobytes())
    return h.hexdigest()[:16]
