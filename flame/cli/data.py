"""`flame data ...`: list sources and tasks, show rendered examples, pull files, build the collection."""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import Optional

import typer

from .output import FORMAT_OPTION, Format, check_out_dir, print_json, print_table, user_errors

app = typer.Typer(no_args_is_help=True)


@app.callback()
def data(
    mirror: Optional[Path] = typer.Option(
        None, "--mirror", help="Read a local mirror laid out like shared/data instead of downloading (or set FLAME_MIRROR)."
    ),
) -> None:
    """The collection: sources, tasks, downloads, builds."""
    if mirror is not None:
        if not mirror.is_dir():
            raise typer.BadParameter(f"{mirror} is not a directory", param_hint="--mirror")
        os.environ["FLAME_MIRROR"] = str(mirror)


@app.command("list")
def list_tasks(
    role: Optional[str] = typer.Option(None, help="Only tasks of this role: train, eval or both."),
    source: Optional[str] = typer.Option(None, help="Only tasks of this source."),
    all_: bool = typer.Option(False, "--all", help="FLAMe's Table 7 datasets and their status here."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Every registered task: type, capability, role, license and example count."""
    from flame.data.sources import SOURCES

    if all_:
        _list_table7(fmt)
        return

    rows = []
    with user_errors():
        names = [source] if source else SOURCES.names()
        for name in names:
            src = SOURCES.get(name)
            for t in src.tasks:
                if role and t.role.value != role:
                    continue
                rows.append({
                    "task": t.name, "type": t.task_type.value, "capability": t.capability.value,
                    "role": t.role.value, "source": src.name, "license": src.license,
                    "examples": src.expected.get(t.name),
                })
    if fmt is Format.json:
        print_json(rows)
        return
    cols = ["task", "type", "capability", "role", "source", "license", "examples"]
    print_table(f"{len(rows)} tasks", cols, [[r[c] if r[c] is not None else "?" for c in cols] for r in rows])


def _list_table7(fmt: Format) -> None:
    from flame.data.sources import SOURCES
    from flame.data.table7 import entries, exclusion_reason, status

    rows = []
    with user_errors():
        for e in entries():
            tasks = [t.name for s in e.sources if s in SOURCES for t in SOURCES.get(s).tasks]
            rows.append({
                "dataset": e.dataset, "capability": e.capability.value, "paper_formats": list(e.formats),
                "sources": list(e.sources), "tasks": tasks, "status": status(e), "excluded_reason": exclusion_reason(e),
            })
    if fmt is Format.json:
        print_json(rows)
        return
    counts = {s: sum(r["status"] == s for r in rows) for s in ("mirrored", "needs download", "excluded", "not yet")}
    print_table(
        f"FLAMe Table 7: {len(rows)} datasets — " + ", ".join(f"{v} {k}" for k, v in counts.items()),
        ["dataset", "capability", "paper formats", "sources", "tasks", "status"],
        [[r["dataset"], r["capability"], ", ".join(r["paper_formats"]), ", ".join(r["sources"]) or "-",
          len(r["tasks"]), r["status"] + (f" ({r['excluded_reason']})" if r["excluded_reason"] else "")] for r in rows],
    )


@app.command("show")
def show(
    task: str = typer.Argument(..., help="Task name (see `flame data list`)."),
    n: int = typer.Option(3, "-n", help="How many examples."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Rendered prompts and targets of the first N examples of a task."""
    from flame.core import render
    from flame.data.catalog import source_of, task_registry

    with user_errors():
        spec = task_registry().get(task)
        examples = list(itertools.islice(source_of(task).examples(task=task, strict=False), n))
    prompts = [render(spec, ex) for ex in examples]
    if fmt is Format.json:
        print_json([{"uid": p.uid, "prompt": p.text, "target": p.target,
                     "provenance": ex.provenance.__dict__} for p, ex in zip(prompts, examples)])
        return
    from rich.console import Console
    from rich.panel import Panel

    console = Console()
    for p, ex in zip(prompts, examples):
        title = f"{task} · {p.uid} · {ex.provenance.file} row {ex.provenance.row}"
        console.print(Panel(p.text + p.target, title=title, expand=False), markup=False)


@app.command("pull")
def pull(
    sources: list[str] = typer.Argument(None, help="Sources to fetch (default: all)."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Download each source file from its pinned public origin into the cache, verifying
    its sha256 (with --mirror / FLAME_MIRROR: verify the mirror's files instead)."""
    from rich.progress import Progress

    from flame.data.files import SourceFiles
    from flame.data.sources import SOURCES

    results = []
    with user_errors():
        chosen = [SOURCES.get(s) for s in (sources or SOURCES.names())]
        with Progress(disable=fmt is Format.json) as bar:
            job = bar.add_task("files", total=sum(len(s.files) for s in chosen))
            for src in chosen:
                files = SourceFiles(src)
                for f in src.files:
                    bar.update(job, description=f"{src.name}/{f.path}")
                    results.append({"source": src.name, "file": f.path, "path": str(files.path(f.path)),
                                    "sha256": f.sha256})
                    bar.advance(job)
    if fmt is Format.json:
        print_json(results)
    else:
        typer.echo(f"{len(results)} files verified ({SourceFiles(chosen[0]).where if chosen else ''})")


@app.command("build")
def build(
    out: Path = typer.Option(..., "--out", help="Output directory."),
    sources: Optional[list[str]] = typer.Option(None, "--sources", help="Only these sources (repeatable)."),
    permissive_only: bool = typer.Option(False, "--permissive-only", help="Leave out sources without a permissive license."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Build the training collection into Parquet shards with a data card (resumes after a kill)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from flame.data.build import build_collection

    with user_errors(), Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        disable=fmt is Format.json,
    ) as bar:
        job = bar.add_task("building", total=None)

        def progress(source: str, done: int, total: int | None) -> None:
            bar.update(job, description=source, completed=done, total=total)

        check_out_dir(out)
        report = build_collection(out, sources=sources or None, permissive_only=permissive_only, progress=progress)
    summary = report.summary()
    if fmt is Format.json:
        print_json(summary)
        return
    typer.echo((out / "DATACARD.md").read_text(encoding="utf-8").split("\n## ", 2)[0])
    left_out = f"; {len(report.excluded)} sources left out (reasons in DATACARD.md)" if report.excluded else ""
    typer.echo(f"Wrote {out}: {report.examples:,} examples in {len(report.tasks)} tasks{left_out}")
