"""`flame judge ...`: judge your own data without code.

    flame judge pairwise  --prompt P --a A --b B [--criteria C] [--model M] [--no-swap] [--pairwise separate]
                          [--format json]
    flame judge pointwise --prompt P --response R --criteria C --scale 1-5
    flame judge classify  --text T --classes Yes,No [--question Q]
    flame judge file IN.jsonl --task pairwise --out OUT.jsonl [--skip-bad] [--batch-size N]

JSONL input fields (one JSON object per line; blank lines are ignored):
    pairwise:        prompt, response_a, response_b; optional criteria, id
    pointwise:       prompt, response; optional criteria (else --criteria), id
    classification:  text; optional question (else --question), id  (classes from --classes)
An empty response is judged like any other; an empty prompt or text is a bad line.

Each output line is the input's `id` (or "line:N" when it has none), its `line` number,
and the Judgment's fields. Output is appended and flushed line by line, so a killed run
resumes where it stopped: ids already in OUT are skipped, and lines that failed on a backend
error are judged again. OUT.meta.json records the input's sha256, the settings and the
model's fingerprint: resuming with another input, settings or model is refused (exit 2), as
is --out naming the input. A bad input line is reported with its line number; the run stops
(exit 1) unless --skip-bad is given. A run in which no line got a valid judgment exits 1.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console
from rich.table import Table

from flame.core.errors import DataError, FlameError
from flame.core.judgment import Judgment, summarize
from flame.core.records import Example, TaskSpec, TaskType

from .output import MODEL_HELP, PAIRWISE_HELP, class_names, pairwise_mode, scale_bounds
from .resumable import read_for_resume, resume_or_exit

app = typer.Typer(help="Judge your own data with a FLAMe judge (default: the bundled SmolLM2-135M).",
                  no_args_is_help=True)
out = Console()
err = Console(stderr=True)

SPLIT_LONG_HELP = ("classification: a text longer than the model's context is judged in chunks of whole "
                   "sentences, keeping the chunk most likely this class (e.g. Yes for 'does the text support X?')")


def _autorater(model: str, swap: bool, batch_size: int, cache: bool, long_input=None, pairwise: str = "ab"):
    from flame.judge.autorater import Autorater
    from flame.judge.models import load_backend

    try:
        return Autorater(load_backend(model, batch_size=batch_size, cache=cache), swap=swap, long_input=long_input,
                         pairwise=pairwise)
    except FlameError as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2)


def _resolve_pairwise(option: Optional[str], model: str) -> str:
    """--pairwise, or the model's declared default; a bad model spec or judge.json exits 2."""
    try:
        return pairwise_mode(option, model)
    except FlameError as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2)


def _show(j: Judgment, fmt: str, separate: bool = False) -> None:
    """Print a judgment: the full Judgment as JSON, or for people; `separate`: a pairwise
    judgment made with each response scored on its own (no candidate orders to report)."""
    if fmt == "json":
        typer.echo(json.dumps(j.to_dict(), ensure_ascii=False, indent=1))
        return
    if not j.valid:
        out.print(f"[red]invalid judgment:[/red] {j.error}")
        return
    out.print(f"[bold]Verdict: {j.label}[/bold]" + (f"   expected score {j.expected:.2f}" if j.expected is not None else ""))
    if separate:
        table = Table(show_edge=False)
        table.add_column("response")
        table.add_column("probability it is the better one", justify="right")
        for lab in ("A", "B"):
            table.add_row(lab, f"{j.probs.get(lab, 0.0):.3f}")
        out.print(table)
        out.print("Each response was scored on its own (--pairwise separate): the order they are shown in cannot matter.")
    elif j.probs:
        table = Table(show_edge=False)
        table.add_column("label")
        table.add_column("probability", justify="right")
        orders = list(j.order_probs)
        for o in orders:
            table.add_column(f"order {o}" + (" (shown first)" if o == j.first_order else ""), justify="right")
        for lab, p in j.probs.items():
            table.add_row(lab, f"{p:.3f}", *(f"{j.order_probs[o][lab]:.3f}" for o in orders))
        out.print(table)
    if j.orders_agree is not None:
        out.print("Both candidate orders agree." if j.orders_agree else
                  "[yellow]The two candidate orders disagree[/yellow] (position bias): treat the verdict as uncertain.")
    if j.chunks:
        out.print(f"The text was longer than the model reads: judged in {j.chunks} chunks, the verdict is the kept one's.")
    out.print(f"[dim]model {j.model}[/dim]")


