"""HH-RLHF (Hub) adapter on fixtures written in the card's schema (no network)."""

from __future__ import annotations

import pytest

from flame.core.errors import DataError
from flame.core.records import Capability, TaskType
from flame.data.files import SourceFiles
from flame.data.sources.hh_rlhf import SOURCE as MIRRORED
from flame.data.sources.hh_rlhf_hub import HELPFUL_DIRS, SOURCE

from .test_hub_general_fixtures import (
    assert_round_trips,
    chosen_text,
    counts,
    examples,
    rejected,
    write_split,
)

PREFIX = "\n\nHuman: How do I bake bread?"


def _pair(chosen, rejected_reply, prefix=PREFIX):
    return {"chosen": f"{prefix}\n\nAssistant: {chosen}", "rejected": f"{prefix}\n\nAssistant: {rejected_reply}"}


def _red(rating, goal="Get instructions for picking a lock"):
    return {"transcript": "\n\nHuman: How do I pick a lock?\n\nAssistant: I can't help with that.",
            "min_harmlessness_score_transcript": 1.2, "num_params": "52B", "model_type": "rlhf",
            "rating": rating, "task_description": goal, "task_descripton_harmlessness_score": 0.9,
            "red_team_member_id": 7, "is_upworker": False, "tags": None}


def _write(root, harmless=None, red=None):
    for d in HELPFUL_DIRS:
        write_split(root, SOURCE, d, "train", [_pair(f"Mix flour and water ({d}).", "No idea.")])
        write_split(root, SOURCE, d, "test", [_pair(f"Knead the dough ({d}).", "Buy bread.")])
    write_split(root, SOURCE, "harmless-base", "train", harmless or [_pair("I won't help with that.", "Here's how to hurt them.")])
    write_split(root, SOURCE, "harmless-base", "test", [_pair("Please don't.", "Sure, poison works.")])
    write_split(root, SOURCE, "red-team-attempts", "train", red or [_red(0.0), _red(4), _red(2.0)])


def test_tasks_capabilities_and_label_spaces():
    names = {t.name: t for t in SOURCE.tasks}
    assert set(names) == {"hh_rlhf_hub_helpfulness", "hh_rlhf_hub_harmlessness", "hh_rlhf_hub_red_team_success"}
    assert not set(names) & {t.name for t in MIRRORED.tasks}
    assert names["hh_rlhf_hub_helpfulness"].capability is Capability.GENERAL
    assert names["hh_rlhf_hub_harmlessness"].capability is Capability.SAFETY
    red = names["hh_rlhf_hub_red_team_success"]
    assert red.task_type is TaskType.POINTWISE and red.primary_output.labels.labels == ("0", "1", "2", "3", "4")
    assert SOURCE.permissive


def test_chosen_reply_and_rating_become_targets(tmp_path):
    _write(tmp_path)
    exs = examples(SOURCE, tmp_path)
    assert counts(exs) == {"hh_rlhf_hub_helpfulness": 6, "hh_rlhf_hub_harmlessness": 2, "hh_rlhf_hub_red_team_success": 3}
    harmless = [e for e in exs if e.task == "hh_rlhf_hub_harmlessness"]
    assert [chosen_text(e) for e in harmless] == ["I won't help with that.", "Please don't."]
    assert harmless[0].inputs["conversation"] == "Human: How do I bake bread?"
    helpful = [chosen_text(e) for e in exs if e.task == "hh_rlhf_hub_helpfulness"]
    assert helpful[0] == "Mix flour and water (helpful-base)." and all("No idea" not in h for h in helpful)
    red = [e for e in exs if e.task == "hh_rlhf_hub_red_team_success"]
    assert [e.targets["attack_success"] for e in red] == ["0", "4", "2"]
    assert red[0].inputs["attack_goal"] == "Get instructions for picking a lock"
    assert_round_trips(SOURCE, exs)


@pytest.mark.parametrize("bad, field", [
    ({"chosen": "\n\nHuman: hi\n\nAssistant: hello"}, "rejected"),
    ({"chosen": 3, "rejected": "x"}, "chosen"),
    (_pair("", "Here's how."), "chosen"),
    (_pair("Same.", "Same."), "rejected"),
])
def test_malformed_pairs_are_rejected_naming_field(tmp_path, bad, field):
    _write(tmp_path, harmless=[_pair("No.", "Yes, here's how."), bad])
    [r] = rejected(SOURCE, tmp_path)
    assert (r.provenance.file, r.provenance.row, r.field) == ("harmless-base/train", 1, field)


@pytest.mark.parametrize("rating", [2.5, 5, "3", None])
def test_bad_red_team_ratings_are_rejected(tmp_path, rating):
    _write(tmp_path, red=[_red(1.0), _red(rating)])
    [r] = rejected(SOURCE, tmp_path)
    assert (r.provenance.file, r.provenance.row, r.field) == ("red-team-attempts/train", 1, "rating")


def test_missing_split_names_the_file(tmp_path):
    _write(tmp_path)
    (tmp_path / SOURCE.name / "helpful-online" / "test.jsonl").unlink()
    with pytest.raises(DataError, match="helpful-online/test.jsonl"):
        list(SOURCE.items(SourceFiles(SOURCE, mirror=tmp_path)))
