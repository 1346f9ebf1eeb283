"""One set of rules for a judge request, wherever it comes from: each case below is fed to
`flame judge file`, to the server (a job's JSONL line, and for a single line whose fields all
belong to a request, the judge endpoint's item) and to `flame eval file` (the same line with a
label added), and all of them accept it, or all refuse it naming the same field or option."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from flame.cli.main import app
from flame.judge.models import BACKENDS
from flame.testing import FakeBackend

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from flame.serve import Settings, create_app  # noqa: E402

runner = CliRunner()
PAIR = {"prompt": "What is 2+2?", "response_a": "4", "response_b": "5"}
RATE = {"prompt": "Say hello.", "response": "Hello!"}
TEXT = {"text": "The bridge was closed on Monday."}
ENDPOINT = {"pairwise": "pairwise", "pointwise": "pointwise", "classification": "classify"}


@pytest.fixture(autouse=True)
def hash_backend():
    BACKENDS.register("requestjudge", lambda spec, **options: FakeBackend(fingerprint="hash:1"))
    yield
    BACKENDS.unregister("requestjudge")


# (case, task, lines, options, refused): options are the file's / job's scale and classes;
# refused is None for a request every channel accepts, else the field or option named.
CASES = [
    ("pair", "pairwise", [PAIR], {}, None),
    ("empty response", "pairwise", [{**PAIR, "response_b": ""}], {}, None),
    ("whitespace response", "pairwise", [{**PAIR, "response_a": "  \n"}], {}, None),
    ("criteria and id", "pairwise", [{**PAIR, "criteria": "Prefer correct answers.", "id": 7}], {}, None),
    ("null criteria", "pairwise", [{**PAIR, "criteria": None, "id": "q1"}], {}, None),
    ("unknown field", "pairwise", [{**PAIR, "source": "mine"}], {}, None),
    ("rating", "pointwise", [RATE], {"scale": "1-5"}, None),
    ("twenty steps", "pointwise", [RATE], {"scale": "0-20"}, None),
    ("classify", "classification", [{**TEXT, "question": "Was it closed?"}], {"classes": ["Yes", "No"]}, None),
    ("empty prompt", "pairwise", [{**PAIR, "prompt": ""}], {}, "prompt"),
    ("whitespace prompt", "pairwise", [{**PAIR, "prompt": " \n\t"}], {}, "prompt"),
    ("missing response", "pairwise", [{"prompt": "p", "response_a": "a"}], {}, "response_b"),
    ("null response", "pairwise", [{**PAIR, "response_a": None}], {}, "response_a"),
    ("prompt not a string", "pairwise", [{**PAIR, "prompt": 3}], {}, "prompt"),
    ("criteria not a string", "pairwise", [{**PAIR, "criteria": ["brief"]}], {}, "criteria"),
    ("id a boolean", "pairwise", [{**PAIR, "id": True}], {}, "id"),
    ("id a float", "pairwise", [{**PAIR, "id": 1.5}], {}, "id"),
    ("id twice", "pairwise", [{**PAIR, "id": "a"}, {**PAIR, "response_b": "6", "id": "a"}], {}, "id"),
    ("not an object", "pairwise", [["What is 2+2?", "4", "5"]], {}, "object"),
    ("empty text", "classification", [{"text": ""}], {"classes": ["Yes", "No"]}, "text"),
    ("empty rating prompt", "pointwise", [{**RATE, "prompt": "  "}], {"scale": "1-5"}, "prompt"),
    ("scale over twenty steps", "pointwise", [RATE], {"scale": "1-100"}, "scale"),
    ("scale reversed", "pointwise", [RATE], {"scale": "5-1"}, "scale"),
    ("scale not integers", "pointwise", [RATE], {"scale": "1-5.5"}, "scale"),
    ("one class", "classification", [TEXT], {"classes": ["Yes"]}, "classes"),
    ("a class twice", "classification", [TEXT], {"classes": ["Yes", "Yes"]}, "classes"),
    ("too many classes", "classification", [TEXT], {"classes": [f"c{i}" for i in range(33)]}, "classes"),
]


def _write(path, lines) -> None:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))


def _cli_options(options) -> list[str]:
    out = ["--scale", options["scale"]] if "scale" in options else []
    return out + (["--classes", ",".join(options["classes"])] if "classes" in options else [])


def judge_file(tmp_path, task, lines, options) -> tuple[bool, str]:
    path = tmp_path / "in.jsonl"
    _write(path, lines)
    r = runner.invoke(app, ["judge", "file", str(path), "--task", task, "--out", str(tmp_path / "judged.jsonl"),
                            "--model", "requestjudge:x", "--no-cache", *_cli_options(options)])
    return r.exit_code == 0, " ".join(r.output.split())


def _labelled(task, line, options):
    if not isinstance(line, dict):
        return line
    label = {"pairwise": "A", "pointwise": options.get("scale", "1-5").split("-")[0],
             "classification": (options.get("classes") or ["Yes"])[0]}[task]
    return {**line, "label": label}


def eval_file(tmp_path, task, lines, options) -> tuple[bool, str]:
    path = tmp_path / "labels.jsonl"
    _write(path, [_labelled(task, line, options) for line in lines])
    r = runner.invoke(app, ["eval", "file", str(path), "--task", task, "--model", "requestjudge:x", "--no-cache",
                            "--no-progress", "--out", str(tmp_path / "results.json"), *_cli_options(options)])
    return r.exit_code == 0, " ".join(r.output.split())


def server_job(client, task, lines, options) -> tuple[bool, str]:
    r = client.post("/v1/jobs", json={"task": task, "jsonl": "".join(json.dumps(x) + "\n" for x in lines), **options})
    assert r.status_code in (202, 422), r.text
    return r.status_code == 202, r.text


def server_item(client, task, line, options) -> tuple[bool, str]:
    r = client.post(f"/v1/judge/{ENDPOINT[task]}", json=line if not isinstance(line, dict) else {**line, **options})
    assert r.status_code in (200, 422), r.text
    return r.status_code == 200, r.text


@pytest.mark.parametrize("case, task, lines, options, refused", CASES, ids=[c[0] for c in CASES])
def test_cli_server_and_eval_file_accept_and_refuse_alike(tmp_path, case, task, lines, options, refused):
    outcomes = {"flame judge file": judge_file(tmp_path, task, lines, options),
                "flame eval file": eval_file(tmp_path, task, lines, options)}
    with TestClient(create_app(FakeBackend(fingerprint="hash:1"), Settings(state_dir=tmp_path / "state"))) as client:
        outcomes["POST /v1/jobs"] = server_job(client, task, lines, options)
        item_fields = {"prompt", "response_a", "response_b", "response", "text", "criteria", "question", "id"}
        if len(lines) == 1 and (not isinstance(lines[0], dict) or set(lines[0]) <= item_fields):
            outcomes[f"POST /v1/judge/{ENDPOINT[task]}"] = server_item(client, task, lines[0], options)
    accepted = {channel: ok for channel, (ok, _) in outcomes.items()}
    assert accepted == dict.fromkeys(outcomes, refused is None)
    if refused is not None:
        unnamed = {channel: text for channel, (_, text) in outcomes.items() if refused not in text}
        assert unnamed == {}
