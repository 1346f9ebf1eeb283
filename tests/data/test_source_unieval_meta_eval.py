"""unieval_meta_eval on the real mirror: USR scales, _nofact handling, QAGS labels, bad input."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from flame.core.errors import DataError
from flame.data.files import SourceFiles
from flame.data.source import Rejected
from flame.data.sources import bartscore_meta_eval
from flame.data.sources.unieval_meta_eval import SOURCE

CHAT = "dialogue/topical_chat.json"
USR = "usr_topicalchat_"


def chosen(example):
    return example.inputs["response_" + example.targets["choice"].lower()]


def rows(examples, file, row):
    return [e for e in examples if e.provenance.file == file and e.provenance.row == row]


def test_usr_row_checked_by_hand_keeps_the_original_scales(read):
    by_task, _ = read
    # row 7 (argmax decoding): understandable 1, natural 2.67, context 2.67, interesting 2.0,
    # uses knowledge 0.0, overall 3.67 (means of 3 annotators)
    labels = {}
    aspects = ("understandable", "natural", "maintains_context", "interesting", "uses_knowledge", "overall_quality")
    for aspect in aspects:
        [ex] = rows(by_task[USR + aspect], CHAT, 7)
        labels[aspect] = ex.targets[aspect]
    assert labels == {"understandable": "1", "natural": "3", "maintains_context": "3", "interesting": "2",
                      "uses_knowledge": "0", "overall_quality": "4"}
    [ex] = rows(by_task[USR + "uses_knowledge"], CHAT, 7)
    assert ex.inputs["fact"].startswith("the raiders sacked goff only once")
    assert ex.inputs["response"] == "i like the eagles . i think they are doing well this season ."
    history = ex.inputs["dialogue_history"].split("\n")
    assert history[0] == "i think that jon gruden is a sensible loss for the team ,"
    assert history[-1] == "maybe he demanded a high salary ? what is your favorite nfl team ?"
    assert len(history) == 7
    [natural] = rows(by_task[USR + "natural"], CHAT, 7)
    assert set(natural.inputs) == {"dialogue_history", "response"}  # judged without the fact
    scales = {t.name: t.primary_output.labels.labels for t in SOURCE.tasks if t.name.startswith(USR)}
    assert scales[USR + "understandable"] == ("0", "1") and scales[USR + "natural"] == ("1", "2", "3")
    assert scales[USR + "overall_quality"] == ("1", "2", "3", "4", "5")


def test_responses_without_a_fact_are_not_rated_for_knowledge_use(read):
    by_task, rejected = read
    # row 18 belongs to a context whose fact is "_nofact"
    assert not rows(by_task[USR + "uses_knowledge"], CHAT, 18)
    [overall] = rows(by_task[USR + "overall_quality"], CHAT, 18)
    assert overall.inputs["fact"].startswith("none")
    assert rows(by_task[USR + "natural"], CHAT, 18)
    [why] = [r for r in rejected if r.provenance.row == 18]
    assert why.field == "context" and "_nofact" in why.reason
    assert all(e.inputs["fact"] != "_nofact" for e in by_task[USR + "uses_knowledge"])


def test_repeated_response_is_pooled(read):
    by_task, rejected = read
    # rows 354 and 356: the same response to the same dialogue, from two systems
    assert rows(by_task[USR + "overall_quality"], CHAT, 354)
    assert not rows(by_task[USR + "overall_quality"], CHAT, 356)
    [dup] = [r for r in rejected if r.provenance.row == 356]
    assert "row 354" in dup.reason


def test_qags_fully_supported_only_when_every_sentence_is(read):
    by_task, _ = read
    cnndm, xsum = by_task["qags_cnndm_fully_supported"], by_task["qags_xsum_fully_supported"]
    # cnndm row 0: all sentences supported (1.0); row 2: 2 of 3 sentences (0.67); xsum row 1: 0.0
    assert rows(cnndm, "fact/qags_cnndm.json", 0)[0].targets == {"fully_supported": "Yes"}
    [partial] = rows(cnndm, "fact/qags_cnndm.json", 2)
    assert partial.targets == {"fully_supported": "No"}
    assert partial.inputs["summary"].startswith("A chiropractor in iowa has surrendered his license")
    [big_ben] = rows(xsum, "fact/qags_xsum.json", 1)
    assert big_ben.targets == {"fully_supported": "No"}
    assert big_ben.inputs["article"].startswith("London 's first history day")
    for examples in (cnndm, xsum):
        share_yes = Counter(e.targets["fully_supported"] for e in examples)["Yes"] / len(examples)
        assert 0.35 < share_yes < 0.65


def test_each_set_of_judgments_is_registered_once():
    """QAGS is read here only, SF-HOT/SF-RES only by bartscore_meta_eval."""
    here = {f.path for f in SOURCE.files}
    there = {f.path for f in bartscore_meta_eval.SOURCE.files}
    assert not any("qags" in p.lower() for p in there) and any("qags" in p for p in here)
    assert not any("data2text" in p for p in here) and any("SFHOT" in p for p in there)
    names = [t.name for t in SOURCE.tasks] + [t.name for t in bartscore_meta_eval.SOURCE.tasks]
    assert len(names) == len(set(names))


# ---------------------------------------------------------------- malformed input


def broken_mirror(tmp_path: Path, mirror: Path, rel: str, payload: str) -> SourceFiles:
    """A mirror with every real file linked in, except rel, which holds payload."""
    for spec in SOURCE.files:
        dest = tmp_path / SOURCE.name / spec.path
        dest.parent.mkdir(parents=True, exist_ok=True)
        if spec.path == rel:
            dest.write_text(payload, encoding="utf-8")
        else:
            dest.symlink_to(mirror / SOURCE.name / spec.path)
    return SourceFiles(SOURCE, mirror=tmp_path, verify=False)


def real(mirror: Path, rel: str):
    return json.loads((mirror / SOURCE.name / rel).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "field, damage",
    [
        ("scores.naturalness", lambda r: r["scores"].update(naturalness="high")),
        ("scores.understandability", lambda r: r["scores"].update(understandability=2)),
        ("system_output", lambda r: r.pop("system_output")),
    ],
    ids=["wrong-type", "off-scale", "missing-field"],
)
def test_bad_dialogue_row_names_file_row_and_field(tmp_path, mirror, field, damage):
    data = real(mirror, CHAT)
    damage(data[3])
    with pytest.raises(DataError) as err:
        list(SOURCE.examples(broken_mirror(tmp_path, mirror, CHAT, json.dumps(data))))
    message = str(err.value)
    assert CHAT in message and "row 3" in message and field in message


def test_bad_qags_row_is_rejected_with_its_field(tmp_path, mirror):
    rel = "fact/qags_xsum.json"
    data = real(mirror, rel)
    data[5]["scores"]["consistency"] = None
    files = broken_mirror(tmp_path, mirror, rel, json.dumps(data))
    bad = next(r for r in SOURCE.items(files) if isinstance(r, Rejected) and r.provenance.file == rel)
    message = str(bad.as_error())
    assert rel in message and "row 5" in message and "scores.consistency" in message


@pytest.mark.parametrize(
    "payload, reason",
    [('[{"source": "an article", "system_output"', "invalid JSON"), ("", "empty"),
     ('{"source": "x"}', "expected a non-empty JSON list")],
    ids=["truncated", "empty", "not-a-list"],
)
def test_broken_files_name_the_file(tmp_path, mirror, payload, reason):
    rel = "fact/qags_cnndm.json"
    with pytest.raises(DataError) as err:
        list(SOURCE.items(broken_mirror(tmp_path, mirror, rel, payload)))
    assert rel in str(err.value) and reason in str(err.value)


# ---------------------------------------------------------------- pairwise USR

PAIRWISE_COUNTS = {  # task: (examples, responses in no pair), aspect key in the raw scores
    USR + "pairwise_natural": (346, 58, "naturalness"),
    USR + "pairwise_maintains_context": (333, 63, "coherence"),
    USR + "pairwise_interesting": (372, 27, "engagingness"),
    USR + "pairwise_overall_quality": (604, 0, "overall"),
}


def test_usr_pair_counts(read):
    by_task, rejected = read
    for task, (examples, unpaired, _) in PAIRWISE_COUNTS.items():
        assert len(by_task[task]) == examples, task
        dropped = [r for r in rejected if task in r.reason]
        assert len(dropped) == unpaired and all(r.excluded for r in dropped), task
    inputs = {t.name: t.input_names for t in SOURCE.tasks}
    assert inputs[USR + "pairwise_overall_quality"] == ("dialogue_history", "fact", "response_a", "response_b")
    assert inputs[USR + "pairwise_natural"] == ("dialogue_history", "response_a", "response_b")
    assert USR + "pairwise_understandable" not in inputs and USR + "pairwise_uses_knowledge" not in inputs


def test_usr_pairs_prefer_the_response_rated_a_point_higher(read, mirror):
    """Recomputed from the raw file: both responses answer the same dialogue (history and fact),
    differ, and the preferred one's mean rating (identical responses pooled) is >= 1 point higher."""
    by_task, _ = read
    raw = real(mirror, CHAT)

    def rating(row: dict, response: str, aspect: str) -> float:
        values = [r["scores"][aspect] for r in raw if r["source"] == row["source"]
                  and r["context"] == row["context"] and r["system_output"].strip() == response]
        return sum(values) / len(values)

    for task, (_, _, aspect) in PAIRWISE_COUNTS.items():
        pairs = by_task[task]
        for ex in pairs:
            better, worse = (raw[int(r)] for r in ex.provenance.row.split(" > "))
            assert (better["source"], better["context"]) == (worse["source"], worse["context"])
            history = "\n".join(t.strip() for t in better["source"].split("\n") if t.strip())
            assert ex.inputs["dialogue_history"] == history
            if "fact" in ex.inputs:
                assert ex.inputs["fact"] == better["context"].strip() or better["context"].strip() == "_nofact"
            other = ex.inputs["response_b" if ex.targets["choice"] == "A" else "response_a"]
            assert chosen(ex) == better["system_output"].strip() and other == worse["system_output"].strip()
            assert chosen(ex) != other
            assert rating(better, chosen(ex), aspect) - rating(better, other, aspect) >= 1.0 - 1e-9
        assert len({e.uid for e in pairs}) == len(pairs), task
        share_a = Counter(e.targets["choice"] for e in pairs)["A"] / len(pairs)
        assert 0.4 <= share_a <= 0.6, (task, share_a)
