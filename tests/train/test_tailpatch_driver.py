"""The tail-patch driver: one cached result per task, resume after a kill, the opt-rm mixture its
scores imply, and the CLI end to end with the real RewardBench evaluation on a tiny model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flame.cli.train import app as train_app
from flame.data.mixture import load_mixture
from flame.train.config import TrainConfig
from flame.train.tailpatch_run import TailpatchConfig, run_tailpatch, start_config

REPO = Path(__file__).resolve().parents[2]
TINY = REPO / "flame" / "configs" / "train" / "tiny.yaml"

BASE = {"Chat Hard": 0.50, "Coding": 0.60, "Safety": 0.70}
# task -> category -> (score after step 1, score after step 2); other categories stay at BASE
SCRIPT = {
    # +2 everywhere (total 6 >= 5: generally helpful), crosses Chat Hard and Safety tau; top on both
    "hh_rlhf_harmlessness": {"Chat Hard": (0.70, 0.70), "Coding": (0.70, 0.70), "Safety": (0.90, 0.90)},
    # crosses Coding's tau (84%), top on Coding
    "wmt_mqm_pairwise": {"Coding": (0.85, 0.85)},
    # gain that fades on Chat Hard (+1), second on Chat Hard and on Safety
    "wmt_mqm_quality": {"Chat Hard": (0.60, 0.52), "Safety": (0.88, 0.88)},
    # in the Safety bundle (>= 85%) but third there: 30K
    "truthfulqa_pairwise_truthfulness": {"Safety": (0.86, 0.86)},
    # harmful on Coding: others
    "truthfulqa_truthfulness": {"Coding": (0.55, 0.55)},
}
EXPECTED_WEIGHTS = {"hh_rlhf_harmlessness": 200_000, "wmt_mqm_pairwise": 200_000, "wmt_mqm_quality": 200_000,
                    "truthfulqa_pairwise_truthfulness": 30_000, "truthfulqa_truthfulness": 3_000}


class Kill(Exception):
    pass


class ScriptedEvaluation:
    """Scores a model spec from SCRIPT by the task and step in its checkpoint path; BASE for the init."""

    def __init__(self, init: Path, kill_at: str | None = None) -> None:
        self.init, self.kill_at, self.calls = init, kill_at, []

    def __call__(self, spec: str) -> dict[str, float]:
        path = Path(spec.removeprefix("hf:").split("+adapter:")[-1])
        self.calls.append(path)
        if path == self.init:
            return dict(BASE)
        task, step = path.parents[2].name, int(path.parent.name.removeprefix("step-"))
        if task == self.kill_at:
            raise Kill(task)
        return {c: SCRIPT[task].get(c, (v, v))[step - 1] for c, v in BASE.items()}


@pytest.fixture(scope="module")
def init_checkpoint(tiny_model, collection, tmp_path_factory) -> Path:
    """A 'partially trained' FLAMe checkpoint: the tiny config, 2 steps on the flame mixture."""
    from flame.train.sft import train

    out = tmp_path_factory.mktemp("flame_run")
    cfg = TrainConfig.from_yaml(TINY, [f"model={tiny_model}", f"collection={collection}", f"output_dir={out}",
                                       "max_steps=2", "eval_every=0", "eval_examples=1"])
    train(cfg)
    return out / "checkpoints" / "step-000002"


def _run(init, out, evaluate, tasks=tuple(SCRIPT)):
    return run_tailpatch(init, out, start=start_config(init), tasks=list(tasks), steps=2, batch=4, evals=2,
                         evaluate=evaluate, eval_description={"scripted": 1}, missing={"Chat": "none", "Math": "none"},
                         log=lambda _: None)


def test_driver_caches_each_task_resumes_after_a_kill_and_writes_opt_rm(init_checkpoint, collection, tmp_path,
                                                                       monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("FLAME_HOME", str(home))
    out = tmp_path / "tailpatch"
    model_dir = init_checkpoint / "model"

    # killed while judging the third task: the first two are cached, the third is not
    with pytest.raises(Kill):
        _run(init_checkpoint, out, ScriptedEvaluation(model_dir, kill_at="wmt_mqm_quality"))
    assert sorted(p.stem for p in (out / "tasks").glob("*.json")) == ["hh_rlhf_harmlessness", "wmt_mqm_pairwise"]
    first = json.loads((out / "tasks" / "hh_rlhf_harmlessness.json").read_text())
    assert first["steps"] == [1, 2] and first["curves"] == {"Chat Hard": [0.7, 0.7], "Coding": [0.7, 0.7],
                                                          "Safety": [0.9, 0.9]}
    assert len(first["train"]["loss"]) == 2 and first["train"]["tokens"] > 0 and first["config_hash"]
    assert not (out / "runs" / "hh_rlhf_harmlessness").exists()  # judged runs are deleted

    # the rerun judges neither the baseline nor the finished tasks again
    evaluation = ScriptedEvaluation(model_dir)
    summary = _run(init_checkpoint, out, evaluation)
    assert summary.skipped == ["hh_rlhf_harmlessness", "wmt_mqm_pairwise"]
    assert summary.trained == ["wmt_mqm_quality", "truthfulqa_pairwise_truthfulness", "truthfulqa_truthfulness"]
    assert model_dir not in evaluation.calls
    assert {p.parents[2].name for p in evaluation.calls} == set(summary.trained)
    assert len(evaluation.calls) == 2 * 3  # two checkpoints per retrained task
    assert sorted(p.stem for p in (out / "tasks").glob("*.json")) == sorted(SCRIPT)

    # ratings and weights follow from the scripted scores
    assert summary.report["hh_rlhf_harmlessness"]["ratings"] == {"Chat Hard": 2, "Coding": 2, "Safety": 2}
    assert summary.report["wmt_mqm_quality"]["ratings"] == {"Chat Hard": 1, "Coding": 0, "Safety": 2}
    assert summary.report["truthfulqa_truthfulness"]["ratings"]["Coding"] == -1
    assert summary.weights == EXPECTED_WEIGHTS

    # the YAML it wrote is the opt-rm mixture, with those weights as rates
    assert summary.mixture == home / "mixtures" / "opt-rm.yaml"
    text = summary.mixture.read_text()
    assert "not available: Chat, Math" in text
    mix = load_mixture("opt-rm").resolve(collection)
    total = sum(EXPECTED_WEIGHTS.values())
    assert mix.rates == pytest.approx({t: w / total for t, w in EXPECTED_WEIGHTS.items()})

    # a third run trains nothing; other settings (more steps) invalidate the cache
    again = ScriptedEvaluation(model_dir)
    assert _run(init_checkpoint, out, again).trained == [] and again.calls == []
    changed = run_tailpatch(init_checkpoint, out, start=start_config(init_checkpoint), tasks=["wmt_mqm_pairwise"],
                            steps=3, batch=4, evals=1, evaluate=lambda spec: dict(BASE),
                            eval_description={"scripted": 1}, log=lambda _: None)
    assert changed.trained == ["wmt_mqm_pairwise"]
    assert json.loads((out / "tasks" / "wmt_mqm_pairwise.json").read_text())["steps"] == [3]


def test_cli_tailpatch_judges_rewardbench_categories_and_trains_opt_rm(init_checkpoint, tmp_path):
    out = tmp_path / "tp"
    result = CliRunner().invoke(train_app, ["tailpatch", "--init", str(init_checkpoint), "--tasks",
                                            "hh_rlhf_harmlessness,wmt_mqm_pairwise", "--steps", "1", "--batch", "2",
                                            "--eval-limit", "1", "--data", "mirror", "--out", str(out), "--train",
                                            "--opt-steps", "1", "--opt-batch", "2", "--keep-runs"])
    assert result.exit_code == 0, result.output
    assert "category Chat not available" in result.output and "category Math not available" in result.output
    base = json.loads((out / "baseline.json").read_text())["scores"]
    assert sorted(base) == ["Chat Hard", "Coding", "Safety"]
    assert all(0 <= v <= 1 for v in base.values())
    doc = json.loads((out / "tasks" / "wmt_mqm_pairwise.json").read_text())
    assert doc["steps"] == [1] and sorted(doc["curves"]) == ["Chat Hard", "Coding", "Safety"]
    assert "wrote" in result.output and "opt-rm.yaml" in result.output
    assert (out / "runs" / "wmt_mqm_pairwise" / "checkpoints" / "step-000001").is_dir()  # --keep-runs
    # the table comes before FLAMe-Opt-RM trains, whose line ends the output
    assert result.output.index("opt-rm.yaml") < result.output.index("trained 1 steps")
    # Opt-RM: from the base model (no init) on the written mixture
    state = json.loads((out / "opt-rm" / "checkpoints" / "step-000001" / "trainer_state.json").read_text())
    assert state["config"]["init"] == "" and state["config"]["mixture"].endswith("opt-rm.yaml")
    assert set(state["mixture"]["tasks"]) == {"hh_rlhf_harmlessness", "wmt_mqm_pairwise"}


def test_tailpatch_config_defaults_are_the_cli_defaults():
    import dataclasses

    import typer

    command = typer.main.get_command(train_app).commands["tailpatch"]
    cli = {p.name: p.default for p in command.params}
    fields = {f.name: f.default for f in dataclasses.fields(TailpatchConfig)}
    assert sorted(cli) == sorted(fields)
    assert cli.pop("init") is None and fields.pop("init") is dataclasses.MISSING  # required
    for name in ("tasks", "overrides"):  # none given: an empty list on the command line
        assert cli.pop(name) is None and fields.pop(name) == ()
    assert cli == fields
