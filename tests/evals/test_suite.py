"""`flame eval run flame12` (every benchmark of FLAMe's Table 1 whose data is readable, the rest
named missing) and the Table 1 layout of `flame report`, with a fake judge behind the real
engine, on the real mirror plus small fixtures, in each dataset's documented schema, for the
benchmarks the mirror does not hold."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from flame.cli.eval import app as eval_app
from flame.cli.report import report
from flame.evals import paper
from flame.evals.benchmarks import heldout, ratings
from flame.evals.suite import FLAME12, cell, table1_lines
from flame.judge.models import BACKENDS
from flame.testing import FakeBackend, hash_score

COLUMNS = "| run | RB | AggF | SummF | Alpaca | RankGen | CoPoet | Contr | HHH | Dipper | LitTr | LFQA | HelpS |"


def fake12(name: str) -> FakeBackend:
    """A fake judge per model name: hashed label log-likelihoods, salted by the name."""
    return FakeBackend(partial(hash_score, salt=name), fingerprint=f"fake12:{name}")


@pytest.fixture(autouse=True)
def fake_backend():
    BACKENDS.register("fake12", lambda spec, **options: fake12(spec.path))
    yield
    BACKENDS.unregister("fake12")


def _jsonl(path: Path, rows) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def _helpsteer_row(prompt, response, *ratings_):
    return {"prompt": prompt, "response": response, **dict(zip(ratings.HELPSTEER_ATTRIBUTES, ratings_))}


@pytest.fixture(scope="module")
def suite_mirror(tmp_path_factory, mirror):
    """The shared mirror, plus fixtures in the Hub layout for the Table 1 sets it lacks; the
    LFQAEval file is not the pinned one (its checksum cannot match)."""
    root = tmp_path_factory.mktemp("mirror")
    for folder in mirror.iterdir():
        if folder.is_dir():
            (root / folder.name).symlink_to(folder)
    _jsonl(root / "helpsteer" / "default" / "validation.jsonl", [
        _helpsteer_row("Say hi.", "Hi!", 4, 4, 4, 0, 0),
        _helpsteer_row("Explain tides.", "The Moon's gravity pulls the oceans.", 3, 4, 4, 2, 1),
        _helpsteer_row("Name a prime.", "Nine.", 0, 0, 3, 0, 0),
    ])
    axis = {"overall": 5, "accuracy": 6, "coverage": 4, "coherence": 7}
    _jsonl(root / "summarize_feedback_axis" / "axis" / "test.jsonl", [
        {"info": {"id": str(i), "title": "Sissoko faces action", "article": f"Newcastle lost {i}-0 ...", "site": "dailymail"},
         "split": "test", "summary": {"text": f"Newcastle lost {i}-0.", "policy": "ref", "note": None, "axes": axis},
         "worker": "w", "batch": "cnndm1"} for i in range(3)])
    _jsonl(root / "alpacafarm" / "default" / "preference.jsonl", [
        {"instruction": "Name a prime number.", "input": "", "output_1": "9", "output_2": "7", "preference": 2},
        {"instruction": "Add.", "input": "2 + 2", "output_1": "4", "output_2": "5", "preference": 1},
        {"instruction": "Say hi.", "input": "", "output_1": "Hello!", "output_2": "Go away.", "preference": 1},
    ])
    _jsonl(root / "lfqa_eval" / "preference_data" / "experts_pairwise_human_preferences.jsonl", [
        {"question": "Why is the sky blue?", "answer_a": "Because.", "answer_b": "Rayleigh scattering.",
         "overall_preference": 1}])
    return root


@pytest.fixture(scope="module")
def suite_run(tmp_path_factory, suite_mirror):
    out = tmp_path_factory.mktemp("results")
    with pytest.MonkeyPatch.context() as mp:  # module scope: the per-test fixtures are not active yet
        mp.setenv("FLAME_HOME", str(tmp_path_factory.mktemp("home")))
        mp.setenv("HF_HUB_OFFLINE", "1")
        BACKENDS.register("fake12", lambda spec, **options: fake12(spec.path))
        try:
            result = CliRunner().invoke(eval_app, ["run", "flame12", "--model", "fake12:one", "--limit", "2",
                                                   "--mirror", str(suite_mirror), "--out", str(out), "--no-progress"])
        finally:
            BACKENDS.unregister("fake12")
    files = sorted(out.glob("*.json"))
    return result, files


def test_flame12_runs_what_is_readable_and_names_the_rest(suite_run):
    result, files = suite_run
    assert result.exit_code == 0, result.output
    (path,) = files
    assert "__flame12__" in path.name
    doc = json.loads(path.read_text())
    assert list(doc["benchmarks"]) == ["rewardbench", "aggrefact", "summfeedback", "alpacafarm", "heldout", "helpsteer"]
    suite = doc["manifest"]["suite"]
    assert suite["name"] == "flame12" and list(suite["missing"]) == ["lfqaeval"]
    assert "checksum mismatch" in suite["missing"]["lfqaeval"]  # a file that is not the pinned one is not read
    assert list(suite["excluded"]) == ["Dipper"] and "no public human evaluation data" in suite["excluded"]["Dipper"]
    assert "missing (lfqaeval): not run, its data cannot be read here" in result.output
    assert "excluded (Dipper): no public human evaluation data" in result.output
    rows = doc["rows"]
    helpsteer_rows = [r for r in rows if r["benchmark"] == "helpsteer"]
    assert sorted({r["subset"] for r in helpsteer_rows}) == sorted(ratings.HELPSTEER_ATTRIBUTES)
    assert len(helpsteer_rows) == 2 * 5 and len([r for r in rows if r["benchmark"] == "summfeedback"]) == 2 * 4
    assert all(r["expected"] is not None for r in helpsteer_rows)  # the expected rating Pearson's r is built on
    assert {r["subset"] for r in rows if r["benchmark"] == "heldout"} == set(heldout.SETS)
    agg = doc["benchmarks"]["helpsteer"]["aggregates"]
    assert agg["headline"]["mean"] == pytest.approx(sum(agg["categories"].values()) / 5)


def test_report_prints_the_paper_table1_layout(suite_run, tmp_path):
    _, (path,) = suite_run
    app = typer.Typer()
    app.command("report")(report)
    app.command("noop")(lambda: None)
    md = tmp_path / "t.md"
    result = CliRunner().invoke(app, ["report", str(path), "--out", str(tmp_path / "r.html"), "--markdown", str(md)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert COLUMNS in lines
    run = next(line for line in lines if line.startswith(f"| {path.name.removesuffix('.json')} |")).strip("| ").split(" | ")
    cells = dict(zip(COLUMNS.strip("| ").split(" | ")[1:], run[1:]))
    assert cells["RB"] == cells["AggF"] == "–"  # the mirror has neither overall score
    assert any(line.startswith("- – RewardBench") and "no overall" in line for line in lines)
    assert cells["LFQA"] == "missing" and cells["Dipper"] == "excluded"
    for label in ("SummF", "Alpaca", "RankGen", "CoPoet", "Contr", "HHH", "LitTr", "HelpS"):
        assert cells[label].endswith("†"), label  # a --limit sample is never the paper's item set
    flame = next(line for line in lines if line.startswith("| paper: FLAMe-24B |"))
    assert flame == "| paper: FLAMe-24B | " + " | ".join(f"{v:.1f}" for v in paper.TABLE1["FLAMe-24B"]) + " |"
    assert lines.index(flame) > lines.index(next(line for line in lines if line.startswith(f"| {run[0]} |")))
    assert any(line.startswith("- † HHH") and "a seeded sample (limit 2 per subset): 2 of the 221 items HHH loaded"
               in line for line in lines)
    assert any(line.startswith("- missing lfqaeval") and "checksum mismatch" in line for line in lines)
    assert COLUMNS in md.read_text().splitlines()
    page = (tmp_path / "r.html").read_text()
    assert "<th title='LitTrans'>LitTr</th>" in page and "paper: FLAMe-Opt-RM-24B" in page


def _doc(bench, key, value, judged, loaded, partial=(), suite=True):
    summary = {"judged": judged, "loaded": loaded, "selection": {"mode": "all" if judged == loaded else "limit 2"},
               "aggregates": {"headline": {key: value}, "partial": list(partial)}}
    return {"manifest": {"suite": {"name": "flame12", "missing": {}} if suite else {}}, "benchmarks": {bench: summary}}


def test_a_set_judged_whole_is_not_marked_for_another_sets_sample():
    hhh, littrans = (next(c for c in FLAME12.columns if c.name == n) for n in ("HHH", "LitTrans"))
    doc = _doc("heldout", "HHH", 0.9, 221 + 256, 221 + 540)
    doc["benchmarks"]["heldout"].update(loaded_by_subset={"HHH": 221, "LitTrans": 540},
                                        judged_by_subset={"HHH": 221, "LitTrans": 256})
    doc["benchmarks"]["heldout"]["aggregates"]["headline"]["LitTrans"] = 0.6
    assert cell(hhh, doc) == ("90.0", None)  # --sample 256: all 221 HHH pairs, as the paper
    text, why = cell(littrans, doc)
    assert text == "60.0†" and why.startswith("a seeded sample (limit 2): 256 of the 540 items LitTrans loaded")


def test_a_cell_is_marked_only_when_its_items_differ_from_the_papers():
    hhh, rankgen = (next(c for c in FLAME12.columns if c.name == n) for n in ("HHH", "RankGen"))
    # all 221 HHH pairs: fewer than the paper's 256 per task, so the paper judged them all too
    assert cell(hhh, _doc("heldout", "HHH", 0.9, 221, 221)) == ("90.0", None)
    text, why = cell(hhh, _doc("heldout", "HHH", 0.9, 40, 221))
    assert text == "90.0†" and "seeded sample" in why
    text, why = cell(rankgen, _doc("heldout", "RankGen", 0.6, 199, 199))
    assert text == "60.0†" and "tie handling" in why  # same public judgments, items not verified equal
    rb = FLAME12.columns[0]
    assert cell(rb, _doc("rewardbench", "overall", 0.8, 10, 10, partial=["overall"]))[1].startswith("partial")
    assert cell(rb, _doc("aggrefact", "overall", 0.8, 10, 10)) == ("–", None)  # not run
    assert cell(rb, _doc("rewardbench", "overall", None, 10, 10)) == ("–", "not computable from these items")


def test_no_table1_without_a_suite_run():
    doc = _doc("heldout", "HHH", 0.9, 221, 221, suite=False)
    assert table1_lines([("plain", doc)]) == []


def test_a_suite_runs_alone(tmp_path):
    result = CliRunner().invoke(eval_app, ["run", "flame12", "heldout", "--model", "fake12:x", "--out", str(tmp_path)])
    assert result.exit_code != 0 and "run alone" in result.output
