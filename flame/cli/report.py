"""`flame report`: one self-contained HTML page from results JSON files (and, on request, the
same comparison as Markdown tables for docs and model cards).

`--paired` adds a paired comparison (flame.evals.paired): the items both runs judged, B - A
with a 95% bootstrap interval, McNemar's test and a verdict. It is asked for, not implied by
two files: which run is A decides the sign of every difference, and a report should not
change what it says because a glob matched two files rather than three.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import typer

from .output import user_errors


def _baseline(results: Sequence[Path], baseline: Path | None) -> int:
    """Index of the baseline among the results files: the one at the same path, else the
    only one with that file name; the first file when none is named."""
    from flame.core.errors import DataError

    if baseline is None:
        return 0
    same = [i for i, p in enumerate(results) if p.resolve() == baseline.resolve()]
    named = [i for i, p in enumerate(results) if p.name == baseline.name]
    if same or len(named) == 1:
        return (same or named)[0]
    raise DataError(str(baseline), "--baseline must be one of the results files given"
                    + (" (several have that name: give its path)" if named else ""))


def report(
    results: list[Path] = typer.Argument(..., help="Results JSON files written by `flame eval run` / `flame eval file`."),
    out: Path = typer.Option(Path("report.html"), "--out", "-o", help="Where to write the HTML page."),
    markdown: Path | None = typer.Option(None, "--markdown", help="Also write the runs side by side as Markdown tables."),
    paired: bool = typer.Option(False, "--paired", help=(
        "Add a paired comparison of the items both runs judged: B - A with a 95% bootstrap interval, McNemar's "
        "test and a verdict (HTML, Markdown and printed here). A is the first file (or --baseline), B each other.")),
    baseline: Path | None = typer.Option(None, "--baseline", help=(
        "The results file every other run is compared against (one of RESULTS); implies --paired.")),
) -> None:
    """Leaderboard, per-category bars, calibration, swap consistency and length bias for runs;
    with --paired, whether one run is better than another on the items both judged. With a
    suite run (flame eval run flame12), the paper's Table 1 layout, also printed here."""
    from flame.core.errors import DataError
    from flame.core.files import atomic_write
    from flame.evals.compare import comparison, paired_lines, run_lines
    from flame.evals.report import load_results, write_report
    from flame.evals.suite import table1_lines

    with user_errors():
        runs = [(name.removesuffix(".json"), doc) for name, doc in load_results(results)]
        comparisons = []
        if paired or baseline is not None:
            from flame.evals.paired import compare

            if len(runs) < 2:
                raise DataError(str(results[0]), "--paired compares runs: give at least two results files")
            base = _baseline(results, baseline)
            comparisons = [compare(runs[base], run) for i, run in enumerate(runs) if i != base]
        path = write_report(results, out, comparisons)
        if markdown is not None:
            atomic_write(markdown, "\n".join(run_lines(runs) + [""] + table1_lines(runs) + comparison(runs)
                                     + paired_lines(comparisons)))
            typer.echo(f"markdown written to {markdown.resolve()}")
    table1 = table1_lines(runs)
    if table1:
        typer.echo("\n".join(table1))
    if comparisons:
        typer.echo("\n".join(paired_lines(comparisons)))
    typer.echo(f"report written to {path.resolve()}")
