"""How the Hub adapters of the factuality/math/coding/instruction group reach the Hub without a
mirror: what they ask `datasets.load_dataset` for (stubbed here; no network)."""

from __future__ import annotations

import datasets
import pytest

from flame.core.errors import DataError
from flame.data.files import SourceFiles
from flame.data.sources import SOURCES
from flame.data.sources.commitpack import LANGUAGES


@pytest.fixture
def hub(monkeypatch):
    """Records each load_dataset call and answers it with no rows."""
    calls = []

    def load_dataset(path, **kwargs):
        calls.append((path, kwargs))
        return iter(())

    monkeypatch.setattr(datasets, "load_dataset", load_dataset)
    return calls


def read_without_mirror(name, tmp_path):
    source = SOURCES.get(name)
    return list(source.items(SourceFiles(source, mirror=None, cache=tmp_path)))


def test_prm800k_names_its_file_in_the_pinned_repository(hub, tmp_path):
    assert read_without_mirror("prm800k", tmp_path) == []
    ((path, kwargs),) = hub
    assert path == "json" and kwargs["split"] == "train"
    assert kwargs["data_files"] == {
        "train": ["hf://datasets/tasksource/PRM800K@547b19506677a59037ee888838834b65e9b1ddd4/phase2_train.jsonl"]}


def test_repositories_with_a_loading_script_are_read_as_plain_json_files(hub, tmp_path):
    read_without_mirror("commitpack", tmp_path)
    rev = SOURCES.get("commitpack").hf.revision
    assert [path for path, _ in hub] == ["json"] * len(LANGUAGES)
    assert hub[0][1]["data_files"] == {"train": [f"hf://datasets/bigcode/commitpackft@{rev}/data/python/data.jsonl"]}
    assert hub[3][1]["data_files"]["train"][0].endswith("/data/c++/data.jsonl")
    hub.clear()
    read_without_mirror("faithdial", tmp_path)
    ((path, kwargs),) = hub
    assert path == "json" and kwargs["data_files"] == {
        "train": ["hf://datasets/McGill-NLP/FaithDial@7a414e80725eac766f2602676dc8b39f80b061e4/data/train.json"]}


def test_configured_sources_load_their_config(hub, tmp_path):
    read_without_mirror("paws", tmp_path)
    ((path, kwargs),) = hub
    assert path == "google-research-datasets/paws" and kwargs["name"] == "labeled_final"


def test_a_failed_load_names_the_files(monkeypatch, tmp_path):
    def fail(path, **kwargs):
        raise FileNotFoundError("no such file")

    monkeypatch.setattr(datasets, "load_dataset", fail)
    with pytest.raises(DataError, match=r"hf://datasets/bigcode/commitpackft@.*/data/python/data.jsonl.*no such file"):
        read_without_mirror("commitpack", tmp_path)


def test_wikibio_reads_dataset_json_at_its_pinned_commit(hub, tmp_path):
    read_without_mirror("wikibio_hallucination", tmp_path)
    ((path, kwargs),) = hub
    assert path == "json" and kwargs["data_files"] == {"train": [
        "hf://datasets/potsawee/wiki_bio_gpt3_hallucination@c620633e6968e964594946a96b6cbc06e9defe55/dataset.json"]}
