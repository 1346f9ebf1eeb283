"""The README's "From Python" examples run as written, on the tiny random model in place of the
trained judge (the one substitution: the model spec in `Judge(...)`)."""

from __future__ import annotations

import ast
import contextlib
import io
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
MODEL = '"flame-smollm2-135m"'


def _python_blocks() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## From Python\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def _run(code: str, namespace: dict) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(README), "exec"), namespace)
    return out.getvalue()


@pytest.fixture(scope="module")
def blocks():
    found = _python_blocks()
    assert len(found) == 2, "the README's From Python section has its API and its TRL example"
    return found


def test_the_python_api_example_runs(blocks, tiny_model_dir):
    pytest.importorskip("torch")
    api = blocks[0]
    assert api.count(MODEL) == 1
    namespace: dict = {}
    printed = _run(api.replace(MODEL, repr(str(tiny_model_dir))), namespace).splitlines()
    assert len(printed) == 4
    assert namespace["r"].verdict in ("A", "B") and printed[0].startswith(namespace["r"].verdict)
    assert all(1 <= x.expected <= 5 for x in namespace["ratings"])
    assert namespace["c"].label in ("Yes", "No") and namespace["ranking"].best in (0, 1, 2)


def test_the_trl_example_runs(blocks, tiny_model_dir):
    pytest.importorskip("torch")
    pytest.importorskip("trl.experimental.judges", reason="TRL's judges API is not installed (extra trl)")
    namespace: dict = {}
    _run(blocks[0].replace(MODEL, repr(str(tiny_model_dir))), namespace)  # defines `judge`
    printed = _run(blocks[1], namespace).splitlines()
    rewards, scores = ast.literal_eval(printed[0]), ast.literal_eval(printed[1])
    assert len(rewards) == 2 and all(1 <= x <= 5 for x in rewards)
    assert len(scores) == 1 and 0 < scores[0] < 1