def _split_long(keep: Optional[str], classes: tuple[str, ...]):
    """The LongInput for `--split-long KEEP` (None without it); KEEP must be one of the classes."""
    from flame.judge import adhoc

    try:
        return adhoc.classification_long_input(keep, classes)
    except ValueError as e:
        raise typer.BadParameter(f"--split-long {e}") from None


def _judge_one(task: TaskSpec, example: Example, model: str, swap: bool, fmt: str, cache: bool,
               long_input=None, pairwise: str = "ab") -> None:
    if fmt not in ("text", "json"):
        raise typer.BadParameter(f"--format must be text or json, got {fmt!r}")
    judgment = _autorater(model, swap, 8, cache, long_input, pairwise).judge(task, example)
    _show(judgment, fmt, separate=pairwise == "separate" and task.task_type is TaskType.PAIRWISE)
    if not judgment.valid:
        raise typer.Exit(1)


@app.command()
def pairwise(
    prompt: str = typer.Option(..., help="the prompt both responses answer"),
    a: str = typer.Option(..., "--a", help="response A"),
    b: str = typer.Option(..., "--b", help="response B"),
    criteria: Optional[str] = typer.Option(None, help="what 'better' means for you"),
    model: str = typer.Option("smollm2-135m", help=MODEL_HELP),
    swap: bool = typer.Option(True, help="judge both candidate orders and average (--no-swap: one order)"),
    pairwise: Optional[str] = typer.Option(None, "--pairwise", help=PAIRWISE_HELP),
    fmt: str = typer.Option("text", "--format", help="text or json (the full Judgment)"),
    cache: bool = typer.Option(True, help="use the result cache in $FLAME_HOME/cache"),
) -> None:
    """Which of two responses is better."""
    from flame.judge import adhoc

    mode = _resolve_pairwise(pairwise, model)
    task = adhoc.pairwise(criteria)
    _judge_one(task, adhoc.pairwise_example(task, prompt, a, b), model, swap, fmt, cache, pairwise=mode)


@app.command()
def pointwise(
    prompt: str = typer.Option(..., help="the prompt the response answers"),
    response: str = typer.Option(..., help="the response to rate"),
    criteria: Optional[str] = typer.Option(None, help="what to rate (default: overall quality)"),
    scale: str = typer.Option("1-5", help="integer scale LOW-HIGH"),
    model: str = typer.Option("smollm2-135m", help=MODEL_HELP),
    fmt: str = typer.Option("text", "--format", help="text or json (the full Judgment)"),
    cache: bool = typer.Option(True, help="use the result cache in $FLAME_HOME/cache"),
) -> None:
    """Rate one response on an integer scale."""
    from flame.judge import adhoc

    task = adhoc.pointwise(criteria, *scale_bounds(scale))
    _judge_one(task, adhoc.pointwise_example(task, prompt, response), model, True, fmt, cache)


@app.command()
def classify(
    text: str = typer.Option(..., help="the text to classify"),
    classes: str = typer.Option(..., help="comma-separated class names, e.g. Yes,No"),
    question: Optional[str] = typer.Option(None, help="the question the classes answer"),
    model: str = typer.Option("smollm2-135m", help=MODEL_HELP),
    fmt: str = typer.Option("text", "--format", help="text or json (the full Judgment)"),
    cache: bool = typer.Option(True, help="use the result cache in $FLAME_HOME/cache"),
    split_long: Optional[str] = typer.Option(None, help=SPLIT_LONG_HELP),
) -> None:
    """Put a text into one of the named classes."""
    from flame.judge import adhoc

    task = adhoc.classification(class_names(classes), question)
    _judge_one(task, adhoc.classification_example(task, text), model, True, fmt, cache,
               _split_long(split_long, task.primary_output.labels.labels))


# -- JSONL files ---------------------------------------------------------------------------


def _read_input(path: Path, kind: str, options: dict[str, Any],
                skip_bad: bool) -> tuple[list[tuple[str, int, tuple[TaskSpec, Example]]], list[DataError]]:
    """Parse every line first (flame.judge.request's rules; `options`: the file's criteria, scale,
    classes and question), so a bad line stops the run before any model time is spent."""
    from flame.judge.jsonl import read_requests
    from flame.judge.request import request_fields, to_record

    return read_requests(path, lambda rec, file, n: to_record(kind, request_fields(kind, rec, file, n), where=file,
                                                              row=n, **options), skip_bad)


