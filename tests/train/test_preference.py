"""Training a judge of preferences: separate (Bradley-Terry) and A/B with swap augmentation,
responses that survive truncation, LoRA on the top layers, and validation judged by the
Autorater exactly as benchmarks judge."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from flame.train.config import TrainConfig

REPO = Path(__file__).resolve().parents[2]
TINY = REPO / "flame" / "configs" / "train" / "tiny.yaml"


def _rows(collection: Path, split: str, task: str, n: int) -> list[dict]:
    import pyarrow.parquet as pq

    rows = []
    for shard in sorted((collection / split / task).glob("*.parquet")):
        rows += pq.read_table(shard).to_pylist()
    return rows[:n]


def _tiny(tiny_model):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.manual_seed(0)
    return AutoModelForCausalLM.from_pretrained(tiny_model).eval(), AutoTokenizer.from_pretrained(tiny_model)


def test_separate_judging_cannot_depend_on_candidate_order(tiny_model, collection):
    from flame.judge.autorater import Autorater, swap_candidates
    from flame.judge.backends.hf import HFBackend
    from flame.judge.separate import NO, PREFERRED, YES, single_response_example, single_response_task
    from flame.core.template import render
    from flame.judge.backends.base import ScoreRequest
    from flame.train.data import row_example, row_task

    model, tok = _tiny(tiny_model)
    backend = HFBackend(model, tok, fingerprint="tiny")
    rater = Autorater(backend, pairwise="separate")
    row = _rows(collection, "validation", "hh_rlhf_harmlessness", 1)[0]
    task, ex = row_task(row), row_example(row)
    j, js = rater.judge(task, ex), rater.judge(task, swap_candidates(ex))
    assert j.valid and j.order_probs == {} and j.orders_agree is None and j.first_order is None
    assert j.probs["A"] == pytest.approx(js.probs["B"], abs=1e-9)  # exchanging the candidates mirrors the verdict
    assert {j.label, js.label} == {"A", "B"}

    # P(A) is the Bradley-Terry comparison of each response's own log-odds of Yes
    twin = single_response_task(task)
    scores = {}
    for which in "AB":
        prompt = backend.prepare(render(twin, single_response_example(task, ex, which)).text) + f"{PREFERRED}: "
        yes, no = backend.score([ScoreRequest(prompt, YES), ScoreRequest(prompt, NO)])
        scores[which] = yes - no
    assert j.probs["A"] == pytest.approx(1 / (1 + math.exp(scores["B"] - scores["A"])), rel=1e-6)


def test_bradley_terry_margin_is_what_the_judge_computes(tiny_model, collection):
    """Training and judging see the same tokens: the training margin s_chosen - s_rejected
    equals the log-odds the Autorater gives the human-preferred candidate."""
    import torch

    from flame.judge.autorater import Autorater
    from flame.judge.backends.hf import HFBackend
    from flame.train.data import encode_row, label_token_ids, pair_margins, row_example, row_task

    model, tok = _tiny(tiny_model)
    rater = Autorater(HFBackend(model, tok, fingerprint="tiny"), pairwise="separate")
    rows = _rows(collection, "train", "truthfulqa_pairwise_truthfulness", 3) + _rows(collection, "train", "hh_rlhf_harmlessness", 3)
    for row in rows:
        (pair,) = encode_row(tok, row, max_length=2048, chat=True, pairwise="separate")
        with torch.no_grad():
            margin = pair_margins(model, [pair], tok.pad_token_id, label_token_ids(tok)).item()
        j = rater.judge(row_task(row), row_example(row))
        p_chosen = j.probs[j.target]
        assert math.log(p_chosen / (1 - p_chosen)) == pytest.approx(margin, abs=1e-4)


def test_bradley_terry_training_raises_the_chosen_margin(tiny_model, collection):
    import torch

    from flame.train.data import encode_row, label_token_ids, pair_margins, preference_loss_sum

    model, tok = _tiny(tiny_model)
    rows = _rows(collection, "train", "truthfulqa_pairwise_truthfulness", 8)
    pairs = [p for r in rows for p in encode_row(tok, r, max_length=256, chat=True, pairwise="separate")]
    labels = label_token_ids(tok)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    with torch.no_grad():
        before = pair_margins(model, pairs, tok.pad_token_id, labels).mean().item()
    model.train()
    for _ in range(10):
        loss, _ = preference_loss_sum(model, pairs, tok.pad_token_id, labels)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    model.eval()
    with torch.no_grad():
        after = pair_margins(model, pairs, tok.pad_token_id, labels)
    assert (after > 0).all() and after.mean().item() > before + 0.2  # every chosen candidate now scores higher


def test_swap_augmentation_trains_both_candidate_orders(tokenizer_dir, collection):
    from transformers import AutoTokenizer

    from flame.train.data import IGNORE, encode_row, row_example

    tok = AutoTokenizer.from_pretrained(tokenizer_dir)
    row = _rows(collection, "train", "hh_rlhf_harmlessness", 1)[0]
    first, second = encode_row(tok, row, max_length=4096, chat=True, swap_augment=True)
    targets = [tok.decode([t for t in e.labels if t != IGNORE]) for e in (first, second)]
    label = json.loads(row["targets"])["choice"]
    other = "B" if label == "A" else "A"
    assert targets == [f"choice: {label}{tok.eos_token}", f"choice: {other}{tok.eos_token}"]
    ex = row_example(row)
    text_a, text_b = (tok.decode(e.input_ids) for e in (first, second))
    a, b = ex.inputs["response_a"].strip(), ex.inputs["response_b"].strip()
    assert text_a.index(a[-40:]) < text_a.index(b[-40:]) and text_b.index(b[-40:]) < text_b.index(a[-40:])
    assert len(encode_row(tok, row, max_length=4096, chat=True, swap_augment=False)) == 1


def test_a_long_dialogue_loses_its_oldest_turns_not_the_responses(tokenizer_dir, collection):
    from transformers import AutoTokenizer

    from flame.train.data import IGNORE, encode_row, row_example

    tok = AutoTokenizer.from_pretrained(tokenizer_dir)
    rows = _rows(collection, "train", "hh_rlhf_harmlessness", 120)
    row = max(rows, key=lambda r: len(r["prompt"]))
    ex = row_example(row)
    dialogue = next(k for k in ex.inputs if k not in ("response_a", "response_b"))
    full = encode_row(tok, row, max_length=8192, chat=True)[0]
    limit = len(full.input_ids) - 120
    (cut,) = encode_row(tok, row, max_length=limit, chat=True)
    assert len(cut.input_ids) <= limit
    text = tok.decode(cut.input_ids)
    assert ex.inputs["response_a"].strip()[-60:] in text and ex.inputs["response_b"].strip()[-60:] in text
    assert ex.inputs[dialogue][-60:] in text and ex.inputs[dialogue][:60] not in text  # its end kept, its start cut
    assert text.count("INSTRUCTIONS:") == 1 and [t for t in cut.labels if t != IGNORE] == [t for t in full.labels if t != IGNORE]
    (pair,) = encode_row(tok, row, max_length=limit // 2, chat=True, pairwise="separate")
    assert len(pair.chosen) <= limit // 2 and tok.decode(pair.chosen).rstrip().endswith("preferred:")


def test_lora_on_the_top_layers_only(tiny_model):
    from flame.train.model import load_model

    model = load_model(Path(tiny_model), dropout=0.0, dtype="float32",
                       lora={"r": 4, "alpha": 8, "dropout": 0.0, "targets": "all-linear", "layers": 1})
    trained = [n for n, p in model.named_parameters() if p.requires_grad]
    assert trained and all(".layers.1." in n for n in trained)
    assert {n.split(".")[-4] for n in trained} == {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"}


@pytest.mark.parametrize("pairwise", ["ab", "separate"])
def test_validation_accuracy_is_the_autorater_accuracy_of_the_saved_checkpoint(tiny_model, collection, tmp_path, pairwise):
    """What training logs as validation accuracy is what `flame eval` would measure: the saved
    adapter, loaded afresh and judged by the Autorater on the same examples, scores the same."""
    from flame.judge.autorater import Autorater
    from flame.judge.backends.hf import HFBackend
    from flame.train.data import row_example, row_task
    from flame.train.sft import train

    tasks = ["hh_rlhf_harmlessness", "truthfulqa_pairwise_truthfulness"]
    mixture = tmp_path / "pairs.yaml"
    mixture.write_text("name: pairs\nrate: equal\ntasks: [" + ", ".join(tasks) + "]\n")
    cfg = TrainConfig.from_yaml(TINY, [f"model={tiny_model}", f"collection={collection}", f"output_dir={tmp_path / 'run'}",
                                       f"mixture={mixture}", "lora=true", "max_steps=2", "eval_every=2", "save_every=2",
                                       "eval_examples=6", f"pairwise={pairwise}"])
    state = train(cfg)
    logged = [h for h in state.history if "val_accuracy" in h][-1]
    ckpt = tmp_path / "run" / "checkpoints" / "step-000002" / "model"
    backend = HFBackend.load(tiny_model, adapter=ckpt)
    rater = Autorater(backend, pairwise=pairwise)
    correct = total = 0
    for task in tasks:
        rows = _rows(collection, "validation", task, 6)
        js = rater.judge_many(row_task(rows[0]), [row_example(r) for r in rows])
        assert logged[f"val_accuracy/{task}"] == pytest.approx(sum(j.correct for j in js) / len(js))
        correct, total = correct + sum(j.correct for j in js), total + len(js)
        if pairwise == "ab":
            assert logged[f"val_orders_agree/{task}"] == pytest.approx(sum(j.orders_agree for j in js) / len(js))
        else:
            assert f"val_orders_agree/{task}" not in logged and f"val_first_shown/{task}" not in logged
    assert logged["val_accuracy"] == pytest.approx(correct / total)
