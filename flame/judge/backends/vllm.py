"""vLLM backend: the offline engine, scoring with prompt logprobs (needs a GPU; extra: vllm).

Scoring sends each context + continuation as token ids with `prompt_logprobs=1` and sums
the log-probabilities vLLM reports for the continuation's tokens; automatic prefix caching
lets the requests that share a FLAMe prompt (every label, every example of a task share the
instructions) reuse its KV cache. Tokenization and the chat template follow the
transformers backend exactly (same `prepare`, same whitespace rule), so the two backends
score the same token sequences.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from flame.core.errors import require

from ..prompting import chat_prepare, encode_context, format_hash, has_chat_template, split_whitespace
from .base import BackendError, GenerateRequest, PromptTooLong, ScoreRequest, cut_at_stop


class VLLMBackend:
    """A vLLM `LLM` engine as a judge backend."""

    def __init__(self, llm: Any, *, fingerprint: str, chat: bool | None = None, dtype: str = "bfloat16") -> None:
        self.vllm = require("vllm", "vllm")
        self.llm = llm
        self.tokenizer = llm.get_tokenizer()
        has_template = has_chat_template(self.tokenizer)
        self.chat = has_template if chat is None else chat
        if self.chat and not has_template:
            raise BackendError("chat=True but the tokenizer has no chat template")
        self.fingerprint = f"vllm:{fingerprint}:{dtype}:fmt-{format_hash(self.tokenizer.chat_template if self.chat else None)}"
        config = getattr(getattr(llm, "llm_engine", None), "model_config", None)
        self.max_length = getattr(config, "max_model_len", None)

    @classmethod
    def load(cls, path: str | Path, *, fingerprint: str, dtype: str = "bfloat16", chat: bool | None = None) -> "VLLMBackend":
        """Start the offline engine on a local model directory, with prefix caching on."""
        vllm = require("vllm", "vllm")
        llm = vllm.LLM(model=str(path), dtype=dtype, enable_prefix_caching=True, seed=0)
        return cls(llm, fingerprint=fingerprint, chat=chat, dtype=dtype)

    def prepare(self, prompt: str) -> str:
        """The text the model continues (the transformers backend's chat layout)."""
        return chat_prepare(self.tokenizer, prompt) if self.chat else prompt

    def score(self, requests: Sequence[ScoreRequest]) -> list[float]:
        """Sum of the prompt logprobs of each continuation's tokens."""
        if not requests:
            return []
        prompts, spans = [], []
        for r in requests:
            ctx, cont = split_whitespace(r.context, r.continuation)
            ctx_ids = encode_context(self.tokenizer, ctx)
            cont_ids = self.tokenizer(cont, add_special_tokens=False).input_ids
            if not cont_ids:
                raise BackendError(f"empty continuation {r.continuation!r}")
            if self.max_length and len(ctx_ids) + len(cont_ids) > self.max_length:
                raise PromptTooLong(len(ctx_ids) + len(cont_ids), self.max_length)
            prompts.append({"prompt_token_ids": ctx_ids + cont_ids})
            spans.append((len(ctx_ids), cont_ids))
        params = self.vllm.SamplingParams(max_tokens=1, temperature=0.0, prompt_logprobs=1)
        outputs = self.llm.generate(prompts, params, use_tqdm=False)
        scores = []
        for out, (start, cont_ids) in zip(outputs, spans):
            logprobs = out.prompt_logprobs
            scores.append(sum(logprobs[start + k][tok].logprob for k, tok in enumerate(cont_ids)))
        return scores

    def generate(self, requests: Sequence[GenerateRequest]) -> list[str]:
        """Greedy generation, cut at the stop strings."""
        if not requests:
            return []
        prompts = [{"prompt_token_ids": encode_context(self.tokenizer, r.prompt)} for r in requests]
        params = [self.vllm.SamplingParams(max_tokens=r.max_tokens, temperature=0.0, stop=list(r.stop) or None)
                  for r in requests]
        outputs = self.llm.generate(prompts, params, use_tqdm=False)
        return [cut_at_stop(o.outputs[0].text, r.stop) for o, r in zip(outputs, requests)]
