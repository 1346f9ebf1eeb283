"""`flame report`: one self-contained HTML page from results JSON files (and, on request, the
same comparison as Markdown tables for docs and model cards)."""

from __future__ import annotations

from pathlib import Path

import typer

from .output import user_errors


def report(
    results: list[Path] = typer.Argument(..., help="Results JSON files written by `flame eval run` / `flame eval file`."),
    out: Path = typer.Option(Path("report.html"), "--out", "-o", help="Where to write the HTML page."),
    markdown: Path | None = typer.Option(None, "--markdown", help="Also write the runs side by side as Markdown tables."),
) -> None:
    """Leaderboard, per-category bars, calibration, swap consistency and length bias for runs."""
    from flame.data.files import atomic_write_text
    from flame.evals.compare import comparison, run_lines
    from flame.evals.report import load_results, write_report

    with user_errors():
        path = write_report(results, out)
        if markdown is not None:
            runs = [(name.removesuffix(".json"), doc) for name, doc in load_results(results)]
            atomic_write_text(markdown, "\n".join(run_lines(runs) + [""] + comparison(runs)))
            typer.echo(f"markdown written to {markdown.resolve()}")
    typer.echo(f"report written to {path.resolve()}")
