"""Mixtures: rates (cap, temperature, YAML weights), the named mixtures, and the resumable stream."""

from __future__ import annotations

import json
import math
from collections import Counter

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from flame.cli.mix import app as mix_app
from flame.core.errors import DataError
from flame.core.registry import RegistryError
from flame.data.mixture import (
    MIXTURES, Collection, MixtureError, MixtureSpec, MixtureStream, load_mixture, mixing_rates,
)


def _all_uids(collection, task):
    return [r for s in Collection(collection).shards("train", task) for r in pq.read_table(s, columns=["uid"])["uid"].to_pylist()]


def test_examples_proportional_rates_are_capped():
    rates = mixing_rates({"big": 10 * 2**16, "mid": 2**16, "small": 1000})
    assert rates["big"] == pytest.approx(rates["mid"])  # the cap stops the big task from dominating
    assert rates["small"] / rates["mid"] == pytest.approx(1000 / 2**16)
    assert sum(rates.values()) == pytest.approx(1.0)
    uncapped = mixing_rates({"big": 10 * 2**16, "small": 1000}, cap=10**9)
    assert uncapped["big"] / uncapped["small"] == pytest.approx(10 * 2**16 / 1000)


def test_temperature_flattens_rates():
    counts = {"a": 40000, "b": 2500}
    plain, hot = mixing_rates(counts), mixing_rates(counts, temperature=2.0)
    assert plain["a"] / plain["b"] == pytest.approx(16)
    assert hot["a"] / hot["b"] == pytest.approx(4)  # sqrt at T=2
    with pytest.raises(MixtureError, match="temperature"):
        mixing_rates(counts, temperature=0)


def test_yaml_weights_replace_the_rule(tmp_path, collection):
    counts = Collection(collection).counts("train")
    tasks = sorted(counts)
    path = tmp_path / "mine.yaml"
    path.write_text(
        "name: mine\ntasks:\n"
        f"  {tasks[0]}: {{weight: 300}}\n  {tasks[1]}: {{weight: 100}}\n  {tasks[2]}:\n"
    )
    mix = load_mixture(path).resolve(collection)
    assert set(mix.rates) == set(tasks[:3])
    assert mix.rates[tasks[0]] / mix.rates[tasks[1]] == pytest.approx(3)
    # the third task has no weight: it keeps its examples-proportional rate units
    assert mix.rates[tasks[2]] / mix.rates[tasks[1]] == pytest.approx(counts[tasks[2]] / 100)

    override = tmp_path / "over.yaml"
    override.write_text(f"name: over\ntasks: all\ncap: 10\nweights: {{{tasks[0]}: 50}}\n")
    mix = load_mixture(override).resolve(collection)
    assert mix.rates[tasks[0]] / mix.rates[tasks[1]] == pytest.approx(5)  # 50 against the cap of 10


