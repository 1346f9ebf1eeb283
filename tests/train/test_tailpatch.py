"""Tail-patch ratings, bundles and weights follow FLAMe §6.1, and the opt-rm mixture they write resolves."""

from __future__ import annotations

import pytest

from flame.data.mixture import load_mixture
from flame.train.tailpatch import Thresholds, opt_rm_weights, rate, write_opt_rm


def test_ratings_use_the_documented_thresholds():
    t = Thresholds()
    assert rate([0.55, 0.60, 0.60], 0.55, t) == 2  # a gain of 5 points that holds over the second half
    assert rate([0.55, 0.70, 0.56], 0.55, t) == 1  # the gain did not last: final +1 point
    assert rate([0.55, 0.55, 0.555], 0.55, t) == 0
    assert rate([0.55, 0.50, 0.50], 0.55, t) == -1


def test_bundles_and_weights_follow_the_paper(tmp_path, monkeypatch, collection):
    base = {"Chat Hard": 0.50, "Coding": 0.60, "Safety": 0.70}
    flat = {c: [v, v] for c, v in base.items()}
    curves = {
        # +2 on all three categories = 6 >= 5: generally helpful; crosses Chat Hard and Safety tau
        "hh_rlhf_harmlessness": {"Chat Hard": [0.67, 0.68], "Coding": [0.7, 0.7], "Safety": [0.86, 0.9]},
        # helps Coding only, crossing its tau (84%)
        "wmt_mqm_pairwise": {**flat, "Coding": [0.85, 0.85]},
        # harmless, useless: others
        "truthfulqa_pairwise_truthfulness": flat,
        # slight gain on Chat Hard: second-best there
        "wmt_mqm_quality": {**flat, "Chat Hard": [0.5, 0.52]},
    }
    weights, report = opt_rm_weights(curves, base)
    # top-2 of each weakest category is fixed at 200K, overriding the bundle sums
    assert weights["hh_rlhf_harmlessness"] == 200_000  # top of Chat Hard and Safety
    assert weights["wmt_mqm_pairwise"] == 200_000  # top of Coding
    assert weights["wmt_mqm_quality"] == 200_000  # second on Chat Hard (positive gain)
    assert weights["truthfulqa_pairwise_truthfulness"] == 3_000  # no gain anywhere: others
    assert report["hh_rlhf_harmlessness"]["ratings"] == {"Chat Hard": 2, "Coding": 2, "Safety": 2}
    assert report["hh_rlhf_harmlessness"]["bundles"][:3] == ["general", "Chat Hard", "Safety"]

    # stricter thresholds change the ratings
    _, r = opt_rm_weights({"a": curves["hh_rlhf_harmlessness"]}, base, Thresholds(helpful=1.0, somewhat=1.0))
    assert r["a"]["ratings"] == {"Chat Hard": 0, "Coding": 0, "Safety": 0}

    home = tmp_path / "home"
    monkeypatch.setenv("FLAME_HOME", str(home))
    path = write_opt_rm(weights, report, source="test curves")
    assert path == home / "mixtures" / "opt-rm.yaml"
    assert path.stat().st_mode & 0o777 == 0o644 and list(path.parent.iterdir()) == [path]  # no temporary file left
    mix = load_mixture("opt-rm").resolve(collection)
    assert mix.rates["hh_rlhf_harmlessness"] / mix.rates["truthfulqa_pairwise_truthfulness"] == pytest.approx(200 / 3)


def test_category_bundles_add_up_without_the_override():
    base = {"Chat": 0.90, "Chat Hard": 0.50, "Safety": 0.70}
    curves = {
        "gen": {"Chat": [0.96, 0.96], "Chat Hard": [0.67, 0.67], "Safety": [0.86, 0.86]},
        "best_hard": {"Chat": [0.9, 0.9], "Chat Hard": [0.80, 0.80], "Safety": [0.7, 0.7]},
        "best_safe": {"Chat": [0.9, 0.9], "Chat Hard": [0.5, 0.5], "Safety": [0.95, 0.95]},
        "second_hard": {"Chat": [0.9, 0.9], "Chat Hard": [0.75, 0.75], "Safety": [0.7, 0.7]},
        "second_safe": {"Chat": [0.9, 0.9], "Chat Hard": [0.5, 0.5], "Safety": [0.92, 0.92]},
    }
    weights, report = opt_rm_weights(curves, base)
    # gen: generally helpful (+2 x 3 = 6) and in the Chat, Chat Hard and Safety bundles, but
    # third on both weak categories, so no override: 100K + 3 x 30K
    assert report["gen"]["bundles"] == ["general", "Chat", "Chat Hard", "Safety"]
    assert weights["gen"] == 190_000
    assert {t for t, w in weights.items() if w == 200_000} == {"best_hard", "second_hard", "best_safe", "second_safe"}
