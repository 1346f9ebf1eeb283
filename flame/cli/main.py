"""`flame`: the command line, noun-verb (`flame data list`, `flame judge pairwise`, ...).

Sub-commands import their heavy dependencies inside the command functions, so
`flame --help` stays fast.
"""

from __future__ import annotations

import typer

from flame import __version__

from . import data

app = typer.Typer(
    name="flame",
    help="FLAMe autoraters: build the human-judgment collection, train, run and evaluate LLM judges.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(data.app, name="data", help="The collection: sources, tasks, downloads, builds.")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"flame {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    """FLAMe autoraters."""


if __name__ == "__main__":  # pragma: no cover
    app()
