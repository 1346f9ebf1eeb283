"""`flame`: the command line, noun-verb (`flame data list`, `flame judge pairwise`, ...).

Sub-commands import their heavy dependencies inside the command functions, so
`flame --help` stays fast.
"""

from __future__ import annotations

import typer

from flame import __version__

from . import data, eval, judge, mix, report, rerank, serve, train

app = typer.Typer(
    name="flame",
    help="FLAMe autoraters: build the human-judgment collection, train, run and evaluate LLM judges.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(data.app, name="data", help="The collection: sources, tasks, downloads, builds.")
app.add_typer(judge.app, name="judge", help="Judge your own data: pairwise, pointwise, classification, JSONL files.")
app.command("rerank")(rerank.rerank)
app.add_typer(eval.app, name="eval", help="Benchmarks and your own labelled data.")
app.command("report")(report.report)
app.add_typer(mix.app, name="mix", help="Training mixtures: which tasks, at which rates.")
app.add_typer(train.app, name="train", help="Train judges: FLAMe multitask SFT and FLAMe-RM.")
app.command("serve")(serve.serve)


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
