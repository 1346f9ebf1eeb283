"""Markdown tables that set results files side by side, benchmark by benchmark: what model
cards and docs/results.md print, so no number there is typed by hand.

    flame report base.json trained.json --markdown compare.md

Beside the runs: the computed reference judges (random, always-longer) on the first run's
items, and the paper's published values for a few models, only where every run judged the
paper's complete item set (`paper.fits`; a `--limit` sample never gets them). A benchmark whose
aggregate carries a table in a paper's layout (`tables["table4"]`: CoBBLEr's Table 4,
code reranking's Table 5) gets it printed for each run, with the aggregate's notes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from . import paper
from .metrics import JUDGED_ALONE, judged_alone, position_bias, swap_consistency

if TYPE_CHECKING:
    from .paired import Comparison

PAPER_MODELS = ("FLAMe-24B", "FLAMe-RM-24B", "GPT-4o")


def _pct(v: Any) -> str:
    return f"{100 * v:.1f}" if isinstance(v, (int, float)) else "–"


def _cells(agg: Mapping[str, Any], keys: Sequence[str]) -> list[str]:
    """An aggregate's headline values as % cells, * marking a partial (subsets missing) one."""
    head, partial = agg.get("headline") or {}, agg.get("partial", [])
    return [_pct(head.get(k)) + ("*" if k in partial and head.get(k) is not None else "") for k in keys]


def _selection(summary: Mapping[str, Any]) -> str:
    sel = summary["selection"]
    return sel.get("mode", "?") + (f", seed {sel['seed']}" if "seed" in sel else "")


def comparison(runs: Sequence[tuple[str, Mapping[str, Any]]], paper_models: Sequence[str] = PAPER_MODELS) -> list[str]:
    """Markdown lines: per benchmark, one column per run with its headline values (as %),
    swap consistency and position bias (share of verdicts for the candidate shown first),
    then reference and paper columns (see the module docstring)."""
    from .benchmarks import BENCHMARKS
    from .report import references

    lines: list[str] = []
    for bench in dict.fromkeys(b for _, doc in runs for b in doc["benchmarks"]):
        present = [(label, doc) for label, doc in runs if bench in doc["benchmarks"]]
        summaries = [doc["benchmarks"][bench] for _, doc in present]
        aggs = [s["aggregates"] or {} for s in summaries]
        keys = list(dict.fromkeys(k for a in aggs for k in (a.get("headline") or {})))
        rows = [[r for r in doc["rows"] if r["benchmark"] == bench] for _, doc in present]
        refs = references(BENCHMARKS.get(bench), rows[0]) if bench in BENCHMARKS else {}
        published = paper.published().get(bench, {})
        approx = paper.APPROXIMATE.get(bench, set())
        extra = [(name, dict(zip(keys, _cells(agg, keys)))) for name, agg in refs.items()]
        daggers = False
        for model in paper_models:
            cells = {k: f"{100 * published[model][k]:.1f}" + ("†" if k in approx else "")
                     for k in keys if k in published.get(model, {}) and paper.fits(k, summaries)}
            if cells:
                extra.append((f"paper: {model}", cells))
                daggers = daggers or any(k in approx for k in cells)
        same = len({json.dumps(s["selection"], sort_keys=True) for s in summaries}) == 1
        lines += [f"### {summaries[0]['title']}", "",
                  f"{summaries[0]['judged']:,} of {summaries[0]['loaded']:,} items judged ({_selection(summaries[0])})"
                  + ("" if same else "; **the runs judged different items**") + "."
                  + (" * = partial (subsets missing)." if any("*" in c for a in aggs for c in _cells(a, keys)) else "")
                  + (f" Reference columns are computed on the items of {present[0][0]}." if refs else "")
                  + (" † = paper value on the same public human judgments, exact item set not verified identical."
                     if daggers else ""), "",
                  "| | " + " | ".join([label for label, _ in present] + [name for name, _ in extra]) + " |",
                  "|---|" + "---:|" * (len(present) + len(extra))]
        columns = [_cells(a, keys) for a in aggs]
        for i, k in enumerate(keys):
            lines.append(f"| {k} | " + " | ".join([c[i] for c in columns] + [c.get(k, "") for _, c in extra]) + " |")
        alone = [any(r.get("len_a") is not None for r in rs) and judged_alone(doc)  # its pairwise rows: no orders
                 for (_, doc), rs in zip(present, rows)]
        if any(r.get("order_labels") for rs in rows for r in rs) or any(alone):
            blank = [""] * len(extra)
            agree = [swap_consistency(rs) for rs in rows]
            lines.append("| candidate orders agree | " + " | ".join(
                [JUDGED_ALONE if na else f"{_pct(a['consistency'])} ({a['n']:,})" if a["n"] else "–"
                 for a, na in zip(agree, alone)] + blank) + " |")
            lines.append("| verdicts for the candidate shown first | " + " | ".join(
                [JUDGED_ALONE if na else _pct(position_bias(rs)["picks_first"]) for rs, na in zip(rows, alone)]
                + blank) + " |")
        lines.append("")
        lines += _paper_layouts(bench, present)
    return lines


