"""Property-based tests against the server's own OpenAPI spec (schemathesis): generated
valid and invalid requests never cause a 500, and every response matches the spec
(status code documented, body schema, content type)."""

from __future__ import annotations

import hashlib
import tempfile

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings

from flame.serve import Settings, create_app
from flame.testing import FakeBackend


APP = create_app(FakeBackend(fingerprint="hash:1", reply=lambda prompt: ""), Settings(state_dir=tempfile.mkdtemp(prefix="flame-serve-schema-"),
                                       max_input_tokens=100_000))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors_and_responses_match_the_spec(case):
    # Every default check but "schema-valid data is accepted": a few rules are beyond JSON
    # Schema (a job's JSONL lines, a scale's LOW < HIGH) and are refused with a 422 that
    # names the field (tests/serve/test_api.py and test_jobs.py check those messages).
    case.call_and_validate(excluded_checks=[schemathesis.checks.positive_data_acceptance])
