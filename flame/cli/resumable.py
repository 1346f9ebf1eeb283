"""What `flame judge file` and `flame rerank` share: reading a JSONL input for a run that
resumes into its output, and refusing, with a message and an exit code, what cannot be
resumed (flame.judge.jsonl checks the output's sidecar record against this run)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import typer
from rich.console import Console

from flame.core.errors import DataError

from .output import line_error


def read_for_resume(err: Console, command: str, input: Path, output: Path, settings: dict[str, Any],
                    read: Callable[[], tuple[list, list[DataError]]]) -> tuple[list, list[DataError], dict[str, Any]]:
    """The input's items, its skipped bad lines (printed) and the run's record, before the
    model loads: exit 2 when the output cannot be resumed by this run, exit 1 on a bad line."""
    from flame.judge.jsonl import ResumeRefused, check_meta, check_output_path, run_meta

    try:
        check_output_path(input, output)
        items, bad = read()
        meta = run_meta(command, input, settings)
        check_meta(output, meta)
    except ResumeRefused as e:
        err.print(f"[red]refused:[/red] {e}")
        raise typer.Exit(2)
    except DataError as e:
        err.print(f"[red]bad input:[/red] {line_error(e)}\n(use --skip-bad to skip bad lines)")
        raise typer.Exit(1)
    for e in bad:
        err.print(f"[yellow]skipped[/yellow] {line_error(e)}")
    return items, bad, meta


def resume_or_exit(err: Console, output: Path, meta: dict[str, Any], fingerprint: str,
                   failed: Callable[[dict], bool], succeeded: Callable[[dict], bool]) -> Any:
    """What the output already holds for this run and model (flame.judge.jsonl.resume); exit 2
    when it belongs to another run or model, or cannot be read."""
    from flame.judge.jsonl import ResumeRefused, resume

    try:
        return resume(output, {**meta, "model": fingerprint}, failed=failed, succeeded=succeeded)
    except ResumeRefused as e:
        err.print(f"[red]refused:[/red] {e}")
        raise typer.Exit(2)
    except DataError as e:
        err.print(f"[red]error:[/red] {line_error(e)}: give another --out, or delete it to start over")
        raise typer.Exit(2)
