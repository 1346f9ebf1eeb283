"""Batch jobs on a scripted backend: validation, results in line order, paging, ordering,
resuming after a restart (the kill -9 case is in test_crash.py)."""

from __future__ import annotations

import itertools
import json
import time

import pytest
from fastapi.testclient import TestClient

from flame.serve import Settings, create_app
from flame.serve.jobs import StateDirBusy


def _jsonl(rows) -> str:
    return "\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n"


def _pairs(n: int, start: int = 0):
    return [{"prompt": f"question {i}", "response_a": f"a{i}", "response_b": f"b{i}", "id": f"q{i}"}
            for i in range(start, start + n)]


def _wait_done(client, job_id: str, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/v1/jobs/{job_id}").json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish: {job}")


def test_job_results_follow_the_cli_conventions(scripted, tmp_path):
    rows = [{"prompt": "p", "response_a": "a", "response_b": "b", "id": 5, "label": "ignored"},
            "",  # blank lines are skipped
            {"prompt": "p2", "response_a": "a2", "response_b": "b2", "criteria": "Prefer brevity."}]
    with TestClient(create_app(scripted(), Settings(state_dir=tmp_path))) as client:
        r = client.post("/v1/jobs", json={"task": "pairwise", "jsonl": _jsonl(rows)})
        assert r.status_code == 202 and r.json()["total"] == 2
        job = _wait_done(client, r.json()["id"])
        direct = client.post("/v1/judge/pairwise", json={"prompt": "p2", "response_a": "a2", "response_b": "b2",
                                                          "criteria": "Prefer brevity."}).json()
    assert job["status"] == "done" and job["done"] == 2 and job["invalid"] == 0
    assert [(x["id"], x["line"]) for x in job["results"]] == [("5", 1), ("line:3", 3)]
    assert job["results"][1]["probs"] == direct["probs"]  # the line's own criteria were used


def test_pointwise_and_classification_jobs_use_the_job_options(scripted, tmp_path):
    with TestClient(create_app(scripted(), Settings(state_dir=tmp_path))) as client:
        rated = client.post("/v1/jobs", json={"task": "pointwise", "scale": "0-2",
                                              "jsonl": _jsonl([{"prompt": "p", "response": "r"}])}).json()
        classed = client.post("/v1/jobs", json={"task": "classification", "classes": ["Yes", "No"],
                                                "jsonl": _jsonl([{"text": "t", "question": "Is it?"}])}).json()
        rated, classed = _wait_done(client, rated["id"]), _wait_done(client, classed["id"])
    assert set(rated["results"][0]["probs"]) == {"0", "1", "2"}
    assert set(classed["results"][0]["probs"]) == {"Yes", "No"}


@pytest.mark.parametrize("job, message", [
    ({"task": "pairwise", "jsonl": _jsonl(_pairs(2) + [{"prompt": "p", "response_a": "a"}])},
     "jsonl, row 3: field 'response_b': missing"),
    ({"task": "pairwise", "jsonl": _jsonl(_pairs(1) + ["{not json"])}, "jsonl, row 2: not valid JSON"),
    ({"task": "pairwise", "jsonl": _jsonl(_pairs(2) + _pairs(1))}, "jsonl, row 3: field 'id': duplicate id 'q0'"),
    ({"task": "pairwise", "jsonl": _jsonl([{"prompt": "p", "response_a": 1, "response_b": "b"}])},
     "jsonl, row 1: field 'response_a': must be a string, got int"),
    ({"task": "pairwise", "jsonl": "\n\n"}, "no lines to judge"),
    ({"task": "classification", "jsonl": _jsonl([{"text": "t"}])}, "classes: Field required"),
    ({"task": "pointwise", "jsonl": _jsonl([{"prompt": "p", "response": "r"}]), "classes": ["Y", "N"]},
     "unknown field 'classes'"),
    ({"task": "ranking", "jsonl": "{}"}, "Input tag 'ranking' found using 'task' does not match"),
])
def test_a_bad_job_is_refused_whole_naming_line_and_field(scripted, tmp_path, job, message):
    with TestClient(create_app(scripted(), Settings(state_dir=tmp_path))) as client:
        r = client.post("/v1/jobs", json=job)
        assert r.status_code == 422
        body = r.json()
        assert message in (body.get("message") or body["detail"])
        assert client.get("/health").json()["jobs_pending"] == 0


