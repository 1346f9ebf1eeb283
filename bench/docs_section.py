"""Write one benchmark's section of docs/benchmarks.md, between its own markers.

Each bench script owns the text between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`;
running it again replaces that section and leaves the others as they are.
"""

from __future__ import annotations

import os
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def write_section(name: str, body: str, doc_path: Path = DOC) -> None:
    """Replace (or append) the section NAME of docs/benchmarks.md with body, atomically."""
    begin, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    doc = doc_path.read_text(encoding="utf-8") if doc_path.exists() else "# Benchmarks\n"
    block = f"{begin}\n{body.strip()}\n{end}"
    if begin in doc and end in doc:
        doc = doc[: doc.index(begin)] + block + doc[doc.index(end) + len(end):]
    else:
        doc = doc.rstrip("\n") + "\n\n" + block + "\n"
    doc_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = doc_path.with_suffix(".md.tmp")
    tmp.write_text(doc, encoding="utf-8")
    os.replace(tmp, doc_path)
