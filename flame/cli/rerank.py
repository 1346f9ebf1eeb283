"""`flame rerank IN.jsonl --out OUT.jsonl`: best-of-n, the best of each prompt's candidates.

Input, one JSON object per line (blank lines ignored): `prompt`, `candidates` (a list of
strings; an empty candidate is judged like any other); optional `id`, `criteria`.

    --method tournament   round-robin of pairwise games in both candidate orders (the FLAMe
                          paper's reranking; n candidates cost n(n-1)/2 pairs); with
                          --pairwise separate each pair is one game, won by the higher score
    --method pointwise    each candidate scored alone: its expected rating on --scale, P(Yes)
                          to --question, or a separate-mode judge's own response score

Each output line: the input's `id` (or "line:N"), its `line`, `method`, `best` (the index of
the chosen candidate; null when every judgment of the line failed), `best_text`, `top`
(every candidate ranked first: ties), `scores` (pointwise: each candidate's score;
tournament: its summed probability of winning), `wins` (tournament: games won), `judged`,
`invalid`, `errors` and the judge's `model` fingerprint. The ranking is flame.judge.rerank's,
the one the HumanEval reranking benchmark uses. Output is appended and flushed line by
line, so a killed run resumes where it stopped (ids already in OUT are skipped), as with
`flame judge file`: lines whose judgments failed on a backend error are reranked again, and
a resume with another input, settings or model (OUT.meta.json) is refused. A bad input line
is reported with its line number and field; the run stops (exit 1) unless --skip-bad is
given. A run in which no line got a pick exits 1.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from flame.core.errors import DataError, FlameError

from .output import MODEL_HELP, PAIRWISE_HELP, pairwise_mode, scale_bounds
from .resumable import read_for_resume, resume_or_exit

err = Console(stderr=True)
METHOD_HELP = ("tournament (round-robin of pairwise games, both orders) or pointwise (each candidate scored "
               "alone)")


def _read(path: Path, skip_bad: bool):
    """(key, line, Candidates) for each good line, and the DataErrors of the bad ones (every
    line is checked before any model time is spent)."""
    from flame.judge.jsonl import read_requests

    return read_requests(path, _candidates, skip_bad)


def _candidates(rec: dict, file: str, n: int):
    """Line n's prompt, candidates (a non-empty list of strings) and optional criteria."""
    from flame.judge.request import text_field
    from flame.judge.rerank import Candidates

    prompt = text_field(rec, "prompt", file, n)
    candidates = rec.get("candidates")
    if candidates is None:
        raise DataError(file, "missing", n, "candidates")
    if not isinstance(candidates, list) or not candidates:
        raise DataError(file, "must be a non-empty list of strings", n, "candidates")
    for i, c in enumerate(candidates):
        if not isinstance(c, str):
            raise DataError(file, f"must be a string, got {type(c).__name__}", n, f"candidates[{i}]")
    return Candidates(prompt, tuple(candidates), text_field(rec, "criteria", file, n, required=False))


def rerank(
    input: Path = typer.Argument(..., exists=True, dir_okay=False, help="JSONL: prompt, candidates; optional id, criteria"),
    output: Path = typer.Option(..., "--out", help="JSONL output; appended, and resumed if it exists"),
    method: str = typer.Option("tournament", "--method", help=METHOD_HELP),
    criteria: Optional[str] = typer.Option(None, help="what 'better' means, for lines without their own"),
    scale: str = typer.Option("1-5", help="pointwise: rate each candidate on this integer scale LOW-HIGH"),
    question: Optional[str] = typer.Option(None, help="pointwise: score each candidate by P(Yes) to this question"),
    model: str = typer.Option("smollm2-135m", help=MODEL_HELP),
    pairwise: Optional[str] = typer.Option(None, "--pairwise", help=PAIRWISE_HELP),
    swap: bool = typer.Option(True, help="tournament: play each pair in both candidate orders"),
    batch_size: int = typer.Option(8, min=1, help="examples per model call"),
    cache: bool = typer.Option(True, help="use the result cache in $FLAME_HOME/cache"),
    skip_bad: bool = typer.Option(False, help="skip (and report) bad input lines instead of stopping"),
) -> None:
    """Pick the best of each line's candidates with a judge; a killed run resumes.

    \b
    input:  prompt, candidates (a list of strings); optional id, criteria
    output: id, line, method, best (index), best_text, top (ties), scores, wins (tournament),
            judged, invalid, errors, model
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from flame.judge.autorater import Autorater
    from flame.judge.models import load_backend
    from flame.judge.rerank import check_method, rerank_many

    bounds = scale_bounds(scale)
    try:
        mode = pairwise_mode(pairwise, model)
        check_method(method)
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--method") from None
    except FlameError as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2)
    settings = {"method": method, "criteria": criteria, "scale": list(bounds), "question": question,
                "pairwise": mode, "swap": swap}
    items, bad, meta = read_for_resume(err, "flame rerank", input, output, settings, lambda: _read(input, skip_bad))
    try:
        rater = Autorater(load_backend(model, batch_size=batch_size, cache=cache), swap=swap, pairwise=mode)
    except FlameError as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2)
    before = resume_or_exit(err, output, meta, rater.backend.fingerprint,
                            failed=lambda r: any("backend error" in str(e) for e in r.get("errors") or ()),
                            succeeded=lambda r: r.get("best") is not None)
    todo = [it for it in items if it[0] not in before.done]
    err.print(f"{len(items)} lines read, {len(bad)} bad, {len(items) - len(todo)} already reranked, "
              f"{len(todo)} to rerank"
              + (f" ({before.retried} failed on a backend error before: reranked again)" if before.retried else ""))
    picked = failed = 0
    if todo:
        columns = (TextColumn("reranking"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with open(output, "a", encoding="utf-8") as fh, Progress(*columns, console=err) as bar:
            progress = bar.add_task("reranking", total=len(todo))
            rankings = rerank_many(rater, (c for _, _, c in todo), method, scale=bounds, question=question,
                                   batch_size=batch_size, where=str(input))
            for (key, n, item), ranking in zip(todo, rankings):
                fh.write(json.dumps({"id": key, "line": n, **ranking.to_dict(item.candidates),
                                     "model": rater.backend.fingerprint}, ensure_ascii=False) + "\n")
                fh.flush()
                picked += ranking.best is not None
                failed += ranking.invalid > 0
                bar.advance(progress)
    if not items and not bad:
        err.print(f"{input} has no lines to rerank: wrote an empty {output}")
        return
    err.print(f"reranked {len(todo)} line(s): {picked} with a pick, {failed} with failed judgments; "
              f"skipped {len(bad)} bad line(s); wrote {output}")
    if before.succeeded + picked == 0:
        err.print("[red]every line failed:[/red] no line got a pick")
        raise typer.Exit(1)
