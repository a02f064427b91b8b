"""A property-based fuzz run of the whole OpenAPI schema with schemathesis's own runner against a
live server: every operation, its examples and generated requests, valid and invalid; no answer may
be a server error, and every answer of a documented status must match its schema. About a minute
on two cores."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rkg.api.app import create_app
from support import fixture_settings
from support.live import LiveServer

pytestmark = [pytest.mark.slow, pytest.mark.fuzz, pytest.mark.server]

CHECKS = "not_a_server_error,response_schema_conformance"


@pytest.fixture(scope="module")
def live():
    server = LiveServer(create_app(fixture_settings("analytics", sparql_workers=1, sparql_timeout=5,
                                                    admin_token="fuzz-token")))
    yield server.url
    server.stop()


def test_no_server_error_and_answers_match_the_schema(live, tmp_path):
    command = [str(Path(sys.executable).with_name("st")), "run", f"{live}/openapi.json", "--checks", CHECKS,
               "--phases", "examples,coverage,fuzzing", "--max-examples", "10", "--seed", "1", "--workers", "1",
               "--request-timeout", "20", "--no-color", "--report", "junit", "--report-dir", str(tmp_path)]
    run = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
