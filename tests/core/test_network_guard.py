"""The suite's network guard (tests/conftest.py): off the loopback nothing connects."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

CONFTEST = Path(__file__).parents[1] / "conftest.py"


def test_a_connection_beyond_the_loopback_is_refused_and_named(pytester):
    """A test that reaches for the network fails, even when its code swallows the error."""
    pytester.makeconftest(CONFTEST.read_text(encoding="utf-8"))
    pytester.makepyfile(test_reach="""
import socket

def test_reach():
    try:
        socket.create_connection(("93.184.216.34", 80), timeout=1)
    except OSError:
        pass  # code that treats a failure as "offline" does not hide the attempt
""")
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*tried to reach the network*93.184.216.34*"])


def test_a_name_lookup_is_refused(_no_network):
    with pytest.raises(ConnectionRefusedError, match="getaddrinfo 'example.org'"):
        socket.getaddrinfo("example.org", 443)
    assert _no_network == ["getaddrinfo 'example.org'"]
    _no_network.clear()  # seen: this test's teardown need not fail on it
    socket.getaddrinfo("localhost", 80)  # the loopback still resolves


def test_the_loopback_keeps_working():
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    threading.Thread(target=lambda: server.accept()[0].sendall(b"ok"), daemon=True).start()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
        assert client.recv(2) == b"ok"
    server.close()
