"""OpenAI-compatible backend: any server speaking the OpenAI API (vLLM, llama.cpp, OpenAI, ...).

Scoring, in the order tried (the first that the server supports is kept):

1. `echo` scoring on the completions endpoint: the prompt is context + continuation,
   `max_tokens=0`, `echo=True`, `logprobs=1`; the continuation's log-likelihood is the sum
   of the prompt-token logprobs whose text offset lies inside the continuation. Exact.
2. `top_logprobs`: one generated token after the context with the top 20 logprobs; a
   continuation scores the logprob of the listed token equal to it (so only labels that
   are one token are scored; others get -inf, i.e. probability 0).

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
from flame.core.records import stable_hash
from flame.core.template import EVALUATION_HEADER, template_hash

from .base import BackendError, GenerateRequest, ScoreRequest, TransientError, cut_at_stop
from .hf import PREPARE_VERSION

TOP_LOGPROBS = 20


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
        self._method: str | None = None  # "echo", "top", or "none" once probed
        fmt = stable_hash([template_hash(), PREPARE_VERSION, "chat" if chat else "completion"])
        self.fingerprint = f"openai:{model}@{self.base_url}:fmt-{fmt}"

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
        fn = self._echo_score if method == "echo" else self._top_score
        return self._map(fn, requests)

    def _scoring_method(self) -> str:
        if self._method is None:
            self._method = "none" if self.chat else self._probe()
        return self._method

    def _probe(self) -> str:
        probe = ScoreRequest("The sky is", " blue")
        e = self._errors
        for method, fn in (("echo", self._echo_score), ("top", self._top_score)):
            try:
                fn(probe)
                return method
            except (BackendError, e.BadRequestError, e.UnprocessableEntityError, e.NotFoundError):
                continue
        return "none"

    def _echo_score(self, r: ScoreRequest) -> float:
        resp = self._call(lambda: self.client.completions.create(
            model=self.model, prompt=r.context + r.continuation, max_tokens=0, echo=True, logprobs=1, temperature=0))
        lp = resp.choices[0].logprobs
        if lp is None or not lp.token_logprobs or not lp.text_offset:
            raise BackendError("the server returned no prompt logprobs for echo=True")
        start = len(r.context)
        total, seen = 0.0, False
        for tok, offset, value in zip(lp.tokens, lp.text_offset, lp.token_logprobs):
            if offset + len(tok) > start:  # the token overlaps the continuation
                if value is None:
                    raise BackendError("the server gave no logprob for a continuation token")
                total, seen = total + value, True
        if not seen:
            raise BackendError("no continuation tokens in the echoed prompt")
        return total

    def _top_score(self, r: ScoreRequest) -> float:
        resp = self._call(lambda: self.client.completions.create(
            model=self.model, prompt=r.context, max_tokens=1, logprobs=TOP_LOGPROBS, temperature=0))
        lp = resp.choices[0].logprobs
        if lp is None or not lp.top_logprobs:
            raise BackendError("the server returned no top_logprobs")
        top = lp.top_logprobs[0] or {}
        want = r.continuation
        for token, value in top.items():
            if token == want or (r.context.endswith(" ") and token == " " + want):
                return float(value)
        return -math.inf

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
