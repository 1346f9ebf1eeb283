"""Which commit each Hub source is read at: pinned, or listed as unpinnable and resolved at
download time, with the commit read named in the data card.

The Hub is unreachable here: the revision lookup (`HfApi.dataset_info`) is faked, and the
"Hub" dataset is a local JSON file read by the real `datasets` json builder, so the rest of
the path (hf_rows, the build, the data card) is the one a real download takes.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import datasets
import huggingface_hub
import pytest

from flame.core.errors import DataError
from flame.core.records import Capability
from flame.data.build import build_collection
from flame.data.files import SourceFiles, is_commit, resolve_revision
from flame.data.source import HFOrigin
from flame.data.sources import SOURCES, UNPINNED
from flame.data.sources._hub_kit import Column, Labels, RowTask, hub_source

HUB_SOURCES = [name for name, source in SOURCES.items() if source.hf is not None]
COMMIT = "5e1f" * 10


@pytest.mark.parametrize("name", HUB_SOURCES)
def test_every_hub_source_reads_a_commit_unless_listed_unpinned_with_a_reason(name):
    revision = SOURCES.get(name).hf.revision
    if name in UNPINNED:
        assert not is_commit(revision), f"{name} is pinned to {revision}: take it off UNPINNED"
        assert len(UNPINNED[name]) > 40, f"{name}: say why no commit could be pinned"
    else:
        assert is_commit(revision), f"{name} reads moving revision {revision!r}: pin a commit or list it in UNPINNED"


def test_unpinned_lists_only_registered_hub_sources():
    assert set(UNPINNED) <= set(HUB_SOURCES)


def _toy(revision: str):
    return hub_source(
        "toy_hub", title="Toy Hub source", license="MIT", homepage="https://example.org", citation="toy",
        hf=HFOrigin("org/toy", revision, None, "train"), table7=(),
        task=RowTask("toy_hub_verdict", title="Is the claim true?",
                     description="A claim and its evidence; answer Yes when the evidence supports the claim, "
                                 "No when it does not.",
                     capability=Capability.FACTUALITY,
                     inputs=(Column("claim", "claim", "the claim"), Column("evidence", "evidence", "the evidence")),
                     output=Labels("verdict", "label", {1: "Yes", 0: "No"}, "Yes if supported")))


@pytest.fixture
def hub(monkeypatch, tmp_path):
    """A fake Hub: `main` of org/toy points at COMMIT, whose train split is a local JSON file."""
    monkeypatch.delenv("FLAME_MIRROR")
    data = tmp_path / "train.jsonl"
    data.write_text("".join(json.dumps({"claim": f"claim {i}", "evidence": f"evidence {i}", "label": i % 2}) + "\n"
                            for i in range(4)))
    asked, real_load = [], datasets.load_dataset

    def dataset_info(self, repo_id, revision=None, **kwargs):
        asked.append((repo_id, revision))
        return SimpleNamespace(sha=COMMIT if revision == "main" else revision)

    def load_dataset(path, split, revision, streaming, cache_dir, name=None):
        if (path, revision) != ("org/toy", COMMIT):
            raise FileNotFoundError(f"no {path}@{revision}")
        return real_load("json", data_files={split: [str(data)]}, split=split, streaming=streaming,
                         cache_dir=cache_dir)

    monkeypatch.setattr(huggingface_hub.HfApi, "dataset_info", dataset_info)
    monkeypatch.setattr(datasets, "load_dataset", load_dataset)
    return asked


def test_a_moving_revision_is_read_at_the_commit_it_resolves_to_and_the_data_card_names_it(hub, tmp_path):
    report = build_collection(tmp_path / "out", sources=[_toy("main")])
    assert report.examples == 4 and hub == [("org/toy", "main")]
    card = (tmp_path / "out" / "DATACARD.md").read_text()
    assert f"| toy_hub | org/toy | main | {COMMIT} |" in card
    assert "toy_hub declares a moving revision" in card
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["sources"][0]["hub"] == [{"dataset": "org/toy", "revision": "main", "commit": COMMIT}]


def test_a_pinned_commit_is_read_as_declared_without_asking_the_hub(hub, tmp_path):
    source = _toy(COMMIT)
    files = SourceFiles(source, cache=tmp_path)
    assert len(list(source.examples(files))) == 4
    assert hub == [] and files.hub_reads == [{"dataset": "org/toy", "revision": COMMIT, "commit": COMMIT}]
    build_collection(tmp_path / "out", sources=[source])
    card = (tmp_path / "out" / "DATACARD.md").read_text()
    assert f"| toy_hub | org/toy | {COMMIT} | {COMMIT} |" in card and "moving revision" not in card


def test_a_revision_the_hub_cannot_resolve_stops_the_read_naming_it():
    # HF_HUB_OFFLINE=1 (tests/conftest.py): the real lookup fails, as it would without network.
    with pytest.raises(DataError, match=r"hf://org/toy@main: cannot resolve the revision to a commit"):
        resolve_revision("org/toy", "main")
