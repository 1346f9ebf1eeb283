"""Test and benchmark kit, never used by flame at run time: `FakeBackend`, a judge with no model
whose label log-likelihoods are a rule of the prompt and label (by default a hash), and
`build_tiny_model`, a tiny random model with a tokenizer trained in milliseconds (or a given one)."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from flame.judge.backends.base import GenerateRequest, ScoreRequest


def hash_score(context: str, continuation: str, salt: str = "") -> float:
    """A deterministic pseudo-random log-likelihood in [-4, 0] for a label after a context."""
    return -(hashlib.sha256(f"{salt}{context}|{continuation}".encode()).digest()[0] / 64)


class FakeBackend:
    """A judge backend with no model (see flame.judge.backends.base.Backend).

    `rule(context, continuation)` gives each label's log-likelihood (default: `hash_score`);
    `reply(prompt)` each generated text (None: generating is an AssertionError, for judges
    that score closed label spaces). Prompts are used as they are (no chat template). It keeps
    the size of every call in `score_calls` and `generate_calls`, every scored request in
    `requests` and every prompt it generated for in `prompts`; `delay` seconds per score call, or waiting for `gate`
    (a threading.Event), make it slow.
    """

    def __init__(self, rule: Callable[[str, str], float] = hash_score, *, fingerprint: str = "fake:1",
                 reply: Callable[[str], str] | None = None, delay: float = 0.0,
                 gate: threading.Event | None = None) -> None:
        self.rule, self.reply, self.fingerprint, self.delay, self.gate = rule, reply, fingerprint, delay, gate
        self.score_calls: list[int] = []
        self.generate_calls: list[int] = []
        self.requests: list[ScoreRequest] = []
        self.prompts: list[str] = []
        self._lock = threading.Lock()

    def prepare(self, prompt: str) -> str:
        """The prompt as it is: the fake has no chat template."""
        return prompt

    def score(self, requests: Sequence[ScoreRequest]) -> list[float]:
        """Each request's log-likelihood by the rule, after the configured wait."""
        with self._lock:
            self.score_calls.append(len(requests))
            self.requests.extend(requests)
        if self.gate is not None:
            self.gate.wait(30)
        if self.delay:
            time.sleep(self.delay)
        return [self.rule(r.context, r.continuation) for r in requests]

    def generate(self, requests: Sequence[GenerateRequest]) -> list[str]:
        """Each prompt's reply; an AssertionError when the fake was given no `reply`."""
        if self.reply is None:
            raise AssertionError("this fake judge scores closed label spaces; it generates nothing")
        with self._lock:
            self.generate_calls.append(len(requests))
            self.prompts.extend(r.prompt for r in requests)
        return [self.reply(r.prompt) for r in requests]


def build_tiny_model(out: Path, seed: int = 0, *, tokenizer_dir: Path | None = None, hidden_size: int = 32,
                     max_positions: int = 2048) -> Path:
    """Save a tiny random Llama (2 layers of width `hidden_size`) as a model dir usable as a
    model spec; its verdicts are random. The tokenizer is the one saved in `tokenizer_dir`
    (e.g. the real SmolLM2 tokenizer), or else a byte-level BPE trained in milliseconds on the
    ad-hoc task texts. Needs the hf extra."""
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    tok = AutoTokenizer.from_pretrained(tokenizer_dir) if tokenizer_dir is not None else _tiny_tokenizer()
    tok.save_pretrained(out)
    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=len(tok), hidden_size=hidden_size, intermediate_size=2 * hidden_size, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=max_positions,
        bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id,
    )
    LlamaForCausalLM(config).save_pretrained(out)
    return out


def _tiny_tokenizer():
    """A byte-level BPE tokenizer (1,000 tokens) trained on the ad-hoc task texts."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    from flame.judge import adhoc

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    corpus = [adhoc.PAIRWISE_DESCRIPTION, adhoc.POINTWISE_DESCRIPTION, adhoc.CLASSIFY_DESCRIPTION,
              "INSTRUCTIONS: CONTEXT: EVALUATION: choice: A B response_a response_b prompt score answer Yes No",
              "Which response is better? The quick brown fox jumps over the lazy dog. 1 2 3 4 5"] * 20
    trainer = trainers.BpeTrainer(vocab_size=1000, special_tokens=["<pad>", "<s>", "</s>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(corpus, trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", pad_token="<pad>")
