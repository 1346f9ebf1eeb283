"""PRM800K adapter on a fixture in the documented phase-2 schema (no network)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from flame.core import parse, render
from flame.core.errors import DataError
from flame.core.records import LabelKind
from flame.data.files import SourceFiles
from flame.data.source import Rejected
from flame.data.sources.prm800k import SOURCE


def write_split(mirror: Path, source: str, rows: list, split: str = "train", config: str | None = None) -> Path:
    """Write rows as `<mirror>/<source>/<config or default>/<split>.jsonl` (the Hub fixture layout)."""
    path = mirror / source / (config or "default") / f"{split}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return path


def chosen(example) -> str:
    """The candidate the target picks."""
    return example.inputs["response_a" if example.targets["choice"] == "A" else "response_b"]


def line(problem, steps, verdict, reference="Ref solution $\\boxed{1}$."):
    return {
        "labeler": "l1", "timestamp": "2023-01-01T00:00:00", "generation": 3,
        "is_quality_control_question": False, "is_initial_screening_question": False,
        "question": {"problem": problem, "ground_truth_solution": reference, "ground_truth_answer": "1",
                     "pre_generated_steps": steps, "pre_generated_answer": "1",
                     "pre_generated_verifier_score": 0.5},
        "label": {"steps": [{"completions": [{"text": s, "rating": 1, "flagged": None}],
                             "human_completion": None, "chosen_completion": 0} for s in steps],
                  "total_time": 1000, "finish_reason": verdict},
    }


ROWS = [
    line("P1", ["Step a.", "# Answer\n\n1"], "solution"),  # 0 correct
    line("P1", ["Step b wrong.", "# Answer\n\n2"], "found_error"),  # 1 incorrect
    line("P1", ["Step c wrong.", "# Answer\n\n3"], "found_error"),  # 2 incorrect
    line("P1", ["Step b wrong.", "# Answer\n\n2"], "found_error"),  # 3 quality-control duplicate of 1
    line("P1", ["Step d."], "give_up"),  # 4 no verdict
    line("P2", ["Only wrong.", "# Answer\n\n5"], "found_error", reference="P2 reference."),  # 5
]


@pytest.fixture
def items(tmp_path):
    write_split(tmp_path, "prm800k", ROWS)
    return list(SOURCE.items(SourceFiles(SOURCE, mirror=tmp_path)))


def test_tasks_and_label_spaces():
    spaces = {t.name: (t.task_type.value, t.capability.value, t.primary_output.labels) for t in SOURCE.tasks}
    assert set(spaces) == {"prm800k_reference_vs_incorrect", "prm800k_correct_vs_incorrect", "prm800k_solution"}
    assert spaces["prm800k_reference_vs_incorrect"][:2] == ("pairwise", "math")
    assert spaces["prm800k_reference_vs_incorrect"][2].labels == ("A", "B")
    assert spaces["prm800k_correct_vs_incorrect"][2].labels == ("A", "B")
    assert spaces["prm800k_solution"][:2] == ("generative", "instruction following")
    assert spaces["prm800k_solution"][2].kind is LabelKind.FREE
    assert SOURCE.permissive and SOURCE.hf.dataset_id == "tasksource/PRM800K" and len(SOURCE.hf.revision) == 40


def test_reference_beats_each_incorrect_solution(items):
    pairs = [i for i in items if not isinstance(i, Rejected) and i.task == "prm800k_reference_vs_incorrect"]
    assert [p.provenance.row for p in pairs] == [1, 2, 5]
    assert [chosen(p) for p in pairs] == ["Ref solution $\\boxed{1}$.", "Ref solution $\\boxed{1}$.", "P2 reference."]
    loser = pairs[0].inputs["response_a" if pairs[0].targets["choice"] == "B" else "response_b"]
    assert loser == "Step b wrong.\n# Answer\n\n2"


def test_correct_model_solution_beats_incorrect_ones_of_the_same_problem(items):
    pairs = [i for i in items if not isinstance(i, Rejected) and i.task == "prm800k_correct_vs_incorrect"]
    assert [p.provenance.row for p in pairs] == [1, 2]  # P2 has no correct solution: no pair
    assert {chosen(p) for p in pairs} == {"Step a.\n# Answer\n\n1"}
    assert all(p.inputs["problem"] == "P1" for p in pairs)


def test_solution_task_has_one_reference_per_problem(items):
    sols = [i for i in items if not isinstance(i, Rejected) and i.task == "prm800k_solution"]
    assert [(s.inputs["problem"], s.targets["solution"]) for s in sols] == [
        ("P1", "Ref solution $\\boxed{1}$."), ("P2", "P2 reference.")]


def test_duplicates_and_rows_without_verdict_are_rejected_with_reasons(items):
    rejected = {r.provenance.row: r for r in items if isinstance(r, Rejected)}
    assert set(rejected) == {3, 4}
    assert "duplicate of row 1" in rejected[3].reason
    assert "give_up" in rejected[4].reason and rejected[4].field == "label.finish_reason"
    assert rejected[3].excluded and rejected[4].excluded  # left out by design, so strict reading passes them


def test_strict_reading_skips_rows_excluded_by_design(tmp_path):
    write_split(tmp_path, "prm800k", ROWS)
    examples = list(SOURCE.examples(SourceFiles(SOURCE, mirror=tmp_path)))
    assert len(examples) == 7


def test_malformed_rows_name_row_and_field(tmp_path):
    missing = line("P3", ["s"], "solution")
    del missing["question"]["problem"]
    wrong_type = line("P4", ["s"], "solution")
    wrong_type["question"]["pre_generated_steps"] = "not a list"
    write_split(tmp_path, "prm800k", [missing, wrong_type])
    rejected = [i for i in SOURCE.items(SourceFiles(SOURCE, mirror=tmp_path)) if isinstance(i, Rejected)]
    assert [(r.provenance.row, r.field) for r in rejected] == [(0, "problem"), (1, "pre_generated_steps")]
    assert not any(r.excluded for r in rejected)
    with pytest.raises(DataError, match=r"default/train.jsonl, row 0: field 'problem'"):
        list(SOURCE.examples(SourceFiles(SOURCE, mirror=tmp_path)))


def test_truncated_json_names_the_file_and_line(tmp_path):
    write_split(tmp_path, "prm800k", [json.dumps(ROWS[0]), json.dumps(ROWS[1])[:50]])
    with pytest.raises(DataError, match=r"train.jsonl, row 1: invalid JSON"):
        list(SOURCE.items(SourceFiles(SOURCE, mirror=tmp_path)))


def test_render_parse_round_trip_and_counts(items):
    examples = [i for i in items if not isinstance(i, Rejected)]
    specs = {t.name: t for t in SOURCE.tasks}
    for ex in examples:
        prompt = render(specs[ex.task], ex)
        assert parse(specs[ex.task], prompt.target).values == dict(ex.targets)
    assert Counter(ex.task for ex in examples) == {
        "prm800k_reference_vs_incorrect": 3, "prm800k_correct_vs_incorrect": 2, "prm800k_solution": 2}
