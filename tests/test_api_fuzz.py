"""A property-based fuzz run of the whole OpenAPI schema with schemathesis's own runner against a
live server: every operation, its examples and generated requests, valid and invalid, with every
check schemathesis has: no server error; every status, content type, header and body as documented;
every request the schema allows accepted and every request it forbids refused; the admin token
enforced; the Allow header of a 405 right. The one exception (a SPARQL query that does not parse is
a 400, whatever its schema) is in fuzz/schemathesis.toml. About a minute on two cores."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rkg.api.app import create_app
from support import fixture_settings
from support.live import LiveServer

pytestmark = [pytest.mark.slow, pytest.mark.fuzz, pytest.mark.server]

CONFIG = Path(__file__).parent / "fuzz" / "schemathesis.toml"
TOKEN = "fuzz-token"


@pytest.fixture(scope="module")
def live():
    server = LiveServer(create_app(fixture_settings("analytics", sparql_workers=1, sparql_timeout=5,
                                                    admin_token=TOKEN)))
    yield server.url
    server.stop()


def test_every_check_passes_on_every_operation(live, tmp_path):
    command = [str(Path(sys.executable).with_name("st")), "--config-file", str(CONFIG), "run", f"{live}/openapi.json",
               "--checks", "all", "-H", f"Authorization: Bearer {TOKEN}",
               "--phases", "examples,coverage,fuzzing", "--max-examples", "10", "--seed", "1", "--workers", "1",
               "--request-timeout", "20", "--no-color", "--report", "junit", "--report-dir", str(tmp_path)]
    run = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
