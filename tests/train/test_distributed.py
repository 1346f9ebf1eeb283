"""`accelerate launch` on 2 CPU processes (gloo) trains like 1 process with the same global batch.

Tolerance: 1e-5 on per-step losses and final weights. The two runs see the same examples in
the same micro-batches (the recipe cuts the global batch identically and deals micro-batches
to processes), so they differ only by float summation order in the gradient all-reduce.
Dropout is off here: each process draws its own dropout masks, which would legitimately
change the curve.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from safetensors.torch import load_file

from flame.train.config import TrainConfig
from flame.train.sft import train

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_processes_match_one(tiny_model, collection, tmp_path):
    overrides = [f"model={tiny_model}", f"collection={collection}", "dropout=0", "max_steps=3", "batch_size=4",
                 "micro_batch_size=2", "save_every=3", "eval_every=0", "eval_examples=2"]
    one = TrainConfig.from_yaml(REPO / "flame/configs/train/tiny.yaml", overrides + [f"output_dir={tmp_path / 'one'}"])
    train(one)

    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "accelerate.commands.launch", "--config_file", str(REPO / "flame/configs/accelerate/cpu-2proc.yaml"),
           "--main_process_port", str(_free_port()), "-m", "flame.train", "sft", "--config", str(REPO / "flame/configs/train/tiny.yaml"),
           *overrides, f"output_dir={tmp_path / 'two'}"]
    done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    # both processes took part: each saved its own RNG state
    saved = sorted(p.name for p in (tmp_path / "two/checkpoints/step-000003/accelerate").glob("random_states_*"))
    assert saved == ["random_states_0.pkl", "random_states_1.pkl"]
    states = [json.loads((tmp_path / run / "checkpoints/step-000003/trainer_state.json").read_text()) for run in ("one", "two")]
    curves = [[h["loss"] for h in s["history"] if "loss" in h] for s in states]
    assert len(curves[0]) == 3
    assert max(abs(a - b) for a, b in zip(*curves)) < 1e-5, curves
    assert states[0]["tokens"] == states[1]["tokens"]
    a, b = (load_file(tmp_path / run / "checkpoints/step-000003/model/model.safetensors") for run in ("one", "two"))
    assert max((a[k] - b[k]).abs().max().item() for k in a) < 1e-5
