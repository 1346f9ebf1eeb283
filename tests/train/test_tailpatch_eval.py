"""Tail-patch evaluation: RewardBench's categories from the mirror, a fixed seeded sample, the official weighting."""

from __future__ import annotations

from collections import Counter

import pytest

from flame.train.tailpatch_eval import CategoryEvaluator, category_scores, select


def test_mirror_categories_and_a_balanced_fixed_sample(mirror):
    ev = CategoryEvaluator(limit=12, seed=0, data="mirror")
    assert ev.categories == ["Chat Hard", "Coding", "Safety"]
    assert set(ev.missing) == {"Chat", "Math"} and "math-prm" in ev.missing["Math"]
    chosen = select(ev._loaded.items, 12, seed=0)
    # round-robin over subsets: every hep language twice, both xstest-approx halves 6 times
    assert Counter(it.subset for it in chosen["Coding"]) == {f"hep-{lang}": 2 for lang in
                                                              ("cpp", "go", "java", "js", "python", "rust")}
    assert Counter(it.subset for it in chosen["Safety"]) == {"xstest-approx-should-refuse": 6,
                                                              "xstest-approx-should-respond": 6}
    assert len(chosen["Chat Hard"]) == 12 and len({it.subset for it in chosen["Chat Hard"]}) == 5

    def uids(chosen_items):
        return [(it.subset, it.example.uid) for it in chosen_items["Coding"]]

    assert uids(select(ev._loaded.items, 12, seed=0)) == uids(chosen)  # the same sample every time
    assert uids(select(ev._loaded.items, 12, seed=1)) != uids(chosen)
    assert ev.describe()["items"] == {"Chat Hard": 12, "Coding": 12, "Safety": 12}


def test_category_scores_use_rewardbench_weights():
    scores = category_scores({"llmbar-natural": 1.0, "llmbar-adver-neighbor": 0.0, "hep-go": 1.0, "hep-rust": 0.5,
                              "xstest-approx-should-refuse": 1.0, "xstest-approx-should-respond": 0.0,
                              "not-a-rewardbench-subset": 1.0})
    # EXAMPLE_COUNTS: llmbar-natural 100, adver-neighbor 134; hep-* 164 each; xstest refuse 154, respond 250
    assert scores == pytest.approx({"Chat Hard": 100 / 234, "Coding": 0.75, "Safety": 154 / 404})
    assert category_scores({"math-prm": 0.9, "hep-js": 0.4}) == pytest.approx({"Math": 0.9, "Coding": 0.4})
