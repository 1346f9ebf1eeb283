"""`flame report`: one self-contained HTML page from results JSON files."""

from __future__ import annotations

from pathlib import Path

import typer

from .output import user_errors


def report(
    results: list[Path] = typer.Argument(..., help="Results JSON files written by `flame eval run` / `flame eval file`."),
    out: Path = typer.Option(Path("report.html"), "--out", "-o", help="Where to write the HTML page."),
) -> None:
    """Leaderboard, per-category bars, calibration, swap consistency and length bias for runs."""
    from flame.evals.report import write_report

    with user_errors():
        path = write_report(results, out)
    typer.echo(f"report written to {path.resolve()}")
