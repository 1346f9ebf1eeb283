"""The evaluation-only sources of FLAMe's Table 1 read from their public origin (AlpacaFarm,
summarize-from-feedback's axis evals, LFQAEval), on small fixtures written in each dataset's
documented schema (no network), and their pinned origins."""

from __future__ import annotations

import json

import pytest

from flame.core.errors import DataError, FlameError
from flame.core.records import LabelKind, Role, TaskType
from flame.data.build import build_collection
from flame.data.files import SourceFiles, is_commit
from flame.data.source import Rejected
from flame.data.sources import EVAL_ORIGIN, SOURCES
from flame.data.sources import alpacafarm, lfqa_eval, summarize_feedback, summarize_feedback_axis

from .test_hub_general_fixtures import assert_round_trips, chosen_text, examples, items, rejected, write_split


@pytest.mark.parametrize("name", sorted(EVAL_ORIGIN))
def test_evaluation_only_never_built_and_pinned(name, tmp_path):
    source = SOURCES.get(name)
    assert source.role is Role.EVAL and all(t.role is Role.EVAL for t in source.tasks)
    with pytest.raises(FlameError, match="no train tasks"):
        build_collection(tmp_path / "out", sources=[name])
    assert (source.hf and is_commit(source.hf.revision)) or all(len(f.sha256) == 64 for f in source.files)


def test_licenses_say_why_evaluation_only():
    assert not alpacafarm.SOURCE.permissive and alpacafarm.SOURCE.license == "CC-BY-NC-4.0 (evaluation only)"
    assert not lfqa_eval.SOURCE.permissive and lfqa_eval.SOURCE.license == "none (evaluation only)"
    # MIT, but held out by FLAMe itself: only the comparisons of the same dataset are training data
    assert summarize_feedback_axis.SOURCE.license == summarize_feedback.SOURCE.license == "MIT"


# -- AlpacaFarm: the alpaca_human_preference split (instruction, input, output_1, output_2, preference)

def _alpaca(instruction, out1, out2, preference, input=""):
    return {"instruction": instruction, "input": input, "output_1": out1, "output_2": out2, "preference": preference}


def test_alpacafarm_preference_names_the_better_output(tmp_path):
    write_split(tmp_path, alpacafarm.SOURCE, "default", "preference", [
        _alpaca("Name a prime number.", "9", "7", 2),
        _alpaca("Translate to French.", "Bonjour le monde.", "Hello world.", 1, input="Hello world."),
        _alpaca("Say hi.", "Hi!", "Hi!", 1),
        _alpaca("Count to 3.", "1 2 3", "1 2", 0),
    ])
    exs = examples(alpacafarm.SOURCE, tmp_path)
    assert [chosen_text(e) for e in exs] == ["7", "Bonjour le monde."]
    assert exs[1].inputs["instruction"] == "Translate to French.\n\nHello world."  # the input follows the instruction
    assert_round_trips(alpacafarm.SOURCE, exs)
    same, bad = rejected(alpacafarm.SOURCE, tmp_path)
    assert same.excluded and "same text" in same.reason and same.provenance.row == 2
    assert not bad.excluded and (bad.provenance.row, bad.field) == (3, "preference")


def test_alpacafarm_reads_the_human_preference_file_at_the_pinned_commit():
    origin = alpacafarm.SOURCE.hf
    assert (origin.dataset_id, origin.revision, origin.split) == (
        "tatsu-lab/alpaca_farm", "f8ca79be8498a5bde4631a021ae4d83123892438", "preference")
    assert alpacafarm.DATA_FILE == "alpaca_human_preference.json"


# -- summarize-from-feedback axis evals (README "Axis evals": info, split, summary.axes, worker, batch)

def _axis(text, axes, **info):
    base = {"id": "167f80cc", "site": "dailymail", "title": "Sissoko faces action", "article": "Newcastle stand-in ..."}
    return {"info": {**base, **info}, "split": "test",
            "summary": {"text": text, "policy": "ref", "note": None, "axes": axes},
            "worker": "qo6WIyEh27", "batch": "cnndm1"}


