"""`flame data ...` from a user's seat: list, show, pull against the local mirror."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from flame.cli.main import app

runner = CliRunner()


def test_data_list_json_shows_train_and_eval_tasks():
    r = runner.invoke(app, ["data", "list", "--format", "json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    train = [x for x in rows if x["role"] == "train"]
    assert len(train) >= 25
    assert {x["source"] for x in rows} >= {"hh_rlhf", "llmbar", "humanevalpack", "wice"}
    hh = next(x for x in rows if x["task"] == "hh_rlhf_harmlessness")
    assert hh == {**hh, "type": "pairwise", "capability": "safety", "license": "MIT", "examples": 2308}


def test_data_show_renders_the_flame_format():
    r = runner.invoke(app, ["data", "show", "hh_rlhf_harmlessness", "-n", "2", "--format", "json"])
    assert r.exit_code == 0, r.output
    shown = json.loads(r.output)
    assert len(shown) == 2
    assert shown[0]["prompt"].startswith("INSTRUCTIONS:\ntitle: ")
    assert shown[0]["prompt"].endswith("EVALUATION:\n")
    assert shown[0]["target"] in ("choice: A", "choice: B")


def test_data_show_unknown_task_suggests_a_name():
    r = runner.invoke(app, ["data", "show", "hh_rlhf_harmlesness"])
    assert r.exit_code == 1
    assert "did you mean 'hh_rlhf_harmlessness'" in r.output


def test_data_pull_verifies_mirror_checksums(mirror):
    r = runner.invoke(app, ["data", "--mirror", str(mirror), "pull", "hh_rlhf", "--format", "json"])
    assert r.exit_code == 0, r.output
    [entry] = json.loads(r.output)
    assert entry["path"].startswith(str(mirror)) and len(entry["sha256"]) == 64


def test_data_pull_downloads_into_cache_and_rejects_a_bad_checksum(tmp_path, monkeypatch, mirror):
    """Without a mirror, pull fetches from the pinned URL; a tampered download never lands in the cache."""
    import urllib.request

    from flame.data.files import SourceFiles
    from flame.data.sources import SOURCES

    src = SOURCES.get("hh_rlhf")
    good = (mirror / "hh_rlhf" / src.files[0].path).read_bytes()
    served = {"body": good}

    class FakeResponse:
        def __init__(self, body):
            self.body, self.pos = body, 0
        def read(self, n):
            chunk = self.body[self.pos:self.pos + n]
            self.pos += n
            return chunk
        def __enter__(self):
            return self
        def __exit__(self, *exc):
            return False

    urls = []
    monkeypatch.setattr(urllib.request, "urlopen", lambda url: urls.append(url) or FakeResponse(served["body"]))
    monkeypatch.delenv("FLAME_MIRROR")
    served["body"] = good[:-10]
    r = runner.invoke(app, ["data", "pull", "hh_rlhf"], env={"FLAME_HOME": str(tmp_path)})
    assert r.exit_code == 1 and "checksum mismatch" in r.output
    assert not any((tmp_path / "data").rglob("*.gz")), "a bad download must not be cached"
    served["body"] = good
    r = runner.invoke(app, ["data", "pull", "hh_rlhf"], env={"FLAME_HOME": str(tmp_path)})
    assert r.exit_code == 0, r.output
    assert urls[-1] == src.files[0].url and "raw.githubusercontent.com/anthropics/hh-rlhf/354e5c3" in urls[-1]
    path = SourceFiles(src, cache=tmp_path / "data", download=False).path(src.files[0].path)
    assert path.read_bytes() == good
