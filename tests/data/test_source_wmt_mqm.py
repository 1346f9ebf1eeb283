"""wmt_mqm: MQM scores become Likert labels, major errors a Yes/No label, and clear
side-by-side preferences pairwise examples, on real rows looked up by hand."""

from __future__ import annotations

import io
import shutil
import tarfile
from collections import Counter

import pytest

from flame.core.errors import DataError
from flame.data.files import SourceFiles
from flame.data.source import Rejected
from flame.data.sources.wmt_mqm import SOURCE, SXS, SXS_FIELDS, TED, likert


@pytest.fixture(scope="module")
def items(mirror):
    return list(SOURCE.items(SourceFiles(SOURCE, mirror=mirror)))


def _examples(items, task):
    return [i for i in items if not isinstance(i, Rejected) and i.task == task]


def test_ted_major_error_gets_official_score_and_yes_label(items):
    # ted/ende: HuaweiTSC seg 1, one Major Fluency/Register error on "euch"; avg score -5.0.
    found = [e for e in items if not isinstance(e, Rejected) and e.provenance.file == TED["ende"][0]
             and e.inputs["translation"].startswith("Ich möchte euch alle bitten")]
    by_task = {e.task: e for e in found}
    assert by_task["wmt_mqm_quality"].targets["quality"] == "3"
    assert by_task["wmt_mqm_major_error"].targets["major_error"] == "Yes"
    assert "<v>" not in by_task["wmt_mqm_quality"].inputs["translation"]
    assert by_task["wmt_mqm_quality"].inputs["language_pair"] == "English to German"


def test_sxs_quality_is_mean_over_raters_ignoring_quality_control_rows(items):
    seg = f"{SXS['ende']}"
    quality = {e.provenance.row.split(":", 1)[1]: e.targets["quality"] for e in _examples(items, "wmt_mqm_quality")
               if e.provenance.file == seg and str(e.provenance.row).startswith("0:")}
    # Segment 1: ONLINE-W error-free for all 3 raters; ONLINE-A one Major from one rater
    # (5/3); refA two Minor from one rater (2/3) plus a HOTW check row that must not count.
    assert quality["ONLINE-W"] == "5"
    assert quality["ONLINE-A"] == "3"
    assert quality["refA"] == "4"
    assert len(quality) == 10


def test_pairwise_keeps_only_unanimous_clear_preferences(items):
    pairs = {e.provenance.row: e for e in _examples(items, "wmt_mqm_pairwise")}
    # Segment 2 of the first en-de doc: every rater penalised Lan-BridgeMT far more.
    ex = pairs["33:GPT4-5shot_with_ONLINE-W vs Lan-BridgeMT"]
    better = ex.inputs["response_a"] if ex.targets["choice"] == "A" else ex.inputs["response_b"]
    assert better.startswith("Der Vorfall ereignete sich nach einem Anstieg")
    rejected = {r.provenance.row: r.reason for r in items if isinstance(r, Rejected)}
    # Segment 1: ONLINE-A got a Major from one rater only; two raters saw no difference.
    assert rejected["0:ONLINE-A vs ONLINE-W"].startswith("no clear preference")
    assert rejected["0:GPT4-5shot_with_ONLINE-W vs GPT4-5shot_with_refA"] == "identical translations"
    labels = Counter(e.targets["choice"] for e in pairs.values())
    assert 0.45 < labels["A"] / sum(labels.values()) < 0.55


def test_label_distributions_are_plausible(items):
    quality = Counter(e.targets["quality"] for e in _examples(items, "wmt_mqm_quality"))
    assert set(quality) == {"1", "2", "3", "4", "5"} and quality["5"] < 0.5 * sum(quality.values())
    major = Counter(e.targets["major_error"] for e in _examples(items, "wmt_mqm_major_error"))
    assert 0.15 < major["Yes"] / sum(major.values()) < 0.4


def test_likert_bins():
    assert [likert(p) for p in (0, 0.1, 1, 1.1, 5, 5.2, 10, 10.5, 25)] == ["5", "4", "4", "3", "3", "2", "2", "1", "1"]


def _broken_ted(tmp_path, mirror, edit):
    for rel in TED["ende"]:
        dst = tmp_path / "wmt_mqm" / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(mirror / "wmt_mqm" / rel, dst)
    path = tmp_path / "wmt_mqm" / TED["ende"][0]
    lines = path.read_text(encoding="utf-8").split("\n")
    path.write_text("\n".join(edit(lines)), encoding="utf-8")
    return SourceFiles(SOURCE, mirror=tmp_path, verify=False)


def test_unknown_severity_names_file_row_and_field(tmp_path, mirror):
    files = _broken_ted(tmp_path, mirror, lambda ls: [ls[0], ls[1].replace("\tMinor\t", "\tHuge\t")] + ls[2:])
    with pytest.raises(DataError) as e:
        list(SOURCE.examples(files))
    assert "mqm_ted_ende.tsv" in str(e.value) and e.value.row == 0 and e.value.field == "severity"


def test_truncated_row_names_file_row_and_field(tmp_path, mirror):
    files = _broken_ted(tmp_path, mirror, lambda ls: ls[:3] + ["\t".join(ls[3].split("\t")[:5])])
    with pytest.raises(DataError) as e:
        list(SOURCE.examples(files))
    assert "mqm_ted_ende.tsv" in str(e.value) and e.value.row == 2 and e.value.field == "source"


def test_empty_score_file_is_reported(tmp_path, mirror):
    files = _broken_ted(tmp_path, mirror, lambda ls: ls)
    (tmp_path / "wmt_mqm" / TED["ende"][1]).write_text("", encoding="utf-8")
    with pytest.raises(DataError, match="avg_seg_scores.tsv.*header"):
        list(SOURCE.examples(files))


def test_broken_side_by_side_archive_names_row_and_field(tmp_path, mirror):
    for lp in ("ende", "zhen"):
        for rel in TED[lp]:
            dst = tmp_path / "wmt_mqm" / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(mirror / "wmt_mqm" / rel, dst)
    good = "\t".join(["sysA", "doc1", "1", "1", "rater1", "Hello.", "Hallo.", "No-error", "No-error", "{}"])
    bad = good.replace("sysA", "sysB").replace("\tNo-error\tNo-error", "\tNo-error\t")  # empty severity
    text = "\t".join(SXS_FIELDS + ["# Documentation"]) + "\n" + good + "\n" + bad + "\n"
    archive = tmp_path / "wmt_mqm" / SXS["ende"]
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "w:gz") as tar:
        data = text.encode("utf-8")
        info = tarfile.TarInfo("sxs.tsv")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    with pytest.raises(DataError) as e:
        list(SOURCE.examples(SourceFiles(SOURCE, mirror=tmp_path, verify=False)))
    assert SXS["ende"] in str(e.value) and e.value.row == 1 and e.value.field == "severity"