@app.command("file")
def judge_file(
    input: Path = typer.Argument(..., exists=True, dir_okay=False, help="JSONL input (fields: see `flame judge --help`)"),
    task: str = typer.Option(..., "--task", help="pairwise, pointwise or classification"),
    output: Path = typer.Option(..., "--out", help="JSONL output; appended, and resumed if it exists"),
    skip_bad: bool = typer.Option(False, help="skip (and report) bad input lines instead of stopping"),
    batch_size: int = typer.Option(8, min=1, help="examples per model call"),
    model: str = typer.Option("smollm2-135m", help=MODEL_HELP),
    swap: bool = typer.Option(True, help="pairwise: judge both candidate orders and average"),
    pairwise: Optional[str] = typer.Option(None, "--pairwise", help=PAIRWISE_HELP),
    criteria: Optional[str] = typer.Option(None, help="default criteria for lines without one"),
    scale: str = typer.Option("1-5", help="pointwise: integer scale LOW-HIGH"),
    classes: Optional[str] = typer.Option(None, help="classification: comma-separated class names"),
    question: Optional[str] = typer.Option(None, help="classification: default question"),
    cache: bool = typer.Option(True, help="use the result cache in $FLAME_HOME/cache"),
    split_long: Optional[str] = typer.Option(None, help=SPLIT_LONG_HELP),
) -> None:
    """Judge every line of a JSONL file (resumable; see the module help for the fields)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from flame.judge.request import TASK_TYPES

    if task not in TASK_TYPES:
        raise typer.BadParameter(f"--task must be one of {', '.join(TASK_TYPES)}, got {task!r}")
    if task == "classification" and not classes:
        raise typer.BadParameter("classification needs --classes, e.g. --classes Yes,No")
    if split_long is not None and task != "classification":
        raise typer.BadParameter("--split-long applies to --task classification")
    if pairwise is not None and task != "pairwise":
        raise typer.BadParameter("--pairwise applies to --task pairwise")
    mode = _resolve_pairwise(pairwise, model)
    names = class_names(classes) if classes else ()
    long_input = _split_long(split_long, names) if task == "classification" else None
    options = {"criteria": criteria, "scale": scale_bounds(scale), "classes": names, "question": question}
    settings = {"task": task, **options, "scale": list(options["scale"]), "classes": list(names),
                "pairwise": mode if task == "pairwise" else None, "swap": swap, "split_long": split_long}
    items, bad, meta = read_for_resume(err, "flame judge file", input, output, settings,
                                  lambda: _read_input(input, task, options, skip_bad))
    rater = _autorater(model, swap, batch_size, cache, long_input, mode)
    before = resume_or_exit(err, output, meta, rater.backend.fingerprint,
                            failed=lambda r: not r.get("valid") and "backend error" in str(r.get("error")),
                            succeeded=lambda r: bool(r.get("valid")))
    todo = [it for it in items if it[0] not in before.done]
    err.print(f"{len(items)} lines read, {len(bad)} bad, {len(items) - len(todo)} already judged, {len(todo)} to judge"
              + (f" ({before.retried} failed on a backend error before: judged again)" if before.retried else ""))
    judgments: list[Judgment] = []
    if todo:
        columns = (TextColumn("judging"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with open(output, "a", encoding="utf-8") as fh, Progress(*columns, console=err) as bar:
            progress = bar.add_task("judging", total=len(todo))
            stream = rater.iter_judge((record for _, _, record in todo), batch_size)
            for (key, n, _), j in zip(todo, stream):
                fh.write(json.dumps({"id": key, "line": n, **j.to_dict()}, ensure_ascii=False) + "\n")
                fh.flush()
                judgments.append(j)
                bar.advance(progress)
    s = summarize(judgments)
    if not items and not bad:
        err.print(f"{input} has no lines to judge: wrote an empty {output}")
        return
    err.print(f"judged {s['total']}: {s['valid']} valid, {s['invalid']} invalid"
              + (f", {s['orders_disagree']} with the two orders disagreeing" if task == "pairwise" and mode == "ab"
                 else ", each response scored on its own" if task == "pairwise" else "")
              + f"; skipped {len(bad)} bad line(s); wrote {output}")
    for reason, count in s["invalid_reasons"].items():
        err.print(f"  invalid ({count}): {reason}")
    if before.succeeded + s["valid"] == 0:
        err.print("[red]every line failed:[/red] no valid judgment was written")
        raise typer.Exit(1)
