"""DATACARD.md of a built collection: a pure function of its stats.json."""

from __future__ import annotations

from typing import Any

from flame.core.records import Capability, TaskType

# Shares of FLAMe's 5.3M training datapoints (PAPER.md §2.3 = Fig. 3, §2.4 = Fig. 4), in the figures' order.
FLAME_TASK_TYPE_SHARES = {
    TaskType.PAIRWISE.value: 0.388,
    TaskType.CLASSIFICATION.value: 0.349,
    TaskType.POINTWISE.value: 0.133,
    TaskType.GENERATIVE.value: 0.130,
}
FLAME_CAPABILITY_SHARES = {
    Capability.GENERAL.value: 0.407,
    Capability.FACTUALITY.value: 0.293,
    Capability.SAFETY.value: 0.103,
    Capability.CODING.value: 0.098,
    Capability.INSTRUCTION_FOLLOWING.value: 0.067,  # FLAMe: "instruction tuning" data
    Capability.MATH.value: 0.032,
}
# FLAMe's collection (PAPER.md §2.1, §2.5): 102 training tasks, 5.3M judgments, 55 Table 7 datasets.
FLAME_TASKS, FLAME_JUDGMENTS, FLAME_DATASETS = 102, 5_300_000, 55
BAR_WIDTH = 30
MAX_REASON_ROWS = 30


def render_datacard(stats: dict[str, Any]) -> str:
    """The data card text for a collection's stats (as written to stats.json)."""
    parts = [
        _summary(stats), _versus_flame(stats), _tasks(stats), _shares("Task types (FLAMe Fig. 3)", "Task type", stats["task_types"]),
        _shares("Capabilities (FLAMe Fig. 4)", "Capability", stats["capabilities"]) + _CAPABILITY_NOTE,
        _licenses(stats), _hub(stats), _rejected(stats), _duplicates(stats), _not_built(stats), _reproduce(stats),
    ]
    return "\n".join(p for p in parts if p)


def _summary(stats: dict[str, Any]) -> str:
    s = stats["splits"]
    lines = [
        "# Data card: flame training collection",
        "",
        (f"{_n(stats['examples'], 'example')} in {_n(len(stats['tasks']), 'task')} "
        f"from {_n(len(stats['sources']), 'source')} "
        f"(train {s['train']:,} / validation {s['validation']:,} / test {s['test']:,}, split by uid hash). "
        f"Dropped source rows: {stats['rejected']['total']:,}, each with its reason (rejected.jsonl); "
        f"exact duplicates removed: {stats['duplicates']['total']:,} (duplicates.jsonl). "
        f"Built with flame {stats['flame_version']}, template v{stats['template']['version']} "
        f"({stats['template']['hash']})."),
        "",
    ]
    if stats["options"]["permissive_only"]:
        left = ", ".join(f"{e['name']} ({e['reason']})" for e in stats["excluded_sources"]) or "none"
        lines.append(f"Built with `--permissive-only`: only permissively licensed sources. Left out: {left}.")
    else:
        restricted = [f"{x['name']} ({x['license']})" for x in stats["sources"] if not x["permissive"]]
        if restricted:
            lines.append("Includes sources without a permissive license: " + ", ".join(restricted)
                         + ". Build with `--permissive-only` to leave them out.")
        else:
            lines.append("Every source has a permissive license.")
    return "\n".join(lines) + "\n"


def _versus_flame(stats: dict[str, Any]) -> str:
    rows = [
        ["training tasks", len(stats["tasks"]), FLAME_TASKS, f"{len(stats['tasks']) / FLAME_TASKS:.0%}"],
        ["judgments (examples)", stats["examples"], FLAME_JUDGMENTS, f"{stats['examples'] / FLAME_JUDGMENTS:.1%}"],
    ]
    return ("## Compared with FLAMe's collection\n\n"
            + _table(["", "this build", "FLAMe (paper)", "ratio"], rows, "lrrr")
            + f"\nFLAMe draws on {FLAME_DATASETS} datasets (Table 7); `flame data list --all` shows which of them "
            "have an adapter here, which need a download, and which are excluded and why.\n")


