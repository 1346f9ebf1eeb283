"""Shared CLI output: rich tables for people, `--format json` for scripts, errors without tracebacks."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from enum import Enum
from typing import Any, Iterator, Sequence

import typer

from flame.core.errors import FlameError


class Format(str, Enum):
    text = "text"
    json = "json"


MODEL_HELP = ("model spec: smollm2-135m (the untrained base), flame-smollm2-135m (trained FLAMe judge), "
              "flame-rm-smollm2-135m (FLAMe-RM), DIR, hf:DIR[+adapter:DIR], gguf:FILE, llamacpp:FILE, "
              "openai:MODEL@URL, vllm:DIR")
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


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn FlameError/KeyError into a one-line message and exit code 1."""
    try:
        yield
    except (FlameError, KeyError) as e:
        typer.secho(f"error: {e}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from e
