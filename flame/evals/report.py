"""One self-contained HTML page from results files (`flame report results/*.json --out report.html`).

Sections: the runs (model, data, selection, manifest), for a suite run (`flame eval run flame12`)
the paper's Table 1 layout (flame.evals.suite), a leaderboard per benchmark with reference rows,
per-category bars, a reliability diagram with ECE from the label
probabilities, swap consistency, length bias, and every note (missing subsets,
approximations, dropped rows). Plots are drawn with matplotlib and embedded as base64 PNG.

Reference rows are computed from each run's own items: `random` is the exact expectation
of a uniform random verdict (every row counted once per label), `always longer` picks the
longer candidate (pairwise benchmarks only; equal lengths count as an unreadable verdict).
The paper's published numbers appear only in columns whose items match the paper's
(see flame.evals.paper).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flame.core.errors import DataError, require

from . import paper
from .metrics import JUDGED_ALONE, judged_alone, length_bias, longer, pairwise_score, reliability, swap_consistency

if TYPE_CHECKING:
    from .paired import Comparison

Doc = Mapping[str, Any]


def load_results(paths: Iterable[Path]) -> list[tuple[str, dict[str, Any]]]:
    """(name, document) of each results file, plain or gzipped (`gzip run.json` keeps a large
    run small, e.g. in a repository); a file that is not a flame results file is a DataError."""
    import gzip

    from .runner import RESULTS_FORMAT

    docs = []
    for path in paths:
        try:
            raw = Path(path).read_bytes()
            doc = json.loads(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)
        except (OSError, ValueError, EOFError) as e:
            raise DataError(str(path), f"not readable as JSON: {e}") from e
        if not isinstance(doc, dict) or doc.get("format") != RESULTS_FORMAT:
            raise DataError(str(path), f"not a flame results file (expected format {RESULTS_FORMAT!r})", field="format")
        docs.append((Path(path).name.removesuffix(".gz"), doc))
    if not docs:
        raise DataError("<report>", "no results files given")
    return docs


# -- reference rows -------------------------------------------------------------------


def _rescore(r: Mapping[str, Any], verdict: str | None) -> dict[str, Any]:
    pairwise = r.get("len_a") is not None
    score = pairwise_score(verdict, r["target"]) if pairwise else float(verdict == r["target"])
    return {**r, "verdict": verdict, "score": score}


def random_rows(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Every row once per label of its task's label space (the labels its judgments were
    scored over, plus all human labels): aggregating these gives the exact expected score
    of a uniform random judge, since every metric here is linear in per-class hit rates."""
    labels: dict[str, set[str]] = {}
    for r in rows:
        labels.setdefault(r["task"], set()).update(r.get("probs") or {}, [r["target"]])
    return [_rescore(r, lab) for r in rows for lab in sorted(labels[r["task"]])]


def longer_rows(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]] | None:
    """Rows as an always-choose-the-longer judge would answer; None unless all are pairwise."""
    if not rows or any(r.get("len_a") is None for r in rows):
        return None
    return [_rescore(r, longer(r)) for r in rows]


