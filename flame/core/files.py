"""Where flame keeps its files, and how it writes and checks them.

`flame_home()` is the root of every cache (downloads, converted models, judgment cache,
execution results, job state): $FLAME_HOME, else ~/.cache/flame. `mirror_root()` is the
local data mirror named by $FLAME_MIRROR, if any. `packaged()` finds what ships inside the
package (training, mixture and accelerate configs under configs/, trained adapters under
models/), in a checkout and in an installed wheel alike. `atomic_write` is the one way flame
writes a file that others read (results, reports, collections, mixtures): a reader sees
the old file or the new one, never a partial one, and never a temporary file left behind.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def flame_home() -> Path:
    """Root of flame's caches: $FLAME_HOME or ~/.cache/flame."""
    return Path(os.environ.get("FLAME_HOME") or Path.home() / ".cache" / "flame")


def mirror_root() -> Path | None:
    """The local mirror named by $FLAME_MIRROR, if any."""
    value = os.environ.get("FLAME_MIRROR")
    return Path(value) if value else None


def packaged(*parts: str) -> Path:
    """A file or folder shipped inside the flame package, e.g. packaged("configs", "train").

    Read through importlib.resources, so it is the checkout's flame/ folder in an editable
    install and site-packages/flame/ in a wheel install (pip always unpacks wheels, so this
    is a real path on disk).
    """
    return Path(str(importlib.resources.files("flame").joinpath(*parts)))


def sha256_file(path: Path) -> str:
    """Full hex sha256 of a file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def atomic_write(path: Path, text: str | Iterable[str]) -> Path:
    """Write text (a string, or an iterable of strings written one after another) to a
    temporary file beside path, make it world-readable (0644), and rename it over path.

    Lines end in "\\n" on every platform. If writing fails (or the iterable raises), path
    is left as it was and the temporary file is removed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            if isinstance(text, str):
                f.write(text)
            else:
                f.writelines(text)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; flame's outputs are meant to be shared
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def atomic_write_json(path: Path, payload: Any) -> Path:
    """`atomic_write` of payload as indented JSON (the layout of flame's results files)."""
    return atomic_write(path, json.dumps(payload, ensure_ascii=False, indent=1))
