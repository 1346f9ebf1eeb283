"""Benchmark suites, and the paper's Table 1 layout of their runs.

    flame eval run flame12 --model smollm2-135m --limit 40
    flame report results/*.json

`flame12` is FLAMe's evaluation suite, the twelve benchmarks of the paper's Table 1 (PAPER.md
§7.2-7.4), named for the paper and the number so that it cannot be mistaken for a benchmark:
RewardBench, LLM-AggreFact, SummFeedback, AlpacaFarm, RankGen, CoPoet, ContrSearch, HHH, Dipper,
LitTrans, LFQAEval and HelpSteer. Each column is a flame benchmark's headline value (RankGen,
CoPoet, ContrSearch, HHH and LitTrans are sets of `heldout`, which also judges MT-Bench-human,
not in Table 1), except Dipper, which is excluded with the reason below. A suite run judges every
benchmark whose data can be read here and records the others as missing, with the reason, in its
results file (`manifest.suite`).

Table 1 layout (`table1_lines`, `table1_html`): one row per run, one column per benchmark, then
the paper's rows. A cell computed on a different item set than the paper's is marked with a
dagger, and the notes under the table say why: a seeded sample of the items (`--limit`,
`--sample`), a partial headline (subsets missing), or a benchmark whose exact items the paper
does not publish (it drew 256 items per task, PAPER.md §7.1; `Column.paper_items`). The paper's
rows are its judges' scores on its own items: a reference, not a like-for-like comparison.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import paper


@dataclass(frozen=True)
class Column:
    """One column of the paper's Table 1: its name and short label there, the flame benchmark
    and headline key that fill it, or why it is excluded; `paper_items` says why even a full run
    here does not judge the paper's exact items ("" where it does)."""

    name: str
    label: str
    benchmark: str = ""
    key: str = ""
    excluded: str = ""
    paper_items: str = ""


@dataclass(frozen=True)
class Suite:
    """A named set of benchmarks laid out as a paper's table."""

    name: str
    title: str
    columns: tuple[Column, ...]

    def benchmarks(self) -> list[str]:
        """The flame benchmarks it runs, each once, in column order."""
        return list(dict.fromkeys(c.benchmark for c in self.columns if c.benchmark))

    def excluded(self) -> dict[str, str]:
        """Column name -> why it has no benchmark."""
        return {c.name: c.excluded for c in self.columns if c.excluded}


DIPPER_EXCLUDED = (
    "no public human evaluation data: Krishna et al. 2023b's repository "
    "(github.com/martiansideofthemoon/ai-detection-paraphrases, README at 2786b16c) releases the DIPPER model "
    "and its paraphrasing scripts, and the 'Dataset:' line of its section on reproducing the paper is empty; no "
    "copy of the paper's human judgments of paraphrase quality was found on GitHub or the Hugging Face Hub")

FLAME12 = Suite("flame12", "FLAMe's twelve benchmarks (the paper's Table 1)", (
    Column("RewardBench", "RB", "rewardbench", "overall"),
    Column("LLM-AggreFact", "AggF", "aggrefact", "overall",
           paper_items="the paper drew 256 claims per dataset at random; which ones is not published"),
    Column("SummFeedback", "SummF", "summfeedback", "mean",
           paper_items="the paper does not say which split or axes it used, nor which 256 ratings it drew"),
    Column("AlpacaFarm", "Alpaca", "alpacafarm", "accuracy",
           paper_items="the paper does not say which AlpacaFarm human preferences it drew its 256 items from"),
    Column("RankGen", "RankGen", "heldout", "RankGen",
           paper_items="same public human judgments; the paper's tie handling and draw are not published"),
    Column("CoPoet", "CoPoet", "heldout", "CoPoet",
           paper_items="same public human judgments; whether the paper used this batch is not verified"),
    Column("ContrSearch", "Contr", "heldout", "ContrSearch",
           paper_items="same public human judgments; the paper's tie handling is not published"),
    Column("HHH", "HHH", "heldout", "HHH"),
    Column("Dipper", "Dipper", excluded=DIPPER_EXCLUDED),
    Column("LitTrans", "LitTr", "heldout", "LitTrans",
           paper_items="the paper drew 256 of the 540 comparisons; which, and whether it kept the translators' "
                       "difficult choices, is not published"),
    Column("LFQAEval", "LFQA", "lfqaeval", "accuracy",
           paper_items="the paper's tie handling and 256-item draw are not published"),
    Column("HelpSteer", "HelpS", "helpsteer", "mean",
           paper_items="the paper drew 256 ratings per attribute at random; which ones is not published"),
))
SUITES = {FLAME12.name: FLAME12}
# The paper's rows under the runs: its own judges, the two GPT-4 judges, then the other baselines
# in the paper's order.
PAPER_ROWS = ("FLAMe-24B", "FLAMe-RM-24B", "FLAMe-Opt-RM-24B", "GPT-4o", "GPT-4-0125", "Llama-3-70B-Instruct",
              "Mixtral-8x7B", "GPT-3.5-turbo-0125", "Claude-3-Opus", "PaLM-2-24B (Flan)")

