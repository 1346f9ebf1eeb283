"""`from flame import Judge`: one object for judging from Python, on the tiny model and real LLMBar items."""

from __future__ import annotations

import dataclasses
import math
import subprocess
import sys

import pytest

from flame import Judge
from flame.judge import adhoc
from flame.judge.autorater import Autorater

pytest.importorskip("torch")


@pytest.fixture(scope="module")
def judge(tiny_model_dir):
    return Judge(str(tiny_model_dir), cache=False, batch_size=4)


def test_importing_flame_and_its_judge_loads_no_torch():
    code = ("import sys\nfrom flame import Judge\n"
            "print(','.join(m for m in ('torch', 'transformers', 'pyarrow') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"from flame import Judge imported {out}"


def test_pairwise_is_the_autoraters_judgment_and_lists_are_batched_in_order(judge, llmbar, tiny_backend):
    task, examples = llmbar(3)
    prompts = [ex.inputs["instruction"] for ex in examples]
    a, b = [ex.inputs["response_a"] for ex in examples], [ex.inputs["response_b"] for ex in examples]
    many = judge.pairwise(prompts, a, b, criteria="Prefer the response that follows the instruction.")
    ad = adhoc.pairwise("Prefer the response that follows the instruction.")
    expected = [Autorater(tiny_backend).judge(ad, adhoc.pairwise_example(ad, p, x, y)) for p, x, y in zip(prompts, a, b)]
    assert [r.verdict for r in many] == [j.label for j in expected]
    for r, j in zip(many, expected):
        assert r.probabilities == pytest.approx({"A": j.probs["A"], "B": j.probs["B"]}, abs=1e-5)
        assert r.orders_agree == j.orders_agree and r.valid and r.error == ""
        assert set(r.judgment.order_probs) == {"AB", "BA"}  # both candidate orders were judged
    one = judge.pairwise(prompts[1], a[1], b[1], criteria="Prefer the response that follows the instruction.")
    assert one.verdict == many[1].verdict and one.probabilities == pytest.approx(many[1].probabilities, abs=1e-5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        one.verdict = "A"  # results are frozen


def test_one_prompt_is_shared_by_lists_of_responses_and_lengths_must_match(judge):
    shared = judge.pairwise("What is 2+2?", ["4", "5"], ["5", "4"])
    assert [r.verdict for r in shared] == [judge.pairwise("What is 2+2?", "4", "5").verdict,
                                           judge.pairwise("What is 2+2?", "5", "4").verdict]
    with pytest.raises(ValueError, match="lists of different lengths"):
        judge.pairwise(["p", "q"], ["a"], ["b", "c"])
    with pytest.raises(TypeError, match="item 1: b must be a string, got int"):
        judge.pairwise("p", ["a", "b"], ["c", 3])


def test_an_empty_response_is_judged_and_an_empty_prompt_is_refused(judge):
    r = judge.pairwise("What is the capital of France?", "Paris.", "")
    assert r.valid and r.verdict in ("A", "B") and sum(r.probabilities.values()) == pytest.approx(1.0)
    assert judge.pointwise("Say hi.", "").valid
    with pytest.raises(ValueError, match="prompt is empty"):
        judge.pairwise("  ", "a", "b")
    with pytest.raises(ValueError, match="item 1: text is empty"):
        judge.classify(["fine", ""], ["Yes", "No"])


def test_pointwise_and_classify(judge):
    r = judge.pointwise(["Say hi.", "Say bye."], ["Hello!", "Bye."], scale=(1, 7), criteria="friendly?")
    for one in r:
        assert set(one.probabilities) == {str(k) for k in range(1, 8)} and 1 <= one.expected <= 7
        assert one.score == int(max(one.probabilities, key=one.probabilities.get))
    c = judge.classify("The cat sat on the mat.", ["Yes", "No", "Unsure"], question="Is it about an animal?")
    assert c.label in ("Yes", "No", "Unsure") and c.chunks is None
    assert c.label == max(c.probabilities, key=c.probabilities.get)


def test_classify_splits_a_text_longer_than_the_model_reads(judge):
    text = " ".join(f"Sentence number {i} says that the weather was mild on day {i}." for i in range(700))
    whole = judge.classify(text, ["Yes", "No"], question="Was the weather mild?")
    assert not whole.valid and "tokens; the model takes at most" in whole.error and whole.label is None
    split = judge.classify(text, ["Yes", "No"], question="Was the weather mild?", split_long="Yes")
    assert split.valid and split.chunks >= 2
    with pytest.raises(ValueError, match="must be one of the classes"):
        judge.classify(text, ["Yes", "No"], split_long="Maybe")


def test_score_is_the_expected_rating_or_p_yes(judge):
    expected = judge.score("Say hi.", ["Hello!", ""])
    ratings = judge.pointwise("Say hi.", ["Hello!", ""])
    assert expected == pytest.approx([r.expected for r in ratings])
    p_yes = judge.score("Say hi.", "Hello!", question="Is the response a greeting?")
    assert 0 < p_yes < 1


def test_a_separate_mode_judge_scores_responses_whose_difference_is_its_pairwise_verdict(tiny_model_dir):
    judge = Judge(str(tiny_model_dir), pairwise="separate", cache=False)
    s_a, s_b = judge.score("What is 2+2?", ["4", "5"])
    r = judge.pairwise("What is 2+2?", "4", "5")
    assert r.orders_agree is None and r.probabilities["A"] == pytest.approx(1 / (1 + math.exp(-(s_a - s_b))), abs=1e-6)


def test_the_pairwise_mode_defaults_to_the_models_judge_json(tiny_model_dir, tmp_path):
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(0)
    lora = get_peft_model(AutoModelForCausalLM.from_pretrained(tiny_model_dir),
                          LoraConfig(r=2, target_modules=["q_proj", "v_proj"]))
    lora.save_pretrained(tmp_path / "adapter")
    (tmp_path / "adapter" / "judge.json").write_text('{"pairwise": "separate"}')
    spec = f"hf:{tiny_model_dir}+adapter:{tmp_path / 'adapter'}"
    assert Judge(spec, cache=False).pairwise_mode == "separate"
    assert Judge(spec, cache=False, pairwise="ab").pairwise_mode == "ab"
    assert Judge(str(tiny_model_dir), cache=False).pairwise_mode == "ab"


def test_rerank_picks_from_a_tournament_or_scores(judge):
    candidates = ["4", "5", "", "four"]
    t = judge.rerank("What is 2+2?", candidates)
    assert t.method == "tournament" and t.judged == 6 and sum(t.wins) == 12  # 6 pairs, both orders
    assert t.best == t.top[0] and all(t.wins[c] == max(t.wins) for c in t.top)
    p = judge.rerank("What is 2+2?", candidates, method="pointwise")
    assert p.scores == pytest.approx(judge.score("What is 2+2?", candidates))
    assert p.best == max(range(4), key=lambda i: p.scores[i])
    with pytest.raises(ValueError, match="method must be one of tournament, pointwise"):
        judge.rerank("q", ["a"], method="best")
    with pytest.raises(TypeError, match="candidates must be a list of strings"):
        judge.rerank("q", "abc")
