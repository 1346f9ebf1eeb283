"""Q² adapter: consistency labels reach the target, agree with the four balanced files, bad rows are named."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from flame.core.errors import DataError
from flame.core.records import Example
from flame.data.files import SourceFiles
from flame.data.sources.q_squared import FILE, NO_PREVIOUS_TURN, SOURCE

HEADER = ",episode_idx,round,topic,message,dodeca_response,memnet_response,knowledge,gold,dodeca_label,memnet_label\n"


@pytest.fixture(scope="module")
def examples(mirror) -> list[Example]:
    return list(SOURCE.examples(SourceFiles(SOURCE, mirror=mirror)))


def _label(examples, knowledge_start: str, response: str) -> str:
    [e] = [e for e in examples
           if e.inputs["response"] == response and e.inputs["knowledge"].startswith(knowledge_start)]
    return e.targets["consistent"]


def test_hand_checked_row_keeps_both_systems_labels(examples):
    # cross_annotation.csv row 1 (Bob Ross): dodeca says "youtube in the 20th century" (the
    # knowledge says 21st) -> inconsistent (1); memnet's answer was annotated consistent (0)
    assert _label(examples, "Ross went from", "he became famous on youtube in the 20th century .") == "No"
    assert _label(examples, "Ross went from", "he became popular in the 1980 ' s and 1980s .") == "Yes"
    row1 = [e for e in examples if e.provenance.row == 1]
    assert len(row1) == 2 and {e.inputs["previous_turn"] for e in row1} == {"it ran for a long time"}


@pytest.mark.parametrize("system", ["dodeca", "memnet"])
@pytest.mark.parametrize("kind, label", [("consistent", "Yes"), ("inconsistent", "No")])
def test_balanced_files_are_a_subset_with_the_same_labels(examples, mirror, system, kind, label):
    """Each `<system>_<kind>.csv` row is an example whose label is the one its file name states."""
    index = {(e.inputs["knowledge"], e.inputs["response"]): e.targets["consistent"] for e in examples}
    with open(mirror / "q_squared" / f"{system}_{kind}.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 150
    assert Counter(index.get((r["knowledge"].strip(), r["response"].strip())) for r in rows) == {label: 150}


def test_first_turns_show_no_previous_turn(examples):
    first = [e for e in examples if e.inputs["previous_turn"] == NO_PREVIOUS_TURN]
    assert len(first) == 2 * 39
    assert all(e.inputs["response"] for e in first)


def test_label_distribution_and_counts(examples):
    labels = Counter(e.targets["consistent"] for e in examples)
    assert sum(labels.values()) == 2 * 544  # both systems' responses for every annotated turn
    assert 0.3 < labels["No"] / sum(labels.values()) < 0.6
    assert len({e.uid for e in examples}) == len(examples)


# --- malformed input -------------------------------------------------------------------------

ROW = ('0,0,1,Paris,Where is Paris?,it is in france .,"it is in spain , i think .",'
       'Paris is the capital of France.,gold,{d},{m}\n')


def _files(tmp_path: Path, text: str) -> SourceFiles:
    path = tmp_path / "q_squared" / FILE
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    return SourceFiles(SOURCE, mirror=tmp_path, verify=False)


@pytest.mark.parametrize("text, row, field, reason", [
    (HEADER + ROW.format(d=0, m=1) + ROW.format(d=0, m=2), 1, "memnet_label", "is not 0"),
    (HEADER + ROW.format(d=0, m=1) + ROW.format(d="", m=1), 1, "dodeca_label", "is not 0"),
    (HEADER + ROW.format(d=0, m=1) + ROW.format(d=0, m=1)[:40], 1, "memnet_response", "truncated"),
    (HEADER.replace(",memnet_label", "") + ROW.format(d=0, m=1).replace(",1\n", "\n"), 0, "memnet_label",
     "missing field"),
])
def test_broken_csv_names_file_row_and_field(tmp_path, text, row, field, reason):
    with pytest.raises(DataError) as err:
        list(SOURCE.examples(_files(tmp_path, text)))
    assert FILE in err.value.file and err.value.field == field and reason in err.value.reason
    assert err.value.row == row and f"row {row}" in str(err.value)


def test_empty_csv_is_an_error(tmp_path):
    with pytest.raises(DataError, match="file is empty"):
        list(SOURCE.examples(_files(tmp_path, "")))
