"""CoBBLEr bias probes on the real 50 x 15 responses, judged by scripted fake backends."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from flame.data.sources import cobbler as src
from flame.evals.benchmarks import cobbler as cb
from flame.evals.runner import Prepared, RunOptions, judge_all
from flame.judge.autorater import Autorater
from flame.testing import FakeBackend

_FIELDS = re.compile(r"\nresponse_a: (?P<response_a>.*)\nresponse_b: (?P<response_b>.*?)"
                     r"(?:\nnote: (?P<note>.*))?\nEVALUATION:", re.S)


def scripted(pick) -> FakeBackend:
    """A backend whose verdict is a function of the rendered prompt: pick(fields) -> 'A' | 'B'."""
    def rule(context: str, label: str) -> float:
        fields = {k: v for k, v in _FIELDS.search(context).groupdict().items() if v is not None}
        return 0.0 if label == pick(fields) else -4.0
    return FakeBackend(rule, fingerprint="scripted-fake")


def always_first(fields):
    return "A"


def longer(fields):
    return "A" if len(fields["response_a"]) >= len(fields["response_b"]) else "B"


def note_follower(fields):
    m = re.search(r"[Rr]esponse ([AB])", fields.get("note", ""))
    return m.group(1) if m else longer(fields)


@pytest.fixture(scope="module")
def loaded(mirror):
    with pytest.MonkeyPatch.context() as mp:  # module scope: before the per-test autouse env
        mp.setenv("FLAME_MIRROR", str(mirror))
        return cb.load_mirror()


def _aligned(loaded, n_pairs: int):
    """All four probes of the first n_pairs pairs (the runner's --limit draws probes independently)."""
    by_key = {}
    for it in loaded.items:
        key = str(it.example.provenance.row).split(":", 1)[1].split(":named")[0]
        by_key.setdefault(key, []).append(it)
    return [it for key in list(by_key)[:n_pairs] for it in by_key[key]]


def _judge(loaded, pick, n_pairs=30):
    items = _aligned(loaded, n_pairs)
    rows = judge_all([Prepared(cb.BENCHMARK, loaded, items)], scripted(pick), RunOptions(batch_size=16))
    return rows[cb.NAME]


def test_probes_are_built_from_every_pair(loaded):
    assert Counter(it.subset for it in loaded.items) == {p: 5250 for p in cb.PROBES}
    probes = {str(it.example.provenance.row): it.example for it in loaded.items
              if ":instr7:gpt4-vs-" in str(it.example.provenance.row) or "-vs-gpt4" in str(it.example.provenance.row)}
    order = next(e for r, e in probes.items() if r.startswith("Order:instr7:"))
    _, a, b = src.pair_models(str(order.provenance.row).split(":", 1)[1])
    key = str(order.provenance.row).split(":", 1)[1]
    comp = probes[f"Compassion:{key}"]
    assert comp.inputs["response_a"] == f"{src.DISPLAY_NAMES[a]}: {order.inputs['response_a']}"
    assert comp.inputs["response_b"] == f"{src.DISPLAY_NAMES[b]}: {order.inputs['response_b']}"
    band = next(e for r, e in probes.items() if r.startswith(f"Bandwagon:{key}:named="))
    named = str(band.provenance.row)[-1]
    assert band.inputs["note"] == f"85% of people believe that response {named} is better."
    att = next(e for r, e in probes.items() if r.startswith(f"Attention:{key}:named="))
    assert att.inputs["note"] in {d.format(r=f"Response {str(att.provenance.row)[-1]}") for d in cb.DISTRACTIONS}
    for e in (band, att):  # same pair, same placement, only the note added
        assert (e.inputs["response_a"], e.inputs["response_b"]) == (order.inputs["response_a"], order.inputs["response_b"])
    # the named position and the distractor sentence are balanced coin flips over the 5,250 pairs
    named = Counter(str(it.example.provenance.row)[-1] for it in loaded.items if it.subset == "Bandwagon")
    assert 0.45 < named["A"] / 5250 < 0.55
    notes = Counter(re.sub(r"Response [AB]", "{r}", it.example.inputs["note"]) for it in loaded.items if it.subset == "Attention")
    assert set(notes) == set(cb.DISTRACTIONS) and min(notes.values()) > 1000


def test_order_probe_shows_the_same_pair_in_both_orders(loaded):
    item = loaded.items[0]
    backend = scripted(always_first)
    j = Autorater(backend).judge(item.task, item.example)
    first, second = backend.requests[0].context, backend.requests[2].context  # two labels scored per order
    a, b = item.example.inputs["response_a"], item.example.inputs["response_b"]
    assert f"response_a: {a}\nresponse_b: {b}\n" in (first + second)
    assert f"response_a: {b}\nresponse_b: {a}\n" in (first + second)
    assert set(j.order_labels) == {"AB", "BA"} and j.order_labels == {"AB": "A", "BA": "B"}


def test_a_judge_that_always_answers_A_has_order_bias_one(loaded):
    rows = _judge(loaded, always_first)
    agg = cb.aggregate(rows)
    d = agg["tables"]
    assert agg["headline"]["order"] == 1.0 and agg["headline"]["compassion"] == 1.0
    assert d["order"][0]["first"] == 1.0 and d["order"][0]["last"] == 0.0
    assert agg["headline"]["egocentric"] == 0.0  # never the same response twice
    assert agg["headline"]["length"] is None and agg["partial"] == ["Length"]
    # following position A also follows a note that names position A, and only that
    named_a = sum(r["row"].endswith("named=A") for r in rows if r["subset"] == "Bandwagon") / 30
    assert agg["headline"]["bandwagon"] == pytest.approx(named_a)
    assert agg["headline"]["avg"] is None


def test_a_content_judge_shows_length_bias_only(loaded):
    agg = cb.aggregate(_judge(loaded, longer))
    h = agg["headline"]
    assert (h["order"], h["compassion"], h["bandwagon"], h["attention"]) == (0.0, 0.0, 0.0, 0.0)
    assert h["length"] == 0.5  # always the longer response: |1 - 0.5|
    ego = agg["tables"]["egocentric"]  # consistent on every pair: each pair is one model's win
    assert sum(e["share"] * e["pairs"] for e in ego) == pytest.approx(30)
    assert h["egocentric"] == pytest.approx(sum(e["share"] for e in ego) / len(ego))
    assert h["avg"] == pytest.approx((0.5 + h["egocentric"]) / 6)
    judge_row = agg["tables"]["table4"][1]
    assert judge_row["autorater"] == "this judge" and judge_row["Length"] == 0.5


def test_a_judge_that_follows_the_note_is_fully_swayed(loaded):
    h = cb.aggregate(_judge(loaded, note_follower))["headline"]
    assert h["bandwagon"] == 1.0 and h["attention"] == 1.0 and h["order"] == 0.0


def _row(probe, key, labels, len_a=10, len_b=20, named=None, valid=True, uid=None):
    row = f"{probe}:{key}" + (f":named={named}" if named else "")
    return {"row": row, "order_labels": labels, "len_a": len_a, "len_b": len_b, "valid": valid,
            "uid": uid or row, "subset": probe}


def test_metric_math_on_hand_computed_cases():
    k = "instr0:vicuna-vs-gpt4"
    rows = [_row("Order", k, {"AB": "A", "BA": "B"}),  # first position both times
            _row("Order", k.replace("0", "1"), {"AB": "B", "BA": "A"}),  # last both times
            _row("Order", k.replace("0", "2"), {"AB": "B", "BA": "B"}),  # gpt4 (B), longer, both orders
            _row("Order", k.replace("0", "3"), {}, valid=False)]  # no verdict: still counted
    assert cb.position_bias(rows) == {"first": 0.25, "last": 0.25, "bias": 0.5, "n": 4}
    assert cb.length_bias(rows) == {"longer": 1.0, "shorter": 0.0, "bias": 0.5, "n": 1}
    ego = cb.egocentric(rows)
    assert ego["per_model"] == {"vicuna": 0.0, "gpt4": 0.25} and ego["bias"] == 0.125
    assert ego["pairs"] == {"vicuna": 4, "gpt4": 4} and ego["n"] == 4
    notes = [_row("Bandwagon", k, {"AB": "A", "BA": "B"}, named="A"),  # picks position A twice: swayed
             _row("Bandwagon", k, {"AB": "A", "BA": "B"}, named="B"),  # position A, note says B
             _row("Bandwagon", k, {"AB": "B", "BA": "A"}, named="B"),  # position B twice: swayed
             _row("Bandwagon", k, {"AB": "A", "BA": "A"}, named="A")]  # follows content
    assert cb.named_position(notes) == {"bias": 0.5, "n": 4}
    assert cb.named_position([_row("Bandwagon", k, {"AB": "A"}, named="A")]) == {"bias": None, "n": 0}


def test_random_row_is_simulated_on_the_items_and_matches_the_closed_form(loaded):
    rows = [{"row": str(it.example.provenance.row), "uid": it.example.uid, "subset": it.subset,
             "order_labels": {"AB": "A", "BA": "A"}, "valid": True,
             "len_a": len(it.example.inputs["response_a"]), "len_b": len(it.example.inputs["response_b"])}
            for it in loaded.items]
    rand = cb.random_judge(rows, runs=2)
    assert rand["Order"] == pytest.approx(0.5, abs=0.015) and rand["Compassion"] == pytest.approx(0.5, abs=0.015)
    assert rand["Length"] < 0.015
    for col in ("Egocentric", "Bandwagon", "Attention"):
        assert rand[col] == pytest.approx(0.25, abs=0.015)
    assert rand["Avg"] == pytest.approx(1.75 / 6, abs=0.01)
    assert cb.random_judge(rows, runs=2) == rand  # seeded
