"""`flame serve`: run a judge as an HTTP service (extra: serve).

    flame serve --model M --host 127.0.0.1 --port 8000 [--api-key-env FLAME_API_KEY] [--pairwise separate]
                [--max-batch 8 --max-wait-ms 10 --queue 256 --timeout 30 ...]

With --api-key-env NAME, the key is read from $NAME and every endpoint but /health needs
`Authorization: Bearer <key>`. Without a key the server binds to a loopback address only,
unless --allow-remote-without-key is given. See flame.serve.app for the endpoints.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import typer
from rich.console import Console

from flame.core.errors import FlameError

from .output import MODEL_HELP, PAIRWISE_HELP, pairwise_mode

err = Console(stderr=True)


def is_loopback(host: str) -> bool:
    """Whether `host` names only this machine (localhost, 127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def api_key_from_env(name: str) -> str:
    """The key in $name; a missing or blank variable is an error (never a silent open server)."""
    key = os.environ.get(name, "").strip()
    if not key:
        raise FlameError(f"--api-key-env {name}: ${name} is not set or empty")
    return key


def serve(
    model: str = typer.Option("smollm2-135m", help=MODEL_HELP),
    host: str = typer.Option("127.0.0.1", help="address to bind"),
    port: int = typer.Option(8000, min=0, max=65535, help="port to bind"),
    api_key_env: str | None = typer.Option(None, help="environment variable holding the API key"),
    allow_remote_without_key: bool = typer.Option(False, help="allow a non-loopback --host without an API key"),
    max_batch: int = typer.Option(8, min=1, help="items merged into one model batch at most"),
    max_wait_ms: float = typer.Option(10.0, min=0, help="how long a batch waits to fill up"),
    queue: int = typer.Option(256, min=1, help="items waiting at most; more get 503 with Retry-After"),
    timeout: float = typer.Option(30.0, min=0.1, help="seconds a request may wait for its judgments (then 504)"),
    max_body_mb: float = typer.Option(8.0, min=0.001, help="request body size limit in MiB (then 413)"),
    max_input_tokens: int | None = typer.Option(None, min=1, help="prompt length limit (default: the model's context less 64)"),
    state_dir: Path | None = typer.Option(None, help="where batch jobs are kept (default: $FLAME_HOME/serve)"),
    swap: bool = typer.Option(True, help="pairwise: judge both candidate orders and average"),
    pairwise: str | None = typer.Option(None, "--pairwise", help=PAIRWISE_HELP),
    cache: bool = typer.Option(True, help="use the result cache in $FLAME_HOME/cache"),
    log_level: str = typer.Option("info", help="uvicorn log level"),
) -> None:
    """Serve a judge over HTTP: judge endpoints, batch jobs, health and metrics."""
    from flame.core.errors import require

    try:
        require("fastapi", "serve")
        require("uvicorn", "serve")
        require("prometheus_client", "serve")
        key = api_key_from_env(api_key_env) if api_key_env else None
    except FlameError as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2)
    if key is None and not is_loopback(host) and not allow_remote_without_key:
        err.print(f"[red]error:[/red] refusing to serve on {host} without an API key: set one with "
                  "--api-key-env NAME, bind to 127.0.0.1, or pass --allow-remote-without-key")
        raise typer.Exit(2)
    if key is None:
        where = "loopback only" if is_loopback(host) else "[yellow]reachable from the network[/yellow]"
        err.print(f"[bold]No API key[/bold]: every endpoint is open; serving on {host} ({where}).")
    else:
        err.print(f"API key from ${api_key_env}: every endpoint but /health needs 'Authorization: Bearer <key>'.")
    try:
        mode = pairwise_mode(pairwise, model)
    except FlameError as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2)

    from flame.judge.autorater import Autorater
    from flame.judge.models import load_backend
    from flame.serve import Settings, create_app, run

    settings = Settings(api_key=key, max_batch=max_batch, max_wait_ms=max_wait_ms, queue_size=queue,
                        timeout_s=timeout, max_body_bytes=int(max_body_mb * 2**20),
                        max_input_tokens=max_input_tokens, state_dir=state_dir, swap=swap, pairwise=mode)
    err.print(f"loading {model} ...")
    try:
        # Pairwise items with swap are 4 score requests each; Likert scales more: leave room.
        backend = load_backend(model, batch_size=max_batch * 16, cache=cache)
    except FlameError as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2)
    run(create_app(Autorater(backend, swap=swap, pairwise=mode), settings), host, port, log_level=log_level)


if __name__ == "__main__":  # pragma: no cover - `python -m flame.cli.serve`, used by the crash test
    typer.run(serve)