def test_summfeedback_axes_become_one_rating_task_each(tmp_path):
    write_split(tmp_path, summarize_feedback_axis.SOURCE, "axis", "test", [
        _axis("Sissoko was sent off.", {"overall": 3, "accuracy": 5, "coverage": 4, "coherence": 2}),
        _axis("A car crash; how to prove speed?", {"overall": 6, "accuracy": None, "coverage": 7, "coherence": 8},
              article=None, site=None, post="I had a car accident on friday ...", subreddit="legaladvice",
              title="Dutch law question"),
    ])
    exs = examples(summarize_feedback_axis.SOURCE, tmp_path)
    assert [(e.task, e.targets) for e in exs] == [
        ("summfeedback_overall", {"overall": "3"}), ("summfeedback_accuracy", {"accuracy": "5"}),
        ("summfeedback_coverage", {"coverage": "4"}), ("summfeedback_coherence", {"coherence": "2"}),
        ("summfeedback_overall", {"overall": "6"}), ("summfeedback_coverage", {"coverage": "7"})]
    assert exs[0].inputs["text"] == "Newcastle stand-in ..." and exs[4].inputs["text"].startswith("I had a car")
    assert_round_trips(summarize_feedback_axis.SOURCE, exs)
    missing, off_scale = rejected(summarize_feedback_axis.SOURCE, tmp_path)
    assert missing.excluded and missing.field == "summary.axes.accuracy" and missing.provenance.row == 1
    assert not off_scale.excluded and off_scale.field == "summary.axes.coherence"


def test_summfeedback_tasks_are_7_point_ratings_from_the_test_split():
    for task in summarize_feedback_axis.SOURCE.tasks:
        assert task.task_type is TaskType.POINTWISE and task.primary_output.labels.kind is LabelKind.LIKERT
        assert task.primary_output.labels.labels == tuple(str(i) for i in range(1, 8))
    origin = summarize_feedback_axis.SOURCE.hf
    assert (origin.config, origin.split) == ("axis", "test")
    # the training adapter's export commit: the comparisons it trains on and these ratings come from one dataset
    assert origin.revision == summarize_feedback.EXPORT_REVISION
    assert not {t.name for t in summarize_feedback.SOURCE.tasks} & {t.name for t in summarize_feedback_axis.SOURCE.tasks}


# -- LFQAEval expert preferences (README "Data": question, answer_a/b, *_type, overall_preference, ...)

def _lfqa(question, a, b, preference, **extra):
    return {"question": question, "answer_a": a, "answer_b": b, "doc_a": None, "doc_b": None,
            "answer_a_type": "human", "answer_b_type": "machine", "overall_preference": preference,
            "coherence_preference": None, "factuality_preference": None, "justification": "A cites a source.",
            **extra}


def _write_lfqa(root, rows):
    path = root / lfqa_eval.SOURCE.name / lfqa_eval.FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def test_lfqa_expert_preference_ties_excluded_and_breaks_restored(tmp_path):
    _write_lfqa(tmp_path, [
        _lfqa("Who trained the troops?<br />Details please.", "Steuben.<br />Source: a book.", "Nobody.", -1),
        _lfqa("Why is the sky blue?", "Because.", "Rayleigh scattering of sunlight.", 1),
        _lfqa("Is it real?", "Maybe.", "Perhaps.", 0),
        _lfqa("Bad row?", "x", "y", 2),
    ])
    found = list(lfqa_eval.SOURCE.items(SourceFiles(lfqa_eval.SOURCE, mirror=tmp_path, verify=False)))
    exs = [i for i in found if not isinstance(i, Rejected)]
    assert [chosen_text(e, "response") for e in exs] == ["Steuben.\nSource: a book.", "Rayleigh scattering of sunlight."]
    assert exs[0].inputs["question"] == "Who trained the troops?\nDetails please."
    assert all("justification" not in e.inputs and "A cites" not in "".join(e.inputs.values()) for e in exs)
    assert_round_trips(lfqa_eval.SOURCE, exs)
    tie, bad = [i for i in found if isinstance(i, Rejected)]
    assert tie.excluded and "tie" in tie.reason and tie.provenance.row == 2
    assert not bad.excluded and (bad.provenance.row, bad.field) == (3, "overall_preference")


def test_lfqa_file_is_the_pinned_lfs_object_or_refused(tmp_path):
    (remote,) = lfqa_eval.SOURCE.files
    assert remote.url == ("https://media.githubusercontent.com/media/carriex/lfqa_eval/"
                          "5202745be28c1574c79c18c95143a797567eded9/preference_data/experts_pairwise_human_preferences.jsonl")
    assert remote.sha256 == "5944620336f9a4f72261d29b6b91dc7fb0ee8a6a7dec6e65bff6275be7c1cfac"
    _write_lfqa(tmp_path, [_lfqa("q", "a", "b", 1)])
    with pytest.raises(DataError, match="checksum mismatch"):
        list(items(lfqa_eval.SOURCE, tmp_path))
