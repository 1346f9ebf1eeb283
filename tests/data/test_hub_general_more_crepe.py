"""CREPE adapter on fixtures in the authors' documented JSONL schema (no network)."""

from __future__ import annotations

import pytest

from flame.data.sources.crepe import SOURCE

from .test_hub_general_fixtures import (
    assert_round_trips,
    counts,
    examples,
    rejected,
    write_split,
)

FP_QUESTION = "Why do all planets in the solar system rotate in the same direction?"


def _row(labels=("false_presupposition",), question=FP_QUESTION, comment="Venus and Uranus rotate the other way.",
         presuppositions=("All planets rotate in the same direction.",),
         corrections=("Venus and Uranus rotate in the opposite direction.",)):
    is_fp = "false_presupposition" in labels
    return {"id": "c1a2b3", "question": question, "comment": comment, "labels": list(labels),
            "presuppositions": list(presuppositions) if is_fp else [],
            "corrections": list(corrections) if is_fp else [], "passages": ["Venus ...", "Uranus ..."]}


NORMAL = _row(labels=("normal",), question="How do noise-cancelling headphones work?",
              comment="They play an inverted copy of the ambient sound.")


def _mirror(root, train_rows):
    write_split(root, SOURCE, "default", "train", train_rows)
    write_split(root, SOURCE, "default", "validation", [NORMAL])
    write_split(root, SOURCE, "default", "test", [_row()])
    return root


def test_tasks_and_label_spaces():
    detection, correction = SOURCE.tasks
    assert (detection.name, correction.name) == ("crepe_false_presupposition", "crepe_correction")
    assert detection.primary_output.labels.labels == ("Yes", "No")
    assert [o.name for o in correction.outputs] == ["presupposition", "correction"]
    assert SOURCE.permissive and SOURCE.hf.dataset_id == "tasksource/CREPE"


def test_labels_become_targets(tmp_path):
    exs = examples(SOURCE, _mirror(tmp_path, [_row(), NORMAL]))
    assert counts(exs) == {"crepe_false_presupposition": 4, "crepe_correction": 2}
    detected = {(e.provenance.file, e.provenance.row): e.targets["answer"]
                for e in exs if e.task == "crepe_false_presupposition"}
    assert detected == {("default/train", 0): "Yes", ("default/train", 1): "No",
                        ("default/validation", 0): "No", ("default/test", 0): "Yes"}
    fix = next(e for e in exs if e.task == "crepe_correction")
    assert fix.inputs["question"] == FP_QUESTION
    assert fix.targets == {"presupposition": "All planets rotate in the same direction.",
                           "correction": "Venus and Uranus rotate in the opposite direction."}
    assert_round_trips(SOURCE, exs)


def test_annotator_disagreement_is_excluded(tmp_path):
    _mirror(tmp_path, [_row(labels=("false_presupposition", "normal"))])
    [r] = rejected(SOURCE, tmp_path)
    assert r.excluded and r.field == "labels" and r.provenance.row == 0


@pytest.mark.parametrize("bad, field", [
    (_row(labels=("unsure",)), "labels"),
    (_row(presuppositions=()), "presuppositions"),
    (_row(corrections=("",)), "corrections"),
    ({**_row(), "comment": None}, "comment"),
    ({**_row(), "labels": "normal"}, "labels"),
])
def test_malformed_rows_are_rejected_naming_field(tmp_path, bad, field):
    _mirror(tmp_path, [NORMAL, bad])
    [r] = rejected(SOURCE, tmp_path)
    assert (r.provenance.file, r.provenance.row, r.field, r.excluded) == ("default/train", 1, field, False)
