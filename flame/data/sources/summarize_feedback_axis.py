"""Summarize-from-feedback Likert ratings ("axis evals", Stiennon et al. 2020): FLAMe's held-out
benchmark "SummFeedback", the pointwise part of the dataset whose pairwise comparisons FLAMe
trains on (PAPER.md §2.5, footnote 12). Evaluation only here.

Origin: the same Hugging Face dataset and Parquet export commit as the training adapter
(flame.data.sources.summarize_feedback: `openai/summarize_from_feedback` at 791eb5df, MIT),
config `axis`, read from `axis/test/*.parquet`. That the export holds the `axis` config in that
folder layout is inferred from the `comparisons/<split>/*.parquet` layout the training adapter
reads at the same commit, not seen in a file listing.

Schema (the repository README, "Axis evals"): `info` (`id`, `title`, and `post` + `subreddit`
for TL;DR or `article` + `site` for CNN/DM), `split`, `summary` (`text`, `policy`, `note`, and
`axes`: `overall`, `accuracy`, `coverage`, `coherence`, each a 1-7 Likert rating, possibly
missing), `worker`, `batch`.

Split: only `test` is read (TL;DR test posts and CNN/DM test articles). FLAMe trains on the
comparisons, whose posts are all from the train, valid1 and valid2 splits (README: "`split`
will always be train, valid1, or valid2"), so no test post is in FLAMe's training data; the
axis `validation` split rates valid posts that the comparisons may share. FLAMe does not say
which split it sampled (PAPER.md §7.2: tasks and metric are GAPs).

Tasks `summfeedback_<axis>` (pointwise, 1-7): one per axis, one example per rated summary,
each with the labeller's definition of the axis. A summary without a rating on an axis is
excluded from that axis's task (the reason names the axis); a rating outside 1-7 is Rejected
naming the field.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Iterator

from flame.core.errors import DataError
from flame.core.records import Capability, Example, InputField, Provenance, Role, TaskSpec

from ..files import SourceFiles
from ..readers import clean, get
from ..source import HFOrigin, Item, Rejected, Source
from ._hub_kit import classification_task, excluded, read_split
from .summarize_feedback import EXPORT_REVISION, post_text
from .summarize_feedback import LICENSE as FEEDBACK_LICENSE

NAME = "summarize_feedback_axis"
LICENSE = FEEDBACK_LICENSE
CONFIG, SPLIT = "axis", "test"
LOW, HIGH = 1, 7

_INTRO = ("Below is a Reddit post or a news article (title and text) and a short summary of it. A "
          "trained labeller rated the summary on a 1-7 scale for one quality; rate it as the labeller "
          "would. ")
AXES = {
    "overall": ("How good is the summary overall?",
                "Overall quality: how well the summary represents the text. Give a high score when it is "
                "hard to think of a way to make the summary better, a low score when it could be improved "
                "in many ways (7: excellent; 4: some real problems; 1: terrible)."),
    "accuracy": ("How accurate is the summary?",
                 "Accuracy: whether every fact the summary states is true of the text. An accurate summary "
                 "adds nothing the text does not say, does not mix up who did what, and does not mislead "
                 "(7: completely accurate; 1: mostly false or misleading)."),
    "coverage": ("How well does the summary cover the important information?",
                 "Coverage: whether the summary mentions the main information needed to understand the "
                 "situation or story in the text (7: nothing important is missing; 1: the key points are "
                 "missing)."),
    "coherence": ("How coherent is the summary on its own?",
                  "Coherence: whether the summary, read by itself, is easy to understand and free of "
                  "language errors (7: perfectly clear; 1: impossible to follow)."),
}
CONTEXT = (InputField("title", "the post's or article's title"), InputField("text", "the post or article"),
           InputField("summary", "the summary"))
TASKS: dict[str, TaskSpec] = {
    # classification_task declares a train task: these are the held-out benchmark's, role eval
    axis: replace(classification_task(
        f"summfeedback_{axis}", title=title, description=_INTRO + text, inputs=CONTEXT, output=axis, labels=(),
        likert=(LOW, HIGH), output_help=f"the labeller's {axis} rating", capability=Capability.GENERAL,
        source=NAME, license=LICENSE,
        notes="summarize_from_feedback axis evals (test split), kept out of training: FLAMe's SummFeedback."),
        role=Role.EVAL)
    for axis, (title, text) in AXES.items()
}


def convert(record: Any, prov: Provenance) -> Iterator[Item]:
    """One rated summary as one example per axis it has a rating on."""
    where = (prov.file, prov.row)
    info = get(record, "info", dict, where)
    context = {"title": clean(info.get("title") or "") or "(untitled)", "text": post_text(info, where)}
    summary = get(record, "summary", dict, where)
    context["summary"] = clean(get(summary, "text", str, where))
    if not context["summary"]:
        raise DataError(prov.file, "empty summary", prov.row, "summary.text")
    axes = get(summary, "axes", dict, where)
    for axis, task in TASKS.items():
        value = axes.get(axis)
        if value is None:
            yield excluded(prov, f"no {axis} rating", f"summary.axes.{axis}")
        elif isinstance(value, bool) or not isinstance(value, int) or not LOW <= value <= HIGH:
            yield Rejected(prov, f"{value!r} is not a rating {LOW}-{HIGH}", f"summary.axes.{axis}")
        else:
            yield Example(task.name, context, {axis: str(value)}, prov)


def read(files: SourceFiles) -> Iterator[Item]:
    """Every rated summary of the axis evals' test split."""
    yield from read_split(files, SPLIT, convert, CONFIG, data_files=(f"{CONFIG}/{SPLIT}/*.parquet",))


SOURCE = Source(
    name=NAME,
    title="Summarize from Feedback: Likert ratings of TL;DR and CNN/DM summaries (axis evals)",
    license=LICENSE,
    role=Role.EVAL,
    homepage="https://github.com/openai/summarize-from-feedback",
    citation="Stiennon et al. 2020, Learning to summarize from human feedback",
    tasks=tuple(TASKS.values()),
    reader=read,
    hf=HFOrigin("openai/summarize_from_feedback", EXPORT_REVISION, CONFIG, SPLIT),
    notes="Hub-hosted (Parquet export of a script dataset); the test split of the axis evals, evaluation only.",
)
