"""Shared fixtures: the local data mirror (../shared/data), a throwaway FLAME_HOME, and a
guard that fails any test which opens a network connection beyond the loopback."""

from __future__ import annotations

import ipaddress
import json
import os
import socket
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]  # tests/core/test_network_guard.py runs the guard in a test session of its own

# huggingface_hub and datasets read this when they are imported, and test modules import them
# at collection, before any fixture runs: set here, it keeps their telemetry and Hub lookups off.
os.environ["HF_HUB_OFFLINE"] = "1"

REPO = Path(__file__).resolve().parents[1]
MIRROR = Path(os.environ.get("FLAME_MIRROR") or REPO.parent / "shared" / "data")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """Every test gets its own cache dir and reads the local mirror, never the network."""
    monkeypatch.setenv("FLAME_HOME", str(tmp_path_factory.mktemp("flame_home")))
    monkeypatch.setenv("FLAME_MIRROR", str(MIRROR))


@pytest.fixture(scope="session")
def mirror() -> Path:
    """The local mirror of public data; the suite needs it (CI lays ../shared beside the repo)."""
    if not MIRROR.is_dir():
        pytest.fail(f"data mirror not found at {MIRROR}; set FLAME_MIRROR")
    return MIRROR


def _loopback(host) -> bool:
    """Whether a connect or lookup target is this machine (127.0.0.0/8, ::1, localhost)."""
    if host is None or host in ("", "localhost", b"localhost"):
        return True
    if isinstance(host, bytes):
        host = host.decode()
    try:
        address = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False  # a name other than localhost: a DNS lookup
    return address.is_loopback or address.is_unspecified


@pytest.fixture
def allow_network():
    """Asked for by the opt-in tests that need the network: the guard lets them through."""


@pytest.fixture(autouse=True)
def _no_network(request, monkeypatch):
    """Any connection or name lookup beyond the loopback fails: it raises (so the code under
    test sees no network) and the test fails at teardown naming it, even where the code
    caught the error. Loopback (the server tests, the OpenAI backend's local server) works.
    Yields the attempts so far."""
    attempts: list[str] = []
    if "allow_network" in request.fixturenames:
        yield attempts
        return

    def refuse(what):
        attempts.append(what)
        raise ConnectionRefusedError(f"network access in a test: {what} (tests run offline; see tests/conftest.py)")

    def guarded(method):
        def call(sock, address, *args):
            if sock.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
                refuse(f"{method.__name__} {address!r}")
            return method(sock, address, *args)
        return call

    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if not _loopback(host):
            refuse(f"getaddrinfo {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded(socket.socket.connect))
    monkeypatch.setattr(socket.socket, "connect_ex", guarded(socket.socket.connect_ex))
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield attempts
    if attempts:
        pytest.fail("the test tried to reach the network: " + "; ".join(attempts), pytrace=False)


class LocalHub:
    """Files laid out as Hub repositories at a revision: `<root>/<repo>@<revision>/<path>`."""

    def __init__(self, root: Path):
        self.root = root

    def put(self, repo: str, revision: str, path: str, records: list[dict]) -> Path:
        """Write records at `path` inside repo@revision: Parquet for a .parquet path, else JSON lines."""
        target = self.root / f"{repo}@{revision}" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.suffix == ".parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            pq.write_table(pa.Table.from_pylist(records), target)
        else:
            target.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        return target


@pytest.fixture
def local_hub(tmp_path, monkeypatch) -> LocalHub:
    """`datasets.load_dataset` reads the Hub from local files, through datasets' own json and
    parquet builders: `hf://datasets/<repo>@<rev>/<path>` data files become
    `<root>/<repo>@<rev>/<path>`, and a repository's split (its config or data_dir, else
    `default`) is `<root>/<repo>@<rev>/<config>/<split>.parquet` or `.jsonl`. Whatever the code
    asks for that is not there is a FileNotFoundError, as on the Hub."""
    datasets = pytest.importorskip("datasets")
    hub, real_load = LocalHub(tmp_path / "hub"), datasets.load_dataset

    def load_dataset(path, split, *, revision="main", name=None, data_dir=None, data_files=None,
                     streaming=False, cache_dir=None):
        if data_files is not None:
            prefix = "hf://datasets/"
            local = {s: [str(hub.root / u.removeprefix(prefix)) if u.startswith(prefix) else u for u in urls]
                     for s, urls in data_files.items()}
            return real_load(path, split=split, data_files=local, streaming=streaming, cache_dir=cache_dir)
        where = hub.root / f"{path}@{revision}" / (name or data_dir or "default")
        for builder, suffix in (("parquet", ".parquet"), ("json", ".jsonl")):
            if (where / f"{split}{suffix}").is_file():
                return real_load(builder, split=split, data_files={split: [str(where / f"{split}{suffix}")]},
                                 streaming=streaming, cache_dir=cache_dir)
        raise FileNotFoundError(f"{path}@{revision}: no split {split!r} under {where}")

    monkeypatch.setattr(datasets, "load_dataset", load_dataset)
    return hub
