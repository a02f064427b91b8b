"""A property-based fuzz run of the OpenAPI schema (schemathesis) against a live server: for every
operation, schemathesis's boundary cases and 10 generated requests, valid and invalid; no answer
may be a server error, and every JSON answer of a documented status must match its schema.
About a minute on two cores."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from rkg.api.app import create_app
from rkg.api.settings import Settings

from conftest import FIXTURES
from test_api_support import LiveServer

app = create_app(FIXTURES / "analytics", FIXTURES / "sources",
                 Settings(sparql_workers=1, sparql_timeout=5, admin_token="fuzz-token"))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module")
def live():
    server = LiveServer(app)  # one server (and one SPARQL worker) for the whole run
    yield server.url
    server.stop()


@schema.parametrize()
@settings(max_examples=10, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_no_server_error(case, live):
    case.call_and_validate(base_url=live, checks=[not_a_server_error, response_schema_conformance])
