"""BEGIN adapter: the human attribution label reaches the target on real rows; bad TSV rows are named."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from flame.core.errors import DataError
from flame.core.records import Example, Provenance
from flame.data.files import SourceFiles
from flame.data.source import Rejected
from flame.data.sources.begin import FILES, NO_PREVIOUS_TURN, SOURCE

HEADER = "model_name\tdata_source\tknowledge\tmessage\tresponse\tbegin_label\r\n"


@pytest.fixture(scope="module")
def items(mirror) -> list:
    return list(SOURCE.items(SourceFiles(SOURCE, mirror=mirror)))


def _at(items, file: str, row: int):
    return next(i for i in items if i.provenance == Provenance("begin", file, row))


def test_hand_checked_rows_keep_the_human_label(items):
    crayola = _at(items, "wow/begin_dev_wow.tsv", 0)  # a near copy of the knowledge
    assert crayola.inputs["response"].startswith("crayola shifted its focus to art products")
    assert crayola.targets == {"attribution": "Fully attributable"}
    batman = _at(items, "cmu-dog/begin_dev_cmu.tsv", 0)
    assert batman.inputs["previous_turn"] == "i like michael caine too"
    assert batman.inputs["response"] == "but i didn't watch the whole movie"
    assert batman.targets == {"attribution": "Not fully attributable"}
    agree = _at(items, "topicalchat/begin_dev_tc.tsv", 92)
    assert agree.inputs["response"] == "i agree!" and agree.targets == {"attribution": "Generic"}


def test_empty_previous_turn_is_shown_explicitly(items):
    opening = [e for e in items if isinstance(e, Example) and e.inputs["previous_turn"] == NO_PREVIOUS_TURN]
    assert {(e.inputs["response"], e.targets["attribution"]) for e in opening} == {
        ("he started it", "Generic"), ("yes, it is a comedy.", "Not fully attributable")}


def test_repeated_response_is_rejected_as_duplicate(items):
    rejected = [r for r in items if isinstance(r, Rejected)]
    assert [(r.provenance.file, r.provenance.row) for r in rejected] == [("wow/begin_test_wow.tsv", 2956)]
    assert "duplicate of wow/begin_test_wow.tsv row 751" in rejected[0].reason
    assert len(items) == 416 + 383 + 430 + 3607  # every TSV row is an example or a rejection


def test_every_subset_and_label_is_represented(items):
    examples = [e for e in items if isinstance(e, Example)]
    per_file = Counter(e.provenance.file for e in examples)
    assert set(per_file) == set(FILES)
    labels = Counter(e.targets["attribution"] for e in examples)
    assert labels["Not fully attributable"] > labels["Fully attributable"] > labels["Generic"] > 0
    assert len({e.uid for e in examples}) == len(examples)


def test_license_lists_both_subset_licenses_and_is_permissive():
    assert [p.strip() for p in SOURCE.license.split(",")] == ["CC-BY-4.0", "CDLA-Sharing-1.0"]
    assert SOURCE.permissive


# --- malformed input -------------------------------------------------------------------------

def _mirror_with(tmp_path: Path, broken: str, text: str) -> SourceFiles:
    for f in FILES:
        good = HEADER + (f"t5\twow\tParis is the capital of France.\tTell me about {f}.\t"
                         "it is the capital.\tFully attributable\r\n")
        path = tmp_path / "begin" / f
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text if f == broken else good, encoding="utf-8", newline="")
    return SourceFiles(SOURCE, mirror=tmp_path, verify=False)


ROW = "t5\twow\tParis is the capital of France.\tWhere is Paris?\t{response}\t{label}\r\n"


@pytest.mark.parametrize("text, field, reason", [
    (HEADER + ROW.format(response="in france.", label="Mostly attributable"), "begin_label", "unknown label"),
    (HEADER + ROW.format(response="  ", label="Generic"), "response", "empty value"),
    (HEADER + "t5\twow\tParis is the capital of France.\tWhere is Paris?\r\n", "response", "truncated"),
])
def test_broken_tsv_names_file_row_and_field(tmp_path, text, field, reason):
    broken = "cmu-dog/begin_dev_cmu.tsv"
    with pytest.raises(DataError) as err:
        list(SOURCE.examples(_mirror_with(tmp_path, broken, text)))
    assert broken in err.value.file and err.value.row == 0 and err.value.field == field
    assert reason in err.value.reason and "row 0" in str(err.value)


def test_empty_tsv_is_an_error(tmp_path):
    with pytest.raises(DataError, match="file is empty"):
        list(SOURCE.examples(_mirror_with(tmp_path, "wow/begin_test_wow.tsv", "")))
