"""Rows of a JSON / JSON Lines file inside a Hub dataset repository that carries a loading script.

`datasets` 4+ refuses to load a Hub repository that holds a loading script (`<repo>.py`),
even when `data_files` is given, and the Hub makes no Parquet export of such a repository.
`hub_json_rows` therefore reads the data file itself with the packaged `json` builder,
through an `hf://` path pinned to the source's revision. From a mirror it reads the same
`<mirror>/<source>/<subset>/<split>.jsonl` layout as `SourceFiles.hf_rows`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flame.core.errors import DataError, require

from ..files import SourceFiles, flame_home


def hub_json_rows(files: SourceFiles, split: str, path_in_repo: str,
                  subset: str = "default") -> Iterator[tuple[int, Any]]:
    """(row, record) pairs of the JSON file `path_in_repo` of the source's Hub repository,
    read as `split`."""
    if files.mirror is not None:
        yield from files.hf_rows(split, subset)
        return
    origin = files.source.hf
    if origin is None:
        raise DataError(files.source.name, "source declares no Hugging Face origin")
    datasets = require("datasets", "train")
    url = f"hf://datasets/{origin.dataset_id}@{origin.revision}/{path_in_repo}"
    try:
        rows = datasets.load_dataset("json", data_files={split: url}, split=split, streaming=True,
                                     cache_dir=str(flame_home() / "hf"))
    except Exception as e:  # datasets raises many types; name the file in one clear error
        raise DataError(url, f"cannot load as split {split!r}: {e}") from e
    yield from enumerate(rows)
