"""flame judges inside TRL's own trainers, on CPU with a tiny random policy and a tiny random judge:
GRPOTrainer steps rewarded by FlameReward, an online-DPO step judged by FlamePairwiseJudge."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("torch")
pytest.importorskip("trl.experimental.judges", reason="TRL's judges API is not installed: flame.judge.trl needs "
                    "trl>=1.0,<1.1 (pip install 'flame-autorater[trl]')")

from datasets import Dataset  # noqa: E402

from flame import Judge  # noqa: E402
from flame.judge.trl import FlamePairwiseJudge, FlameReward, as_text  # noqa: E402

PROMPTS = ["What is 2+2?", "Name a colour.", "Say hi.", "Count to three."]


@pytest.fixture(autouse=True)
def _fresh_accelerate_state():
    """TRL's trainers set accelerate's process-wide state (bf16 mixed precision by default);
    without a reset, a later Accelerator in the same process (flame's training tests) would
    silently train in bf16."""
    yield
    from accelerate.state import AcceleratorState, PartialState

    AcceleratorState._reset_state(True)
    PartialState._reset_state()


@pytest.fixture(scope="module")
def judge(tiny_model_dir):
    return Judge(str(tiny_model_dir), cache=False)


class RecordingReward(FlameReward):
    """FlameReward that keeps what TRL gave it and what it answered."""

    def __init__(self, judge):
        super().__init__(judge, criteria="Is the response helpful?")
        self.calls = []

    def __call__(self, prompts, completions, **kwargs):
        rewards = super().__call__(prompts, completions, **kwargs)
        self.calls.append((list(prompts), list(completions), rewards))
        return rewards


def test_grpo_trains_two_steps_on_the_judges_expected_ratings(tiny_model_dir, judge, tmp_path):
    from transformers import AutoTokenizer
    from trl import GRPOConfig, GRPOTrainer

    reward = RecordingReward(judge)
    args = GRPOConfig(output_dir=str(tmp_path), max_steps=2, per_device_train_batch_size=4, num_generations=2,
                      max_completion_length=8, use_cpu=True, report_to=[], logging_steps=1, save_strategy="no")
    trainer = GRPOTrainer(model=str(tiny_model_dir), reward_funcs=reward, args=args,
                          train_dataset=Dataset.from_dict({"prompt": PROMPTS}),
                          processing_class=AutoTokenizer.from_pretrained(tiny_model_dir))
    trainer.train()
    assert trainer.state.global_step == 2 and len(reward.calls) == 2
    logged = [h["rewards/flame/mean"] for h in trainer.state.log_history if "rewards/flame/mean" in h]
    for (prompts, completions, rewards), mean in zip(reward.calls, logged, strict=True):
        assert len(rewards) == 4 and set(prompts) <= set(PROMPTS)
        ratings = judge.pointwise(prompts, completions, criteria="Is the response helpful?")
        assert rewards == pytest.approx([r.expected for r in ratings])  # the expected 1-5 rating
        assert all(1 <= r <= 5 for r in rewards)
        assert mean == pytest.approx(sum(rewards) / len(rewards), rel=1e-5)  # what TRL trained on


def test_an_online_dpo_step_is_judged_by_the_flame_pairwise_judge(tiny_model_dir, judge, tmp_path):
    from transformers import AutoTokenizer
    from trl.experimental.online_dpo import OnlineDPOConfig, OnlineDPOTrainer

    class Recording(FlamePairwiseJudge):
        calls = []

        def judge(self, prompts, completions, shuffle_order=True, return_scores=False):
            ranks = super().judge(prompts, completions, shuffle_order, return_scores)
            self.calls.append((list(prompts), [list(c) for c in completions], ranks))
            return ranks

    pair_judge = Recording(judge)
    args = OnlineDPOConfig(output_dir=str(tmp_path), max_steps=1, per_device_train_batch_size=2, max_new_tokens=8,
                           use_cpu=True, report_to=[], logging_steps=1, save_strategy="no")
    trainer = OnlineDPOTrainer(model=str(tiny_model_dir), judge=pair_judge, args=args,
                               train_dataset=Dataset.from_dict({"prompt": PROMPTS}),
                               processing_class=AutoTokenizer.from_pretrained(tiny_model_dir))
    trainer.train()
    assert trainer.state.global_step == 1 and len(pair_judge.calls) == 1
    prompts, pairs, ranks = pair_judge.calls[0]
    verdicts = judge.pairwise(prompts, [a for a, _ in pairs], [b for _, b in pairs])
    assert ranks == [0 if v.verdict == "A" else 1 for v in verdicts]
    assert "rewards/margins" in trainer.state.log_history[0]


def test_pairwise_scores_failures_and_conversations(judge):
    pj = FlamePairwiseJudge(judge, criteria="Prefer the correct answer.")
    pairs = [["4", "5"], ["", "blue"]]
    scores = pj.judge(["What is 2+2?", "Name a colour."], pairs, return_scores=True)
    results = judge.pairwise(["What is 2+2?", "Name a colour."], ["4", ""], ["5", "blue"],
                             criteria="Prefer the correct answer.")
    assert scores == pytest.approx([r.probabilities["A"] for r in results])
    too_long = "word " * 5000  # longer than the tiny model's context: a failed judgment
    assert pj.judge([too_long, "What is 2+2?"], [["a", "b"], ["4", "5"]]) == [-1, 0 if results[0].verdict == "A" else 1]
    assert math.isnan(pj.judge([too_long], [["a", "b"]], return_scores=True)[0])
    with pytest.raises(ValueError, match="exactly 2 completions"):
        pj.judge(["p"], [["a", "b", "c"]])
    chat = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "What is 2+2?"}]
    assert as_text(chat) == "system: Be brief.\nuser: What is 2+2?"
    assert as_text([{"role": "assistant", "content": "4"}]) == "4"
    conversational = pj.judge([chat], [[[{"role": "assistant", "content": "4"}], [{"role": "assistant", "content": "5"}]]])
    assert conversational == [0 if judge.pairwise(as_text(chat), "4", "5").verdict == "A" else 1]


def test_rewards_p_yes_to_a_question_and_a_separate_judges_own_scores(tiny_model_dir, judge):
    asked = FlameReward(judge, question="Is the answer correct?")(prompts=["What is 2+2?"] * 2, completions=["4", "5"])
    assert all(0 < p < 1 for p in asked) and asked == pytest.approx(judge.score("What is 2+2?", ["4", "5"],
                                                                                question="Is the answer correct?"))
    separate = Judge(str(tiny_model_dir), pairwise="separate", cache=False)
    s_a, s_b = FlameReward(separate)(prompts=["What is 2+2?"] * 2, completions=["4", "5"], trainer_state=None)
    p_a = separate.pairwise("What is 2+2?", "4", "5").probabilities["A"]
    assert p_a == pytest.approx(1 / (1 + math.exp(-(s_a - s_b))), abs=1e-6)  # the verifier score its verdicts compare
    assert FlameReward(judge)(prompts=["word " * 5000], completions=["x"]) == [None]  # TRL reads None as NaN