def references(bench: Any, rows: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """name -> aggregates of the computed reference judges on these rows (none when some
    row has no human label: a reference judge needs one to be scored against, nor for a
    benchmark that computes its own, see `Benchmark.generic_references`)."""
    if not rows or not bench.generic_references or any(r.get("target") is None for r in rows):
        return {}
    refs = {"random (expected)": bench.aggregate(random_rows(rows))}
    always = longer_rows(rows)
    if always is not None:
        refs["always longer"] = bench.aggregate(always)
    return refs


# -- plots ----------------------------------------------------------------------------


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    require("matplotlib.pyplot", "report").close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _pyplot() -> Any:
    matplotlib = require("matplotlib", "report")
    matplotlib.use("Agg")
    return require("matplotlib.pyplot", "report")


def category_plot(bench: str, runs: Sequence[tuple[str, Mapping[str, float]]], metric: str) -> str:
    """Grouped horizontal bars: one group per category, one bar per run."""
    plt = _pyplot()
    cats = list(dict.fromkeys(c for _, cs in runs for c in cs))
    height = 0.8 / max(1, len(runs))
    fig, ax = plt.subplots(figsize=(7.5, 0.45 * len(cats) * max(1, len(runs)) ** 0.5 + 1.2))
    for k, (name, values) in enumerate(runs):
        ys = [i + k * height for i in range(len(cats))]
        ax.barh(ys, [100 * (values.get(c) or 0) for c in cats], height=height, label=name)
    ax.axvline(50, color="grey", linestyle=":", linewidth=1)
    ax.set_yticks([i + height * (len(runs) - 1) / 2 for i in range(len(cats))])
    ax.set_yticklabels(cats)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel(f"{metric} (%)")
    ax.set_title(bench)
    ax.legend(fontsize=7, loc="lower right")
    return _png(fig)


def reliability_plot(curves: Sequence[tuple[str, Mapping[str, Any]]]) -> str:
    """Accuracy against confidence per bin, one line per run, with each run's ECE."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=1, label="perfect calibration")
    for name, rel in curves:
        bins = rel["bins"]
        ece = "n/a" if rel["ece"] is None else f"{rel['ece']:.3f}"
        ax.plot([b["confidence"] for b in bins], [b["accuracy"] for b in bins], marker="o", label=f"{name} (ECE {ece})")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("confidence (probability of the verdict)")
    ax.set_ylabel("accuracy")
    ax.set_title("Reliability diagram")
    ax.legend(fontsize=7, loc="upper left")
    return _png(fig)


# -- HTML -----------------------------------------------------------------------------

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}
table{border-collapse:collapse;margin:.5em 0 1.2em}th,td{border:1px solid #ccc;padding:.25em .6em;text-align:right}
td{overflow-wrap:anywhere}th:first-child,td:first-child{text-align:left}th{background:#f3f3f3}tr.ref td{color:#555;font-style:italic}
tr.paper td{color:#345}.partial{color:#a60}.muted{color:#777;font-size:.9em}img{max-width:100%;display:block;margin:.5em 0}
code{background:#f5f5f5;padding:0 .2em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
table.paired td{white-space:nowrap;overflow-wrap:normal}table.paired td:last-child{white-space:normal;text-align:left}table.paired th:last-child{text-align:left}
"""
# Counts images a real browser decoded, so a headless browser test can check they render.
SCRIPT = """
window.addEventListener('load', function () {
  var imgs = Array.prototype.slice.call(document.images);
  var ok = imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length;
  document.body.setAttribute('data-images-decoded', ok + '/' + imgs.length);
});
"""


def _e(value: Any) -> str:
    return html.escape(str(value))


def _pct(value: float | None) -> str:
    return "&mdash;" if value is None else f"{100 * value:.1f}"


def _table(head: Sequence[str], rows: Sequence[tuple[str, Sequence[str]]], cls: str = "") -> str:
    out = [f'<table class="{cls}"><thead><tr>' + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr></thead><tbody>"]
    for row_cls, cells in rows:
        out.append(f'<tr class="{row_cls}">' + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return "".join(out) + "</tbody></table>"


def _headline_cells(agg: Mapping[str, Any] | None, keys: Sequence[str]) -> list[str]:
    if not agg:
        return ["&mdash;"] * len(keys)
    partial = set(agg.get("partial", []))
    cells = []
    for k in keys:
        v = (agg.get("headline") or {}).get(k)
        cells.append(f'<span class="partial" title="partial: subsets missing">{_pct(v)}*</span>'
                     if k in partial and v is not None else _pct(v))
    return cells


def _bench_rows(runs: Sequence[tuple[str, Doc]], bench: str) -> list[tuple[str, Doc, list[dict[str, Any]]]]:
    return [(name, doc, [r for r in doc["rows"] if r["benchmark"] == bench])
            for name, doc in runs if bench in doc["benchmarks"]]


def _run_label(name: str, doc: Doc) -> str:
    """The model spec and the results file's name (less the spec where the name starts with it)."""
    spec, stem = doc["manifest"]["model"]["spec"], name.removesuffix(".json")
    rest = stem.removeprefix(spec).strip("-_. ") if stem.startswith(spec) else stem
    return f"{spec} [{rest}]" if rest else spec


def leaderboard(bench: str, runs: Sequence[tuple[str, Doc]]) -> str:
    """One benchmark's leaderboard: runs, computed references, matching paper rows."""
    from .benchmarks import BENCHMARKS

    entries = _bench_rows(runs, bench)
    aggs = [doc["benchmarks"][bench]["aggregates"] or {} for _, doc, _ in entries]
    keys = list(dict.fromkeys(k for a in aggs for k in (a.get("headline") or {})))
    body: list[tuple[str, list[str]]] = []
    for (name, doc, rows), agg in zip(entries, aggs):
        body.append(("run", [_e(_run_label(name, doc))] + _headline_cells(agg, keys) + [str(len(rows))]))
    known = bench in BENCHMARKS
    if known and entries:
        for ref_name, ref in references(BENCHMARKS.get(bench), entries[0][2]).items():
            body.append(("ref", [_e(f"{ref_name} (items of {_run_label(*entries[0][:2])})")] + _headline_cells(ref, keys)
                         + [str(len(entries[0][2]))]))
    notes = []
    pub = paper.published().get(bench, {})
    summaries = [doc["benchmarks"][bench] for _, doc, _ in entries]
    columns = [k for k in keys if paper.fits(k, summaries) and any(k in v for v in pub.values())]
    approx = paper.APPROXIMATE.get(bench, set())
    for model, values in pub.items():
        cells = [f"{100 * values[k]:.1f}" + ("&dagger;" if k in approx else "") if k in columns and k in values
                 else "" for k in keys]
        if any(cells):
            body.append(("paper", [_e(f"paper: {model}")] + cells + [""]))
    if any(k in approx for k in columns):
        notes.append("&dagger; paper value on the same public human judgments; the paper's exact item set "
                     "(sampling, tie handling) is not verified identical.")
    if pub and not columns:
        notes.append("The paper's numbers are not shown: no column here is computed on the paper's complete item set "
                     "(a --limit run judges a sample).")
    return _table(["run"] + keys + ["items"], body) + "".join(f'<p class="muted">{n}</p>' for n in notes)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, (list, tuple)):
        return _e(", ".join(map(str, value)))
    return "&mdash;" if value is None else _e(value)


def _pct_cell(value: Any) -> str:
    return _pct(value) if isinstance(value, float) or value is None else _cell(value)


def _detail_tables(bench: str, runs: Sequence[tuple[str, Doc]]) -> str:
    """Each run's aggregate tables (per subset, per section, ...), folded away."""
    parts = []
    for name, doc, _ in _bench_rows(runs, bench):
        for title, rows in ((doc["benchmarks"][bench]["aggregates"] or {}).get("tables") or {}).items():
            if rows:
                head, number = list(rows[0]), re.fullmatch(r"table(\d+)", title)
                # a paper's Table N layout in percent, as the paper prints it and the leaderboards are
                cell = _pct_cell if number else _cell
                caption = f"the paper's Table {number.group(1)} layout (%)" if number else title
                parts.append(f"<p><b>{_e(_run_label(name, doc))}</b>: {_e(caption)}</p>"
                             + _table(head, [("", [cell(r.get(h)) for h in head]) for r in rows]))
    return f"<details><summary>Tables per run</summary>{''.join(parts)}</details>" if parts else ""


def _run_section(runs: Sequence[tuple[str, Doc]]) -> str:
    rows = []
    for name, doc in runs:
        m = doc["manifest"]
        data = "<br>".join(_e(f"{b}: {v['data']} ({v['selection'].get('mode')}, {v['judged']} judged)")
                           for b, v in doc["benchmarks"].items())
        git = m["git"].get("commit") or "?"
        rows.append(("", [_e(name), _e(m["model"]["spec"]), f"<code>{_e(m['model']['fingerprint'])}</code>", data,
                          _e(f"{git[:10]}{' (dirty)' if m['git'].get('dirty') else ''}"), _e(f"{m['wall_s']:.1f}")]))
    return _table(["results file", "model", "fingerprint", "data and selection", "git", "wall s"], rows)


def _notes(runs: Sequence[tuple[str, Doc]]) -> str:
    items = []
    for name, doc in runs:
        for bench, b in doc["benchmarks"].items():
            for note in (b["aggregates"] or {}).get("notes", []) + b.get("data_notes", []):
                items.append(f"<li><b>{_e(bench)}</b> ({_e(name)}): {_e(note)}</li>")
            dropped = b.get("dropped") or {}
            if dropped:
                total = sum(dropped.values())
                detail = "; ".join(f"{_e(k)}: {v}" for k, v in sorted(dropped.items(), key=lambda kv: -kv[1]))
                items.append(f"<li><b>{_e(bench)}</b> ({_e(name)}): {total} source rows dropped &mdash; {detail}</li>")
    return "<ul>" + "".join(items) + "</ul>" if items else "<p>None.</p>"


def _diagnostics(runs: Sequence[tuple[str, Doc]]) -> str:
    rows = []
    for name, doc in runs:
        for bench in doc["benchmarks"]:
            rs = [r for r in doc["rows"] if r["benchmark"] == bench]
            sc, lb = swap_consistency(rs), length_bias(rs)
            if sc["n"] or lb["n"]:
                same, pairs = ((_e(JUDGED_ALONE), "&mdash;") if judged_alone(doc)
                               else (_pct(sc["consistency"]), str(sc["n"])))
                rows.append(("", [_e(_run_label(name, doc)), _e(bench), same, pairs,
                                  _pct(lb["judge_prefers_longer"]), _pct(lb["human_prefers_longer"]), str(lb["n"])]))
    if not rows:
        return "<p>No pairwise items.</p>"
    return _table(["run", "benchmark", "same verdict in both orders (%)", "pairs", "verdicts for the longer (%)",
                   "human labels for the longer (%)", "pairs (unequal length)"], rows)


def paired_section(comparisons: Sequence[Comparison]) -> str:
    """Each paired comparison (flame.evals.paired): per benchmark, a table of both runs'
    scores on the items both judged, B - A with its 95% interval, McNemar's p and the
    verdict; a benchmark not compared says why."""
    from .paired import method, p_text

    parts = []
    for c in comparisons:
        parts.append(f"<h2>Paired comparison: B = {_e(c.b)} against A = {_e(c.a)}</h2>"
                     f"<p class='muted'>{_e(method(c))}</p>")
        for bp in c.benchmarks:
            if bp.reason:
                parts.append(f"<p><b>{_e(bp.title)}</b>: {_e(bp.reason)}.</p>")
                continue
            left = (f"; left out: {bp.only_a:,} items judged only by A, {bp.only_b:,} only by B"
                    if bp.only_a or bp.only_b else "")
            star = "<span class='partial' title='partial: subsets missing'>*</span>"
            rows = [("", [_e(d.name), f"{d.n:,}", _pct(d.a) + (star if d.partial else ""),
                          _pct(d.b) + (star if d.partial else ""), f"{100 * d.diff:+.1f}",
                          f"[{100 * d.low:+.1f}, {100 * d.high:+.1f}]", _e(p_text(d.p)), _e(d.verdict)])
                    for d in bp.rows]
            parts.append(f"<h3>{_e(bp.title)} <span class='muted'>({_e(bp.metric)}; {bp.items:,} items judged by "
                         f"both runs{_e(left)})</span></h3>"
                         + _table(["", "n", "A", "B", "B - A", "95% interval", "McNemar p", "verdict"], rows, "paired"))
    return "\n".join(parts)


def build(runs: Sequence[tuple[str, Doc]], paired: Sequence[Comparison] = ()) -> str:
    """The report page for the given (name, results document) runs, with the paired
    comparisons given (`flame report --paired`) after the benchmarks."""
    benches = list(dict.fromkeys(b for _, doc in runs for b in doc["benchmarks"]))
    intro = (f"<h1>flame evaluation report</h1><p class='muted'>{len(runs)} run(s), generated "
             f"{dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}. Scores in percent; "
             "<span class='partial'>*</span> marks a partial score (subsets missing, see notes); "
             "&mdash; means not computable from these items.</p>")
    from .suite import table1_html

    parts = [intro, "<h2>Runs</h2>", _run_section(runs), table1_html(runs)]
    for bench in benches:
        entries = _bench_rows(runs, bench)
        first = entries[0][1]["benchmarks"][bench]
        parts.append(f"<h2>{_e(first['title'])} <span class='muted'>({_e(bench)}, {_e(first['metric'])})</span></h2>")
        parts.append(f"<p class='muted'>Scoring: {_e(first['protocol'])}</p>")
        parts.append(leaderboard(bench, runs))
        parts.append(_detail_tables(bench, runs))
        cats = [(_run_label(n, d), (d["benchmarks"][bench]["aggregates"] or {}).get("categories", {})) for n, d, _ in entries]
        if any(c for _, c in cats):
            parts.append(f'<img alt="{_e(bench)} per category" src="{category_plot(first["title"], cats, first["metric"])}">')
    if paired:
        parts.append(paired_section(paired))
    curves = [(_run_label(n, d), reliability(d["rows"])) for n, d in runs]
    parts.append("<h2>Calibration</h2>")
    if any(c["n"] for _, c in curves):
        parts.append(f'<img alt="reliability diagram" src="{reliability_plot(curves)}">')
        parts.append(_table(["run", "ECE", "items with probabilities"],
                            [("", [_e(n), "&mdash;" if c["ece"] is None else f"{c['ece']:.3f}", str(c["n"])])
                             for n, c in curves]))
    else:
        parts.append("<p>No label probabilities in these runs (generated verdicts carry none).</p>")
    parts.append("<h2>Swap consistency and length bias</h2>")
    parts.append(_diagnostics(runs))
    parts.append("<h2>Notes</h2>")
    parts.append(_notes(runs))
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>flame evaluation report</title>"
            f"<style>{CSS}</style><script>{SCRIPT}</script></head><body>" + "\n".join(parts) + "</body></html>")


def write_report(paths: Iterable[Path], out: Path, paired: Sequence[Comparison] = ()) -> Path:
    """Build the page from results files (and paired comparisons of them) and write it atomically to out."""
    from flame.core.files import atomic_write

    return atomic_write(out, build(load_results(paths), paired))
