"""The runner and `flame eval run/file`, with flame.testing's fake judge backend behind the real engine
(load_backend's batching and SQLite cache, the Autorater), on real mirror data."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flame.cli.eval import app
from flame.evals.benchmarks import BENCHMARKS
from flame.evals.runner import RunOptions, select
from flame.judge.models import BACKENDS
from flame.testing import FakeBackend

CALLS: dict[str, int] = {}


def _hash_rule(context: str, continuation: str) -> float:
    """A deterministic pseudo-random log-likelihood in (-6.7, 0] of a label after a context."""
    return -(int(hashlib.sha256(f"{context}|{continuation}".encode()).hexdigest()[:6], 16) % 997) / 150


def fake(name: str) -> FakeBackend:
    """The fake judge of spec `fake:<name>`: hash log-likelihoods, each scored request counted in
    CALLS[name]; `fail-after-N` raises RuntimeError("killed") once more than N were asked."""
    fail_after = int(name.split("-")[-1]) if name.startswith("fail-after-") else None

    def rule(context: str, continuation: str) -> float:
        CALLS[name] = CALLS.get(name, 0) + 1
        if fail_after is not None and CALLS[name] > fail_after:
            raise RuntimeError("killed")
        return _hash_rule(context, continuation)

    return FakeBackend(rule, fingerprint="fake:v1")


@pytest.fixture(autouse=True)
def fake_backend():
    BACKENDS.register("fake", lambda spec, **options: fake(spec.path))
    CALLS.clear()
    yield
    BACKENDS.unregister("fake")


def _run(tmp_path: Path, *args: str):
    result = CliRunner().invoke(app, ["run", *args, "--out", str(tmp_path), "--no-progress"])
    return result, sorted(tmp_path.glob("*.json"))


def test_run_writes_rows_aggregates_and_manifest(tmp_path, mirror):
    result, files = _run(tmp_path, "rewardbench", "aggrefact", "heldout", "--model", "fake:ok", "--limit", "3")
    assert result.exit_code == 0, result.output
    assert len(files) == 1 and f"results written to {files[0]}" in result.output
    doc = json.loads(files[0].read_text())
    rows = doc["rows"]
    assert len(rows) == 3 * (13 + 2 + 6)  # 3 per subset
    pair = next(r for r in rows if r["benchmark"] == "rewardbench")
    assert set(pair["order_probs"]) == {"AB", "BA"} and pair["orders_agree"] in (True, False)
    assert sum(pair["probs"].values()) == pytest.approx(1.0)
    m = doc["manifest"]
    assert m["model"] == {"spec": "fake:ok", "fingerprint": "fake:v1", "backend": "Cached > Batched > FakeBackend"}
    assert m["git"]["commit"] and m["template"]["hash"] and m["tasks"]["rewardbench"]
    assert set(m["scoring"]) == {"rewardbench", "aggrefact", "heldout"} and m["seed"] == 0
    assert m["judging"]["pairwise"] == "ab" and m["judging"]["swap"] is True
    rb = doc["benchmarks"]["rewardbench"]
    assert rb["data"].startswith("mirror:") and rb["aggregates"]["headline"]["overall"] is None
    # the per-subset accuracy is the mean of the rows' scores
    natural = [r["score"] for r in rows if r["subset"] == "llmbar-natural"]
    assert rb["aggregates"]["categories"]["llmbar-natural"] == pytest.approx(sum(natural) / 3)
    assert "no overall score" in result.output


def test_manifest_names_the_commit_the_run_started_on(tmp_path, mirror, monkeypatch):
    from flame.evals import runner

    # the checkout moves on (a commit) as soon as the judge has been asked anything
    monkeypatch.setattr(runner, "git_commit", lambda: {"commit": ("b" if CALLS else "a") * 40, "dirty": bool(CALLS)})
    _, files = _run(tmp_path, "heldout", "--model", "fake:ok", "--limit", "1")
    # a commit made while a long run judges is not the code that judged
    assert json.loads(files[0].read_text())["manifest"]["git"] == {"commit": "a" * 40, "dirty": False}


def test_progress_in_a_log_is_plain_lines_with_time_left(tmp_path, mirror, monkeypatch):
    from flame.evals import runner

    monkeypatch.setattr(runner, "PROGRESS_EVERY_S", 0.0)  # a line per batch instead of a minute
    result = CliRunner().invoke(app, ["run", "heldout", "--model", "fake:ok", "--limit", "2", "--out", str(tmp_path),
                                      "--batch-size", "4"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("judged ")]
    # items of a batch come back together, so a line counts whole batches of 4
    assert [line.split(" items")[0] for line in lines] == [f"judged {n} / 12" for n in (4, 8, 12)]
    assert lines[0].startswith("judged 4 / 12 items (33.3%) in ") and "left" in lines[0]
    assert lines[-1].startswith("judged 12 / 12 items (100.0%) in ") and "left" not in lines[-1]
    quiet = CliRunner().invoke(app, ["run", "heldout", "--model", "fake:ok", "--limit", "2", "--out", str(tmp_path),
                                     "--no-progress"])
    assert "judged " not in quiet.stderr


def test_rerun_resumes_from_cached_judgments(tmp_path, mirror):
    _, first = _run(tmp_path / "a", "heldout", "--model", "fake:ok", "--limit", "4")
    asked = CALLS["ok"]
    assert asked == 6 * 4 * 2 * 2  # 24 pairs x 2 orders x 2 labels
    _, second = _run(tmp_path / "b", "heldout", "--model", "fake:ok", "--limit", "4")
    assert CALLS["ok"] == asked  # nothing asked again
    rows = lambda p: [(r["uid"], r["verdict"], r["probs"]) for r in json.loads(p[0].read_text())["rows"]]
    assert rows(first) == rows(second)
    assert json.loads(second[0].read_text())["manifest"]["cache"] == {"hits": asked, "misses": 0}


def test_killed_run_leaves_no_results_and_resumes(tmp_path, mirror):
    result, files = _run(tmp_path, "heldout", "--model", "fake:fail-after-40", "--limit", "4", "--batch-size", "2")
    assert isinstance(result.exception, RuntimeError) and files == []
    assert list(tmp_path.glob(".*part")) == []
    CALLS.clear()
    result, files = _run(tmp_path, "heldout", "--model", "fake:ok", "--limit", "4", "--batch-size", "2")
    assert result.exit_code == 0 and len(files) == 1
    assert CALLS["ok"] < 80  # the answers cached before the kill were not asked again


def test_results_do_not_depend_on_batch_size(tmp_path, mirror):
    _, one = _run(tmp_path / "1", "heldout", "--model", "fake:ok", "--limit", "3", "--batch-size", "1", "--no-cache")
    _, eight = _run(tmp_path / "8", "heldout", "--model", "fake:ok", "--limit", "3", "--batch-size", "8", "--no-cache")
    strip = lambda p: [{k: v for k, v in r.items()} for r in json.loads(p[0].read_text())["rows"]]
    assert strip(one) == strip(eight)


def test_sample_protocol_keeps_rewardbench_whole(mirror):
    rb, ho = BENCHMARKS.get("rewardbench"), BENCHMARKS.get("heldout")
    rb_items = rb.load("mirror").items
    ho_items = ho.load("mirror").items
    assert len(select(rb, rb_items, RunOptions(sample=256))[0]) == len(rb_items)
    picked, how = select(ho, ho_items, RunOptions(sample=30, seed=1))
    assert len(picked) == 6 * 30 and how == {"mode": "sample 30 per subset", "seed": 1}
    assert [i.example.uid for i in picked] == [i.example.uid for i in select(ho, ho_items, RunOptions(sample=30, seed=1))[0]]
    assert picked != select(ho, ho_items, RunOptions(sample=30, seed=2))[0]
    assert len(select(rb, rb_items, RunOptions(limit=2))[0]) == 2 * 13


def test_limit_and_sample_together_is_refused(tmp_path):
    result, _ = _run(tmp_path, "heldout", "--model", "fake:ok", "--limit", "2", "--sample", "3")
    assert result.exit_code != 0 and "either limit or sample" in result.output


def test_unknown_benchmark_suggests_the_name(tmp_path):
    result, _ = _run(tmp_path, "rewardbnch", "--model", "fake:ok")
    assert result.exit_code == 1 and "did you mean 'rewardbench'" in result.output


def test_cobbler_in_separate_mode_measures_length_and_says_the_order_probes_are_zero_by_construction(tmp_path,
                                                                                                      mirror):
    result, files = _run(tmp_path, "cobbler", "--model", "fake:ok", "--pairwise", "separate", "--limit", "30")
    assert result.exit_code == 0, result.output
    doc = json.loads(files[0].read_text())
    assert all(r["order_labels"] == {} and r["verdict"] in ("A", "B") for r in doc["rows"])  # one verdict a pair
    agg = doc["benchmarks"]["cobbler"]["aggregates"]
    head = agg["headline"]
    assert head["order"] == head["compassion"] == head["bandwagon"] == head["attention"] == 0
    length = agg["tables"]["length"][0]
    assert 0 < length["n"] == sum(r["len_a"] != r["len_b"] for r in doc["rows"] if r["subset"] == "Order")
    longer = sum((r["verdict"] == "A") == (r["len_a"] > r["len_b"]) for r in doc["rows"]
                 if r["subset"] == "Order" and r["len_a"] != r["len_b"])
    assert head["length"] == pytest.approx(abs(longer / length["n"] - 0.5))
    assert any("by construction" in note for note in agg["notes"])
    ab, ab_files = _run(tmp_path / "ab", "cobbler", "--model", "fake:ok", "--limit", "30")
    assert not any("by construction" in note for note in json.loads(ab_files[0].read_text())["benchmarks"]["cobbler"]
                   ["aggregates"]["notes"])


def test_an_unknown_pairwise_mode_is_refused(tmp_path):
    bogus, _ = _run(tmp_path, "heldout", "--model", "fake:ok", "--pairwise", "alone")
    assert bogus.exit_code == 2 and "--pairwise" in bogus.output and "got 'alone'" in bogus.output


def _jsonl(path: Path, records) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def _file(tmp_path: Path, path: Path, *args: str):
    result = CliRunner().invoke(app, ["file", str(path), *args, "--model", "fake:ok", "--out", str(tmp_path / "out"),
                                      "--no-progress"])
    files = sorted((tmp_path / "out").glob("*.json"))
    return result, (json.loads(files[0].read_text()) if files else None)


def test_eval_file_pairwise_with_ties(tmp_path):
    path = _jsonl(tmp_path / "p.jsonl", [
        {"prompt": "Capital of France?", "response_a": "Paris.", "response_b": "Lyon.", "label": "A", "subset": "geo"},
        {"prompt": "2+2?", "response_a": "5", "response_b": "4", "label": "B", "subset": "math"},
        {"prompt": "Say hi", "response_a": "Hi", "response_b": "Hello", "label": "tie", "subset": "math"},
    ])
    result, doc = _file(tmp_path, path, "--task", "pairwise")
    assert result.exit_code == 0, result.output
    assert all(set(r["probs"]) == {"A", "B", "tie"} for r in doc["rows"])
    table = {t["subset"]: t for t in doc["benchmarks"][f"file:{path.name}"]["aggregates"]["tables"]["subsets"]}
    assert table["all"]["n"] == 3 and table["math"]["n"] == 2
    assert table["all"]["accuracy"] == pytest.approx(sum(r["score"] for r in doc["rows"]) / 3)
    alone, doc = _file(tmp_path / "separate", path, "--task", "pairwise", "--pairwise", "separate")
    assert alone.exit_code == 0, alone.output
    assert doc["manifest"]["judging"]["pairwise"] == "separate"
    assert all(r["order_labels"] == {} and r["probs"]["tie"] == 0.0 for r in doc["rows"])


def test_eval_file_pointwise_and_classification(tmp_path):
    path = _jsonl(tmp_path / "s.jsonl", [{"prompt": "p", "response": f"r{i}", "label": i} for i in (1, 3, 5, 2)])
    result, doc = _file(tmp_path, path, "--task", "pointwise", "--scale", "1-5")
    assert result.exit_code == 0, result.output
    head = doc["benchmarks"][f"file:{path.name}"]["aggregates"]["headline"]
    expected = [r["expected"] for r in doc["rows"]]
    assert head["mae"] == pytest.approx(sum(abs(e - t) for e, t in zip(expected, (1, 3, 5, 2))) / 4)
    assert -1 <= head["pearson"] <= 1 and -1 <= head["spearman"] <= 1
    path = _jsonl(tmp_path / "c.jsonl", [{"text": t, "label": lab} for t, lab in
                                         (("great!", "positive"), ("awful", "negative"), ("fine", "positive"))])
    result, doc = _file(tmp_path, path, "--task", "classification")
    head = doc["benchmarks"][f"file:{path.name}"]["aggregates"]["headline"]
    assert result.exit_code == 0 and set(doc["rows"][0]["probs"]) == {"negative", "positive"}
    assert 0 <= head["balanced_accuracy"] <= 1


def test_eval_file_bad_row_names_file_row_and_field(tmp_path):
    path = _jsonl(tmp_path / "bad.jsonl", [{"prompt": "p", "response_a": "a", "response_b": "b", "label": "A"},
                                           {"prompt": "p", "response_a": "a", "label": "B"}])
    result, doc = _file(tmp_path, path, "--task", "pairwise")
    assert result.exit_code == 1 and doc is None
    assert f"{path}, row 2: field 'response_b': missing" in result.output
    result, _ = _file(tmp_path, _jsonl(tmp_path / "l.jsonl", [{"prompt": "p", "response_a": "a", "response_b": "b",
                                                               "label": "C"}]), "--task", "pairwise")
    assert result.exit_code == 1 and "row 1: field 'label'" in result.output


def test_items_are_judged_in_prompt_order_and_rows_keep_item_order(mirror):
    """Judging in prompt order lets a prefix KV cache reuse shared prefixes; the results
    file still lists rows in the benchmark's item order."""
    from flame.core.template import render
    from flame.evals.runner import judge_all, prepare

    options = RunOptions(limit=3, batch_size=1)  # one item per backend call
    (prepared,) = prepare([BENCHMARKS.get("cobbler")], options)
    texts = [render(it.task, it.example).text for it in prepared.items]
    backend = fake("ok")
    calls = []
    score = backend.score
    backend.score = lambda reqs: (calls.append({r.context for r in reqs}), score(reqs))[1]
    rows = judge_all([prepared], backend, options)["cobbler"]

    assert [r["uid"] for r in rows] == [it.example.uid for it in prepared.items]
    judged = [next(i for i, t in enumerate(texts) if any(c.startswith(t) for c in call)) for call in calls]
    assert sorted(judged) == list(range(len(texts)))  # each item judged once
    assert [texts[i] for i in judged] == sorted(texts) and judged != sorted(judged)


def test_progress_time_left_follows_the_latest_rate_not_the_cached_start():
    import io

    from flame.evals import runner

    now, out = [0.0], io.StringIO()
    lines = runner.ProgressLines(1000, stream=out, clock=lambda: now[0])
    for _ in range(900):  # a resumed run: 900 items come from the judgment cache in a minute
        lines(1)
    now[0] = runner.PROGRESS_EVERY_S
    lines(1)
    now[0] += runner.PROGRESS_EVERY_S  # then 10 items a minute are judged
    lines(10)
    last = out.getvalue().splitlines()[-1]
    # 89 items left at 10 a minute: about 9 min, not the seconds the whole-run rate would promise
    assert last.startswith("judged 911 / 1,000 items (91.1%) in 2 min, 0.17 items/s, about 9 min left"), last
