"""flame.core.files: the one atomic writer every results file, report, collection and mixture goes through."""

from __future__ import annotations

import json

import pytest

from flame.core.files import atomic_write, atomic_write_json, flame_home, mirror_root


def test_atomic_write_replaces_the_file_world_readable_and_leaves_nothing_beside_it(tmp_path):
    path = tmp_path / "out" / "report.md"
    atomic_write(path, "old\n")
    assert atomic_write(path, ("line 1\n", "line 2\n")) == path
    assert path.read_text() == "line 1\nline 2\n"
    assert path.stat().st_mode & 0o777 == 0o644
    assert list(path.parent.iterdir()) == [path]


def test_a_failed_write_keeps_the_old_file_and_removes_its_temporary_file(tmp_path):
    path = tmp_path / "results.json"
    atomic_write_json(path, {"score": 0.5})

    def lines():
        yield "partial"
        raise RuntimeError("killed mid-write")

    with pytest.raises(RuntimeError):
        atomic_write(path, lines())
    assert json.loads(path.read_text()) == {"score": 0.5}
    assert list(tmp_path.iterdir()) == [path]


def test_flame_home_and_the_mirror_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("FLAME_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("FLAME_MIRROR", "")
    assert flame_home() == tmp_path / "home" and mirror_root() is None
    monkeypatch.delenv("FLAME_HOME")
    monkeypatch.setenv("FLAME_MIRROR", str(tmp_path))
    assert flame_home().parts[-2:] == (".cache", "flame") and mirror_root() == tmp_path
