"""POST /v1/rerank: the best of a prompt's candidates over HTTP, as `Judge.rerank` picks it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from flame import Judge
from flame.serve import Settings, create_app

ITEM = {"prompt": "What is 2+2?", "candidates": ["4", "5", "", "four"]}


def _client(backend, tmp_path, **options):
    return TestClient(create_app(backend, Settings(state_dir=tmp_path / "state", **options)))


def test_a_tournament_and_pointwise_scores_answer_as_judge_rerank_does(scripted, tmp_path):
    backend = scripted()
    judge = Judge(backend)
    with _client(backend, tmp_path) as client:
        one = client.post("/v1/rerank", json={**ITEM, "id": 5})
        many = client.post("/v1/rerank", json=[
            {**ITEM, "method": "pointwise", "scale": "1-7", "criteria": "Is it correct?"},
            {**ITEM, "method": "pointwise", "question": "Is the answer 4?"}])
    assert one.status_code == 200 and many.status_code == 200
    expected = judge.rerank(ITEM["prompt"], ITEM["candidates"]).to_dict(ITEM["candidates"])
    assert one.json() == {"id": "5", **expected, "model": "scripted:1"}
    assert one.json()["judged"] == 6 and sum(one.json()["wins"]) == 12  # 6 pairs in both orders
    rated, asked = many.json()
    assert rated == {"id": None, **judge.rerank(ITEM["prompt"], ITEM["candidates"], "pointwise", scale=(1, 7),
                                                criteria="Is it correct?").to_dict(ITEM["candidates"]),
                     "model": "scripted:1"}
    assert all(1 <= s <= 7 for s in rated["scores"]) and all(0 < s < 1 for s in asked["scores"])
    assert asked["best_text"] == ITEM["candidates"][asked["best"]] and asked["wins"] is None


def test_a_single_candidate_is_the_pick_without_a_judgment(scripted, tmp_path):
    with _client(scripted(), tmp_path) as client:
        r = client.post("/v1/rerank", json=[{"prompt": "p", "candidates": [""]}, {"prompt": "p", "candidates": ["x"]}])
    assert r.status_code == 200
    assert [(x["best"], x["best_text"], x["judged"], x["wins"]) for x in r.json()] == [(0, "", 0, [0]), (0, "x", 0, [0])]


@pytest.mark.parametrize("body, status, named", [
    ({**ITEM, "prompt": "  "}, 422, "prompt: Value error, empty text"),
    ({**ITEM, "candidates": []}, 422, "candidates: List should have at least 1 item"),
    ({**ITEM, "candidates": ["a", 3]}, 422, "candidates[1]: Input should be a valid string"),
    ({**ITEM, "method": "best"}, 422, "method: Input should be 'tournament' or 'pointwise'"),
    ({**ITEM, "candidates": [str(i) for i in range(21)]}, 422, "candidates: List should have at most 20 items"),
])
def test_bad_requests_name_the_field(scripted, tmp_path, body, status, named):
    with _client(scripted(), tmp_path) as client:
        r = client.post("/v1/rerank", json=body)
    assert r.status_code == status and named in r.json()["message"]


def test_more_judgments_than_the_queue_holds_is_413_and_separate_mode_plays_each_pair_once(scripted, tmp_path):
    with _client(scripted(), tmp_path, queue_size=5) as client:
        big = client.post("/v1/rerank", json=ITEM)  # 6 pairs
        assert big.status_code == 413 and big.json()["detail"].startswith("6 judgments")
        assert client.post("/v1/rerank", json={**ITEM, "method": "pointwise"}).status_code == 200
    with _client(scripted(), tmp_path, pairwise="separate") as client:
        both = client.post("/v1/rerank", json=[{**ITEM, "method": "pointwise"}, ITEM])
    assert both.status_code == 200, both.text
    pointwise, tournament = both.json()
    assert len(pointwise["scores"]) == 4 and tournament["judged"] == 6 and sum(tournament["wins"]) == 6
    assert tournament["top"] == pointwise["top"]
