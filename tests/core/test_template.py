"""The FLAMe format: layout, exact round trip, and explicit invalid results."""

from __future__ import annotations

import pytest

from flame.core import (
    Capability, Example, InputField, LabelSpace, OutputField, Provenance, Role, TaskSpec, TaskType,
    parse, render, template_hash,
)

TASK = TaskSpec(
    name="toy_attribution",
    task_type=TaskType.CLASSIFICATION,
    capability=Capability.FACTUALITY,
    title="Is everything in the summary fully attributable to the article?",
    description="Answer Yes if every claim in the summary is supported by the article, No otherwise, and explain why.",
    inputs=(InputField("article"), InputField("summary")),
    outputs=(OutputField("answer", LabelSpace.classes("Yes", "No")), OutputField("explanation", LabelSpace.free_text())),
    source="toy", license="MIT", role=Role.TRAIN,
)
EX = Example(
    task="toy_attribution",
    inputs={"article": "The cat sat on the mat.\nIt was warm.", "summary": "A dog sat on the mat."},
    targets={"answer": "No", "explanation": "The article says a cat, not a dog.\nSo the summary is wrong."},
    provenance=Provenance("toy", "toy.jsonl", 0),
)


def test_render_has_the_three_blocks_and_ends_with_evaluation_header():
    p = render(TASK, EX)
    assert p.text.startswith("INSTRUCTIONS:\ntitle: Is everything")
    assert "output_fields: answer, explanation\n" in p.text
    assert "answer must be one of Yes, No." in p.text
    assert "CONTEXT:\narticle: The cat sat on the mat.\nIt was warm.\nsummary: A dog sat on the mat.\n" in p.text
    assert p.text.endswith("EVALUATION:\n")
    assert p.target == "answer: No\nexplanation: The article says a cat, not a dog.\nSo the summary is wrong."


def test_parse_inverts_render_target_exactly():
    assert parse(TASK, render(TASK, EX).target).values == dict(EX.targets)


@pytest.mark.parametrize(
    "text, reason",
    [
        ("answer: Maybe\nexplanation: unsure", "not one of Yes, No"),
        ("answer: yes\nexplanation: case matters", "not one of Yes, No"),
        ("explanation: order\nanswer: No", "expected 'answer:'"),
        ("answer: No", "missing field 'explanation'"),
        ("The answer is No.", "expected 'answer:'"),
        ("answer: No\nexplanation: ", "is not free text"),
        ("", "expected 'answer:'"),
    ],
)
def test_parse_reports_invalid_output_instead_of_guessing(text, reason):
    result = parse(TASK, text)
    assert not result.valid
    assert reason in result.error


def test_likert_labels_and_template_hash_are_stable():
    assert LabelSpace.likert(1, 5).labels == ("1", "2", "3", "4", "5")
    assert template_hash() == template_hash() and len(template_hash()) == 16


def test_example_is_frozen_and_uid_tracks_content():
    with pytest.raises(TypeError):
        EX.inputs["summary"] = "changed"  # type: ignore[index]
    same = Example(task=EX.task, inputs=dict(EX.inputs), targets=dict(EX.targets), provenance=Provenance("x", "y", 9))
    assert same.uid == EX.uid  # provenance is not content
    other = Example(task=EX.task, inputs=dict(EX.inputs), targets={**EX.targets, "answer": "Yes"}, provenance=EX.provenance)
    assert other.uid != EX.uid
    assert Example.from_dict(EX.to_dict()) == EX
    with pytest.raises(ValueError, match="does not match"):
        Example.from_dict({**EX.to_dict(), "uid": "0" * 16})


def test_non_string_field_is_rejected_with_its_name():
    with pytest.raises(TypeError, match="toy/toy.jsonl row 3: input field 'summary' must be str"):
        Example(task="t", inputs={"summary": 3}, targets={}, provenance=Provenance("toy", "toy.jsonl", 3))  # type: ignore[dict-item]