def test_bad_yaml_names_file_and_field(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: bad\ntasks: all\ncap: lots\n")
    with pytest.raises(DataError, match=r"bad\.yaml.*'cap'"):
        MixtureSpec.from_yaml(path)
    path.write_text("name: bad\ntasks: all\nrate: sometimes\n")
    with pytest.raises(DataError, match="'rate'"):
        MixtureSpec.from_yaml(path)


def test_named_mixtures(collection, tmp_path, monkeypatch):
    assert {"flame", "flame-rm", "opt-rm"} <= set(MIXTURES.names())
    flame = load_mixture("flame").resolve(collection)
    counts = Collection(collection).counts("train")
    assert set(flame.rates) == set(counts)  # every train task of the collection
    assert flame.rates["wmt_mqm_quality"] / flame.rates["hh_rlhf_harmlessness"] == pytest.approx(
        counts["wmt_mqm_quality"] / counts["hh_rlhf_harmlessness"])

    rm_spec = load_mixture("flame-rm")
    rm = rm_spec.resolve(collection)
    assert sorted(rm.rates) == ["hh_rlhf_harmlessness", "truthfulqa_pairwise_truthfulness", "wmt_mqm_pairwise"]
    assert all(r == pytest.approx(1 / 3) for r in rm.rates.values())
    assert "substitute" in rm_spec.notes["wmt_mqm_pairwise"] and "HelpSteer" in rm_spec.notes["wmt_mqm_pairwise"]
    assert "CommitPack" in rm_spec.missing

    with pytest.raises(MixtureError, match="flame train tailpatch"):
        load_mixture("opt-rm")
    with pytest.raises(RegistryError, match="did you mean 'flame-rm'"):
        load_mixture("flame_rm")

    # a mixture naming a task the collection lacks fails with the task and the folder
    path = tmp_path / "gap.yaml"
    path.write_text("name: gap\ntasks: [hh_rlhf_harmlessness, helpsteer_helpfulness]\n")
    with pytest.raises(MixtureError, match="helpsteer_helpfulness"):
        load_mixture(path).resolve(collection)

    # opt-rm, once tail-patch writes it under $FLAME_HOME/mixtures, resolves like the others
    home = tmp_path / "home"
    (home / "mixtures").mkdir(parents=True)
    (home / "mixtures" / "opt-rm.yaml").write_text("name: opt-rm\ntasks:\n  hh_rlhf_harmlessness: {weight: 200000}\n  wmt_mqm_pairwise: {weight: 3000}\n")
    monkeypatch.setenv("FLAME_HOME", str(home))
    opt = load_mixture("opt-rm").resolve(collection)
    assert opt.rates["hh_rlhf_harmlessness"] / opt.rates["wmt_mqm_pairwise"] == pytest.approx(200000 / 3000)


def test_stream_is_seeded_and_follows_the_rates(collection):
    mix = load_mixture("flame").resolve(collection)
    a = [r["uid"] for r in mix.stream(seed=1, buffer=16).take(3000)]
    assert a == [r["uid"] for r in mix.stream(seed=1, buffer=16).take(3000)]
    assert a != [r["uid"] for r in mix.stream(seed=2, buffer=16).take(3000)]

    tasks = Counter(r["task"] for r in mix.stream(seed=1, buffer=16).take(3000))
    for task, rate in mix.rates.items():
        sd = math.sqrt(3000 * rate * (1 - rate))
        assert abs(tasks[task] - 3000 * rate) < 4 * sd + 1, task


def test_each_task_cycles_through_all_its_rows_once_per_epoch(collection):
    task = "hh_rlhf_harmlessness"
    uids = _all_uids(collection, task)
    assert len(Collection(collection).shards("train", task)) > 1  # spans several shards
    stream = MixtureStream(collection, {task: 1.0}, seed=3, buffer=8)
    epoch1 = [r["uid"] for r in stream.take(len(uids))]
    epoch2 = [r["uid"] for r in stream.take(len(uids))]
    assert sorted(epoch1) == sorted(uids) == sorted(epoch2)
    assert epoch1 != uids  # shuffled, not source order
    assert epoch1 != epoch2  # reshuffled every epoch


def test_state_restores_the_exact_position(collection):
    mix = load_mixture("flame").resolve(collection)
    stream = mix.stream(seed=5, buffer=16)
    stream.take(437)  # mid-shard for most tasks, past an epoch for some
    state = json.loads(json.dumps(stream.state_dict()))  # checkpoints store it as JSON
    expected = [r["uid"] for r in stream.take(500)]

    resumed = mix.stream(seed=5, buffer=16)
    resumed.load_state_dict(state)
    assert [r["uid"] for r in resumed.take(500)] == expected

    with pytest.raises(MixtureError, match="seed"):
        mix.stream(seed=6, buffer=16).load_state_dict(state)


def test_mix_show_prints_rates_and_expected_examples(collection):
    runner = CliRunner()
    result = runner.invoke(mix_app, ["show", "flame-rm", "--steps", "50", "--batch", "8",
                                     "--collection", str(collection), "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    rows = {r["task"]: r for r in payload["tasks"]}
    assert sum(r["expected"] for r in rows.values()) == pytest.approx(400, abs=0.5)
    assert "PRM800K" in rows["truthfulqa_pairwise_truthfulness"]["note"]
    assert "CommitPack" in payload["missing"]

    text = runner.invoke(mix_app, ["show", "flame", "--collection", str(collection)], env={"COLUMNS": "200"})
    assert text.exit_code == 0, text.output
    assert "hh_rlhf_harmlessness" in text.output and "65536" in text.output

    missing = runner.invoke(mix_app, ["show", "opt-rm", "--collection", str(collection)])
    assert missing.exit_code == 1 and "tailpatch" in missing.output


def test_every_shipped_mixture_names_only_training_tasks_that_a_source_declares():
    from flame.core.records import Role
    from flame.data.sources import SOURCES

    declared = {t.name for name in SOURCES.names() for t in SOURCES.get(name).tasks if t.role in (Role.TRAIN, Role.BOTH)}
    for name in MIXTURES.names():
        if name == "opt-rm":  # written by tail-patch, not shipped
            continue
        spec = load_mixture(name)
        named = set(spec.tasks or ()) | set(spec.weights)
        assert named <= declared, f"{name}: {sorted(named - declared)}"
