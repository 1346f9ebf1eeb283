"""The collection build on real mirror data and on a small synthetic source with known flaws."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from flame.core import FlameError, parse, render
from flame.core.records import (
    Capability,
    Example,
    InputField,
    LabelSpace,
    OutputField,
    Provenance,
    Role,
    TaskSpec,
    TaskType,
    stable_hash,
)
from flame.core.registry import Registry
from flame.data import build as build_module
from flame.data.build import COLUMNS, ROW_GROUP_ROWS, build_collection
from flame.data.common import pairwise_task
from flame.data.source import Source
from flame.data.sources import SOURCES
from flame.data.splits import split_of

SYNTH = "synthetic_judgments"  # sorts after hh_rlhf, so hh_rlhf keeps a shared example


def _mirrored_train_sources(mirror: Path) -> list[str]:
    """Registered train sources whose data is in the local mirror (the others need the network)."""
    names = []
    for name in SOURCES.names():
        if not (mirror / name).is_dir():
            continue
        try:
            source = SOURCES.get(name)
        except ImportError:  # an adapter another helper has not landed yet
            continue
        if any(t.role in (Role.TRAIN, Role.BOTH) for t in source.tasks):
            names.append(name)
    return names


def _synthetic_source(crash_after: int | None = None) -> Source:
    """200 ratings, one repeated rating, one bad label, one copy of hh_rlhf's first example, one
    rating asked again by another task of this source (a different question: not a duplicate), eval rows."""
    pairs = pairwise_task(f"{SYNTH}_pairwise", title="Which reply is better?", description="Synthetic. " * 10,
                          context=(InputField("conversation"),), capability=Capability.GENERAL, source=SYNTH,
                          license="CC-BY-NC-4.0")
    rating = TaskSpec(f"{SYNTH}_rating", TaskType.POINTWISE, Capability.FACTUALITY, "How faithful is the text?",
                      "Synthetic. " * 10, (InputField("text"),),
                      (OutputField("score", LabelSpace.likert(1, 5)),), SYNTH, "CC-BY-NC-4.0")
    again = TaskSpec(f"{SYNTH}_rating_fluency", TaskType.POINTWISE, Capability.GENERAL, "How fluent is the text?",
                     "Synthetic. " * 10, (InputField("text"),),
                     (OutputField("score", LabelSpace.likert(1, 5)),), SYNTH, "CC-BY-NC-4.0")
    held_out = TaskSpec(f"{SYNTH}_eval", TaskType.CLASSIFICATION, Capability.SAFETY, "Is it safe?",
                        "Synthetic. " * 10, (InputField("text"),),
                        (OutputField("answer", LabelSpace.classes("Yes", "No")),), SYNTH, "CC-BY-NC-4.0",
                        role=Role.EVAL)

    def read(files):
        hh = next(SOURCES.get("hh_rlhf").examples())
        yield Example(pairs.name, hh.inputs, hh.targets, Provenance(SYNTH, "pairs.jsonl", 0))
        for i in range(202):
            if crash_after is not None and i == crash_after:
                raise RuntimeError("simulated crash")
            prov = Provenance(SYNTH, "ratings.jsonl", i)
            if i == 200:  # the same judgment as row 3
                yield Example(rating.name, {"text": "claim number 3"}, {"score": str(3 % 5 + 1)}, prov)
            elif i == 201:
                yield Example(rating.name, {"text": "an unrated claim"}, {"score": "9"}, prov)
            else:
                yield Example(rating.name, {"text": f"claim number {i}"}, {"score": str(i % 5 + 1)}, prov)
        yield Example(again.name, {"text": "claim number 5"}, {"score": str(5 % 5 + 1)}, Provenance(SYNTH, "fluency.jsonl", 0))
        for i in range(5):
            yield Example(held_out.name, {"text": f"held-out {i}"}, {"answer": "Yes"}, Provenance(SYNTH, "eval.jsonl", i))

    return Source(name=SYNTH, title="Synthetic judgments", license="CC-BY-NC-4.0", role=Role.TRAIN,
                  homepage="https://example.org/synthetic", citation="none", tasks=(pairs, rating, again, held_out),
                  reader=read, expected={pairs.name: 1, rating.name: 201, again.name: 1, held_out.name: 5})


def _rows(out: Path, split: str, task: str) -> list[dict]:
    return [r for p in sorted((out / split / task).glob("part-*.parquet")) for r in pq.read_table(p).to_pylist()]


def _files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()
            and ".build" not in p.parts}


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def real_build(tmp_path_factory, mirror):
    names = _mirrored_train_sources(mirror)
    assert "hh_rlhf" in names
    out = tmp_path_factory.mktemp("real") / "collection"
    with pytest.MonkeyPatch.context() as mp:  # module-scoped: the autouse per-test env is not set yet
        mp.setenv("FLAME_MIRROR", str(mirror))
        mp.setenv("FLAME_HOME", str(tmp_path_factory.mktemp("home")))
        report = build_collection(out, sources=names)
    return names, out, report


@pytest.fixture
def synthetic_build(tmp_path):
    out = tmp_path / "synthetic"
    report = build_collection(out, sources=["hh_rlhf", _synthetic_source()])
    return out, report


def test_split_of_is_deterministic_and_about_90_5_5():
    assert split_of(f"{899:016x}") == "train"
    assert split_of(f"{900:016x}") == "validation" and split_of(f"{949:016x}") == "validation"
    assert split_of(f"{950:016x}") == "test" and split_of(f"{1999:016x}") == "test"
    shares = Counter(split_of(stable_hash(i)) for i in range(20_000))
    assert 0.88 < shares["train"] / 20_000 < 0.92
    assert 0.04 < shares["validation"] / 20_000 < 0.06 and 0.04 < shares["test"] / 20_000 < 0.06
    with pytest.raises(ValueError, match="hex"):
        split_of("not-a-uid")


def test_real_shards_parse_back_to_their_targets_and_account_for_every_row(real_build):
    names, out, report = real_build
    stats = json.loads((out / "stats.json").read_text())
    card = (out / "DATACARD.md").read_text()
    specs = {t.name: t for n in names for t in SOURCES.get(n).tasks}
    seen_uids: set[str] = set()
    for entry in stats["tasks"]:
        task = specs[entry["name"]]
        assert f"| {task.name} | {task.task_type.value} | {task.capability.value} |" in card
        for split in ("train", "validation", "test"):
            rows = _rows(out, split, task.name)
            assert len(rows) == entry["examples"][split] == report.tasks[task.name][split]
            for r in rows:
                assert tuple(r) == COLUMNS and all(isinstance(v, str) for v in r.values())
                assert split_of(r["uid"]) == split and r["uid"] not in seen_uids
                seen_uids.add(r["uid"])
                assert list(json.loads(r["inputs"])) == sorted(json.loads(r["inputs"]))
                assert r["prompt"].endswith("EVALUATION:\n")
                parsed = parse(task, r["target"])
                assert parsed.valid and parsed.values == json.loads(r["targets"])
            for r in rows[:: max(1, len(rows) // 20)]:  # a sample re-rendered from the stored fields
                ex = Example.from_dict({**r, "inputs": json.loads(r["inputs"]), "targets": json.loads(r["targets"])})
                assert render(task, ex).text == r["prompt"]
    # Nothing is lost silently: every row a reader gives is written, a listed duplicate, or a listed rejection.
    rejected, duplicates = _jsonl(out / "rejected.jsonl"), _jsonl(out / "duplicates.jsonl")
    assert len(rejected) == stats["rejected"]["total"] == report.rejected
    assert len(duplicates) == stats["duplicates"]["total"] == report.duplicates
    dropped = Counter(d["dropped"]["task"] for d in duplicates)
    for n in names:  # the adapters' documented example counts (checked against the files by test_sources)
        for task, expected in SOURCES.get(n).expected.items():
            if task in report.tasks:
                assert sum(report.tasks[task].values()) + dropped[task] == expected, task
    assert Counter(r["source"] for r in rejected) == {
        s["name"]: s["rejected"] for s in stats["sources"] if s["rejected"]}
    assert all({"source", "file", "row", "field", "reason"} <= set(r) for r in rejected)


def test_duplicates_are_removed_and_reported_with_both_provenances(synthetic_build):
    out, report = synthetic_build
    dups = _jsonl(out / "duplicates.jsonl")
    assert report.duplicates == 2 and len(dups) == 2
    across = next(d for d in dups if d["kept"]["source"] == "hh_rlhf")
    assert across["dropped"] == {**across["dropped"], "source": SYNTH, "file": "pairs.jsonl", "row": 0}
    hh_first = next(SOURCES.get("hh_rlhf").examples())
    assert across["kept"]["uid"] == hh_first.uid and across["kept"]["row"] == hh_first.provenance.row
    assert across["content_hash"] == hh_first.content_hash
    within = next(d for d in dups if d["kept"]["source"] == SYNTH)
    assert (within["kept"]["row"], within["dropped"]["row"]) == (3, 200)
    written = {r["uid"] for split in ("train", "validation", "test") for t in (f"{SYNTH}_pairwise", f"{SYNTH}_rating")
               for r in _rows(out, split, t)}
    assert across["dropped"]["uid"] not in written and len(written) == 200  # 201 ratings less the repeat
    asked_again = [r for split in ("train", "validation", "test") for r in _rows(out, split, f"{SYNTH}_rating_fluency")]
    assert [r["inputs"] for r in asked_again] == ['{"text":"claim number 5"}']  # another question: kept
    card = (out / "DATACARD.md").read_text()
    assert f"| {SYNTH} | {SYNTH}_pairwise | hh_rlhf_harmlessness | 1 |" in card


def test_rejected_rows_are_listed_with_file_row_field_and_reason(synthetic_build):
    out, report = synthetic_build
    bad = [r for r in _jsonl(out / "rejected.jsonl") if r["source"] == SYNTH]
    assert bad == [{"source": SYNTH, "file": "ratings.jsonl", "row": 201, "field": "score",
                    "reason": "'9' is not an integer from 1 to 5"}]
    stats = json.loads((out / "stats.json").read_text())
    assert stats["rejected"]["total"] == report.rejected == 5  # hh_rlhf's 4 empty replies + the bad label
    assert "| synthetic_judgments | score | 'N' is not an integer from N to N | 1 |" in (out / "DATACARD.md").read_text()
    # eval-only tasks are not built, and the card says so
    assert not list(out.glob(f"*/{SYNTH}_eval"))
    assert {"source": SYNTH, "task": f"{SYNTH}_eval", "role": "eval", "examples": 5} in stats["not_built"]


def test_permissive_only_leaves_out_restricted_sources_and_says_so(tmp_path, synthetic_build):
    full, _ = synthetic_build
    assert "synthetic_judgments (CC-BY-NC-4.0). Build with `--permissive-only`" in (full / "DATACARD.md").read_text()
    out = tmp_path / "permissive"
    report = build_collection(out, sources=["hh_rlhf", _synthetic_source()], permissive_only=True)
    assert report.sources == ("hh_rlhf",) and report.excluded == {SYNTH: "license CC-BY-NC-4.0 is not permissive"}
    assert not list(out.glob(f"*/{SYNTH}_*"))
    card = (out / "DATACARD.md").read_text()
    assert "Built with `--permissive-only`" in card and SYNTH in card
    assert "--permissive-only" in card.split("## How to reproduce")[1]


def test_rebuild_gives_byte_identical_files(tmp_path):
    calls = []
    a = build_collection(tmp_path / "a", sources=["hh_rlhf"], shard_rows=700,
                         progress=lambda *call: calls.append(call))
    assert calls[0] == ("hh_rlhf", 0, 2308) and calls[-1] == ("hh_rlhf", 2308, 2308)  # what the CLI's bar shows
    build_collection(tmp_path / "b", sources=["hh_rlhf"], shard_rows=700)
    files_a, files_b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert files_a == files_b
    train = sorted((tmp_path / "a" / "train" / "hh_rlhf_harmlessness").glob("part-*.parquet"))
    assert [p.name for p in train] == ["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]
    sizes = [pq.ParquetFile(p).metadata for p in train]
    assert [m.num_rows for m in sizes] == [700, 700, a.tasks["hh_rlhf_harmlessness"]["train"] - 1400]
    assert all(m.row_group(i).num_rows <= ROW_GROUP_ROWS for m in sizes for i in range(m.num_row_groups))


def test_resume_after_a_crash_equals_an_uninterrupted_build(tmp_path):
    whole = tmp_path / "whole"
    build_collection(whole, sources=["hh_rlhf", _synthetic_source()])
    out = tmp_path / "resumed"
    with pytest.raises(RuntimeError, match="simulated crash"):
        build_collection(out, sources=["hh_rlhf", _synthetic_source(crash_after=50)])
    assert (out / ".build" / "done" / "hh_rlhf.json").is_file()
    assert not (out / "manifest.json").exists() and not list(out.glob(f"*/{SYNTH}_*"))  # nothing half-done in place
    read = []

    def files(source):
        read.append(source.name)
        return build_module.SourceFiles(source)

    report = build_collection(out, sources=["hh_rlhf", _synthetic_source()], files_factory=files)
    assert read == [SYNTH] and report.resumed == ("hh_rlhf",)
    assert report.duplicates == 2  # the copy of hh_rlhf's example is still caught after the resume
    assert _files(out) == _files(whole)


def test_out_holding_another_build_or_broken_sources_fail_clearly(tmp_path, synthetic_build, monkeypatch):
    out, _ = synthetic_build
    with pytest.raises(FlameError, match="holds a build with other sources"):
        build_collection(out, sources=["hh_rlhf"])
    broken = Registry("source", {"hh_rlhf": "flame.data.sources.hh_rlhf:SOURCE",
                                 "not_written": "flame.data.sources.not_written_yet:SOURCE"})
    monkeypatch.setattr(build_module, "SOURCES", broken)
    with pytest.raises(FlameError, match="not_written"):
        build_collection(tmp_path / "default")
    assert not (tmp_path / "default").exists()


def test_a_source_without_train_tasks_is_refused(tmp_path):
    held_out = _synthetic_source()
    only_eval = dataclasses.replace(held_out, tasks=held_out.tasks[-1:])
    with pytest.raises(FlameError, match="no train tasks"):
        build_collection(tmp_path / "x", sources=[only_eval])


def test_default_build_from_a_mirror_leaves_out_what_the_mirror_lacks_and_says_why(mirror):
    from flame.data.build import select_sources

    chosen, excluded = select_sources(None)
    assert {s.name for s in chosen} == {"hh_rlhf", "truthfulqa", "bartscore_meta_eval", "unieval_meta_eval",
                                        "wmt_mqm", "begin", "q_squared"}
    assert "helpsteer" in excluded and "not in the mirror" in excluded["helpsteer"]



def test_data_card_compares_the_build_with_flames_collection(real_build):
    _, out, _ = real_build
    card = (out / "DATACARD.md").read_text()
    stats = json.loads((out / "stats.json").read_text())
    tasks = len(stats["tasks"])
    assert "## Compared with FLAMe's collection" in card
    assert f"| training tasks | {tasks:,} | 102 | {tasks / 102:.0%} |" in card
    assert f"| judgments (examples) | {stats['examples']:,} | 5,300,000 |" in card
