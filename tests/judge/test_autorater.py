"""Autorater arithmetic on real LLMBar items, with scripted judges whose behaviour we know."""

from __future__ import annotations

import pytest

from flame.judge import adhoc
from flame.judge.autorater import Autorater, first_order


def _shown_first(context: str, example) -> str:
    """Which of the example's own candidates the prompt shows as response A."""
    a_line = context.split("\nresponse_a: ", 1)[1]
    return "A" if a_line.startswith(example.inputs["response_a"][:200]) else "B"


def test_swap_averages_out_a_judge_biased_to_position_a(scripted, llmbar):
    task, examples = llmbar(8)
    biased = scripted(lambda ctx, label: 0.0 if label == "A" else -2.0)  # always prefers what it sees first
    judgments = Autorater(biased).judge_many(task, examples)
    for j in judgments:
        assert j.probs["A"] == pytest.approx(0.5, abs=1e-9) and j.probs["B"] == pytest.approx(0.5, abs=1e-9)
        assert j.orders_agree is False
        assert j.order_labels == {"AB": "A", "BA": "B"}
        assert j.order_probs["AB"]["A"] == pytest.approx(j.order_probs["BA"]["B"])
    assert len(biased.requests) == 8 * 2 * 2  # 2 orders x 2 labels per example


def test_swapped_order_is_mapped_back_to_the_examples_own_labels(scripted, llmbar):
    task, examples = llmbar(8)
    by_context = {}
    for ex in examples:  # an oracle that recognises the human-preferred text wherever it is shown
        better = ex.inputs["response_a"] if ex.targets["choice"] == "A" else ex.inputs["response_b"]
        by_context[ex.uid] = better[:200]

    def oracle(ctx, label):
        a_text = ctx.split("\nresponse_a: ", 1)[1]
        better_shown = "A" if any(a_text.startswith(b) for b in by_context.values()) else "B"
        return 0.0 if label == better_shown else -3.0

    judgments = Autorater(scripted(oracle)).judge_many(task, examples)
    assert [j.label for j in judgments] == [ex.targets["choice"] for ex in examples]
    assert all(j.orders_agree and j.correct for j in judgments)


def test_order_shown_first_is_seeded_from_the_uid_and_no_swap_runs_only_that_order(scripted, llmbar):
    task, examples = llmbar(40)
    orders = [first_order(ex.uid) for ex in examples]
    assert 10 <= orders.count("BA") <= 30  # a coin flip, not a constant
    judge = scripted(lambda ctx, label: 0.0 if label == "A" else -1.0)
    judgments = Autorater(judge, swap=False).judge_many(task, examples)
    assert [j.first_order for j in judgments] == orders
    assert all(len(j.order_probs) == 1 and j.orders_agree is None for j in judgments)
    # A judge biased to the first position now picks whichever candidate the coin showed first.
    assert [j.label for j in judgments] == ["A" if o == "AB" else "B" for o in orders]
    shown = [_shown_first(r.context, ex) for r, ex in zip(judge.requests[::2], examples)]
    assert shown == ["A" if o == "AB" else "B" for o in orders]


def test_pointwise_gives_expected_score_and_argmax(scripted):
    task = adhoc.pointwise("Is it polite?", 1, 5)
    ex = adhoc.pointwise_example(task, "Greet me", "Good morning!")
    j = Autorater(scripted(lambda ctx, label: {"4": 0.0, "5": 0.0}.get(label, -50.0))).judge(task, ex)
    assert j.label in ("4", "5") and j.expected == pytest.approx(4.5, abs=1e-6)
    assert sum(j.probs.values()) == pytest.approx(1.0)
    assert j.order_probs == {} and j.first_order is None


def test_generated_text_that_does_not_parse_is_invalid_never_coerced(scripted, llmbar):
    task, examples = llmbar(3)
    replies = iter(["choice: B", "choice: A", "The answer is A.", "choice: A", "choice: A", "choice: maybe"])
    judge = scripted(lambda prompt, _: next(replies))
    j1, j2, j3 = Autorater(judge, mode="generate").judge_many(task, examples)
    # j1 said B in the order shown first and A in the swapped one: the same candidate both times.
    assert j1.valid and j1.probs == {} and j1.orders_agree is True
    assert j1.label == ("B" if j1.first_order == "AB" else "A")
    assert j2.valid is False and "expected 'choice:'" in j2.error and j2.label is None
    assert j3.valid is False and "'maybe' is not one of A, B" in j3.error
    assert len(judge.generate_calls) == 1 and len(judge.score_calls) == 0


def test_generated_verdicts_are_mapped_back_per_order(scripted, llmbar):
    task, examples = llmbar(1)
    ex = examples[0]
    j = Autorater(scripted(lambda prompt, _: "choice: A"), mode="generate").judge(task, ex)
    assert j.order_labels == {"AB": "A", "BA": "B"} and j.orders_agree is False
    assert j.label == j.order_labels[j.first_order]  # split vote: the order shown first decides


def test_a_ruled_out_label_gets_zero_and_unusable_scores_are_invalid(scripted):
    task = adhoc.classification(("Yes", "No", "Unsure"))
    ex = adhoc.classification_example(task, "The sky is blue.")
    j = Autorater(scripted(lambda ctx, label: {"Yes": -0.1, "No": -2.0}.get(label, float("-inf")))).judge(task, ex)
    assert j.valid and j.label == "Yes" and j.probs["Unsure"] == 0.0
    nan = Autorater(scripted(lambda ctx, label: float("nan"))).judge(task, ex)
    assert not nan.valid and nan.label is None and "no usable log-likelihood" in nan.error


def test_a_backend_without_logprobs_is_judged_by_generation(scripted, llmbar):
    task, examples = llmbar(2)
    judge = scripted(lambda prompt, _: "choice: A")
    judge.can_score = False  # e.g. an OpenAI-compatible server that returns no logprobs
    judgments = Autorater(judge).judge_many(task, examples)
    assert len(judge.score_calls) == 0 and len(judge.generate_calls) == 1
    assert all(j.valid and j.probs == {} and j.orders_agree is False for j in judgments)
