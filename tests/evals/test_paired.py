"""Paired comparison of two runs (`flame report --paired`): hand-built rows with known answers,
then the command on two committed results files."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from flame.cli.report import report
from flame.evals.metrics import balanced_accuracy
from flame.evals.paired import Difference, compare, mcnemar, pair_items

REPO = Path(__file__).resolve().parents[2]
BASE, TRAINED, RM = (REPO / "docs/results" / f for f in (
    "smollm2-135m-limit40.json", "flame-smollm2-135m-limit40.json", "flame-rm-smollm2-135m-limit40.json"))
HELDOUT_SETS = ("HHH", "RankGen", "ContrSearch", "CoPoet", "MT-Bench-human", "LitTrans")
TITLES = {"heldout": ("FLAMe held-out pairwise sets", "accuracy"), "aggrefact": ("LLM-AggreFact", "balanced accuracy"),
          "cobbler": ("CoBBLEr bias audit (Table 4)", "bias (lower is better)"), "file:mine.jsonl": ("mine", "accuracy")}


def _rows(bench: str, subset: str, scores, uids=None) -> list[dict]:
    """Pairwise-style rows: score 1 right, 0 wrong, 0.5 an unreadable verdict."""
    uids = uids or [f"{subset}-{i}" for i in range(len(scores))]
    verdict = {1.0: "A", 0.0: "B", 0.5: None}
    return [{"benchmark": bench, "subset": subset, "uid": u, "score": float(s), "target": "A",
             "verdict": verdict[float(s)]} for u, s in zip(uids, scores)]


def _doc(rows: list[dict]) -> dict:
    benches = dict.fromkeys(r["benchmark"] for r in rows)
    return {"benchmarks": {b: {"title": TITLES[b][0], "metric": TITLES[b][1]} for b in benches}, "rows": rows}


def _rows_by_name(comparison) -> dict[str, Difference]:
    return {d.name: d for bp in comparison.benchmarks for d in bp.rows}


def test_mcnemar_matches_the_binomial_tail_by_hand():
    # Fagerland, Lydersen & Laake (2013), BMC Med Res Methodol 13:91: 1 and 7 discordant pairs,
    # exact conditional p = 2 * (C(8,0) + C(8,1)) / 2^8 = 18/256 = 0.070
    assert mcnemar(1, 7) == mcnemar(7, 1) == pytest.approx(18 / 256)
    assert mcnemar(1, 9) == pytest.approx(2 * 11 / 1024)
    assert mcnemar(0, 5) == pytest.approx(2 / 32)
    assert mcnemar(4, 4) == mcnemar(0, 0) == 1.0  # balanced or no discordant pair: no evidence at all
    assert mcnemar(0, 2000) == 0.0  # far below what a float holds: no overflow


def test_identical_runs_differ_by_nothing():
    rng = random.Random(1)
    rows = [r for s in HELDOUT_SETS for r in _rows("heldout", s, [rng.choice([0, 0.5, 1]) for _ in range(12)])]
    c = compare(("a", _doc(rows)), ("b", _doc(rows)))
    got = _rows_by_name(c)
    assert list(got) == ["mean", *HELDOUT_SETS]  # the mean over sets, bootstrapped too, then each set
    assert got["mean"].n == 72 and got["mean"].p is None  # a mean over sets is not one accuracy: no McNemar
    for d in got.values():
        assert (d.diff, d.low, d.high) == (0, 0, 0)
        assert d.verdict == "no difference shown (interval spans 0)"
    assert all(got[s].p == 1.0 for s in HELDOUT_SETS)


def test_a_run_right_wherever_the_other_is_wrong_is_better():
    a, b = _doc(_rows("file:mine.jsonl", "all", [0] * 30)), _doc(_rows("file:mine.jsonl", "all", [1] * 30))
    (d,) = compare(("a", a), ("b", b)).benchmarks[0].rows
    assert (d.name, d.n, d.a, d.b) == ("all", 30, 0.0, 1.0)
    assert d.p < 1e-6 and d.low > 0
    assert d.verdict == "B better"
    (reverse,) = compare(("b", b), ("a", a)).benchmarks[0].rows
    assert reverse.high < 0 and reverse.verdict == "A better"


def test_the_interval_is_paired():
    # 1,600 items: both right on 1,360, both wrong on 80, only B right on 120, only A on 40.
    # The paired difference has SE sqrt(160 - 80^2/1600)/1600 = 0.0078 (95% half-width 1.53 points);
    # two runs resampled independently would give 2.07 points.
    a = [1] * 1360 + [0] * 80 + [0] * 120 + [1] * 40
    b = [1] * 1360 + [0] * 80 + [1] * 120 + [0] * 40
    c = compare(("a", _doc(_rows("file:mine.jsonl", "all", a))), ("b", _doc(_rows("file:mine.jsonl", "all", b))))
    (d,) = c.benchmarks[0].rows
    assert d.diff == pytest.approx(0.05)
    assert (d.high - d.low) / 2 == pytest.approx(0.0153, rel=0.1)
    assert d.low > 0 and d.verdict == "B better"


def test_few_items_are_called_too_few():
    a = _rows("file:mine.jsonl", "all", [1, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    b = _rows("file:mine.jsonl", "all", [1, 1, 1, 1, 1, 1, 0, 0, 0, 0])
    (d,) = compare(("a", _doc(a)), ("b", _doc(b))).benchmarks[0].rows
    assert d.verdict == "no difference shown (interval spans 0); too few items to tell these judges apart"
    # an interval that excludes 0 on few items is not enough where McNemar's exact test disagrees
    assert Difference("x", 40, 0.3, 0.5, 0.02, 0.4, 0.06).verdict.startswith("no difference shown (McNemar p")
    assert Difference("x", 40, 0.3, 0.5, 0.02, 0.4, None).verdict == "B better"


def test_items_pair_by_subset_and_uid_and_only_common_items_count():
    a = _rows("heldout", "HHH", [1, 1, 0, 0, 1], uids=["u1", "u2", "u3", "u4", "dup"])
    b = _rows("heldout", "HHH", [1, 0, 0, 1, 1, 0], uids=["u3", "u4", "u5", "u6", "dup", "dup"])
    pairs, only_a, only_b = pair_items(a, b)
    assert [(x["uid"], y["uid"]) for x, y in pairs["HHH"]] == [("u3", "u3"), ("u4", "u4"), ("dup", "dup")]
    assert (only_a, only_b) == (2, 3)  # u1, u2 | u5, u6 and B's second "dup"
    bp = compare(("a", _doc(a)), ("b", _doc(b))).benchmarks[0]
    assert (bp.items, bp.only_a, bp.only_b) == (3, 2, 3)
    assert _rows_by_name(compare(("a", _doc(a)), ("b", _doc(b))))["HHH"].a == pytest.approx(1 / 3)


def test_balanced_accuracy_is_bootstrapped_as_balanced_accuracy():
    def claims(verdicts):
        targets = ["Yes"] * 6 + ["No"] * 24
        return [{"benchmark": "aggrefact", "subset": "Wice", "uid": f"c{i}", "target": t, "verdict": v,
                 "score": float(t == v)} for i, (t, v) in enumerate(zip(targets, verdicts))]

    a = claims(["No"] * 30)  # accuracy 80%, balanced accuracy 50%
    b = claims(["Yes"] * 6 + ["No"] * 20 + ["Yes"] * 4)
    got = _rows_by_name(compare(("a", _doc(a)), ("b", _doc(b))))
    assert list(got) == ["Wiki-FactVerify", "Wice"]  # the use case, then its one dataset
    assert got["Wice"].a == 0.5 and got["Wice"].b == pytest.approx(balanced_accuracy(
        [r["target"] for r in b], [r["verdict"] for r in b]))
    assert got["Wice"].p is None  # McNemar tests accuracy, not balanced accuracy
    assert got["Wiki-FactVerify"] == Difference("Wiki-FactVerify", 30, got["Wice"].a, got["Wice"].b,
                                                got["Wice"].low, got["Wice"].high, None)
    assert got["Wice"].low > 0  # B finds every supported claim and keeps most of the rest


def test_a_score_not_built_from_single_items_is_not_compared():
    rows = _rows("cobbler", "Order", [1, 0])
    (bp,) = compare(("a", _doc(rows)), ("b", _doc(rows))).benchmarks
    assert not bp.rows and bp.reason.startswith("not compared: its score, bias (lower is better), is not built")
    only = compare(("a", _doc(rows)), ("b", _doc(_rows("heldout", "HHH", [1]))))
    assert [bp.reason for bp in only.benchmarks] == ["judged only by a", "judged only by b"]


def test_the_same_runs_give_the_same_numbers():
    a, b = json.loads(BASE.read_text()), json.loads(TRAINED.read_text())
    assert compare(("a", a), ("b", b)) == compare(("a", a), ("b", b))
    assert compare(("a", a), ("b", b), seed=1) != compare(("a", a), ("b", b))


def test_paired_scores_are_the_runs_own_where_both_judged_the_same_items():
    a, b = json.loads(BASE.read_text()), json.loads(TRAINED.read_text())
    for bp in compare(("a", a), ("b", b)).benchmarks:
        for run, side in ((a, "a"), (b, "b")):
            agg = run["benchmarks"][bp.bench]["aggregates"]
            expected = {**agg["categories"], **{k: v for k, v in agg["headline"].items() if v is not None}}
            assert {d.name: getattr(d, side) for d in bp.rows} == pytest.approx(expected)


def _report_app() -> typer.Typer:
    app = typer.Typer()
    app.command("report")(report)
    app.command("noop")(lambda: None)  # keep `report` a sub-command, as when mounted on `flame`
    return app


def test_report_paired_on_two_committed_results_files(tmp_path):
    md, page = tmp_path / "compare.md", tmp_path / "report.html"
    result = CliRunner().invoke(_report_app(), ["report", str(BASE), str(TRAINED), "--paired",
                                                "--out", str(page), "--markdown", str(md)])
    assert result.exit_code == 0, result.output
    text = md.read_text()
    keys = [{(r["benchmark"], r["subset"], r["uid"]) for r in json.loads(p.read_text())["rows"]} for p in (BASE, TRAINED)]
    common = keys[0] & keys[1]
    section = text[text.index("### Paired comparison: B = flame-smollm2-135m-limit40 against A = smollm2-135m-limit40"):]
    for title, bench in (("FLAMe held-out pairwise sets", "heldout"), ("RewardBench", "rewardbench")):
        n = sum(k[0] == bench for k in common)
        assert f"**{title}** ({'accuracy'}): {n:,} items judged by both runs." in section
    assert "| | n | A: smollm2-135m-limit40 | B: flame-smollm2-135m-limit40 | B - A | 95% interval | McNemar p | verdict |" \
        in section
    hhh = next(line for line in section.splitlines() if line.startswith("| HHH |")).strip("| ").split(" | ")
    assert hhh[:5] == ["HHH", "40", "57.5", "52.5", "-5.0"]
    assert re.fullmatch(r"\[-\d+\.\d, \+\d+\.\d\]", hhh[5]) and float(hhh[6]) > 0.05
    assert hhh[7] == "no difference shown (interval spans 0); too few items to tell these judges apart"
    assert section in result.output  # printed too
    assert "<h2>Paired comparison: B = flame-smollm2-135m-limit40" in page.read_text()


def test_report_without_paired_is_unchanged_and_baseline_picks_the_reference(tmp_path):
    md, page = tmp_path / "compare.md", tmp_path / "report.html"
    plain = CliRunner().invoke(_report_app(), ["report", str(BASE), str(TRAINED), "--out", str(page),
                                               "--markdown", str(md)])
    assert plain.exit_code == 0, plain.output
    assert "Paired comparison" not in md.read_text() + page.read_text() + plain.output
    result = CliRunner().invoke(_report_app(), ["report", str(TRAINED), str(RM), str(BASE), "--baseline", BASE.name,
                                                "--out", str(page), "--markdown", str(md)])
    assert result.exit_code == 0, result.output
    headings = [line for line in md.read_text().splitlines() if line.startswith("### Paired comparison")]
    assert headings == ["### Paired comparison: B = flame-smollm2-135m-limit40 against A = smollm2-135m-limit40",
                        "### Paired comparison: B = flame-rm-smollm2-135m-limit40 against A = smollm2-135m-limit40"]
    wrong = CliRunner().invoke(_report_app(), ["report", str(BASE), str(TRAINED), "--baseline", "other.json",
                                               "--out", str(page)])
    assert wrong.exit_code == 1 and "--baseline must be one of the results files given" in wrong.output
