"""Judgment records: JSON round trip, honest invalid results, and a torch-free core."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from flame.core.judgment import Judgment, summarize


def test_judgment_round_trips_through_json():
    j = Judgment(task="t", uid="u1", label="A", probs={"A": 0.7, "B": 0.3},
                 order_probs={"AB": {"A": 0.9, "B": 0.1}, "BA": {"A": 0.5, "B": 0.5}},
                 order_labels={"AB": "A", "BA": "A"}, orders_agree=True, first_order="BA", target="B", model="m")
    back = Judgment.from_dict(json.loads(json.dumps(j.to_dict())))
    assert back == j
    assert back.correct is False


def test_invalid_judgment_must_say_why_and_valid_one_needs_a_label():
    with pytest.raises(ValueError, match="needs an error"):
        Judgment(task="t", uid="u", label=None, valid=False)
    with pytest.raises(ValueError, match="needs a label"):
        Judgment(task="t", uid="u", label=None)
    with pytest.raises(ValueError, match="unknown Judgment field"):
        Judgment.from_dict({"task": "t", "uid": "u", "label": "A", "confidence": 1})


def test_summary_counts_invalid_reasons_disagreements_and_accuracy():
    js = [
        Judgment(task="t", uid="1", label="A", target="A", orders_agree=True),
        Judgment(task="t", uid="2", label="B", target="A", orders_agree=False),
        Judgment(task="t", uid="3", label=None, valid=False, error="expected 'choice:'", target="A"),
    ]
    s = summarize(js)
    assert (s["total"], s["valid"], s["invalid"], s["orders_disagree"]) == (3, 2, 1, 1)
    assert s["invalid_reasons"] == {"expected 'choice:'": 1}
    assert s["accuracy"] == pytest.approx(1 / 3)  # an invalid judgment counts as wrong, not skipped


def test_core_and_judge_engine_import_no_torch():
    code = (
        "import sys, flame.core, flame.core.judgment, flame.judge, flame.judge.models, flame.cli.judge\n"
        "heavy = [m for m in ('torch', 'transformers', 'openai', 'llama_cpp', 'vllm') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
