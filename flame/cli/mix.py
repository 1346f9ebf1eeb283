"""`flame mix`: inspect training mixtures (rates and expected examples per task)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .output import FORMAT_OPTION, Format, print_json, print_table, user_errors

app = typer.Typer(no_args_is_help=True, help="Training mixtures: which tasks, at which rates.")

COLLECTION_OPTION = typer.Option(
    None, "--collection", envvar="FLAME_COLLECTION",
    help="A built collection (flame data build --out DIR); needed for examples-proportional rates.",
)


@app.command("list")
def list_mixtures(fmt: Format = FORMAT_OPTION) -> None:
    """The named mixtures and where their YAML files are."""
    from flame.core.errors import FlameError
    from flame.data.mixture import MIXTURES

    rows = []
    for name, entry in MIXTURES.items():
        try:
            rows.append({"name": name, "file": str(entry.path()), "description": entry.load().description})
        except FlameError as e:
            rows.append({"name": name, "file": "", "description": str(e)})
    if fmt is Format.json:
        print_json(rows)
    else:
        print_table("Mixtures", ["name", "file", "description"], [list(r.values()) for r in rows])


@app.command("show")
def show(
    name: str = typer.Argument(..., help="A mixture name (flame mix list) or a mixture YAML file."),
    steps: int = typer.Option(30000, "--steps", help="Training steps, for expected examples per task."),
    batch: int = typer.Option(32, "--batch", help="Examples per step."),
    collection: Optional[Path] = COLLECTION_OPTION,
    split: str = typer.Option("train", "--split"),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Rates of a mixture over a collection, and the examples each task gives in STEPS x BATCH draws."""
    from flame.data.mixture import MixtureError, load_mixture

    with user_errors():
        spec = load_mixture(name)
        if collection is None:
            raise MixtureError(f"mixture {spec.name!r}: give --collection DIR (or set FLAME_COLLECTION) to compute its rates")
        mix = spec.resolve(collection, split)
    expected = mix.expected(steps, batch)
    rows = [
        {
            "task": t,
            "examples": mix.counts[t],
            "rate": round(mix.rates[t], 6),
            "expected": round(expected[t], 1),
            "epochs": round(expected[t] / mix.counts[t], 3),
            "note": spec.notes.get(t, ""),
        }
        for t in sorted(mix.rates, key=lambda t: (-mix.rates[t], t))
    ]
    if fmt is Format.json:
        print_json({
            "name": spec.name, "file": spec.path, "collection": mix.collection, "split": split,
            "rule": spec.rate, "cap": spec.cap, "temperature": spec.temperature,
            "steps": steps, "batch": batch, "tasks": rows, "missing": dict(spec.missing),
        })
        return
    typer.echo(f"{spec.name}: {spec.description}")
    typer.echo(f"rule: {spec.rate}, cap {spec.cap}, temperature {spec.temperature:g}; {steps} steps x {batch} = {steps * batch} examples")
    print_table(f"mixture {spec.name} over {mix.collection}/{split}",
                ["task", "examples", "rate", "expected", "epochs", "paper dataset / substitution"],
                [list(r.values()) for r in rows])
    for dataset, why in spec.missing.items():
        typer.echo(f"missing from the paper's mixture: {dataset}: {why}")
