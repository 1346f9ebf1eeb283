"""Downloads: checksums verified, nothing partial cached, commit-pinned files recorded on first fetch."""

from __future__ import annotations

import io

import pytest

from flame.core.errors import DataError
from flame.core.records import Role
from flame.data.files import SourceFiles, fetch
from flame.data.source import RemoteFile, Source, github_file


def _source(*files: RemoteFile) -> Source:
    return Source(name="toy", title="toy", license="MIT", role=Role.TRAIN, homepage="https://example.org",
                  citation="toy", tasks=(), reader=lambda files: iter(()), files=files)


def _opener(body: bytes):
    return lambda url: io.BytesIO(body)


def test_commit_pinned_file_records_its_first_download_and_rejects_later_tampering(tmp_path):
    spec = github_file("org/repo", "a" * 40, "data.jsonl", "")
    dest = tmp_path / "toy" / "data.jsonl"
    fetch(spec, dest, opener=_opener(b'{"x": 1}\n'))
    files = SourceFiles(_source(spec), cache=tmp_path, download=False)
    assert files.path("data.jsonl") == dest
    dest.write_bytes(b'{"x": 2}\n')  # changed on disk after the first download
    with pytest.raises(DataError, match="checksum mismatch"):
        SourceFiles(_source(spec), cache=tmp_path, download=False).path("data.jsonl")


def test_bad_download_leaves_nothing_behind(tmp_path):
    spec = RemoteFile(path="f.txt", url="https://example.org/f.txt", sha256="0" * 64)
    with pytest.raises(DataError, match="checksum mismatch"):
        fetch(spec, tmp_path / "f.txt", opener=_opener(b"hello"))
    assert list(tmp_path.iterdir()) == []


def test_missing_mirror_file_names_the_path(tmp_path):
    spec = RemoteFile(path="f.txt", url="https://example.org/f.txt", sha256="0" * 64)
    with pytest.raises(DataError, match=r"toy/f.txt: missing from mirror"):
        SourceFiles(_source(spec), mirror=tmp_path).path("f.txt")


PINNED = "0123abcd" * 5


def _hub_source(revision: str = PINNED):
    from dataclasses import replace

    from flame.data.source import HFOrigin

    return replace(_source(), hf=HFOrigin("org/data", revision=revision, config="main"))


def test_hub_rows_stream_the_config_at_the_pinned_revision(monkeypatch, tmp_path, local_hub):
    monkeypatch.delenv("FLAME_MIRROR")
    local_hub.put("org/data", PINNED, "main/train.parquet", [{"text": "pinned"}])
    local_hub.put("org/data", "main", "main/train.parquet", [{"text": "moving"}])
    local_hub.put("org/data", PINNED, "default/train.parquet", [{"text": "other config"}])
    rows = list(SourceFiles(_hub_source(), cache=tmp_path / "cache").hf_rows("train"))
    assert rows == [(0, {"text": "pinned"})]


def test_hub_data_files_are_read_by_the_packaged_builder_at_the_pinned_revision(monkeypatch, tmp_path, local_hub):
    monkeypatch.delenv("FLAME_MIRROR")
    local_hub.put("org/data", PINNED, "data/en.jsonl", [{"text": "en 0"}, {"text": "en 1"}])
    local_hub.put("org/data", PINNED, "data/de.jsonl", [{"text": "de 0"}])
    local_hub.put("org/data", "feedbeef" * 5, "cmp/test/0.parquet", [{"text": "cmp 0", "n": 1}])
    local_hub.put("org/data", PINNED, "cmp/test/0.parquet", [{"text": "not this revision", "n": 0}])
    files = SourceFiles(_hub_source(), cache=tmp_path / "cache")
    assert list(files.hf_rows("train", data_files=("data/en.jsonl",))) == [(0, {"text": "en 0"}), (1, {"text": "en 1"})]
    assert list(files.hf_rows("test", data_files=("cmp/test/*.parquet",), revision="feedbeef" * 5)) == [
        (0, {"text": "cmp 0", "n": 1})]


def test_a_hub_file_that_is_not_there_names_the_pinned_url(monkeypatch, tmp_path, local_hub):
    monkeypatch.delenv("FLAME_MIRROR")
    with pytest.raises(DataError, match=f"hf://datasets/org/data@{PINNED}/data/fr.jsonl"):
        list(SourceFiles(_hub_source(), cache=tmp_path / "cache").hf_rows("train", data_files=("data/fr.jsonl",)))


def test_hub_rows_read_the_mirror_layout_for_fixtures(tmp_path):
    (tmp_path / "toy" / "helpful").mkdir(parents=True)
    (tmp_path / "toy" / "helpful" / "train.jsonl").write_text('{"a": 1}\n{"a": 2}\n')
    rows = list(SourceFiles(_hub_source(), mirror=tmp_path).hf_rows("train", subset="helpful"))
    assert rows == [(0, {"a": 1}), (1, {"a": 2})]


def test_a_json_object_where_a_list_is_expected_names_the_file(tmp_path):
    from flame.data.readers import read_json_list

    path = tmp_path / "dataset.json"
    path.write_text('{"items": []}')
    with pytest.raises(DataError, match=r"LLMBar/Natural/dataset.json: expected a JSON list of items, got dict"):
        read_json_list(path, "LLMBar/Natural/dataset.json")
    path.write_text('[{"a": 1}]')
    assert read_json_list(path, "x") == [{"a": 1}]
