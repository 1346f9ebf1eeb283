"""Shared fixtures: the local data mirror (../shared/data) and a throwaway FLAME_HOME."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MIRROR = Path(os.environ.get("FLAME_MIRROR") or REPO.parent / "shared" / "data")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """Every test gets its own cache dir and reads the local mirror, never the network."""
    monkeypatch.setenv("FLAME_HOME", str(tmp_path_factory.mktemp("flame_home")))
    monkeypatch.setenv("FLAME_MIRROR", str(MIRROR))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def mirror() -> Path:
    """The local mirror of public data; the suite needs it (CI lays ../shared beside the repo)."""
    if not MIRROR.is_dir():
        pytest.fail(f"data mirror not found at {MIRROR}; set FLAME_MIRROR")
    return MIRROR
