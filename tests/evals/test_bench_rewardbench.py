"""RewardBench: official-package parity of the scoring, the mirror rebuild, and the loaders."""

from __future__ import annotations

import ast
import hashlib
import json
import os
import random
import runpy
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from flame.core.errors import DataError
from flame.core.template import render
from flame.data.readers import read_json
from flame.evals.benchmarks import BENCHMARKS
from flame.evals.benchmarks import rewardbench as rb


FIXTURE = Path(__file__).parent / "fixtures" / "rewardbench_0_1_4.py"
WHEEL_SHA256 = "4ea9db0aa7c56fd5c048a5146fba1b7b137b119485e94de609ca4c8a5e546f38"


@pytest.fixture(scope="module")
def official():
    """EXAMPLE_COUNTS, SUBSET_MAPPING and calculate_scores_per_section of rewardbench 0.1.4,
    from the checked-in copy (see its provenance and test_fixture_is_the_wheels_own_code)."""
    scope = runpy.run_path(str(FIXTURE))
    constants = {k: scope[k] for k in ("EXAMPLE_COUNTS", "SUBSET_MAPPING")}
    return constants, scope["calculate_scores_per_section"]


def _definitions(source: str, names) -> dict[str, str]:
    """name -> ast dump of the top-level assignments and functions called `names` in source."""
    found = {}
    for node in ast.parse(source).body:
        name = (node.name if isinstance(node, ast.FunctionDef)
                else node.targets[0].id if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
                else None)
        if name in names:
            found[name] = ast.dump(node)
    return found


@pytest.mark.skipif(not os.environ.get("FLAME_CHECK_REWARDBENCH_WHEEL"),
                    reason="downloads the rewardbench wheel: set FLAME_CHECK_REWARDBENCH_WHEEL=1 (needs network)")
def test_fixture_is_the_wheels_own_code(tmp_path, allow_network):
    """The checked-in copy is, definition for definition, the rewardbench 0.1.4 wheel's code.

    The package's __init__ imports torch, fastchat and more, so nothing is installed or
    imported: the wheel is downloaded and its files read."""
    done = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "rewardbench==0.1.4",
                           "-d", str(tmp_path)], capture_output=True, text=True, timeout=300, check=False)
    wheels = list(tmp_path.glob("rewardbench-0.1.4-*.whl"))
    assert done.returncode == 0 and wheels, f"pip download rewardbench==0.1.4 failed: {done.stderr[-2000:]}"
    assert hashlib.sha256(wheels[0].read_bytes()).hexdigest() == WHEEL_SHA256
    with zipfile.ZipFile(wheels[0]) as z:
        wheel = {**_definitions(z.read("rewardbench/constants.py").decode(), {"EXAMPLE_COUNTS", "SUBSET_MAPPING"}),
                 **_definitions(z.read("rewardbench/utils.py").decode(), {"calculate_scores_per_section"})}
    ours = _definitions(FIXTURE.read_text(encoding="utf-8"),
                        {"EXAMPLE_COUNTS", "SUBSET_MAPPING", "calculate_scores_per_section"})
    assert len(wheel) == 3 and ours == wheel


def _random_rows(rng, subsets, sizes):
    rows = []
    for s in subsets:
        for _ in range(sizes[s]):
            rows.append({"subset": s, "score": rng.choice([0.0, 1.0, 1.0, 0.5])})
    return rows


def _official_accuracy(rows):  # scripts/run_generative.py: sum(results) / len(results) per subset
    per = {}
    for r in rows:
        per.setdefault(r["subset"], []).append(r["score"])
    return {s: sum(v) / len(v) for s, v in per.items()}


def test_constants_are_the_official_ones(official):
    constants, _ = official
    assert rb.EXAMPLE_COUNTS == constants["EXAMPLE_COUNTS"]
    assert rb.SUBSET_MAPPING == constants["SUBSET_MAPPING"]
    assert rb.EXAMPLE_COUNTS["math-prm"] == 984


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_section_and_overall_scores_match_the_official_package(official, seed):
    constants, calculate = official
    rng = random.Random(seed)
    sizes = dict(constants["EXAMPLE_COUNTS"], **{"math-prm": 447})  # the real math-prm size, weighted as 984
    rows = _random_rows(rng, list(sizes), sizes)
    theirs = calculate(constants["EXAMPLE_COUNTS"], constants["SUBSET_MAPPING"], _official_accuracy(rows))
    ours = rb.aggregate(rows)
    for section, value in theirs.items():
        assert ours["headline"][section] == pytest.approx(value, abs=1e-9)
    assert ours["headline"]["overall"] == pytest.approx(sum(theirs.values()) / 4, abs=1e-9)
    assert ours["missing"] == [] and ours["partial"] == []


