"""Every general-quality Table 7 row is implemented or excluded with a stated reason; sources declare their rows."""

from __future__ import annotations

import pytest

from flame.core.records import Capability
from flame.data import table7
from flame.data.sources import SOURCES

ADAPTED = {"FeedbackQA": "feedbackqa", "InstruSum": "instrusum", "CREPE": "crepe"}
EXCLUDED = ("Hurdles LFQA", "MAUVE (human judgments)", "News Summary Evaluation", "PRD", "GENIE",
            "Fine-grained RLHF", "riSum", "Scarecrow", "Validity LFQA")


def _entry(name):
    return next(e for e in table7.entries() if e.dataset == name)


def test_no_general_quality_row_is_left_undecided():
    general = [e for e in table7.entries() if e.capability == Capability.GENERAL]
    assert [e.dataset for e in general if table7.status(e) == "not yet"] == []


@pytest.mark.parametrize("dataset, source", ADAPTED.items())
def test_adapted_rows_need_download_from_the_hub(dataset, source):
    entry = _entry(dataset)
    assert source in entry.sources and table7.status(entry) == "needs download"
    assert SOURCES.get(source).hf is not None and SOURCES.get(source).permissive


@pytest.mark.parametrize("dataset", EXCLUDED)
def test_excluded_rows_say_why(dataset):
    entry = _entry(dataset)
    assert table7.status(entry) == "excluded"
    assert len(table7.exclusion_reason(entry)) > 60


@pytest.mark.parametrize("source", ["qqp", "beavertails", "beavertails_preference"])
def test_a_source_excluded_by_its_own_declaration_excludes_its_rows_with_its_reason(source):
    declared = SOURCES.get(source)
    for dataset in declared.table7:
        entry = _entry(dataset)
        assert source in entry.sources and table7.status(entry) == "excluded"
        assert table7.exclusion_reason(entry) == declared.excluded


def test_a_source_naming_a_row_table7_does_not_list_is_refused():
    from dataclasses import replace

    SOURCES.register("paws_typo", replace(SOURCES.get("paws"), name="paws_typo", table7=("PAWS-X",)))
    try:
        with pytest.raises(ValueError, match="'paws_typo' declares Table 7 row 'PAWS-X'"):
            table7.entries()
    finally:
        SOURCES.unregister("paws_typo")
