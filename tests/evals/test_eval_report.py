"""`flame report`: the HTML page from real results files, opened in headless Chromium."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess

import pytest
import typer
from typer.testing import CliRunner

from flame.cli.report import report
from flame.core.errors import DataError
from flame.evals.benchmarks import BENCHMARKS
from flame.evals.benchmarks.base import Aggregate
from flame.evals.report import load_results, longer_rows, random_rows
from flame.evals.runner import RunOptions, run
from flame.testing import FakeBackend

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def prefers_longer(context: str, label: str) -> float:
    """A judge that puts more weight on the longer candidate (and is sure of it); other
    tasks' labels get hashed log-likelihoods."""
    a = re.search(r"\nresponse_a: (.*?)\nresponse_b: ", context, re.DOTALL)
    b = re.search(r"\nresponse_b: (.*?)\nEVALUATION:", context, re.DOTALL)
    if a and b:  # pairwise: longer side gets the higher log-likelihood
        pick = "A" if len(a.group(1)) >= len(b.group(1)) else "B"
        return -0.1 if label == pick else -2.5
    h = int(hashlib.sha256((context + label).encode()).hexdigest()[:4], 16)
    return -(h % 300) / 100


@pytest.fixture(scope="module")
def results(tmp_path_factory, mirror):
    out = tmp_path_factory.mktemp("results")
    benches = [BENCHMARKS.get(n) for n in ("rewardbench", "aggrefact", "heldout")]
    with pytest.MonkeyPatch.context() as mp:  # module scope: the conftest's per-test env is not set yet
        mp.setenv("FLAME_MIRROR", str(mirror))
        longer = FakeBackend(prefers_longer, fingerprint="fake:longer")
        first = run(benches, longer, model="fake-longer", out=out / "a.json",
                    options=RunOptions(limit=6), progress=False)
        second = run(benches[2:], longer, model="fake-longer-seed1", out=out / "b.json",
                     options=RunOptions(limit=6, seed=1), progress=False)
    return [first, second]


def _report_app() -> typer.Typer:
    app = typer.Typer()
    app.command("report")(report)
    app.command("noop")(lambda: None)  # keep `report` a sub-command, as when mounted on `flame`
    return app


def test_reference_rows_are_computed_from_the_items(results):
    doc = json.loads(results[0].read_text())
    rows = [r for r in doc["rows"] if r["benchmark"] == "heldout"]
    bench = BENCHMARKS.get("heldout")
    assert bench.aggregate(random_rows(rows))["headline"]["mean"] == pytest.approx(0.5)
    # this judge always picks the longer side, so it scores exactly like always-longer
    assert bench.aggregate(longer_rows(rows))["headline"] == doc["benchmarks"]["heldout"]["aggregates"]["headline"]
    aggrefact = [r for r in doc["rows"] if r["benchmark"] == "aggrefact"]
    assert longer_rows(aggrefact) is None
    assert BENCHMARKS.get("aggrefact").aggregate(random_rows(aggrefact))["categories"]["Wice"] == pytest.approx(0.5)


def test_every_aggregate_in_a_results_file_is_the_documented_aggregate(results):
    """Each benchmark's aggregates hold the Aggregate's keys in its order, and only headline
    keys are marked partial (the * in reports)."""
    for path in results:
        for name, bench in json.loads(path.read_text())["benchmarks"].items():
            agg = bench["aggregates"]
            assert list(agg) == list(Aggregate.__annotations__), name
            assert set(agg["partial"]) <= set(agg["headline"]), name
            assert all(isinstance(rows, list) for rows in agg["tables"].values()), name


