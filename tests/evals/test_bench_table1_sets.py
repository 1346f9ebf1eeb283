"""The benchmarks FLAMe's Table 1 adds to flame's: LitTrans in the held-out sets, the pointwise
rating benchmarks (HelpSteer, SummFeedback) and their metrics, and HelpSteer's held-in loader
on a fixture in the dataset card's schema."""

from __future__ import annotations

import json

import pytest

from flame.data.sources import helpsteer
from flame.evals.benchmarks import BENCHMARKS, heldout, preferences, ratings


def _helpsteer_row(prompt, response, *ratings_):
    return {"prompt": prompt, "response": response, **dict(zip(ratings.HELPSTEER_ATTRIBUTES, ratings_))}


def test_rating_benchmarks_score_exact_ratings_and_report_pearson():
    rows = [{"subset": a, "target": t, "verdict": v, "score": float(t == v), "expected": e}
            for a in ratings.SUMMFEEDBACK_AXES
            for t, v, e in (("7", "7", 6.8), ("1", "2", 1.9), ("4", "4", 4.2), ("5", None, None))]
    agg = ratings.SUMMFEEDBACK.aggregate(rows)
    assert agg["headline"]["overall"] == pytest.approx(0.5) and agg["headline"]["mean"] == pytest.approx(0.5)
    (overall, *_) = agg["tables"]["attributes"]
    assert overall["pearson"] == pytest.approx(0.9997, abs=1e-3) and overall["invalid"] == 1 and overall["n"] == 4
    part = ratings.SUMMFEEDBACK.aggregate([r for r in rows if r["subset"] != "coverage"])
    assert part["headline"]["mean"] is None and part["missing"] == ["coverage"]
    assert ratings.pearson([(1.0, 2.0)]) is None and ratings.pearson([(1.0, 2.0), (1.0, 3.0)]) is None


def test_helpsteer_benchmark_is_the_validation_split_with_the_training_tasks(tmp_path, monkeypatch):
    path = tmp_path / "helpsteer" / "default" / "validation.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in [
        _helpsteer_row("Say hi.", "Hi!", 4, 4, 4, 0, 0),
        _helpsteer_row("Explain tides.", "The Moon's gravity pulls the oceans.", 3, 4, 4, 2, 1),
        _helpsteer_row("Name a prime.", "Nine.", 0, 0, 3, 0, 0),
        {"prompt": "Broken.", "response": "x", "helpfulness": 9},
    ]))
    monkeypatch.setenv("FLAME_MIRROR", str(tmp_path))
    loaded = BENCHMARKS.get("helpsteer").load()
    assert len(loaded.items) == 3 * 5 and loaded.origin == "mirror:helpsteer/validation"
    assert loaded.dropped == {"helpsteer: rating 9 outside 0-4": 1}
    first = {i.subset: i for i in loaded.items if i.example.inputs["prompt"] == "Explain tides."}
    assert first["complexity"].example.targets == {"complexity": "2"}
    assert first["helpfulness"].task is helpsteer.POINTWISE["helpfulness"]  # held-in: the prompt it trains on


def test_littrans_difficult_choices_are_reported_apart():
    rows = ([{"subset": "LitTrans", "task": "littrans_clear_choice", "score": 1.0}] * 3
            + [{"subset": "LitTrans", "task": "littrans_difficult_choice", "score": s} for s in (1.0, 0.0)])
    agg = heldout.aggregate(rows)
    assert agg["headline"]["LitTrans"] == pytest.approx(0.8)  # all 5 items
    tasks = {t["task"]: t["accuracy"] for t in agg["tables"]["tasks"]}
    assert tasks == {"littrans_clear_choice": 1.0, "littrans_difficult_choice": 0.5}


def test_preference_benchmarks_score_accuracy_with_half_credit_for_an_unreadable_verdict():
    rows = [{"subset": "lfqaeval", "score": s} for s in (1.0, 1.0, 0.0, 0.5)]
    agg = preferences.LFQAEVAL.aggregate(rows)
    assert agg["headline"] == {"accuracy": pytest.approx(0.625)}
    assert preferences.LFQAEVAL.headline_of({"lfqaeval": 0.5}) == ({"accuracy": 0.5}, [])
    assert "ties excluded" in preferences.LFQAEVAL.protocol
