"""OpenAI "Learning to summarize from human feedback" comparisons (FLAMe Table 7:
"Summary Comparisons (SummFeedback)", general quality, pairwise).

FLAMe trains only on the pairwise comparisons; the Likert `axis` ratings are kept back for
the held-out SummFeedback evaluation (PAPER.md §2.5, footnote 12), so they are not read.

Origin: Hugging Face `openai/summarize_from_feedback`, config `comparisons`. The repo's main
branch holds only a loading script, which `datasets` 3+ no longer runs, so the rows are read
from the Hub's Parquet export of that config (`comparisons/{train,validation}/*.parquet`)
pinned to export commit 791eb5df. License: the repository's "Modified MIT License" covers
"the feedback dataset" (openai/summarize-from-feedback LICENSE: MIT terms, notice not
required for content created by the software); the Reddit TL;DR posts come from the
Webis-TLDR-17 corpus (zenodo.org/record/1168855). Recorded here as MIT.

Schema confirmed from the GitHub README (openai/summarize-from-feedback, "Comparisons") and
the HF loading script's features: `info` (`id`, `post`, `title`, `subreddit`, and for the
CNN/DM rows `article`, `site`), `summaries` (two objects with `text`, `policy`, `note`),
`choice` (0 or 1, the index of the summary the labeller preferred), `worker`, `batch`,
`split` (train / valid1 / valid2) and `extra.confidence` (1-9). The card says the
`comparisons` part has splits train (92,858) and validation (86,086); both are read.

Task `summarize_feedback_comparison` (pairwise): the post (or article) and two summaries;
the labeller's choice is the better one, placed at A or B by the shared coin flip. No ties
exist in the data. A row lacking a post/article, without exactly two summaries, with
`choice` not 0/1 or with identical summaries is Rejected naming the field.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flame.core.errors import DataError
from flame.core.records import Capability, InputField, Provenance, Role

from ..common import pairwise_example, pairwise_task
from ..files import SourceFiles
from ..readers import clean, get, guarded
from ..source import HFOrigin, Item, Source

NAME = "summarize_feedback"
LICENSE = "MIT"
CONFIG = "comparisons"
EXPORT_REVISION = "791eb5dfda24d2e165d4ad9f48ef7fd8879fd71a"
SPLITS = ("train", "validation")

COMPARISON = pairwise_task(
    "summarize_feedback_comparison",
    title="Which summary of the post is better?",
    description=(
        "Below is a Reddit post (title and body) or a news article, and two short summaries of "
        "it. Choose the better summary: the one that, for someone who has not read the text, "
        "best conveys its most important points. A good summary is accurate (states nothing "
        "the text does not say and does not misrepresent it), covers the key information "
        "rather than minor details, and is coherent and easy to read on its own. Weigh "
        "accuracy and coverage over style; do not prefer a summary for being longer."
    ),
    context=(InputField("title", "the post's or article's title"), InputField("text", "the post or article")),
    capability=Capability.GENERAL,
    source=NAME,
    license=LICENSE,
    candidate="summary",
)


def post_text(info: dict, where: tuple[str, int]) -> str:
    """The text a summary was written of: the record's Reddit post or, for CNN/DM, its article."""
    for key in ("post", "article"):
        value = info.get(key)
        if isinstance(value, str) and value.strip():
            return clean(value)
    raise DataError(where[0], "neither info.post nor info.article holds text", where[1], "info")


def _convert(record: Any, prov: Provenance) -> Iterator[Item]:
    where = (str(prov.file), prov.row)
    info = get(record, "info", dict, where)
    text = post_text(info, where)
    title = clean(info.get("title") or "") or "(untitled)"
    summaries = get(record, "summaries", list, where)
    if len(summaries) != 2:
        raise DataError(where[0], f"expected 2 summaries, got {len(summaries)}", prov.row, "summaries")
    texts = [clean(get(s, "text", str, (where[0], prov.row))) for s in summaries]
    choice = get(record, "choice", int, where)
    if choice not in (0, 1):
        raise DataError(where[0], f"choice must be 0 or 1, got {choice}", prov.row, "choice")
    if not all(texts) or texts[0] == texts[1]:
        raise DataError(where[0], "empty or identical summaries", prov.row, "summaries")
    yield pairwise_example(COMPARISON.name, prov, {"title": title, "text": text}, texts[choice], texts[1 - choice])


def read(files: SourceFiles) -> Iterator[Item]:
    for split in SPLITS:
        rows = files.hf_rows(split, subset=CONFIG, data_files=(f"{CONFIG}/{split}/*.parquet",))
        yield from guarded(NAME, f"{CONFIG}/{split}", rows, _convert)


SOURCE = Source(
    name=NAME,
    title="Summarize from Feedback: human comparisons of TL;DR and CNN/DM summaries",
    license=LICENSE,
    role=Role.TRAIN,
    homepage="https://github.com/openai/summarize-from-feedback",
    citation="Stiennon et al. 2020, Learning to summarize from human feedback",
    tasks=(COMPARISON,),
    reader=read,
    hf=HFOrigin("openai/summarize_from_feedback", EXPORT_REVISION, CONFIG),
    notes="Hub-hosted (Parquet export of a script dataset); 178,944 comparisons.",
    table7=("Summary Comparisons (SummFeedback)",),
)
