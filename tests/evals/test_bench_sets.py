"""LLM-AggreFact and the held-out pairwise sets: loaders, counts on the mirror, metrics."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from flame.core.errors import DataError
from flame.core.registry import RegistryError
from flame.evals.benchmarks import BENCHMARKS, aggrefact, heldout
from flame.evals.metrics import balanced_accuracy


def test_registry_lists_the_builtins_and_suggests_on_typos():
    assert {"aggrefact", "heldout", "rewardbench"} <= set(BENCHMARKS.names())
    with pytest.raises(RegistryError, match="did you mean 'rewardbench'"):
        BENCHMARKS.get("rewardbnech")


def test_aggrefact_mirror_builds_wice_and_the_factcheck_approximation(mirror):
    loaded = BENCHMARKS.get("aggrefact").load("mirror")
    labels = Counter((i.subset, i.example.targets["supported"]) for i in loaded.items)
    # WiCE claim-level test: supported 111 -> Yes; partially (215) and not supported (32) -> No
    assert labels[("Wice", "Yes")] == 111 and labels[("Wice", "No")] == 247
    assert labels[("FactCheck-GPT-approx", "Yes")] == 637 and labels[("FactCheck-GPT-approx", "No")] == 503
    assert {i.task.name for i in loaded.items} == {"aggrefact"}


def _rows(subset, pairs):
    return [{"subset": subset, "target": t, "verdict": v, "score": float(t == v)} for t, v in pairs]


def test_balanced_accuracy_is_mean_recall_and_invalid_is_a_miss():
    # Yes: 2 of 3 right; No: 1 of 2 right (one unreadable verdict) -> (2/3 + 1/2) / 2
    assert balanced_accuracy(["Yes", "Yes", "Yes", "No", "No"], ["Yes", "Yes", "No", "No", None]) == pytest.approx(7 / 12)


def test_aggrefact_groups_and_overall():
    rows = []
    for k, name in enumerate(aggrefact.FLAME_DATASETS):
        rows += _rows(name, [("Yes", "Yes")] * (k + 1) + [("No", "Yes")] + [("No", "No")])  # recall Yes 1, No 1/2
    full = aggrefact.aggregate(rows)
    assert full["headline"]["overall"] == pytest.approx(0.75)
    assert full["headline"]["Wiki-FactVerify"] == pytest.approx(0.75) and full["partial"] == []
    part = aggrefact.aggregate([r for r in rows if r["subset"] in ("Wice", "Reveal")])
    assert part["headline"]["overall"] is None
    assert part["partial"] == ["LLM-FactVerify"]
    assert "Summarization" not in part["headline"]
    assert "ClaimVerify" in part["missing"] and "no overall" in part["notes"][0]
    assert not any("chunks" in n for n in full["notes"])
    rows[0]["chunks"] = 3  # a document longer than the judge's context, judged in 3 chunks
    note = [n for n in aggrefact.aggregate(rows)["notes"] if "chunks" in n]
    assert note and note[0].endswith(f": 1 in {rows[0]['subset']}")


def test_aggrefact_file_loader_maps_labels_and_rejects_bad_ones(tmp_path):
    path = tmp_path / "aggrefact.jsonl"
    records = [{"dataset": "Wice", "doc": "Paris is in France.", "claim": "Paris is French.", "label": 1},
               {"dataset": "Reveal", "doc": "Sky is blue.", "claim": "Sky is green.", "label": 0}]
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    loaded = BENCHMARKS.get("aggrefact").load(str(path))
    assert [(i.subset, i.example.targets["supported"]) for i in loaded.items] == [("Wice", "Yes"), ("Reveal", "No")]
    records[1]["label"] = 2
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    with pytest.raises(DataError) as e:
        BENCHMARKS.get("aggrefact").load(str(path))
    assert (e.value.row, e.value.field) == (1, "label")


def test_aggrefact_official_loader_reads_the_test_split(local_hub):
    local_hub.put("lytang/LLM-AggreFact", "main", "default/test.parquet", [
        {"dataset": "ExpertQA", "doc": "d", "claim": "c", "label": 1, "contamination_identifier": "x"},
        {"dataset": "Wice", "doc": "d2", "claim": "c2", "label": 0, "contamination_identifier": "y"}])
    local_hub.put("lytang/LLM-AggreFact", "main", "default/dev.parquet", [
        {"dataset": "Dev", "doc": "d", "claim": "c", "label": 1, "contamination_identifier": "z"}])
    loaded = BENCHMARKS.get("aggrefact").load("official")
    assert [(i.subset, i.example.targets["supported"]) for i in loaded.items] == [("ExpertQA", "Yes"), ("Wice", "No")]


def test_heldout_sets_on_the_mirror(mirror):
    loaded = BENCHMARKS.get("heldout").load("mirror")
    assert Counter(i.subset for i in loaded.items) == {
        "HHH": 221, "RankGen": 199, "ContrSearch": 113, "CoPoet": 51, "MT-Bench-human": 200, "LitTrans": 540}
    # each set keeps its own prompt (LitTrans one for its clear and its difficult choices);
    # ties the sources define are dropped and counted
    assert len({i.task.description for i in loaded.items}) == 6
    assert any("evenly split" in reason and n == 37 for reason, n in loaded.dropped.items())
    assert all(i.example.targets["choice"] in ("A", "B") for i in loaded.items)


def test_heldout_accuracy_per_set_and_mean():
    rows = [{"subset": s, "task": s.lower(), "score": v} for s in heldout.SETS for v in (1.0, 0.0, 0.5, 1.0)]
    agg = heldout.aggregate(rows)
    assert agg["headline"]["HHH"] == pytest.approx(0.625) and agg["headline"]["mean"] == pytest.approx(0.625)
    rows[0:4] = [{**r, "score": 0.0} for r in rows[0:4]]  # HHH all wrong
    agg = heldout.aggregate([r for r in rows if r["subset"] != "CoPoet"])
    # a missing set leaves the mean over the others, marked partial and said in a note
    assert agg["headline"]["mean"] == pytest.approx((0.0 + 4 * 0.625) / 5)
    assert agg["partial"] == ["mean"] and agg["missing"] == ["CoPoet"] and "CoPoet not judged" in agg["notes"][0]


def test_unknown_data_origin_is_explained():
    with pytest.raises(DataError, match="no official loader"):
        BENCHMARKS.get("heldout").load("official")
    with pytest.raises(DataError, match="no file loader"):
        BENCHMARKS.get("heldout").load("some.jsonl")
