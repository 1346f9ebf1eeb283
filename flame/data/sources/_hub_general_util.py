"""Row access for the Hub-hosted general-quality sources (catalog `_hub_general`).

`SourceFiles.hf_rows` loads a Hub dataset by config name only. Several Hub datasets in
this group need more: a `data_dir` (Anthropic/hh-rlhf declares no configs), an explicit
data file (hh-rlhf's red-team transcripts are only line-delimited JSON in a later commit),
or the Hub's Parquet export of a script-based dataset (openai/summarize_from_feedback;
`datasets` 3+ no longer runs loading scripts). `hub_rows` covers these cases; from a mirror
it reads the same `<mirror>/<source>/<subset>/<split>.jsonl` layout as `hf_rows`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flame.core.errors import DataError, require

from ..files import SourceFiles, flame_home


def hub_rows(files: SourceFiles, split: str, subset: str = "default", *, data_dir: str | None = None,
             data_files: str | None = None, revision: str | None = None) -> Iterator[tuple[int, Any]]:
    """(row, record) pairs of one split of one subset of the source's Hub dataset.

    `subset` names the mirror folder (and the provenance file `<subset>/<split>`); on the Hub
    the subset is selected by `data_dir`, `data_files` (a path pattern inside the repo, read
    as this split) or, when neither is given, by the origin's config.
    """
    if files.mirror is not None:
        yield from files.hf_rows(split, subset)
        return
    origin = files.source.hf
    if origin is None:
        raise DataError(files.source.name, "source declares no Hugging Face origin")
    datasets = require("datasets", "train")
    rev = revision or origin.revision
    kwargs: dict[str, Any] = {"revision": rev, "streaming": True,
                              "cache_dir": str(flame_home() / "hf")}
    if data_files is not None:
        kwargs["data_files"] = {split: data_files}
    elif data_dir is not None:
        kwargs["data_dir"] = data_dir
    else:
        kwargs["name"] = origin.config
    try:
        rows = datasets.load_dataset(origin.dataset_id, split=split, **kwargs)
    except Exception as e:  # datasets raises many types; name the dataset in one clear error
        raise DataError(f"hf://{origin.dataset_id}@{rev}", f"cannot load {subset}/{split}: {e}") from e
    yield from enumerate(rows)
