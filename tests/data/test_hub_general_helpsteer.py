"""HelpSteer adapter on fixtures written in the dataset card's schema (no network)."""

from __future__ import annotations

import pytest

from flame.core.records import LabelKind, TaskType
from flame.data.files import SourceFiles
from flame.data.sources.helpsteer import SOURCE, VALIDATION, ratings

from .test_hub_general_fixtures import (
    assert_round_trips,
    chosen_text,
    counts,
    examples,
    rejected,
    write_split,
)

ATTRS = ("helpfulness", "correctness", "coherence", "complexity", "verbosity")


def _row(prompt, response, h, c=3, co=4, cx=1, v=2):
    return {"prompt": prompt, "response": response, "helpfulness": h, "correctness": c,
            "coherence": co, "complexity": cx, "verbosity": v}


@pytest.fixture
def mirror(tmp_path):
    write_split(tmp_path, SOURCE, "default", "train", [
        _row("Name a prime number.", "7 is prime.", 4),
        _row("Name a prime number.", "Nine.", 1),
        _row("Name a prime number.", "2, the only even prime.", 3),
        _row("Explain tides.", "The Moon's gravity pulls the oceans.", 3, c=4),
    ])
    write_split(tmp_path, SOURCE, "default", "validation", [_row("Say hi.", "Hi!", 2, v=0)])
    return tmp_path


def test_tasks_and_label_spaces():
    assert [t.name for t in SOURCE.tasks] == [f"helpsteer_{a}" for a in ATTRS] + ["helpsteer_helpfulness_pairwise"]
    for t in SOURCE.tasks[:5]:
        assert t.task_type is TaskType.POINTWISE
        assert t.primary_output.labels.kind is LabelKind.LIKERT
        assert t.primary_output.labels.labels == ("0", "1", "2", "3", "4")
    assert SOURCE.tasks[5].primary_output.labels.labels == ("A", "B")
    assert SOURCE.permissive and SOURCE.hf.dataset_id == "nvidia/HelpSteer"


def test_ratings_become_pointwise_targets(mirror):
    exs = examples(SOURCE, mirror)
    tides = [e for e in exs if e.inputs.get("prompt") == "Explain tides." and e.task != "helpsteer_helpfulness_pairwise"]
    assert {e.task: e.targets for e in tides}["helpsteer_correctness"] == {"correctness": "4"}
    assert {e.task: e.targets for e in tides}["helpsteer_helpfulness"] == {"helpfulness": "3"}
    assert counts(exs)["helpsteer_verbosity"] == 4  # the train split only
    assert_round_trips(SOURCE, exs)


def test_validation_split_is_never_trained_on_and_is_read_for_the_benchmark(mirror):
    # HelpSteer validation is FLAMe's held-in benchmark: no training example comes from it
    assert not [e for e in examples(SOURCE, mirror) if e.inputs.get("prompt") == "Say hi."]
    held_in = list(ratings(SourceFiles(SOURCE, mirror=mirror), VALIDATION))
    assert [(e.task, e.targets) for e in held_in][::4] == [("helpsteer_helpfulness", {"helpfulness": "2"}),
                                                           ("helpsteer_verbosity", {"verbosity": "0"})]
    assert {e.provenance.file for e in held_in} == {"default/validation"}


def test_pairs_only_for_clear_helpfulness_gaps(mirror):
    pairs = examples(SOURCE, mirror, "helpsteer_helpfulness_pairwise")
    # ratings 4, 1, 3 for one prompt: 4 vs 1 and 3 vs 1 differ by >= 2; 4 vs 3 does not
    assert len(pairs) == 2
    assert {chosen_text(p) for p in pairs} == {"7 is prime.", "2, the only even prime."}
    assert all("Nine." in (p.inputs["response_a"], p.inputs["response_b"]) for p in pairs)


@pytest.mark.parametrize("bad, field", [
    ({"prompt": "p", "response": "r", "correctness": 1, "coherence": 1, "complexity": 1, "verbosity": 1}, "helpfulness"),
    (_row("p", "r", "4"), "helpfulness"),
    (_row("p", "r", 5), "helpfulness"),
    (_row("p", 7, 3), "response"),
])
def test_malformed_rows_are_rejected_naming_field(tmp_path, bad, field):
    write_split(tmp_path, SOURCE, "default", "train", [_row("q", "a", 2), bad])
    write_split(tmp_path, SOURCE, "default", "validation", [_row("q2", "a2", 2)])
    [r] = rejected(SOURCE, tmp_path)
    assert (r.provenance.file, r.provenance.row, r.field) == ("default/train", 1, field)