def test_results_page_and_unknown_jobs_are_404(scripted, tmp_path):
    with TestClient(create_app(scripted(), Settings(state_dir=tmp_path))) as client:
        job_id = client.post("/v1/jobs", json={"task": "pairwise", "jsonl": _jsonl(_pairs(25))}).json()["id"]
        _wait_done(client, job_id)
        first = client.get(f"/v1/jobs/{job_id}", params={"limit": 10}).json()
        last = client.get(f"/v1/jobs/{job_id}", params={"offset": 20, "limit": 10}).json()
        assert client.get("/v1/jobs/nosuchjob").status_code == 404
    assert [x["id"] for x in first["results"]] == [f"q{i}" for i in range(10)] and first["next_offset"] == 10
    assert [x["id"] for x in last["results"]] == [f"q{i}" for i in range(20, 25)] and last["next_offset"] is None


def test_jobs_run_in_submission_order(scripted, tmp_path):
    with TestClient(create_app(scripted(delay=0.01), Settings(state_dir=tmp_path, max_batch=4))) as client:
        ids = [client.post("/v1/jobs", json={"task": "pairwise", "jsonl": _jsonl(_pairs(12, 100 * k))}).json()["id"]
               for k in range(3)]
        jobs = [_wait_done(client, i) for i in ids]
    for earlier, later in itertools.pairwise(jobs):
        assert earlier["finished_at"] <= later["started_at"]


def test_a_stopped_server_resumes_its_job_without_repeating_lines(scripted, tmp_path):
    backend = scripted(delay=0.05)
    with TestClient(create_app(backend, Settings(state_dir=tmp_path, max_batch=2))) as client:
        job_id = client.post("/v1/jobs", json={"task": "pairwise", "jsonl": _jsonl(_pairs(40))}).json()["id"]
        while client.get(f"/v1/jobs/{job_id}").json()["done"] < 4:
            time.sleep(0.02)
    # Leaving the block shut the server down mid-job; a new server on the same state dir resumes.
    with TestClient(create_app(scripted(), Settings(state_dir=tmp_path))) as client:
        job = _wait_done(client, job_id)
        results = client.get(f"/v1/jobs/{job_id}", params={"limit": 100}).json()["results"]
    assert job["status"] == "done" and job["done"] == 40
    assert [x["id"] for x in results] == [f"q{i}" for i in range(40)]
    assert sum(n // 4 for n in backend.score_calls) < 40  # the first server really stopped part-way


def test_two_servers_cannot_share_a_state_dir(scripted, tmp_path):
    with (TestClient(create_app(scripted(), Settings(state_dir=tmp_path))),
          pytest.raises(StateDirBusy, match="another flame serve is using"),
          TestClient(create_app(scripted(), Settings(state_dir=tmp_path)))):
        pass


def test_a_classification_job_judges_long_texts_in_chunks_with_split_long(scripted, tmp_path):
    text = " ".join(f"Sentence {i} of a long text." for i in range(600))  # about 4,000 tokens
    with TestClient(create_app(scripted(), Settings(state_dir=tmp_path, max_input_tokens=1000))) as client:
        plain = client.post("/v1/jobs", json={"task": "classification", "classes": ["Yes", "No"],
                                              "jsonl": _jsonl([{"text": text}])}).json()
        split = client.post("/v1/jobs", json={"task": "classification", "classes": ["Yes", "No"], "split_long": "Yes",
                                              "jsonl": _jsonl([{"text": text}])}).json()
        plain, split = _wait_done(client, plain["id"]), _wait_done(client, split["id"])
    assert not plain["results"][0]["valid"] and "at most 1000" in plain["results"][0]["error"]
    assert split["results"][0]["valid"] and split["results"][0]["chunks"] >= 4
