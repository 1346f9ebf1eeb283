"""The transformers backend on a tiny random Llama with the real SmolLM2 tokenizer."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from flame.core.template import EVALUATION_HEADER, render  # noqa: E402
from flame.judge import adhoc  # noqa: E402
from flame.judge.autorater import Autorater  # noqa: E402
from flame.judge.backends.base import GenerateRequest, ScoreRequest  # noqa: E402
from flame.judge.backends.hf import HFBackend  # noqa: E402


def _full_forward_logprob(backend: HFBackend, context: str, continuation: str) -> float:
    """The reference: one unpadded forward pass over context + continuation, all logits."""
    ctx = context.rstrip(" ")
    cont_ids = backend.tokenizer(context[len(ctx):] + continuation, add_special_tokens=False).input_ids
    ctx_ids = backend.encode(ctx)
    with torch.no_grad():
        logits = backend.model(torch.tensor([ctx_ids + cont_ids])).logits[0]
    logp = torch.log_softmax(logits.float(), -1)
    return sum(logp[len(ctx_ids) - 1 + k, t].item() for k, t in enumerate(cont_ids))


@pytest.mark.parametrize("sequential", [True, False], ids=["sequential", "batched"])
@pytest.mark.parametrize("prefix_cache", [True, False], ids=["prefix-cache", "no-prefix-cache"])
def test_scores_match_a_plain_forward_pass_for_one_and_many_token_labels(tiny_backend, llmbar, sequential, prefix_cache):
    task, examples = llmbar(2)
    labels = ["A", "1", "10", "Yes, definitely"]  # " 1" and " 10" are 2 and 3 tokens
    reqs = [ScoreRequest(tiny_backend.prepare(render(task, ex).text) + "choice: ", lab)
            for ex in examples for lab in labels]
    backend = HFBackend(tiny_backend.model, tiny_backend.tokenizer, sequential=sequential, prefix_cache=prefix_cache)
    got = backend.score(reqs)  # the two prompts share their instructions: the prefix KV path
    for req, value in zip(reqs, got):
        assert value == pytest.approx(_full_forward_logprob(tiny_backend, req.context, req.continuation), abs=1e-4)


def test_the_kept_kv_cache_does_not_leak_between_calls(tiny_backend, llmbar):
    """Sequential scoring keeps a KV cache across calls; whatever came before, a request
    scores as it does on a fresh backend (here: pairs sharing prefixes, in shuffled calls)."""
    task, examples = llmbar(3)
    prompts = [tiny_backend.prepare(render(task, ex).text) + "choice: " for ex in examples]
    reqs = [ScoreRequest(p, lab) for p in prompts for lab in ("A", "B", "10")]
    reqs += [ScoreRequest(prompts[0][:-40], "A"), ScoreRequest(prompts[0] + "A\n", "B")]  # a prefix, an extension
    backend = HFBackend(tiny_backend.model, tiny_backend.tokenizer, sequential=True)
    calls = [reqs[5:9], reqs[:3], reqs[9:], reqs[3:5], reqs[:1]]
    got = [v for call in calls for v in backend.score(call)]
    fresh = [HFBackend(tiny_backend.model, tiny_backend.tokenizer, prefix_cache=False).score([r])[0]
             for call in calls for r in call]
    assert got == pytest.approx(fresh, abs=1e-4)


@pytest.mark.parametrize("prefix_cache", [True, False], ids=["prefix-cache", "no-prefix-cache"])
def test_judgments_do_not_change_with_batch_size(tiny_backend, llmbar, prefix_cache):
    """In padded batches (the CUDA schedule, forced here), where a batch's prompts of other
    lengths pad each one: a judgment is the same alone and among eight."""
    task, examples = llmbar(8, "llmbar_adver_neighbor")
    padded = HFBackend(tiny_backend.model, tiny_backend.tokenizer, sequential=False, prefix_cache=prefix_cache)
    lengths = {len(tiny_backend.encode(tiny_backend.prepare(render(task, ex).text))) for ex in examples}
    assert len(lengths) == len(examples)  # every prompt is padded in the batch of eight
    one = Autorater(padded).judge_many(task, examples, batch_size=1)
    eight = Autorater(padded).judge_many(task, examples, batch_size=8)
    for a, b in zip(one, eight):
        assert a.label == b.label and a.first_order == b.first_order
        for order in a.order_probs:
            for lab in ("A", "B"):
                assert a.order_probs[order][lab] == pytest.approx(b.order_probs[order][lab], abs=1e-4)

    likert = adhoc.pointwise("Does the output follow the instruction?", 1, 10)  # multi-token labels
    points = [adhoc.pointwise_example(likert, ex.inputs["instruction"], ex.inputs["response_a"]) for ex in examples[:4]]
    p1 = Autorater(padded).judge_many(likert, points, batch_size=1)
    p8 = Autorater(padded).judge_many(likert, points, batch_size=8)
    for a, b in zip(p1, p8):
        assert a.expected == pytest.approx(b.expected, abs=1e-3)
        assert max(abs(a.probs[k] - b.probs[k]) for k in a.probs) < 1e-4


def test_chat_template_wraps_the_prompt_and_evaluation_header_ends_it(tiny_backend, llmbar):
    task, (ex,) = llmbar(1)
    prompt = render(task, ex).text
    prepared = tiny_backend.prepare(prompt)
    assert tiny_backend.chat
    assert prepared.endswith("<|im_start|>assistant\n" + EVALUATION_HEADER + "\n")
    user_turn = prepared.split("<|im_start|>user\n", 1)[1].split("<|im_end|>", 1)[0]
    assert user_turn == prompt[: -len(EVALUATION_HEADER) - 1].rstrip("\n")
    plain = HFBackend(tiny_backend.model, tiny_backend.tokenizer, chat=False)
    assert plain.prepare(prompt) == prompt and plain.fingerprint != tiny_backend.fingerprint


def test_generate_is_greedy_respects_max_tokens_and_stop_strings(tiny_backend):
    prompts = ["Write a poem about the sea.", "Hi"]
    texts = tiny_backend.generate([GenerateRequest(p, max_tokens=6) for p in prompts])
    assert texts == tiny_backend.generate([GenerateRequest(p, max_tokens=6) for p in prompts])  # greedy
    assert all(0 < len(tiny_backend.tokenizer(t, add_special_tokens=False).input_ids) <= 7 for t in texts)
    alone = tiny_backend.generate([GenerateRequest(prompts[1], max_tokens=6)])
    assert alone == texts[1:]  # left padding does not change the other row's text
    stop = texts[0].strip()[:1]
    cut = tiny_backend.generate([GenerateRequest(prompts[0], max_tokens=6, stop=(stop,))])[0]
    assert stop not in cut and texts[0].startswith(cut)


def test_peft_adapter_changes_scores_and_fingerprint(tmp_path, tiny_model_dir, tiny_backend):
    peft = pytest.importorskip("peft")
    from transformers import AutoModelForCausalLM

    from flame.judge.models import load_backend

    base = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    lora = peft.get_peft_model(base, peft.LoraConfig(r=4, target_modules=["q_proj", "v_proj"], init_lora_weights=False))
    lora.save_pretrained(tmp_path / "adapter")
    with_adapter = load_backend(f"hf:{tiny_model_dir}+adapter:{tmp_path / 'adapter'}", cache=False, device="cpu")
    plain = load_backend(str(tiny_model_dir), cache=False, device="cpu")
    req = [ScoreRequest("INSTRUCTIONS:\nPick one.\nEVALUATION:\nchoice: ", "A")]
    assert with_adapter.fingerprint != plain.fingerprint
    assert abs(with_adapter.score(req)[0] - plain.score(req)[0]) > 1e-3
    assert plain.score(req)[0] == pytest.approx(tiny_backend.score(req)[0], abs=1e-5)
