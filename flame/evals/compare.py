"""Markdown tables that set results files side by side, benchmark by benchmark: what model
cards and docs/results.md print, so no number there is typed by hand.

    flame report base.json trained.json --markdown compare.md
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from .metrics import position_bias, swap_consistency


def _pct(v: Any) -> str:
    return f"{100 * v:.1f}" if isinstance(v, (int, float)) else "–"


def _selection(summary: Mapping[str, Any]) -> str:
    sel = summary["selection"]
    return sel.get("mode", "?") + (f", seed {sel['seed']}" if "seed" in sel else "")


def comparison(runs: Sequence[tuple[str, Mapping[str, Any]]]) -> list[str]:
    """Markdown lines: per benchmark, one column per run with its headline values (as %),
    swap consistency and position bias (share of verdicts for the candidate shown first)."""
    lines: list[str] = []
    for bench in dict.fromkeys(b for _, doc in runs for b in doc["benchmarks"]):
        present = [(label, doc) for label, doc in runs if bench in doc["benchmarks"]]
        summaries = [doc["benchmarks"][bench] for _, doc in present]
        aggs = [s["aggregates"] or {} for s in summaries]
        keys = list(dict.fromkeys(k for a in aggs for k in (a.get("headline") or {})))
        same = len({json.dumps(s["selection"], sort_keys=True) for s in summaries}) == 1
        lines += [f"### {summaries[0]['title']}", "",
                  f"{summaries[0]['judged']} of {summaries[0]['loaded']} items judged ({_selection(summaries[0])})"
                  + ("" if same else "; **the runs judged different items**") + "."
                  + (" * = partial (subsets missing)." if any(a.get("partial") for a in aggs) else ""), "",
                  "| | " + " | ".join(label for label, _ in present) + " |", "|---|" + "---:|" * len(present)]
        for k in keys:
            cells = [_pct(v) + ("*" if k in a.get("partial", []) and v is not None else "")
                     for a in aggs for v in [(a.get("headline") or {}).get(k)]]
            lines.append(f"| {k} | " + " | ".join(cells) + " |")
        rows = [[r for r in doc["rows"] if r["benchmark"] == bench] for _, doc in present]
        if any(r.get("order_labels") for rs in rows for r in rs):
            agree = [swap_consistency(rs) for rs in rows]
            lines.append("| candidate orders agree | " + " | ".join(
                f"{_pct(a['consistency'])} ({a['n']})" if a["n"] else "–" for a in agree) + " |")
            lines.append("| verdicts for the candidate shown first | " + " | ".join(
                _pct(position_bias(rs)["picks_first"]) for rs in rows) + " |")
        lines.append("")
    return lines


def run_lines(runs: Sequence[tuple[str, Mapping[str, Any]]]) -> list[str]:
    """One markdown bullet per run: label, model spec, flame commit, wall time."""
    return [f"- **{label}**: `{doc['manifest']['model']['spec']}`, flame {doc['manifest']['flame_version']} "
            f"commit {doc['manifest']['git']['commit'][:10]}, wall {doc['manifest']['wall_s']:.0f} s"
            + (" (every judgment read from the cache of an earlier run)"
               if doc["manifest"].get("cache", {}).get("misses") == 0 else "")
            for label, doc in runs]