def test_report_command_writes_one_self_contained_page(results, tmp_path):
    out = tmp_path / "report.html"
    result = CliRunner().invoke(_report_app(), ["report", *map(str, results), "--out", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text()
    assert "report written to" in result.output
    assert "src=\"http" not in page and "href=\"http" not in page  # nothing fetched from elsewhere
    images = re.findall(r'<img alt="[^"]*" src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) == 4  # rewardbench, aggrefact and heldout categories + the reliability diagram
    assert "paper: FLAMe-RM-24B" not in page  # a --limit sample is not the paper's item set
    assert "The paper's numbers are not shown" in page
    assert "no overall score" in page and "xstest-approx-should-refuse" in page
    assert "always longer" in page and "random (expected)" in page
    assert "100.0" in page  # this judge picks the longer response every time


def test_paper_values_stand_beside_a_run_over_the_whole_item_set(results, tmp_path, mirror, monkeypatch):
    monkeypatch.setenv("FLAME_MIRROR", str(mirror))
    full = run([BENCHMARKS.get("aggrefact")], FakeBackend(prefers_longer, fingerprint="fake:longer"), model="fake-longer", out=tmp_path / "full.json",
               options=RunOptions(), progress=False)
    out = tmp_path / "report.html"
    md = tmp_path / "full.md"
    result = CliRunner().invoke(_report_app(), ["report", str(full), "--out", str(out), "--markdown", str(md)])
    assert result.exit_code == 0, result.output
    page = out.read_text()
    assert "paper: FLAMe-RM-24B" in page and "Wiki-FactVerify" in page  # all 358 WiCE claims: the paper's set
    table = md.read_text().splitlines()
    header = next(line for line in table if line.startswith("| | "))
    assert header.endswith("| paper: FLAMe-24B | paper: FLAMe-RM-24B | paper: GPT-4o |")
    wiki = next(line for line in table if line.startswith("| Wiki-FactVerify |")).strip("| ").split(" | ")
    assert wiki[-3:] == ["77.7", "77.2", "71.6"]  # PAPER.md Table 3, Wiki-FactVerify column
    result = CliRunner().invoke(_report_app(), ["report", str(full), str(results[0]), "--out", str(out),
                                                "--markdown", str(md)])
    assert "paper: FLAMe-RM-24B" not in out.read_text()  # one run beside it judged only a sample
    assert "paper:" not in md.read_text()


def test_markdown_sets_runs_side_by_side(results, tmp_path):
    md = tmp_path / "compare.md"
    result = CliRunner().invoke(_report_app(), ["report", *map(str, results), "--out", str(tmp_path / "r.html"),
                                                "--markdown", str(md)])
    assert result.exit_code == 0, result.output
    text = md.read_text()
    assert "- **a**: `fake-longer`" in text and "- **b**: `fake-longer-seed1`" in text
    heldout = text[text.index("### FLAMe held-out"):]
    assert heldout.splitlines()[4] == "| | a | b | random (expected) | always longer |"
    assert "the runs judged different items" in heldout  # seeds 0 and 1 drew different samples
    # this judge picks the longer response in both orders: its orders agree unless lengths tie,
    # and on a's items it scores what always-longer scores
    assert "| candidate orders agree | 100.0 (36) |" in heldout
    mean = next(line for line in heldout.splitlines() if line.startswith("| mean |")).strip("| ").split(" | ")
    assert mean[1] == mean[4] != mean[3] == "50.0"
    # the legend for * stands only where a cell carries one: RewardBench's mirror lacks subsets
    rewardbench = text[text.index("### RewardBench"):text.index("### ", text.index("### RewardBench") + 4)]
    assert "* = partial (subsets missing)" in rewardbench and re.search(r"\| \d+\.\d\* \|", rewardbench)
    assert "* = partial" not in heldout and "*" not in heldout.split("| mean |")[1].splitlines()[0]


def test_a_gzipped_results_file_reads_as_the_plain_one(results, tmp_path):
    import gzip

    packed = tmp_path / (results[0].name + ".gz")
    packed.write_bytes(gzip.compress(results[0].read_bytes()))
    assert load_results([packed]) == load_results([results[0]])
    broken = tmp_path / "cut.json.gz"
    broken.write_bytes(packed.read_bytes()[:100])
    with pytest.raises(DataError, match="not readable as JSON"):
        load_results([broken])


def test_report_rejects_a_file_that_is_not_results(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text(json.dumps({"hello": 1}))
    with pytest.raises(DataError, match="not a flame results file"):
        load_results([bad])
    result = CliRunner().invoke(_report_app(), ["report", str(bad), "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 1 and "not a flame results file" in result.output


def test_page_renders_in_headless_chromium(results, tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is required in CI: apt-get install -y chromium")
        pytest.skip("chromium not installed (apt-get install -y chromium)")
    out = tmp_path / "report.html"
    CliRunner().invoke(_report_app(), ["report", *map(str, results), "--out", str(out)])
    base = [chromium, *CHROMIUM_FLAGS, "--virtual-time-budget=5000"]
    dom = subprocess.run([*base, f"--user-data-dir={tmp_path / 'profile1'}", "--dump-dom", out.as_uri()],
                         capture_output=True, text=True, timeout=120, check=False)
    assert dom.returncode == 0, dom.stderr[-2000:]
    decoded = re.search(r'data-images-decoded="(\d+)/(\d+)"', dom.stdout)
    assert decoded and decoded.group(1) == decoded.group(2) == "4", "the browser did not decode every plot"
    assert dom.stdout.count("<table") >= 6 and "FLAMe held-out pairwise sets" in dom.stdout
    shot = tmp_path / "shot.png"
    snap = subprocess.run([*base, f"--user-data-dir={tmp_path / 'profile2'}", "--window-size=1200,2400",
                           f"--screenshot={shot}", out.as_uri()], capture_output=True, text=True, timeout=120, check=False)
    assert snap.returncode == 0 and shot.is_file(), snap.stderr[-2000:]
    from PIL import Image

    colours = Image.open(shot).convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50  # text, tables and plots, not a blank page


def test_no_partial_legend_when_the_missing_value_has_no_cell():
    from flame.evals.compare import comparison

    # CoBBLEr's Length is partial when no pair was judged the same in both orders: it prints "–", not "*"
    summary = {"title": "CoBBLEr bias audit (Table 4)", "judged": 21000, "loaded": 21000, "selection": {"mode": "all"},
               "aggregates": {"headline": {"order": 1.0, "length": None}, "partial": ["Length", "length"]}}
    lines = comparison([("judge", {"benchmarks": {"cobbler": summary}, "rows": []})])
    assert lines[2] == "21,000 of 21,000 items judged (all)."
    assert "| length | – |" in lines


def test_html_labels_runs_by_file_and_prints_paper_layouts_in_percent():
    from flame.evals.report import _detail_tables, _run_label

    doc = {"manifest": {"model": {"spec": "smollm2-135m"}},
           "benchmarks": {"cobbler": {"aggregates": {"tables": {
               "table4": [{"autorater": "this judge", "Order": 1.0, "Length": None}],
               "order": [{"probe": "Order", "bias": 1.0, "n": 5250}]}}}},
           "rows": [{"benchmark": "cobbler"}]}
    assert _run_label("smollm2-135m-cobbler-full.json", doc) == "smollm2-135m [cobbler-full]"
    assert _run_label("smollm2-135m.json", doc) == "smollm2-135m"
    assert _run_label("a.json", doc) == "smollm2-135m [a]"
    page = _detail_tables("cobbler", [("smollm2-135m-cobbler-full.json", doc)])
    table4, order = page.split("the paper&#x27;s Table 4 layout (%)")[1].split(": order")
    assert "<td>100.0</td>" in table4 and "&mdash;" in table4  # as the paper prints it
    assert "<td>1.0000</td>" in order and "<td>5250</td>" in order  # other tables stay fractions


def test_a_run_that_judged_each_response_alone_has_no_order_metrics_to_show(results, tmp_path, mirror, monkeypatch):
    monkeypatch.setenv("FLAME_MIRROR", str(mirror))
    alone = run([BENCHMARKS.get("heldout")], FakeBackend(prefers_longer, fingerprint="fake:longer"), model="fake-alone", out=tmp_path / "alone.json",
                options=RunOptions(limit=6, pairwise="separate"), progress=False)
    out, md = tmp_path / "r.html", tmp_path / "compare.md"
    result = CliRunner().invoke(_report_app(), ["report", str(results[0]), str(alone), "--out", str(out),
                                                "--markdown", str(md)])
    assert result.exit_code == 0, result.output
    heldout = md.read_text()[md.read_text().index("### FLAMe held-out"):]
    assert "| candidate orders agree | 100.0 (36) | n/a: each response judged alone |" in heldout
    assert "| verdicts for the candidate shown first | " in heldout
    assert heldout.count("n/a: each response judged alone") == 2
    page = out.read_text()
    diagnostics = page[page.index("same verdict in both orders"):]
    assert "<td>n/a: each response judged alone</td><td>&mdash;</td>" in diagnostics  # not "– (0)"
