"""Shared CLI output: rich tables for people, `--format json` for scripts, errors without tracebacks."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Any, Iterator, Sequence

import typer

from flame.core.errors import DataError, FlameError


class Format(str, Enum):
    text = "text"
    json = "json"


MODEL_HELP = ("model spec: smollm2-135m (the untrained base), flame-smollm2-135m (trained FLAMe judge), "
              "flame-rm-smollm2-135m (FLAMe-RM), DIR, hf:DIR[+adapter:DIR], gguf:FILE, llamacpp:FILE, "
              "openai:MODEL@URL, vllm:DIR")
PAIRWISE_HELP = ("pairwise items: ab shows both responses and reads the A/B verdict; separate scores each "
                 "response on its own and compares the scores (no candidate order, so no position bias). "
                 "Default: the model's judge.json, else ab")
FORMAT_OPTION = typer.Option(Format.text, "--format", help="text for people, json for scripts.")


def print_json(payload: Any) -> None:
    """Write payload as indented JSON to stdout."""
    sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n")


def print_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A rich table on stdout."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for c in columns:
        table.add_column(c, overflow="fold")
    for r in rows:
        table.add_row(*(str(v) for v in r))
    Console().print(table)


def scale_bounds(text: str) -> tuple[int, int]:
    """A --scale option "LOW-HIGH" as (low, high), by the rule of flame.judge.request.parse_scale;
    BadParameter otherwise."""
    from flame.judge.request import parse_scale

    try:
        return parse_scale(text)
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--scale") from None


def class_names(text: str) -> tuple[str, ...]:
    """A --classes option "Yes,No" as names, by the rule of flame.judge.request.check_classes;
    BadParameter otherwise."""
    from flame.judge.request import split_classes

    try:
        return split_classes(text)
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--classes") from None


def line_error(e: DataError) -> str:
    """A DataError about a JSONL file, with "line N" (rows of a JSONL file are its lines)."""
    return f"{e.file}, line {e.row}: " + (f"field {e.field!r}: " if e.field else "") + e.reason


def _file_in_the_way(path: Path) -> Path | None:
    """The nearest existing one of path and its parents, when it is not a directory."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return path if path.exists() and not path.is_dir() else None


def check_out_dir(path: Path, option: str = "--out") -> None:
    """A FlameError when `path` cannot be made a directory: it is a file, or lies below one."""
    blocker = _file_in_the_way(path)
    if blocker == path:
        raise FlameError(f"{option} {path} is a file, not a directory: give a directory to write into")
    if blocker is not None:
        raise FlameError(f"{option} {path} cannot be made: {blocker} is a file, not a directory")


def check_out_results(path: Path, option: str = "--out") -> None:
    """A FlameError when `path`, a results file (ending in .json) or the folder for one, cannot be
    written: a .json path that is a directory, or either lying below a file."""
    if path.suffix != ".json":
        return check_out_dir(path, option)
    if path.is_dir():
        raise FlameError(f"{option} {path} is a directory: give a folder without .json at the end, or a file path")
    blocker = _file_in_the_way(path.parent)
    if blocker is not None:
        raise FlameError(f"{option} {path} cannot be written: {blocker} is a file, not a directory")


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn FlameError/KeyError into a one-line message and exit code 1."""
    try:
        yield
    except (FlameError, KeyError) as e:
        typer.secho(f"error: {e}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from e


def pairwise_mode(option: str | None, model: str) -> str:
    """The pairwise mode to judge with: `--pairwise` when given (checked), else the one the
    model declares in its judge.json (flame.judge.models.judge_defaults), else "ab"."""
    from flame.judge.autorater import PAIRWISE_MODES
    from flame.judge.models import judge_defaults

    if option is None:
        return judge_defaults(model)["pairwise"]
    if option not in PAIRWISE_MODES:
        raise typer.BadParameter(f"must be one of {', '.join(PAIRWISE_MODES)}, got {option!r}", param_hint="--pairwise")
    return option
