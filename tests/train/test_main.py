"""Training stands on its own: `python -m flame.train` (what `accelerate launch` runs) reads
its arguments with argparse, and nothing in flame.train imports the CLI."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _layers():
    """tests/core/test_layers.py, for its `imports` and `MODULES` (the tests have no package to import it from)."""
    spec = importlib.util.spec_from_file_location("_test_layers", REPO / "tests" / "core" / "test_layers.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_nothing_in_flame_train_imports_the_cli():
    layers = _layers()
    train = [m for m in layers.MODULES if m == "flame.train" or m.startswith("flame.train.")]
    assert "flame.train.__main__" in train
    reaching = {m: sorted({i for i, _ in layers.imports(m) if i == "flame.cli" or i.startswith("flame.cli.")})
                for m in train}
    assert {m: i for m, i in reaching.items() if i} == {}


def _train(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "flame.train", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=600)


def test_python_m_flame_train_runs_sft_and_reports_errors_plainly(tiny_model, collection, tmp_path):
    out = tmp_path / "run"
    done = _train("sft", "--config", "tiny", f"model={tiny_model}", f"collection={collection}", f"output_dir={out}",
                  "max_steps=1", "save_every=1", "eval_every=0")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "trained 1 steps" in done.stdout
    assert (out / "checkpoints" / "step-000001" / "model").is_dir()

    bad = _train("sft", "--config", "tiny", f"output_dir={out}", "max_step=3")
    assert bad.returncode == 2, bad.stdout + bad.stderr
    assert "error:" in bad.stderr and "did you mean max_steps" in bad.stderr
    assert "Traceback" not in bad.stderr + bad.stdout
