"""llama.cpp backend (llama-cpp-python) on a GGUF file, e.g. the bundled SmolLM2 (extra: llamacpp).

Scoring uses the low-level API: with `logits_all=False` llama-cpp-python keeps no `scores`,
so after evaluating a context the last position's logits are read with
`llama_get_logits_ith(ctx, -1)`; a continuation of several tokens is evaluated one token at
a time on top of the context.

Prefix KV cache: requests are evaluated one after another, and each keeps the part of the
KV cache it shares with the tokens evaluated before (llama.cpp's `eval` drops the rest).
Every label of a prompt, both candidate orders of a pair (up to the first response), and
all examples of a task (the INSTRUCTIONS block) share a prefix, so most prompt tokens are
evaluated once. `prefix_cache=False` resets before every prompt (for the benchmark).

The prompt format (chat template from the GGUF's metadata, whitespace rule, BOS) is the
transformers backend's, so both backends score the same text.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Sequence

from flame.core.errors import require

from ..prompting import common_prefix, format_hash, render_chat, split_whitespace
from .base import BackendError, GenerateRequest, PromptTooLong, ScoreRequest, cut_at_stop


class LlamaCppBackend:
    """A llama.cpp model as a judge backend."""

    def __init__(self, llm: Any, *, fingerprint: str, chat: bool | None = None, prefix_cache: bool = True) -> None:
        self.lib = require("llama_cpp", "llamacpp")
        self.llm = llm
        self.template = llm.metadata.get("tokenizer.chat_template")
        self.chat = bool(self.template) if chat is None else chat
        if self.chat and not self.template:
            raise BackendError("chat=True but the GGUF has no chat template")
        self.prefix_cache = prefix_cache
        self.request_order = "context"  # Batched sorts requests so neighbours share prefixes
        self._add_bos = llm._model.add_bos_token()
        self._n_vocab = llm.n_vocab()
        self.fingerprint = f"llamacpp:{fingerprint}:gguf:fmt-{format_hash(self.template if self.chat else None)}"

    @classmethod
    def load(cls, path: str | Path, *, fingerprint: str, chat: bool | None = None, n_ctx: int = 8192,
             n_threads: int | None = None, prefix_cache: bool = True) -> "LlamaCppBackend":
        """Open a GGUF file (CPU; logits for the last position only)."""
        lib = require("llama_cpp", "llamacpp")
        llm = lib.Llama(model_path=str(path), n_ctx=n_ctx, n_threads=n_threads, logits_all=False,
                        verbose=False, seed=0)
        return cls(llm, fingerprint=fingerprint, chat=chat, prefix_cache=prefix_cache)

    def prepare(self, prompt: str) -> str:
        """The transformers backend's layout: user turn, then the assistant turn opened with
        the EVALUATION header; rendered with the GGUF's own chat template."""
        if not self.chat:
            return prompt
        return render_chat(self.template, prompt, bos_token=self._piece(self.llm.token_bos()),
                           eos_token=self._piece(self.llm.token_eos()))

    def _piece(self, token: int) -> str:
        return self.llm.detokenize([token], special=True).decode("utf-8", errors="replace")

    def _tokens(self, text: str, bos: bool) -> list[int]:
        return self.llm.tokenize(text.encode("utf-8"), add_bos=bos and self._add_bos, special=True)

    def _eval_from(self, tokens: list[int]) -> None:
        """Evaluate tokens, reusing the KV cache of the prefix shared with what was evaluated."""
        keep = 0
        if self.prefix_cache:
            done = self.llm.input_ids[: self.llm.n_tokens]
            keep = max(0, min(common_prefix([done, tokens]), len(tokens) - 1))  # re-evaluate one token at least: fresh logits
        self.llm.n_tokens = keep  # eval() removes every cached position from n_tokens on
        self.llm.eval(tokens[keep:])

    def _last_logprobs(self) -> Any:
        import numpy as np

        ptr = self.lib.llama_get_logits_ith(self.llm._ctx.ctx, -1)
        logits = np.ctypeslib.as_array(ptr, shape=(self._n_vocab,)).astype(np.float64)
        top = logits.max()
        return logits - top - math.log(np.exp(logits - top).sum())

    def score(self, requests: Sequence[ScoreRequest]) -> list[float]:
        """Log-likelihood of each continuation, one request at a time on the shared KV cache."""
        scores = []
        for r in requests:
            ctx, cont = split_whitespace(r.context, r.continuation)
            ctx_ids = self._tokens(ctx, bos=True)
            cont_ids = self._tokens(cont, bos=False)
            if not cont_ids:
                raise BackendError(f"empty continuation {r.continuation!r}")
            if len(ctx_ids) + len(cont_ids) > self.llm.n_ctx():
                raise PromptTooLong(len(ctx_ids) + len(cont_ids), self.llm.n_ctx(), "n_ctx is")
            self._eval_from(ctx_ids)
            total = 0.0
            for k, tok in enumerate(cont_ids):
                total += float(self._last_logprobs()[tok])
                if k + 1 < len(cont_ids):
                    self.llm.eval([tok])
            scores.append(total)
        return scores

    def generate(self, requests: Sequence[GenerateRequest]) -> list[str]:
        """Greedy completion of each prompt, cut at its stop strings."""
        out = []
        for r in requests:
            ids = self._tokens(r.prompt, bos=True)
            if not self.prefix_cache:
                self.llm.reset()
            result = self.llm.create_completion(ids, max_tokens=r.max_tokens, temperature=0.0, top_k=1,
                                                stop=list(r.stop) or None)
            out.append(cut_at_stop(result["choices"][0]["text"], r.stop))
        return out
