"""OpenAI-compatible backend: any server speaking the OpenAI API (vLLM, llama.cpp, OpenAI, ...).

Scoring uses `top_logprobs`: after the context the server reports the 20 most likely next
tokens with their logprobs; the continuation's log-likelihood is built token by token,
each step taking the longest listed token that continues the remaining text (so a
multi-token label costs one request per token). A continuation not reachable through the
listed tokens scores -inf (probability 0). Trailing spaces move from the context to the
continuation, as in the other backends. (`echo` prompt logprobs are not used: llama.cpp's
server returns wrong values for them.)

A server that gives no logprobs (or `chat=True`, the chat endpoint) cannot score:
`can_score` is False and the Autorater generates and parses instead.

Requests run concurrently (at most `concurrency` at a time, optionally at most
`requests_per_second`); timeouts, rate limits, dropped connections and 5xx answers raise
TransientError, which the Retrying wrapper retries with backoff. The API key is read from
the environment variable `api_key_env` (default OPENAI_API_KEY; local servers need none).
"""

from __future__ import annotations

import math
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Sequence

from flame.core.errors import require
from flame.core.template import EVALUATION_HEADER

from .base import BackendError, GenerateRequest, ScoreRequest, TransientError, cut_at_stop
from ..prompting import format_hash, split_whitespace

TOP_LOGPROBS = 20
MAX_SCORE_STEPS = 16  # tokens per scored continuation (labels are short)


class OpenAIBackend:
    """A model behind an OpenAI-compatible endpoint."""

    def __init__(self, model: str, base_url: str, *, api_key_env: str = "OPENAI_API_KEY", concurrency: int = 8,
                 timeout: float = 60.0, chat: bool = False, requests_per_second: float | None = None) -> None:
        openai = require("openai", "openai")
        self._errors = openai
        self.model, self.base_url, self.chat = model, base_url.rstrip("/"), chat
        self.client = openai.OpenAI(base_url=self.base_url, api_key=os.environ.get(api_key_env) or "none",
                                    timeout=timeout, max_retries=0)
        self.concurrency = max(1, concurrency)
        self._interval = 1.0 / requests_per_second if requests_per_second else 0.0
        self._next_slot = 0.0
        self._slot_lock = threading.Lock()
        self._method: str | None = None  # "top" or "none" once probed
        self.fingerprint = f"openai:{model}@{self.base_url}:fmt-{format_hash('chat' if chat else 'completion')}"

    def prepare(self, prompt: str) -> str:
        """Completions continue the FLAMe prompt as it is; the chat endpoint gets it as the user turn."""
        return prompt

    # -- scoring -----------------------------------------------------------------------

    @property
    def can_score(self) -> bool:
        """Whether the server gives logprobs (probed once, on a one-token request)."""
        return self._scoring_method() != "none"

    def score(self, requests: Sequence[ScoreRequest]) -> list[float]:
        method = self._scoring_method()
        if method == "none":
            raise BackendError(f"{self.base_url} gives no logprobs; judge with mode='generate'")
        return self._map(self._top_score, requests)

    def _scoring_method(self) -> str:
        if self._method is None:
            self._method = "none" if self.chat else self._probe()
        return self._method

    def _probe(self) -> str:
        e = self._errors
        try:
            self._top_logprobs("The sky is")
            return "top"
        except TransientError:
            raise  # the server is unreachable or busy: that says nothing about logprobs
        except (BackendError, e.BadRequestError, e.UnprocessableEntityError, e.NotFoundError):
            return "none"

    def _top_logprobs(self, prompt: str) -> dict[str, float]:
        resp = self._call(lambda: self.client.completions.create(
            model=self.model, prompt=prompt, max_tokens=1, logprobs=TOP_LOGPROBS, temperature=0))
        lp = resp.choices[0].logprobs
        if lp is None or not lp.top_logprobs or not lp.top_logprobs[0]:
            raise BackendError(f"{self.base_url} returned no top_logprobs")
        return dict(lp.top_logprobs[0])

    def _top_score(self, r: ScoreRequest) -> float:
        context, remaining = split_whitespace(r.context, r.continuation)
        total = 0.0
        for _ in range(MAX_SCORE_STEPS):
            if not remaining:
                return total
            top = self._top_logprobs(context)
            token = max((t for t in top if t and remaining.startswith(t)), key=len, default=None)
            if token is None:
                return -math.inf
            total += float(top[token])
            context, remaining = context + token, remaining[len(token):]
        raise BackendError(f"continuation {r.continuation!r} needs more than {MAX_SCORE_STEPS} tokens")

    # -- generation --------------------------------------------------------------------

    def generate(self, requests: Sequence[GenerateRequest]) -> list[str]:
        return self._map(self._generate_one, requests)

    def _generate_one(self, r: GenerateRequest) -> str:
        stop = list(r.stop)[:4] or None  # the API takes at most 4 stop strings; the rest are cut here
        if self.chat:
            resp = self._call(lambda: self.client.chat.completions.create(
                model=self.model, messages=[{"role": "user", "content": r.prompt}], max_tokens=r.max_tokens,
                temperature=0, stop=stop))
            text = resp.choices[0].message.content or ""
            if text.startswith(EVALUATION_HEADER):  # a chat model may repeat the header it was shown
                text = text[len(EVALUATION_HEADER):].lstrip("\n")
        else:
            resp = self._call(lambda: self.client.completions.create(
                model=self.model, prompt=r.prompt, max_tokens=r.max_tokens, temperature=0, stop=stop))
            text = resp.choices[0].text or ""
        return cut_at_stop(text, r.stop)

    # -- plumbing ----------------------------------------------------------------------

    def _map(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
        if len(items) <= 1 or self.concurrency == 1:
            return [fn(x) for x in items]
        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(items))) as pool:
            return list(pool.map(fn, items))

    def _call(self, fn: Callable[[], Any]) -> Any:
        self._wait_for_slot()
        e = self._errors
        try:
            return fn()
        except (e.APITimeoutError, e.APIConnectionError, e.RateLimitError, e.InternalServerError) as err:
            raise TransientError(f"{self.base_url}: {type(err).__name__}: {err}") from err
        except e.APIStatusError as err:
            if err.status_code in (408, 409, 429) or err.status_code >= 500:
                raise TransientError(f"{self.base_url}: HTTP {err.status_code}: {err}") from err
            raise

    def _wait_for_slot(self) -> None:
        if not self._interval:
            return
        with self._slot_lock:
            now = time.monotonic()
            slot = max(now, self._next_slot)
            self._next_slot = slot + self._interval
        if slot > now:
            time.sleep(slot - now)
