"""A document longer than the judge's context, judged in chunks (MiniCheck's way), on real WiCE claims."""

from __future__ import annotations

import math

import pytest

from flame.judge import Autorater, LongInput
from flame.judge.backends.base import PromptTooLong
from flame.judge.long_input import SENTENCE_END

CHARS_PER_TOKEN, LIMIT = 4, 1024  # the scripted judge's "tokenizer" and context


@pytest.fixture(scope="module")
def wice(mirror):
    """LLM-AggreFact's WiCE items from the mirror, longest document first."""
    from flame.evals.benchmarks.aggrefact import BENCHMARK

    with pytest.MonkeyPatch.context() as mp:  # module scope: the conftest's per-test env is not set yet
        mp.setenv("FLAME_MIRROR", str(mirror))
        items = [it for it in BENCHMARK.load("mirror").items if it.subset == "Wice"]
    return sorted(items, key=lambda it: -len(it.example.inputs["document"]))


class ShortContext:
    """A scripted judge that reads LIMIT tokens at most (CHARS_PER_TOKEN characters each) and
    says Yes only when the prompt holds the evidence sentence."""

    fingerprint = "scripted:short"

    def __init__(self, evidence: str) -> None:
        self.evidence, self.contexts = evidence, []

    def prepare(self, prompt: str) -> str:
        return prompt

    def score(self, requests):
        longest = max(len(r.context) + len(r.continuation) for r in requests) // CHARS_PER_TOKEN
        if longest > LIMIT:
            raise PromptTooLong(longest, LIMIT)
        self.contexts += [r.context for r in requests]
        supported = [self.evidence in r.context for r in requests]
        return [(0.0 if s else -3.0) if r.continuation == "Yes" else (-3.0 if s else 0.0)
                for r, s in zip(requests, supported)]


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_END.split(text)[::2] if s.strip()]


def test_a_claim_supported_deep_in_a_long_document_is_found_in_its_chunk(wice):
    item = wice[0]
    doc = item.example.inputs["document"]
    assert len(doc) // CHARS_PER_TOKEN > 4 * LIMIT  # the longest WiCE document, many contexts long
    sentences = _sentences(doc)
    evidence = max(sentences[int(0.7 * len(sentences)):], key=len)  # a sentence far past the first context
    judge = ShortContext(evidence)
    j = Autorater(judge, long_input=LongInput("document", "Yes")).judge(item.task, item.example)
    assert j.valid and j.label == "Yes" and j.probs["Yes"] > 0.9
    assert j.uid == item.example.uid and j.target == item.example.targets["supported"]
    chunk_prompts = sorted(set(judge.contexts))
    assert j.chunks == len(chunk_prompts) >= 4
    assert all(len(c) // CHARS_PER_TOKEN <= LIMIT for c in chunk_prompts)
    # nothing of the document is lost: every sentence is in some chunk's prompt
    assert all(any(s in c for c in chunk_prompts) for s in sentences)


def test_without_long_input_an_over_long_document_stays_an_invalid_verdict(wice):
    item = wice[0]
    j = Autorater(ShortContext("no such sentence")).judge(item.task, item.example)
    assert not j.valid and "tokens" in j.error and j.chunks is None


def test_a_keep_label_the_task_lacks_is_an_error_not_a_silent_first_chunk(wice):
    item = wice[0]
    j = Autorater(ShortContext("x"), long_input=LongInput("document", "yes")).judge(item.task, item.example)
    assert not j.valid and "keep='yes' is not a label" in j.error and "Yes, No" in j.error


def test_unsupported_everywhere_is_no_and_short_documents_are_not_split(wice):
    long_item, short_item = wice[0], wice[-1]
    rater = Autorater(ShortContext("no such sentence"), long_input=LongInput("document", "Yes"))
    j = rater.judge(long_item.task, long_item.example)
    assert j.valid and j.label == "No" and j.chunks > 1
    short = rater.judge(short_item.task, short_item.example)
    assert short.valid and short.chunks is None


def test_transformers_backend_keeps_the_most_supportive_chunk(wice, tiny_backend, monkeypatch):
    item = next(it for it in reversed(wice) if len(it.example.inputs["document"]) > 3000)
    monkeypatch.setattr(tiny_backend, "max_length", 512)
    scored: dict[str, dict[str, float]] = {}
    score = tiny_backend.score

    def recording(requests):
        out = score(requests)
        for r, v in zip(requests, out):
            scored.setdefault(r.context, {})[r.continuation] = v
        return out

    monkeypatch.setattr(tiny_backend, "score", recording)
    j = Autorater(tiny_backend, long_input=LongInput("document", "Yes")).judge(item.task, item.example)
    assert j.valid and j.chunks == len(scored) >= 2
    p_yes = [1 / (1 + math.exp(v["No"] - v["Yes"])) for v in scored.values()]
    assert j.probs["Yes"] == pytest.approx(max(p_yes))
