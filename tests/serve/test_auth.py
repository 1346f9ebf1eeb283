"""API keys: missing, wrong and right keys; /health stays open; the CLI's loopback rule."""

from __future__ import annotations

import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from flame.cli.serve import is_loopback, serve
from flame.serve import Settings, create_app

KEY = "s3cret-key-0123456789"
PAIR = {"prompt": "p", "response_a": "a", "response_b": "b"}
CALLS = [("post", "/v1/judge/pairwise", PAIR),
         ("post", "/v1/judge/pointwise", {"prompt": "p", "response": "r"}),
         ("post", "/v1/judge/classify", {"text": "t", "classes": ["Yes", "No"]}),
         ("post", "/v1/rerank", {"prompt": "p", "candidates": ["a", "b"]}),
         ("post", "/v1/jobs", {"task": "pairwise", "jsonl": '{"prompt": "p", "response_a": "a", "response_b": "b"}'}),
         ("get", "/v1/jobs/abc", None),
         ("get", "/metrics", None),
         ("get", "/openapi.json", None)]


@pytest.fixture
def client(scripted, tmp_path):
    with TestClient(create_app(scripted(), Settings(api_key=KEY, state_dir=tmp_path))) as c:
        yield c


@pytest.mark.parametrize("method, path, body", CALLS)
@pytest.mark.parametrize("header", [None, "Bearer wrong-key", f"Bearer {KEY}x", f"Basic {KEY}", KEY])
def test_missing_or_wrong_key_is_401(client, method, path, body, header):
    headers = {"Authorization": header} if header else {}
    r = client.request(method, path, json=body, headers=headers)
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    assert "API key" in r.json()["detail"]


@pytest.mark.parametrize("method, path, body", CALLS)
def test_right_key_is_let_in(client, method, path, body):
    r = client.request(method, path, json=body, headers={"Authorization": f"Bearer {KEY}"})
    assert r.status_code == (404 if path == "/v1/jobs/abc" else 202 if path == "/v1/jobs" else 200)


def test_health_needs_no_key_and_openapi_declares_bearer(client):
    assert client.get("/health").status_code == 200
    spec = client.get("/openapi.json", headers={"Authorization": f"Bearer {KEY}"}).json()
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert spec["paths"]["/v1/judge/pairwise"]["post"]["security"] == [{"HTTPBearer": []}]
    assert "security" not in spec["paths"]["/health"]["get"]


def test_without_a_key_everything_is_open(scripted, tmp_path):
    with TestClient(create_app(scripted(), Settings(state_dir=tmp_path))) as c:
        assert c.post("/v1/judge/pairwise", json=PAIR).status_code == 200
        assert "securitySchemes" not in c.get("/openapi.json").json().get("components", {})


def _invoke(*args: str) -> tuple[int, str]:
    """Run `serve` as a Typer command; the exit code and the output with rich's wrapping undone."""
    app = typer.Typer()
    app.command()(serve)
    r = CliRunner().invoke(app, list(args))
    return r.exit_code, " ".join(r.output.split())


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.5", "example.org", "::"])
def test_cli_refuses_a_remote_bind_without_a_key(host):
    code, output = _invoke("--host", host, "--model", "/nonexistent")
    assert code == 2
    assert f"refusing to serve on {host} without an API key" in output


def test_cli_refuses_an_unset_key_variable(monkeypatch):
    monkeypatch.delenv("FLAME_TEST_NO_SUCH_KEY", raising=False)
    code, output = _invoke("--api-key-env", "FLAME_TEST_NO_SUCH_KEY", "--host", "0.0.0.0")
    assert code == 2 and "$FLAME_TEST_NO_SUCH_KEY is not set or empty" in output


def test_cli_says_when_it_serves_without_a_key():
    # Passes the loopback check, says so, then fails on the model: nothing is served.
    code, output = _invoke("--model", "/nonexistent/model", "--allow-remote-without-key", "--host", "0.0.0.0")
    assert "No API key" in output and "reachable from the network" in output
    assert code == 2 and "neither 'smollm2-135m' nor a local directory" in output
    code, output = _invoke("--model", "/nonexistent/model")
    assert code == 2 and "No API key" in output and "loopback only" in output


def test_loopback_hosts():
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "10.0.0.1", "myhost"))
