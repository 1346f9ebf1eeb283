"""Factuality and instruction-tuning Hub adapters on fixtures in their documented schemas (no network)."""

from __future__ import annotations

import pytest

from flame.core import parse, render
from flame.core.errors import DataError
from flame.core.records import LabelKind
from flame.data.files import SourceFiles
from flame.data.source import Rejected
from flame.data.sources import SOURCES

from .test_hub_other_math import write_split

# source -> (config, row field names in the Hub schema, task, output, label space, {raw label: target})
PAIR_SOURCES = {
    "mnli": (None, ("premise", "hypothesis"), "mnli_entailment", "relation",
             ("Entailment", "Neutral", "Contradiction"), {0: "Entailment", 1: "Neutral", 2: "Contradiction"}),
    "paws": ("labeled_final", ("sentence1", "sentence2"), "paws_paraphrase", "paraphrase", ("Yes", "No"),
             {1: "Yes", 0: "No"}),
    "qqp": ("qqp", ("question1", "question2"), "qqp_duplicate", "duplicate", ("Yes", "No"), {1: "Yes", 0: "No"}),
    "vitaminc": (None, ("evidence", "claim"), "vitaminc_fact_verification", "verdict",
                 ("Supported", "Refuted", "Not enough information"),
                 {"SUPPORTS": "Supported", "REFUTES": "Refuted", "NOT ENOUGH INFO": "Not enough information"}),
    "halueval": ("general", ("user_query", "chatgpt_response"), "halueval_general_hallucination", "hallucination",
                 ("Yes", "No"), {"yes": "Yes", "no": "No"}),
}
SPLITS = {"halueval": "data"}
LABEL_FIELD = {"halueval": "hallucination"}


def examples_of(name, tmp_path):
    source = SOURCES.get(name)
    return source, list(source.items(SourceFiles(source, mirror=tmp_path)))


def round_trips(source, examples):
    specs = {t.name: t for t in source.tasks}
    for ex in examples:
        assert parse(specs[ex.task], render(specs[ex.task], ex).target).values == dict(ex.targets)


@pytest.mark.parametrize("name", sorted(PAIR_SOURCES))
def test_sentence_pair_sources_map_every_human_label(name, tmp_path):
    config, (first, second), task, output, space, mapping = PAIR_SOURCES[name]
    field = LABEL_FIELD.get(name, "label")
    rows = [{first: f" text {i} ", second: f"other {i}", field: raw} for i, raw in enumerate(mapping)]
    rows.append({first: "x", second: "y", field: -1})  # unlabeled (GLUE test style)
    rows.append({first: "x", field: next(iter(mapping))})  # missing second text
    write_split(tmp_path, name, rows, SPLITS.get(name, "train"), config)
    source, items = examples_of(name, tmp_path)
    (spec,) = source.tasks
    assert spec.name == task and spec.output_names == (output,) and spec.primary_output.labels.labels == space
    assert spec.capability.value == "factuality/attribution" and spec.task_type.value == "classification"
    examples = [i for i in items if not isinstance(i, Rejected)]
    assert [e.targets[output] for e in examples] == list(mapping.values())
    assert list(examples[0].inputs.values()) == ["text 0", "other 0"]
    rejected = [i for i in items if isinstance(i, Rejected)]
    assert [(r.provenance.row, r.field) for r in rejected] == [(len(mapping), field), (len(mapping) + 1, second)]
    if name == "mnli":  # MNLI's documented "no gold label": left out by design, not bad data
        assert "no gold label" in rejected[0].reason and rejected[0].excluded
    else:
        assert "unknown label -1" in rejected[0].reason and not rejected[0].excluded
    assert not rejected[1].excluded
    round_trips(source, examples)


def test_stsb_rounds_mean_ratings_to_the_0_5_scale(tmp_path):
    write_split(tmp_path, "stsb", [
        {"sentence1": "A man plays guitar.", "sentence2": "A man is playing a guitar.", "label": 4.5, "idx": 0},
        {"sentence1": "a", "sentence2": "b", "label": 0.2, "idx": 1},
        {"sentence1": "a", "sentence2": "c", "label": 5, "idx": 2},
        {"sentence1": "a", "sentence2": "d", "label": -1.0, "idx": 3},
        {"sentence1": "a", "sentence2": "e", "label": "3.0", "idx": 4},
    ], config="stsb")
    source, items = examples_of("stsb", tmp_path)
    spec = source.tasks[0]
    assert spec.task_type.value == "pointwise" and spec.primary_output.labels.labels == tuple("012345")
    examples = [i for i in items if not isinstance(i, Rejected)]
    assert [e.targets["similarity"] for e in examples] == ["5", "0", "5"]
    rejected = {r.provenance.row: r for r in items if isinstance(r, Rejected)}
    assert "outside 0-5" in rejected[3].reason and "expected float, got str" in rejected[4].reason
    round_trips(source, examples)