def _paper_layouts(bench: str, runs: Sequence[tuple[str, Mapping[str, Any]]]) -> list[str]:
    """Each run's `tableN` aggregate tables of `bench` (a paper's Table N layout; fractions as %),
    then the aggregates' notes (once where every run has the same)."""
    lines: list[str] = []
    for label, doc in runs:
        agg = doc["benchmarks"][bench]["aggregates"] or {}
        for name, rows in (agg.get("tables") or {}).items():
            number = re.fullmatch(r"table(\d+)", name)
            if not number or not rows:
                continue
            cols = list(rows[0])
            lines += [f"**{label}**, in the layout of the paper's Table {number.group(1)} (%):", "",
                      "| " + " | ".join(cols) + " |", "|---|" + "---:|" * (len(cols) - 1)]
            lines += ["| " + " | ".join(_pct(r.get(c)) if isinstance(r.get(c), float) or r.get(c) is None
                                        else str(r[c]) for c in cols) + " |" for r in rows]
            lines.append("")
    notes = [((doc["benchmarks"][bench]["aggregates"] or {}).get("notes") or []) for _, doc in runs]
    shared = [n for n in notes[0] if all(n in other for other in notes)]
    lines += [f"- Note: {n}" for n in shared]
    lines += [f"- Note ({label}): {n}" for (label, _), own in zip(runs, notes) for n in own if n not in shared]
    return lines + ([""] if any(notes) else [])


def run_lines(runs: Sequence[tuple[str, Mapping[str, Any]]]) -> list[str]:
    """One markdown bullet per run: label, model spec, flame commit, items judged, wall time and
    how many label scores it computed or read from the judgment cache (a resumed run computed
    the rest in earlier invocations, whose time its wall time does not count)."""
    lines = []
    for label, doc in runs:
        m = doc["manifest"]
        cache = m.get("cache") or {}
        items = sum(b["judged"] for b in doc["benchmarks"].values())
        line = (f"- **{label}**: `{m['model']['spec']}`, flame {m['flame_version']} commit {m['git']['commit'][:10]}, "
                f"{items:,} items, wall {m['wall_s']:.0f} s" + (f" ({m['wall_s'] / 60:.1f} min)" if m["wall_s"] >= 600 else ""))
        if cache.get("misses") == 0:
            line += " (every judgment read from the cache of an earlier run)"
        elif cache:
            line += f"; label scores computed {cache['misses']:,}, read from the cache {cache['hits']:,}"
        lines.append(line)
    return lines


def paired_lines(comparisons: Sequence[Comparison]) -> list[str]:
    """Markdown lines of paired comparisons (flame.evals.paired): per benchmark,
    each run's score on the items both judged, B - A with its 95% bootstrap interval,
    McNemar's p and the verdict; a benchmark not compared says why."""
    from .paired import method, p_text

    lines: list[str] = []
    for c in comparisons:
        lines += [f"### Paired comparison: B = {c.b} against A = {c.a}", "", method(c), ""]
        for bp in c.benchmarks:
            if bp.reason:
                lines += [f"**{bp.title}**: {bp.reason}.", ""]
                continue
            left = (f"; left out: {bp.only_a:,} items judged only by A, {bp.only_b:,} only by B"
                    if bp.only_a or bp.only_b else "")
            lines += [f"**{bp.title}** ({bp.metric}): {bp.items:,} items judged by both runs{left}."
                      + (" * = partial (subsets missing)." if any(d.partial for d in bp.rows) else ""), "",
                      f"| | n | A: {c.a} | B: {c.b} | B - A | 95% interval | McNemar p | verdict |",
                      "|---|---:|---:|---:|---:|---|---:|---|"]
            lines += [f"| {d.name} | {d.n:,} | {_pct(d.a)}{'*' if d.partial else ''} | {_pct(d.b)}{'*' if d.partial else ''} "
                      f"| {100 * d.diff:+.1f} | [{100 * d.low:+.1f}, {100 * d.high:+.1f}] | {p_text(d.p)} | {d.verdict} |"
                      for d in bp.rows]
            lines.append("")
    return lines
