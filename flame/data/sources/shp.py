"""Stanford Human Preferences, SHP (FLAMe Table 7: "SHP", general quality, pairwise).

Origin: Hugging Face `stanfordnlp/SHP`, pinned to revision 9d080922 (a commit whose tree
holds the 18 subreddit folders with `train.json` / `validation.json` / `test.json`, JSON
lines). License: MIT as declared in the card's metadata (README at c7f2ba3c and acbac73a);
the texts are Reddit posts and comments, which the card says were collected under
Reddit's API terms. Confirmed from the dataset card
(https://huggingface.co/datasets/stanfordnlp/SHP): each row has `post_id`, `domain`
(`<subreddit>_<split>`), `upvote_ratio`, `history` (the post: title and body),
`c_root_id_A/B`, `created_at_utc_A/B`, `score_A/B`, `human_ref_A/B` (two top-level
comments), `labels` (1 if comment A is preferred to B, 0 if B is preferred),
`seconds_difference` and `score_ratio`. The preference is collective: comment A is
preferred when it was written no earlier than B yet has at least twice B's score (both
scores >= 2, post score >= 10), so its higher score cannot be a first-mover advantage
(Ethayarajh et al. 2022). The card counts 385,563 pairs (348,718 train, 18,436 validation,
18,409 test); all three splits are read.

Task `shp_helpfulness` (pairwise): the post and two comments; the Reddit-preferred comment
is the better one, placed at A or B by the shared stable coin flip (not by SHP's own A/B).
A row with a missing or mistyped field, `labels` not 0/1, or two identical comments is
Rejected naming the field.
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

NAME = "shp"
LICENSE = "MIT"
SPLITS = ("train", "validation", "test")

HELPFULNESS = pairwise_task(
    "shp_helpfulness",
    title="Which Reddit comment is the more helpful answer to the post?",
    description=(
        "A person posted a question or a request for advice, an explanation or an opinion in a "
        "Reddit forum (such as askscience, legaladvice, askculinary or explainlikeimfive). Two "
        "top-level comments answer the post. Choose the comment the forum's readers found more "
        "helpful: the one that better answers what the poster actually asked, with accurate, "
        "relevant and specific information or reasoning suited to the forum, rather than a "
        "joke, an off-topic remark, a vague reply or a less informed answer. Judge helpfulness "
        "to the poster, not length or politeness."
    ),
    context=(InputField("forum", "the subreddit"), InputField("post", "the post: title and body")),
    capability=Capability.GENERAL,
    source=NAME,
    license=LICENSE,
    candidate="comment",
)


def _convert(record: Any, prov: Provenance) -> Iterator[Item]:
    where = (str(prov.file), prov.row)
    post = clean(get(record, "history", str, where))
    forum = get(record, "domain", str, where).rsplit("_", 1)[0]
    a = clean(get(record, "human_ref_A", str, where))
    b = clean(get(record, "human_ref_B", str, where))
    label = get(record, "labels", int, where)
    if label not in (0, 1):
        raise DataError(where[0], f"labels must be 0 or 1, got {label}", prov.row, "labels")
    if a == b:
        raise DataError(where[0], "the two comments are identical", prov.row, "human_ref_B")
    better, worse = (a, b) if label == 1 else (b, a)
    yield pairwise_example(HELPFULNESS.name, prov, {"forum": forum, "post": post}, better, worse)


def read(files: SourceFiles) -> Iterator[Item]:
    for split in SPLITS:
        yield from guarded(NAME, f"default/{split}", files.hf_rows(split), _convert)


SOURCE = Source(
    name=NAME,
    title="Stanford Human Preferences (SHP): collective Reddit preferences between comments",
    license=LICENSE,
    role=Role.TRAIN,
    homepage="https://huggingface.co/datasets/stanfordnlp/SHP",
    citation="Ethayarajh et al. 2022, Understanding Dataset Difficulty with V-Usable Information",
    tasks=(HELPFULNESS,),
    reader=read,
    hf=HFOrigin("stanfordnlp/SHP", "9d080922d49d557246d568420af5cc1f91a9b40d"),
    notes="Hub-hosted; 385,563 preference pairs over 18 subreddits.",
    table7=("SHP",),
)
