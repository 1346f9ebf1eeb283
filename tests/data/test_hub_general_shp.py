"""SHP adapter on fixtures written in the dataset card's schema (no network)."""

from __future__ import annotations

import pytest

from flame.core.records import TaskType
from flame.data.sources.shp import SOURCE

from .test_hub_general_fixtures import (
    assert_round_trips,
    chosen_text,
    examples,
    rejected,
    write_split,
)


def _row(a, b, label, domain="askculinary_train"):
    return {"post_id": "qt3nxl", "domain": domain, "upvote_ratio": 0.98,
            "history": "What's the best way to disassemble raspberries?", "c_root_id_A": "hkh25sc",
            "c_root_id_B": "hkh25lp", "created_at_utc_A": 1636822112, "created_at_utc_B": 1636822110,
            "score_A": 340, "score_B": 166, "human_ref_A": a, "human_ref_B": b, "labels": label,
            "seconds_difference": 2.0, "score_ratio": 2.048}


@pytest.fixture
def mirror(tmp_path):
    write_split(tmp_path, SOURCE, "default", "train", [_row("Pectinex!", "Tweezers.", 1), _row("lol", "Freeze them first.", 0)])
    write_split(tmp_path, SOURCE, "default", "validation", [_row("Use a sieve.", "No.", 1, "askculinary_validation")])
    write_split(tmp_path, SOURCE, "default", "test", [_row("Blend and strain.", "Why?", 1, "askculinary_test")])
    return tmp_path


def test_one_pairwise_task():
    [task] = SOURCE.tasks
    assert task.name == "shp_helpfulness" and task.task_type is TaskType.PAIRWISE
    assert task.primary_output.labels.labels == ("A", "B")
    assert task.input_names == ("forum", "post", "response_a", "response_b")


def test_preferred_comment_is_the_target(mirror):
    exs = examples(SOURCE, mirror)
    assert len(exs) == 4  # all three splits
    assert [chosen_text(e) for e in exs] == ["Pectinex!", "Freeze them first.", "Use a sieve.", "Blend and strain."]
    assert {e.inputs["forum"] for e in exs} == {"askculinary"}
    assert_round_trips(SOURCE, exs)


@pytest.mark.parametrize("patch, field", [
    ({"labels": 2}, "labels"), ({"labels": "1"}, "labels"), ({"human_ref_A": None}, "human_ref_A"),
    ({"human_ref_B": "same"}, "human_ref_B"), ({"history": 3}, "history"),
])
def test_malformed_rows_are_rejected_naming_field(tmp_path, patch, field):
    bad = {**_row("same", "other", 1), **patch}
    if field == "human_ref_B":
        bad["human_ref_A"] = "same"
    write_split(tmp_path, SOURCE, "default", "train", [bad])
    write_split(tmp_path, SOURCE, "default", "validation", [_row("x", "y", 1)])
    write_split(tmp_path, SOURCE, "default", "test", [_row("x", "y", 0)])
    [r] = rejected(SOURCE, tmp_path)
    assert (r.provenance.file, r.provenance.row, r.field) == ("default/train", 0, field)
