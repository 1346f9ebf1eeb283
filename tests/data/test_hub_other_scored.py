"""MOCHA and WikiBio hallucination adapters on fixtures in their documented schemas (no network)."""

from __future__ import annotations

import io
import json
import tarfile

import pytest

from flame.core import parse, render
from flame.core.errors import DataError
from flame.data.files import SourceFiles
from flame.data.source import Rejected
from flame.data.sources import mocha, wikibio_hallucination

from .test_hub_other_math import write_split


def round_trips(source, examples):
    specs = {t.name: t for t in source.tasks}
    for ex in examples:
        assert parse(specs[ex.task], render(specs[ex.task], ex).target).values == dict(ex.targets)


def write_mocha(mirror, train, member=mocha.MEMBER):
    """The release archive `mocha.tar.gz` with `mocha/train.json` (+ dev) as the repository ships it."""
    path = mirror / "mocha" / mocha.ARCHIVE
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as archive:
        for name, payload in ((member, train), ("mocha/dev.json", {})):
            data = (payload if isinstance(payload, bytes) else json.dumps(payload).encode())
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


def instance(score, candidate="a cat", scores=None):
    return {"context": "Tom has a cat named Tiger.", "question": "What pet does Tom have?", "reference": "a cat",
            "candidate": candidate, "score": score, "metadata": {"scores": scores or [int(score)], "source": "gpt2"}}


def test_mocha_rounds_mean_scores_onto_the_1_5_scale(tmp_path):
    write_mocha(tmp_path, {
        "narrativeqa": {"n1": instance(5.0, "Tom's pet cat"), "n2": instance(2.5, "a dog", [2, 3]),
                        "n3": instance(1.3333, "Tiger", [1, 1, 2])},
        "cosmosqa": {"c1": instance(6.0), "c2": instance("4"), "c3": {**instance(3.0), "question": ""}},
    })
    items = list(mocha.SOURCE.items(SourceFiles(mocha.SOURCE, mirror=tmp_path)))
    (spec,) = mocha.SOURCE.tasks
    assert spec.task_type.value == "pointwise" and spec.capability.value == "factuality/attribution"
    assert spec.primary_output.labels.labels == ("1", "2", "3", "4", "5")
    assert spec.input_names == ("passage", "question", "reference", "candidate")
    examples = [i for i in items if not isinstance(i, Rejected)]
    assert [(e.provenance.row, e.targets["correctness"]) for e in examples] == [
        ("narrativeqa/n1", "5"), ("narrativeqa/n2", "3"), ("narrativeqa/n3", "1")]
    assert examples[1].inputs["candidate"] == "a dog" and examples[0].inputs["passage"] == "Tom has a cat named Tiger."
    rejected = {r.provenance.row: r for r in items if isinstance(r, Rejected)}
    assert {row: r.field for row, r in rejected.items()} == {
        "cosmosqa/c1": "score", "cosmosqa/c2": "score", "cosmosqa/c3": "question"}
    assert "outside 1-5" in rejected["cosmosqa/c1"].reason and not any(r.excluded for r in rejected.values())
    round_trips(mocha.SOURCE, examples)


def test_mocha_origin_is_the_commit_pinned_release_archive():
    (remote,) = mocha.SOURCE.files
    assert remote.url == ("https://raw.githubusercontent.com/anthonywchen/MOCHA/"
                          "080e2acd5954be4b5c953628041b32636f8b5fe8/data/mocha.tar.gz")
    assert mocha.SOURCE.permissive and mocha.SOURCE.hf is None


def test_mocha_broken_archive_names_the_file(tmp_path):
    write_mocha(tmp_path, b'{"narrativeqa": {"n1": ', member=mocha.MEMBER)
    with pytest.raises(DataError, match=r"mocha.tar.gz:mocha/train.json.*cannot read"):
        list(mocha.SOURCE.items(SourceFiles(mocha.SOURCE, mirror=tmp_path)))
    write_mocha(tmp_path, {"narrativeqa": {"n1": instance(2.0)}}, member="mocha/other.json")
    with pytest.raises(DataError, match=r"mocha/train.json"):
        list(mocha.SOURCE.items(SourceFiles(mocha.SOURCE, mirror=tmp_path)))


def passage(sentences, labels, **extra):
    return {"gpt3_text": " ".join(sentences), "wiki_bio_text": "John Smith (born 1950) is an English footballer.",
            "gpt3_sentences": sentences, "annotation": labels, "wiki_bio_test_idx": 7,
            "gpt3_text_samples": ["sample one", "sample two"], **extra}


def test_wikibio_gives_one_example_per_annotated_sentence(tmp_path):
    write_split(tmp_path, "wikibio_hallucination", [
        passage(["John Smith is an English footballer.", "He was born in 1948.", "He won the Nobel Prize."],
                ["accurate", "minor_inaccurate", "major_inaccurate"]),
        passage(["One.", "Two."], ["accurate"]),  # labels do not match sentences
        passage(["One."], ["wrong_label"]),
        passage(["One."], ["accurate"], gpt3_text=None),
    ])
    source = wikibio_hallucination.SOURCE
    items = list(source.items(SourceFiles(source, mirror=tmp_path)))
    (spec,) = source.tasks
    assert spec.task_type.value == "pointwise" and spec.capability.value == "factuality/attribution"
    assert spec.primary_output.labels.labels == ("Accurate", "Minor inaccuracy", "Major inaccuracy")
    examples = [i for i in items if not isinstance(i, Rejected)]
    assert [(e.provenance.row, e.inputs["sentence"], e.targets["accuracy"]) for e in examples] == [
        ("0.0", "John Smith is an English footballer.", "Accurate"),
        ("0.1", "He was born in 1948.", "Minor inaccuracy"),
        ("0.2", "He won the Nobel Prize.", "Major inaccuracy")]
    assert examples[1].inputs["passage"].startswith("John Smith is an English footballer. He was born")
    rejected = [(r.provenance.row, r.field) for r in items if isinstance(r, Rejected)]
    assert rejected == [(1, "annotation"), (2, "annotation"), (3, "gpt3_text")]
    round_trips(source, examples)
    with pytest.raises(DataError, match=r"default/train.jsonl, row 1: field 'annotation': 1 labels for 2 sentences"):
        list(source.examples(SourceFiles(source, mirror=tmp_path)))


def test_wikibio_reads_the_pinned_json_file():
    origin = wikibio_hallucination.SOURCE.hf
    assert origin.dataset_id == "potsawee/wiki_bio_gpt3_hallucination" and len(origin.revision) == 40
    assert wikibio_hallucination.DATA_FILES == ("dataset.json",) and wikibio_hallucination.SOURCE.permissive