def _n(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def _table(header: list[str], rows: list[list[Any]], align: str) -> str:
    """A Markdown table; align has one letter per column, l or r."""
    sep = ["---:" if a == "r" else "---" for a in align]
    out = ["| " + " | ".join(header) + " |", "| " + " | ".join(sep) + " |"]
    out += ["| " + " | ".join(_cell(v) for v in r) + " |" for r in rows]
    return "\n".join(out) + "\n"


def _cell(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _tasks(stats: dict[str, Any]) -> str:
    rows = [[t["name"], t["task_type"], t["capability"], t["source"], t["license"], t["examples"]["train"],
             t["examples"]["validation"], t["examples"]["test"], t["examples"]["total"]] for t in stats["tasks"]]
    s = stats["splits"]
    rows.append(["**total**", "", "", "", "", s["train"], s["validation"], s["test"], stats["examples"]])
    return "## Examples per task\n\n" + _table(
        ["Task", "Type", "Capability", "Source", "License", "Train", "Validation", "Test", "Total"], rows,
        "lllllrrrr")


def _shares(title: str, label: str, entries: list[dict[str, Any]]) -> str:
    rows = [[e["name"], e["examples"], _pct(e["share"]), _pct(e["flame_share"]),
             "`" + _bar(e["share"]) + "`", "`" + _bar(e["flame_share"]) + "`"] for e in entries]
    return f"## {title}\n\nShare of all examples, ours beside FLAMe's 5.3M datapoints.\n\n" + _table(
        [label, "Examples", "Share", "FLAMe", "This collection", "FLAMe (paper)"], rows, "lrrrll")


def _bar(share: float) -> str:
    n = round(share * BAR_WIDTH)
    return "█" * n + "·" * (BAR_WIDTH - n)


_CAPABILITY_NOTE = ("\nFLAMe's 6.7% for instruction following is instruction-tuning data kept to preserve "
                    "instruction following, not human quality judgments.\n")


def _licenses(stats: dict[str, Any]) -> str:
    lic = _table(["License", "Permissive", "Sources", "Examples"],
                 [[e["license"], "yes" if e["permissive"] else "**no**", ", ".join(e["sources"]), e["examples"]]
                  for e in stats["licenses"]], "lllr")
    src = _table(["Source", "Title", "License", "Examples", "Dropped", "Duplicates", "Citation"],
                 [[x["name"], f"[{x['title']}]({x['homepage']})", x["license"], x["examples"], x["rejected"],
                   x["duplicates"], x["citation"]] for x in stats["sources"]], "lllrrrl")
    text = "## Sources and licenses\n\n" + lic + "\n" + src
    if stats["excluded_sources"]:
        text += "\nLeft out of this build:\n\n" + "".join(
            f"- {e['name']}: {e['reason']}\n" for e in stats["excluded_sources"])
    return text


def _hub(stats: dict[str, Any]) -> str:
    """The Hub commit each Hub source was read at, and the revision it declares (a moving one
    such as main only for the sources listed in flame.data.sources.UNPINNED)."""
    rows = [[x["name"], read["dataset"], read["revision"], read["commit"]] for x in stats["sources"]
            for read in x["hub"]]
    if not rows:
        return ""
    moving = sorted({r[0] for r in rows if r[2] != r[3]})
    verb = "declares" if len(moving) == 1 else "declare"
    note = ("" if not moving else f"\n{', '.join(moving)} {verb} a moving revision (no commit could be pinned): "
            "to reproduce this collection, read the commit it resolved to at build time, shown here.\n")
    return ("## Hugging Face Hub sources\n\nRead through `datasets` at these commits (Hub data carries no "
            "sha256 to check).\n\n" + _table(["Source", "Dataset", "Declared revision", "Commit read"], rows, "llll")
            + note)


def _rejected(stats: dict[str, Any]) -> str:
    rej = stats["rejected"]
    head = (f"## Dropped rows\n\n{rej['total']:,} source rows did not become examples. "
            "Every one is listed in rejected.jsonl with its source, file, row, field and exact reason; "
            "below, numbers in reasons are shown as N.\n")
    if not rej["by_reason"]:
        return head
    shown = rej["by_reason"][:MAX_REASON_ROWS]
    rows = [[r["source"], r["field"] or "(row)", r["reason"], r["rows"]] for r in shown]
    rest = rej["by_reason"][MAX_REASON_ROWS:]
    if rest:
        rows.append(["", "", f"{len(rest)} other reasons", sum(r["rows"] for r in rest)])
    return head + "\n" + _table(["Source", "Field", "Reason", "Rows"], rows, "lllr")


def _duplicates(stats: dict[str, Any]) -> str:
    dup = stats["duplicates"]
    head = (f"## Exact duplicates\n\n{dup['total']:,} examples had the same inputs and targets as an earlier "
            "one (sources in name order) and were removed; duplicates.jsonl lists each with the example kept.\n")
    if not dup["by_task"]:
        return head
    rows = [[d["source"], d["dropped_task"], d["kept_task"], d["rows"]] for d in dup["by_task"]]
    return head + "\n" + _table(["Source", "Removed from task", "Kept in task", "Rows"], rows, "lllr")


def _not_built(stats: dict[str, Any]) -> str:
    if not stats["not_built"]:
        return ""
    rows = [[t["source"], t["task"], t["role"], t["examples"]] for t in stats["not_built"]]
    return ("## Tasks not built\n\nThese tasks of the built sources are for evaluation only "
            "and are not in the training collection.\n\n" + _table(["Source", "Task", "Role", "Examples"],
                                                                      rows, "lllr"))


def _reproduce(stats: dict[str, Any]) -> str:
    opts = stats["options"]
    args = "" if opts["default_sources"] else "".join(f" --sources {s}" for s in opts["sources"])
    if opts["permissive_only"]:
        args += " --permissive-only"
    py_sources = "None" if opts["default_sources"] else repr(opts["sources"])
    return (
        "## How to reproduce\n\n"
        f"With flame {stats['flame_version']} and the pyarrow version in manifest.json, against the source "
        "files whose sha256 manifest.json lists (a local mirror via `FLAME_MIRROR`, or the download cache) "
        "and the Hub datasets at the commits it lists:\n\n"
        "```\n"
        f"flame data build --out DIR{args}\n"
        "```\n\n"
        "or from Python:\n\n"
        "```python\n"
        "from flame.data.build import build_collection\n"
        f"build_collection(Path('DIR'), sources={py_sources}, permissive_only={opts['permissive_only']})\n"
        "```\n\n"
        "The build is deterministic: the same inputs give byte-identical shards. A killed build resumes "
        "where it stopped when run again with the same arguments.\n"
    )
