"""llmbar: the `label` output becomes the chosen response, subsets keep RewardBench's sizes,
and broken subset files are reported by file, row and field."""

from __future__ import annotations

import json
import shutil
from collections import Counter

import pytest

from flame.core.errors import DataError
from flame.data.files import SourceFiles
from flame.data.source import Rejected
from flame.data.sources.llmbar import FILES, LLMBAR_DESCRIPTION, SOURCE


@pytest.fixture(scope="module")
def items(mirror):
    return list(SOURCE.items(SourceFiles(SOURCE, mirror=mirror)))


def _chosen(example):
    return example.inputs["response_a"] if example.targets["choice"] == "A" else example.inputs["response_b"]


def _find(items, task, row, prefix):
    (found,) = [i for i in items if not isinstance(i, Rejected) and i.task == task and i.provenance.row == row]
    assert found.inputs["instruction"].startswith(prefix)
    return found


def test_label_output_is_the_chosen_response(items):
    # Natural row 0, label 1: the one-sentence summary, not the copied opening.
    assert _chosen(_find(items, "llmbar_natural", 0, "Summarize the following content.")).startswith("My girlfriend's visa")
    # Neighbor row 0, label 2: the numbered three tips.
    assert _chosen(_find(items, "llmbar_adver_neighbor", 0, "Give three tips for staying healthy.")).startswith("1. Get enough sleep")
    # MT-Bench row 3, label 1.
    chosen = _chosen(_find(items, "mtbench_human", 3, "Suggest five award-winning documentary films"))
    assert chosen.startswith("Here are five award-winning documentary films")


def test_rewardbench_subset_sizes_and_balance(items):
    counts = Counter(i.task for i in items if not isinstance(i, Rejected))
    assert [counts[t] for t in ("llmbar_natural", "llmbar_adver_neighbor", "llmbar_adver_gptinst",
                                "llmbar_adver_gptout", "llmbar_adver_manual")] == [100, 134, 92, 47, 46]
    labels = Counter(i.targets["choice"] for i in items if not isinstance(i, Rejected))
    assert 0.45 < labels["A"] / sum(labels.values()) < 0.55


def test_llmeval2_drops_identical_and_empty_pairs_with_reasons(items):
    rejected = {(r.provenance.file, r.provenance.row): r for r in items if isinstance(r, Rejected)}
    file = FILES["llmeval2"][0]
    assert set(rejected) == {(file, 57), (file, 169)}
    assert rejected[(file, 57)].reason == "the two outputs are identical"
    assert rejected[(file, 169)].field == "output_2"


def test_llmbar_family_shares_one_instruction():
    llmbar = [t for t in SOURCE.tasks if t.name.startswith("llmbar_")]
    assert len(llmbar) == 10 and {t.description for t in llmbar} == {LLMBAR_DESCRIPTION}
    assert {t.description for t in SOURCE.tasks if not t.name.startswith("llmbar_")} != {LLMBAR_DESCRIPTION}


def _broken(tmp_path, mirror, text):
    rel = FILES["llmbar_natural"][0]
    for task, (path, *_rest) in FILES.items():
        dst = tmp_path / "llmbar" / path
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(mirror / "llmbar" / path, dst)
    (tmp_path / "llmbar" / rel).write_text(text, encoding="utf-8")
    return SourceFiles(SOURCE, mirror=tmp_path, verify=False)


def _rows(mirror):
    return json.loads((mirror / "llmbar" / FILES["llmbar_natural"][0]).read_text(encoding="utf-8"))


@pytest.mark.parametrize("edit, row, field", [
    (lambda r: r.update(label=3), 4, "label"),
    (lambda r: r.update(label="1"), 4, "label"),
    (lambda r: r.pop("output_2"), 4, "output_2"),
    (lambda r: r.update(input=None), 4, "input"),
])
def test_bad_row_names_file_row_and_field(tmp_path, mirror, edit, row, field):
    rows = _rows(mirror)
    edit(rows[row])
    with pytest.raises(DataError) as e:
        list(SOURCE.examples(_broken(tmp_path, mirror, json.dumps(rows))))
    assert "Natural/dataset.json" in str(e.value) and e.value.row == row and e.value.field == field


def test_truncated_and_empty_files_are_reported(tmp_path, mirror):
    text = (mirror / "llmbar" / FILES["llmbar_natural"][0]).read_text(encoding="utf-8")
    with pytest.raises(DataError, match="Natural/dataset.json.*invalid JSON"):
        list(SOURCE.examples(_broken(tmp_path, mirror, text[: len(text) // 2])))
    with pytest.raises(DataError, match="Natural/dataset.json.*empty"):
        list(SOURCE.examples(_broken(tmp_path, mirror, "")))