def test_esnli_gives_label_and_explanation(tmp_path):
    write_split(tmp_path, "esnli", [
        {"premise": "A man plays a guitar on stage.", "hypothesis": "A man plays an instrument.", "label": 0,
         "explanation_1": "A guitar is an instrument.", "explanation_2": "", "explanation_3": ""},
        {"premise": "p", "hypothesis": "h", "label": 2, "explanation_1": "  ", "explanation_2": "", "explanation_3": ""},
        {"premise": "p", "hypothesis": "h", "label": -1, "explanation_1": "e", "explanation_2": "", "explanation_3": ""},
    ])
    source, items = examples_of("esnli", tmp_path)
    (spec,) = source.tasks
    assert spec.output_names == ("relation", "explanation") and spec.outputs[1].labels.kind is LabelKind.FREE
    assert spec.primary_output.labels.labels == ("Entailment", "Neutral", "Contradiction")
    ex, rej, no_gold = items
    assert ex.targets == {"relation": "Entailment", "explanation": "A guitar is an instrument."}
    assert isinstance(rej, Rejected) and rej.field == "explanation_1" and not rej.excluded
    assert isinstance(no_gold, Rejected) and no_gold.excluded and no_gold.field == "label"
    assert [e.provenance.row for e in source.examples(SourceFiles(source, mirror=tmp_path), strict=False)] == [0]
    round_trips(source, [ex])


def dialogue(*utterances):
    return {"utterances": [{"history": h, "speaker": "Wizard", "knowledge": k, "original_response": o, "response": r,
                                "BEGIN": b, "VRM": ["Disclosure"]} for h, k, o, r, b in utterances]}


def test_faithdial_edited_responses_are_faithful_and_hallucinated_originals_are_not(tmp_path):
    write_split(tmp_path, "faithdial", [
        dialogue((["Have you been to a concert?"], "The tour began on September 9, 2015, in Montreal.",
                  "It started in 2015 and I loved it!", "It began on September 9, 2015, in Montreal.",
                  ["Hallucination", "Entailment"]),
                 ([], "Montreal is in Quebec.", None, "Montreal is in Quebec.", None)),
        dialogue((["hi"], "k", "same", "same", ["Hallucination"]),
                 ("not a list", "k", None, "r", None)),
    ])
    source, items = examples_of("faithdial", tmp_path)
    (spec,) = source.tasks
    assert spec.primary_output.labels.labels == ("Yes", "No") and spec.input_names == ("knowledge", "history", "response")
    examples = [i for i in items if not isinstance(i, Rejected)]
    assert [(e.provenance.row, e.inputs["response"], e.targets["faithful"]) for e in examples] == [
        ("0.0", "It began on September 9, 2015, in Montreal.", "Yes"),
        ("0.0", "It started in 2015 and I loved it!", "No"),
        ("0.1", "Montreal is in Quebec.", "Yes"),
        ("1.0", "same", "Yes"),  # unedited original: no hallucinated counterpart
    ]
    assert examples[2].inputs["history"] == "(no previous turn)"
    (rejected,) = [i for i in items if isinstance(i, Rejected)]
    assert rejected.provenance.row == "1.1" and rejected.field == "history"
    round_trips(source, examples)


def test_tulu2_keeps_human_written_subsets_and_targets_the_last_reply(tmp_path):
    def conv(subset, *turns):
        return {"dataset": subset, "id": f"{subset}_1",
                "messages": [{"role": r, "content": c} for r, c in turns]}
    write_split(tmp_path, "tulu2", [
        conv("oasst1", ("user", "Hi"), ("assistant", "Hello!"), ("user", "Name a prime."), ("assistant", "7")),
        conv("science.scifact_json", ("user", "Does the abstract support the claim?"), ("assistant", "Yes.")),
        conv("sharegpt", ("user", "q"), ("assistant", "model answer")),
        conv("flan_v2", ("user", "q"), ("user", "q2")),
        {"dataset": "cot", "id": "c", "messages": [{"role": "user", "content": 3}]},
    ])
    source, items = examples_of("tulu2", tmp_path)
    (spec,) = source.tasks
    assert spec.task_type.value == "generative" and spec.capability.value == "instruction following"
    first, second, *rejected = items
    assert first.inputs["conversation"] == "User: Hi\n\nAssistant: Hello!\n\nUser: Name a prime."
    assert first.targets == {"response": "7"} and second.targets == {"response": "Yes."}
    assert all(isinstance(r, Rejected) for r in rejected)
    assert [(r.provenance.row, r.field) for r in rejected] == [(2, "dataset"), (3, "messages"), (4, "content")]
    assert "not human-written" in rejected[0].reason
    assert [r.excluded for r in rejected] == [True, False, False]  # a model-written subset is left out by design
    round_trips(source, [first, second])


def test_malformed_row_raises_naming_file_row_and_field(tmp_path):
    write_split(tmp_path, "vitaminc", [{"claim": "c", "evidence": ["not", "text"], "label": "SUPPORTS"}])
    source = SOURCES.get("vitaminc")
    with pytest.raises(DataError, match=r"default/train.jsonl, row 0: field 'evidence': expected str, got list"):
        list(source.examples(SourceFiles(source, mirror=tmp_path)))


def test_licenses_and_pinned_origins():
    for name in ("esnli", "halueval", "faithdial", "tulu2"):
        assert SOURCES.get(name).permissive, name
    assert not SOURCES.get("qqp").permissive
    assert SOURCES.get("vitaminc").hf.revision == "be6febb761b0b2807687e61e0b5282e459df2fa0"