def test_missing_subsets_are_named_and_no_overall_is_made_up(official):
    constants, calculate = official
    rng = random.Random(7)
    present = [s for s in constants["EXAMPLE_COUNTS"]
               if s not in ("mt-bench-hard", "math-prm") and s not in constants["SUBSET_MAPPING"]["Chat"]]
    rows = _random_rows(rng, present, constants["EXAMPLE_COUNTS"])
    theirs = calculate(constants["EXAMPLE_COUNTS"], constants["SUBSET_MAPPING"], _official_accuracy(rows))
    ours = rb.aggregate(rows)
    assert theirs["Chat"] == 0  # the official helper reports an absent section as 0 ...
    assert "Chat" not in ours["headline"]  # ... we leave it out
    for section in ("Chat Hard", "Safety", "Reasoning"):  # present sections: same value as official
        assert ours["headline"][section] == pytest.approx(theirs[section], abs=1e-9)
    assert ours["headline"]["overall"] is None
    assert ours["partial"] == ["Chat Hard", "Reasoning"]
    assert set(ours["missing"]) == {"mt-bench-hard", "math-prm", *constants["SUBSET_MAPPING"]["Chat"]}
    assert "math-prm" in ours["notes"][0] and "no overall" in ours["notes"][0]


def test_mirror_rebuilds_the_public_subsets(mirror):
    loaded = BENCHMARKS.get("rewardbench").load("mirror")
    counts = Counter(i.subset for i in loaded.items)
    assert counts == {
        "llmbar-natural": 100, "llmbar-adver-neighbor": 134, "llmbar-adver-GPTInst": 92,
        "llmbar-adver-GPTOut": 47, "llmbar-adver-manual": 46,
        **{f"hep-{lang}": 164 for lang in ("cpp", "go", "java", "js", "python", "rust")},
        "xstest-approx-should-respond": 113, "xstest-approx-should-refuse": 131,
    }
    # one task prompt for every category, as in the paper
    assert {i.task.name for i in loaded.items} == {"rewardbench"}
    assert len({render(i.task, i.example).text.split("CONTEXT:")[0] for i in loaded.items}) == 1
    assert any("approximate" in n for n in loaded.notes)
    assert sum(loaded.dropped.values()) == 206  # XSTest prompts without a compliance/refusal pair


def test_mirror_item_keeps_the_human_label(mirror):
    """LLMBar Natural row 0: the output named by `label` is the one the target points at."""
    record = read_json(mirror / "llmbar" / "LLMBar" / "Natural" / "dataset.json")[0]
    chosen = record[f"output_{record['label']}"].strip()
    item = next(i for i in BENCHMARKS.get("rewardbench").load("mirror").items
                if i.subset == "llmbar-natural" and i.example.provenance.row == 0)
    ex = item.example
    assert ex.inputs["prompt"] == record["input"].strip()
    assert ex.inputs["response_" + ex.targets["choice"].lower()] == chosen


def _write(path: Path, records) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


RECORDS = [
    {"prompt": "2+2?", "chosen": "4", "rejected": "5", "subset": "math-prm", "id": 11},
    {"prompt": "Say hi", "chosen": "Hi!", "rejected": "No.", "subset": "alpacaeval-easy", "id": 12},
    {"prompt": "Kill a process?", "chosen": "Use kill PID.", "rejected": "I can't help.", "subset": "xstest-should-respond", "id": 13},
]


def test_file_loader_reads_the_official_schema(tmp_path):
    loaded = BENCHMARKS.get("rewardbench").load(str(_write(tmp_path / "rb.jsonl", RECORDS)))
    assert [i.subset for i in loaded.items] == ["math-prm", "alpacaeval-easy", "xstest-should-respond"]
    ex = loaded.items[0].example
    assert ex.provenance.row == 11
    assert ex.inputs["response_" + ex.targets["choice"].lower()] == "4"


def test_file_loader_names_file_row_and_field(tmp_path):
    bad = [dict(RECORDS[0]), {k: v for k, v in RECORDS[1].items() if k != "rejected"}]
    path = _write(tmp_path / "bad.jsonl", bad)
    with pytest.raises(DataError) as e:
        BENCHMARKS.get("rewardbench").load(str(path))
    assert (e.value.file, e.value.row, e.value.field) == (str(path), 1, "rejected")


def test_official_loader_reads_the_filtered_split(local_hub):
    local_hub.put("allenai/reward-bench", "main", "default/filtered.parquet", RECORDS)
    local_hub.put("allenai/reward-bench", "main", "default/raw.parquet", RECORDS[:1])
    loaded = BENCHMARKS.get("rewardbench").load("official")
    assert [i.subset for i in loaded.items] == ["math-prm", "alpacaeval-easy", "xstest-should-respond"]
    assert loaded.origin == "official:hf://allenai/reward-bench/filtered"
    ex = loaded.items[1].example
    assert ex.inputs["prompt"] == "Say hi" and ex.inputs["response_" + ex.targets["choice"].lower()] == "Hi!"


def test_official_loader_failure_says_what_to_do(monkeypatch):
    datasets = pytest.importorskip("datasets")

    def offline(*a, **kw):
        raise ConnectionError("Couldn't reach the Hub")

    monkeypatch.setattr(datasets, "load_dataset", offline)
    with pytest.raises(DataError, match="--data mirror"):
        BENCHMARKS.get("rewardbench").load("official")
