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
