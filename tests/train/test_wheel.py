"""flame installed from its wheel, with no checkout on the path: the shipped mixtures, training
configs and trained judges work (issue #17, item 1).

The wheel is built from a copy of the package's files (nothing is written into the checkout)
and installed without dependencies into a fresh virtual environment; that environment sees
this one's third-party packages through a .pth line, which adds the folder to sys.path but
does not run the editable install's own .pth hook, so `import flame` can only find the wheel.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _run(args, cwd, env, timeout=600):
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtual environment with flame installed from a freshly built wheel."""
    root = tmp_path_factory.mktemp("wheel")
    src = root / "src"
    src.mkdir()
    shutil.copytree(REPO / "flame", src / "flame", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(root / "dist"),
          str(src)], root, env)
    wheel = next((root / "dist").glob("flame_autorater-*.whl"))
    venv = root / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], root, env)
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)], root, env)
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], root, env).strip())
    (site / "_flame_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


@pytest.fixture
def env(installed, mirror, tmp_path):
    return {**os.environ, "FLAME_MIRROR": str(mirror), "FLAME_HOME": str(tmp_path / "home"), "PYTHONPATH": "",
            "VIRTUAL_ENV": str(installed)}


def test_the_wheel_ships_configs_and_judges_and_imports_from_site_packages(installed, env, tmp_path):
    where = _run([str(installed / "bin" / "python"), "-c",
                  "import flame; from flame.judge.models import trained_adapter, TRAINED; "
                  "print(flame.__file__); print(*(trained_adapter(n) for n in TRAINED), sep='\\n')"], tmp_path, env)
    for line in where.splitlines():
        assert Path(line).is_relative_to(installed), line  # the wheel's flame and its adapters, not the checkout's
    listed = _run([str(installed / "bin" / "flame"), "train", "configs"], tmp_path, {**env, "COLUMNS": "300"})
    for name in ("flame-prefs-smollm2", "tiny", "cpu-2proc"):
        assert name in listed


def test_installed_flame_shows_a_shipped_mixture_and_trains_from_a_shipped_config(installed, env, tmp_path,
                                                                                 collection, tiny_model):
    flame = str(installed / "bin" / "flame")
    shown = _run([flame, "mix", "show", "flame", "--collection", str(collection), "--format", "json"], tmp_path, env)
    rates = json.loads(shown)
    assert rates and "hh_rlhf" in json.dumps(rates)
    out = tmp_path / "run"
    trained = _run([flame, "train", "sft", "--config", "tiny", f"model={tiny_model}", f"collection={collection}",
                    f"output_dir={out}", "max_steps=1", "save_every=1", "eval_every=0"], tmp_path, env)
    assert "trained 1 steps" in trained
    assert (out / "checkpoints" / "step-000001").is_dir()


def test_installed_flame_evaluates_with_a_shipped_trained_judge(installed, env, tmp_path):
    from flame.core.files import packaged
    from flame.judge.models import files_fingerprint

    out = tmp_path / "heldout.json"
    _run([str(installed / "bin" / "flame"), "eval", "run", "heldout", "--model", "flame-smollm2-135m", "--limit", "1",
          "--out", str(out)], tmp_path, env, timeout=900)
    manifest = json.loads(out.read_text())["manifest"]
    shipped = files_fingerprint(packaged("models", "flame-smollm2-135m"))  # the checkout's adapter
    assert manifest["model"]["spec"] == "flame-smollm2-135m" and f"+{shipped}:" in manifest["model"]["fingerprint"]
    assert manifest["git"] == {"commit": None, "dirty": None}  # an installed wheel is no checkout
