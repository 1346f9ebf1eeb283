"""`flame eval ...`: run benchmarks with a judge, or score a judge on your own labelled file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer

from .output import (MODEL_HELP, PAIRWISE_HELP, check_out_results, class_names, pairwise_mode, print_table, scale_bounds,
                     user_errors)

app = typer.Typer(no_args_is_help=True, help="Evaluate judges: benchmarks and your own labelled data.")

MODEL_OPTION = typer.Option("smollm2-135m", "--model", "-m", help=f"Judge {MODEL_HELP}.")
OUT_OPTION = typer.Option(Path("results"), "--out", "-o", help="Folder for the results JSON (or a .json file path).")
SEED_OPTION = typer.Option(0, "--seed", help="Seed of the item sample.")
BATCH_OPTION = typer.Option(8, "--batch-size", help="Examples per backend call (results do not depend on it).")
CACHE_OPTION = typer.Option(True, "--cache/--no-cache", help="Use the persistent result cache (resume, reruns).")
DEVICE_OPTION = typer.Option(None, "--device", help="Backend device, e.g. cpu or cuda.")
PAIRWISE_OPTION = typer.Option(None, "--pairwise", help=PAIRWISE_HELP)


def _backend(model: str, batch_size: int, cache: bool, device: str | None) -> Any:
    from flame.judge import load_backend

    return load_backend(model, batch_size=batch_size, cache=cache, device=device)


def _summary(path: Path) -> None:
    import json

    doc = json.loads(path.read_text(encoding="utf-8"))
    rows = []
    for name, b in doc["benchmarks"].items():
        agg = b["aggregates"] or {}
        partial = set(agg.get("partial", []))
        for key, value in (agg.get("headline") or {}).items():
            shown = "n/a" if value is None else f"{100 * value:.1f}" + (" (partial)" if key in partial else "")
            rows.append([name, b["metric"], key, shown, b["judged"]])
    print_table(f"results: {doc['manifest']['model']['spec']}", ["benchmark", "metric", "score", "value", "items"], rows)
    for name, b in doc["benchmarks"].items():
        for note in (b["aggregates"] or {}).get("notes", []) + b["data_notes"]:
            typer.echo(f"note ({name}): {note}")
    suite = doc["manifest"].get("suite") or {}
    for name, reason in (suite.get("missing") or {}).items():
        typer.echo(f"missing ({name}): not run, its data cannot be read here: {reason}")
    for name, reason in (suite.get("excluded") or {}).items():
        typer.echo(f"excluded ({name}): {reason}")
    for name, skipped in doc["manifest"]["skipped_rows"].items():
        reasons = doc["benchmarks"][name]["dropped"]
        typer.echo(f"skipped ({name}): {len(skipped)} invalid row(s): "
                   + "; ".join(f"{reason} ({count})" for reason, count in reasons.items()))
    typer.echo(f"results written to {path}")


@app.command("run")
def run(
    benchmarks: list[str] = typer.Argument(..., help="Benchmark names (rewardbench, aggrefact, heldout, helpsteer, "
                                          "summfeedback, alpacafarm, lfqaeval, cobbler, code-rerank, "
                                          "code-rerank-pointwise), or one suite: flame12 (the paper's Table 1: "
                                          "every benchmark whose data can be read here, the rest reported missing)."),
    model: str = MODEL_OPTION,
    limit: int | None = typer.Option(None, "--limit", help="Judge a seeded random N items of every subset."),
    sample: int | None = typer.Option(None, "--sample", help="Paper protocol: N (256) random items per subset; "
                                         "RewardBench in full."),
    data: str = typer.Option("auto", "--data", help="official (Hugging Face Hub), mirror (rebuild from public source "
                             "files), a file path with the official schema, or auto (mirror when FLAME_MIRROR is set, "
                             "else official)."),
    mirror: Path | None = typer.Option(None, "--mirror", help="Local mirror laid out like shared/data (sets FLAME_MIRROR)."),
    out: Path = OUT_OPTION,
    seed: int = SEED_OPTION,
    batch_size: int = BATCH_OPTION,
    swap: bool = typer.Option(True, "--swap/--no-swap", help="Judge pairwise items in both candidate orders."),
    pairwise: str | None = PAIRWISE_OPTION,
    cache: bool = CACHE_OPTION,
    device: str | None = DEVICE_OPTION,
    progress: bool = typer.Option(True, "--progress/--no-progress",
                                  help="Show progress: a bar on a terminal, else a line a minute on stderr."),
) -> None:
    """Run benchmarks with a judge and write one results JSON (rows, aggregates, manifest)."""
    from flame.evals.benchmarks import BENCHMARKS
    from flame.evals.suite import SUITES
    from flame.evals.runner import RunOptions
    from flame.evals.runner import run as run_benchmarks

    with user_errors():
        if mirror is not None:
            if not mirror.is_dir():
                raise typer.BadParameter(f"{mirror} is not a directory", param_hint="--mirror")
            os.environ["FLAME_MIRROR"] = str(mirror)
        mode = pairwise_mode(pairwise, model)
        try:
            options = RunOptions(data=data, limit=limit, sample=sample, seed=seed, batch_size=batch_size, swap=swap,
                                 pairwise=mode)
        except ValueError as e:
            raise typer.BadParameter(str(e)) from e
        suite = next((SUITES[name] for name in benchmarks if name in SUITES), None)
        if suite is not None and (len(benchmarks) > 1 or data not in ("auto", "official", "mirror")):
            raise typer.BadParameter(f"the suite {suite.name} is run alone, with --data auto, official or mirror")
        benches = [BENCHMARKS.get(name) for name in (suite.benchmarks() if suite else benchmarks)]
        check_out_results(out)
        backend = _backend(model, batch_size, cache, device)
        path = run_benchmarks(benches, backend, model=model, out=out, options=options, progress=progress, suite=suite)
    _summary(path)


@app.command("file")
def file(
    path: Path = typer.Argument(..., help="JSONL of human labels (fields: see below)."),
    task: str = typer.Option(..., "--task", help="pairwise | pointwise | classification"),
    model: str = MODEL_OPTION,
    criteria: str | None = typer.Option(None, "--criteria", help="Your evaluation criteria, added to the instructions."),
    scale: str = typer.Option("1-5", "--scale", help="pointwise: the integer scale LOW-HIGH."),
    classes: str | None = typer.Option(None, "--classes", help="classification: comma-separated classes "
                                          "(default: the distinct labels in the file)."),
    question: str | None = typer.Option(None, "--question", help="classification: the question the class answers."),
    out: Path = OUT_OPTION,
    batch_size: int = BATCH_OPTION,
    swap: bool = typer.Option(True, "--swap/--no-swap", help="pairwise: judge in both candidate orders."),
    pairwise: str | None = PAIRWISE_OPTION,
    cache: bool = CACHE_OPTION,
    device: str | None = DEVICE_OPTION,
    progress: bool = typer.Option(True, "--progress/--no-progress",
                                  help="Show progress: a bar on a terminal, else a line a minute on stderr."),
    skip_invalid: bool = typer.Option(False, "--skip-invalid", help="Skip invalid rows (each listed with its reason "
                                      "in the results manifest, skipped_rows) instead of stopping."),
) -> None:
    """Score a judge on your own labelled JSONL file (one JSON object per line).

    \b
    pairwise:       prompt, response_a, response_b, label in {A, B, tie}
    pointwise:      prompt, response, label = integer on --scale
    classification: text, label = one of --classes
    optional:       id (row name: a string or an integer, no two rows alike), subset (results broken down by it)
    An empty response is judged; an empty prompt or text is an invalid row.
    """
    from flame.evals.benchmarks.userfile import benchmark
    from flame.evals.runner import RunOptions
    from flame.evals.runner import run as run_benchmarks

    with user_errors():
        low, high = scale_bounds(scale)
        names = class_names(classes) if classes else None
        bench = benchmark(path, task, skip_invalid, criteria=criteria, **({"scale": (low, high)} if task == "pointwise" else {}),
                          **({"classes": names, "question": question} if task == "classification" else {}))
        options = RunOptions(data=str(path), batch_size=batch_size, swap=swap, pairwise=pairwise_mode(pairwise, model))
        bench.load(options.data)  # a malformed file fails here, before any model is loaded
        check_out_results(out)
        backend = _backend(model, batch_size, cache, device)
        result = run_benchmarks([bench], backend, model=model, out=out, options=options, progress=progress)
    _summary(result)
