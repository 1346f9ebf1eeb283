"""How the Hub adapters of the factuality/math/coding/instruction group read the Hub without a
mirror: the same rows, put at the path and commit each adapter should ask for in a local stand-in
for the Hub (the `local_hub` fixture: datasets' own json/parquet builders, no network), give the
same items as the mirror layout the other tests use."""

from __future__ import annotations

import pytest

from flame.core.errors import DataError
from flame.data.files import SourceFiles
from flame.data.source import Rejected
from flame.data.sources import SOURCES
from flame.data.sources.commitpack import LANGUAGES

from .test_hub_other_code import commit
from .test_hub_other_fact import dialogue
from .test_hub_other_math import ROWS, write_split
from .test_hub_other_scored import passage


def _content(items) -> list:
    """What a read gave, apart from where: each example's task, inputs and targets, each rejection's reason."""
    return [(i.reason,) if isinstance(i, Rejected) else (i.task, i.inputs, i.targets) for i in items]


@pytest.fixture
def hub_and_mirror(local_hub, monkeypatch, tmp_path):
    """read(name, {(mirror config, split): rows}, {path in the Hub repository at the pinned commit: rows}):
    the items read without a mirror, after checking they are the mirror's."""
    monkeypatch.delenv("FLAME_MIRROR")

    def read(name, mirror_rows, hub_files):
        source = SOURCES.get(name)
        for (config, split), rows in mirror_rows.items():
            write_split(tmp_path / "mirror", name, rows, split, config)
            local_hub.put(source.hf.dataset_id, "main", f"{config}/{split}.jsonl", rows[:1])  # a moving revision
        for path, rows in hub_files.items():
            local_hub.put(source.hf.dataset_id, source.hf.revision, path, rows)
        from_mirror = list(source.items(SourceFiles(source, mirror=tmp_path / "mirror")))
        from_hub = list(source.items(SourceFiles(source, mirror=None, cache=tmp_path / "cache")))
        assert any(not isinstance(i, Rejected) for i in from_hub)
        assert _content(from_hub) == _content(from_mirror)
        return from_hub

    return read


def test_prm800k_reads_its_file_in_the_pinned_repository(hub_and_mirror):
    hub_and_mirror("prm800k", {(None, "train"): ROWS}, {"phase2_train.jsonl": ROWS})


def test_repositories_with_a_loading_script_are_read_as_plain_json_files(hub_and_mirror):
    rows = {lang: [commit(f"Fix crash in {lang}", "a", "b", lang=lang)] for lang in LANGUAGES}
    items = hub_and_mirror("commitpack", {(lang, "train"): r for lang, r in rows.items()},
                           {f"data/{lang}/data.jsonl": r for lang, r in rows.items()})
    assert len(items) == len(LANGUAGES)
    dialogues = [dialogue((["Been to a concert?"], "The tour began in 2015.", "I loved it!",
                           "It began in 2015.", ["Hallucination"]))]
    hub_and_mirror("faithdial", {(None, "train"): dialogues}, {"data/train.json": dialogues})


def test_configured_sources_load_their_config(hub_and_mirror):
    rows = [{"id": 1, "sentence1": "A cat sat.", "sentence2": "A cat was sitting.", "label": 1}]
    hub_and_mirror("paws", {("labeled_final", "train"): rows}, {"labeled_final/train.parquet": rows})


def test_a_failed_load_names_the_files(local_hub, monkeypatch, tmp_path):
    monkeypatch.delenv("FLAME_MIRROR")
    source = SOURCES.get("commitpack")
    with pytest.raises(DataError, match=r"hf://datasets/bigcode/commitpackft@.*/data/python/data.jsonl"):
        list(source.items(SourceFiles(source, mirror=None, cache=tmp_path)))


def test_wikibio_reads_dataset_json_at_its_pinned_commit(hub_and_mirror):
    rows = [passage(["John Smith is an English footballer.", "He won the Nobel Prize."],
                    ["accurate", "major_inaccurate"])]
    hub_and_mirror("wikibio_hallucination", {(None, "train"): rows}, {"dataset.json": rows})