Doc = Mapping[str, Any]


def suite_of(runs: Sequence[tuple[str, Doc]]) -> Suite | None:
    """The suite the first suite run among these results was made with, if any."""
    for _, doc in runs:
        name = (doc["manifest"].get("suite") or {}).get("name")
        if name in SUITES:
            return SUITES[name]
    return None


def cell(column: Column, doc: Doc) -> tuple[str, str | None]:
    """One run's cell in a column, as text (a percentage, "excluded", "missing" or "–"), and
    for a percentage why its items differ from the paper's (None where they do not), for a
    benchmark that ran without a value there why it has none."""
    if column.excluded:
        return "excluded", None
    summary = doc["benchmarks"].get(column.benchmark)
    if summary is None:
        missing = (doc["manifest"].get("suite") or {}).get("missing") or {}
        return ("missing" if column.benchmark in missing else "–"), None
    agg = summary["aggregates"] or {}
    value = (agg.get("headline") or {}).get(column.key)
    if value is None:
        return "–", "; ".join(agg.get("notes") or []) or "not computable from these items"
    why = []
    if column.key in agg.get("partial", []):
        why.append("partial: subsets missing")
    loaded = summary.get("loaded_by_subset") or {}
    if column.key in loaded:  # a set of the benchmark (heldout's): its own items
        judged, total, what = (summary.get("judged_by_subset") or {}).get(column.key, 0), loaded[column.key], column.key
    else:
        judged, total, what = summary["judged"], summary["loaded"], column.benchmark
    if judged < total:
        why.append(f"a seeded sample ({summary['selection'].get('mode')}): {judged:,} of the {total:,} items "
                   f"{what} loaded")
    if column.paper_items:
        why.append(column.paper_items)
    return f"{100 * value:.1f}" + ("†" if why else ""), "; ".join(why) or None


def _grid(suite: Suite, runs: Sequence[tuple[str, Doc]]) -> tuple[list[list[str]], list[str]]:
    """Rows of cells (runs, then the paper's rows) and the notes under the table."""
    rows, reasons, notes = [], {}, []
    for label, doc in runs:
        cells = []
        for c in suite.columns:
            text, why = cell(c, doc)
            cells.append(text)
            if why:
                mark = "–" if text == "–" else "†"
                reasons.setdefault((mark, c.name), {}).setdefault(why, []).append(label)
        rows.append([label] + cells)
    table = paper.TABLE1
    for model in PAPER_ROWS:
        rows.append([f"paper: {model}"] + [f"{table[model][paper.TABLE1_COLUMNS.index(c.name)]:.1f}"
                                           for c in suite.columns])
    for (mark, column), whys in reasons.items():
        for why, labels in whys.items():
            notes.append(f"{mark} {column} ({', '.join(labels)}): {why}.")
    for label, doc in runs:
        for bench, reason in ((doc["manifest"].get("suite") or {}).get("missing") or {}).items():
            notes.append(f"missing {bench} ({label}): {reason}")
    notes += [f"excluded {name}: {reason}." for name, reason in suite.excluded().items()]
    return rows, notes


def _intro(suite: Suite) -> str:
    columns = ", ".join(f"{c.label} = {c.name}" for c in suite.columns)
    return (f"In percent: one row per run, then the paper's rows (its judges on its own items, a reference "
            f"only). {columns}. † = computed on a different item set than the paper's; – = not run, or no value "
            "from these items (why: below).")


def table1_lines(runs: Sequence[tuple[str, Doc]]) -> list[str]:
    """The runs in the layout of the paper's Table 1, as Markdown lines ([] without a suite run)."""
    suite = suite_of(runs)
    if suite is None:
        return []
    rows, notes = _grid(suite, runs)
    lines = [f"### {suite.title}", "", _intro(suite), "",
             "| run | " + " | ".join(c.label for c in suite.columns) + " |",
             "|---|" + "---:|" * len(suite.columns)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return lines + [""] + [f"- {n}" for n in notes] + [""]


def table1_html(runs: Sequence[tuple[str, Doc]]) -> str:
    """The same table as an HTML section ("" without a suite run)."""
    suite = suite_of(runs)
    if suite is None:
        return ""
    rows, notes = _grid(suite, runs)
    e = html.escape
    head = "".join(f"<th title='{e(c.name)}'>{e(c.label)}</th>" for c in suite.columns)
    body = "".join(f"<tr class='{'paper' if r[0].startswith('paper: ') else 'run'}'>"
                   + "".join(f"<td>{e(x)}</td>" for x in r) + "</tr>" for r in rows)
    return (f"<h2>{e(suite.title)}</h2><p class='muted'>{e(_intro(suite))}</p>"
            f"<table><thead><tr><th>run</th>{head}</tr></thead><tbody>{body}</tbody></table>"
            + "<ul>" + "".join(f"<li class='muted'>{e(n)}</li>" for n in notes) + "</ul>")
