"""`flame serve`: the judge engine as an HTTP service (extra: serve).

The same Autorater as the CLI and Python API, behind FastAPI: concurrent requests are
micro-batched on one model thread, batch jobs persist in SQLite and survive crashes, and an
API key guards every endpoint but /health. See flame.serve.app for the endpoints.
"""

from .app import Settings, create_app, run

__all__ = ["Settings", "create_app", "run"]
