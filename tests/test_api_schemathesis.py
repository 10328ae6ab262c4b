"""schemathesis over the served OpenAPI document (issue 11): for every operation it draws
requests from the document — valid ones, and ones the document forbids (negative mode) — and
sends them with a token allowed everything; no answer may be a 5xx, and every error is our JSON
{status, code, message}. (tests/test_api_fuzz.py adds arbitrary JSON and path segments.)

The strategies are driven with hypothesis directly: schemathesis' pytest plugin
(``from_fixture``) reads a private attribute pytest 9 no longer has."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from sqlalchemy import select

from app.models import Case, Channel
from tests.api_helpers import bearer, system_token

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def operations(app, db_session):
    """The document's operations and the headers of a token allowed every operation."""
    headers = bearer(system_token(db_session, rate=60_000)[2])
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    found = [result.ok() for result in schema.get_all_operations()]
    assert {op.label for op in found} == {
        "POST /api/v1/cases",
        "POST /api/v1/cases/batch",
        "GET /api/v1/cases/{number}",
        "POST /api/v1/cases/{number}/survey",
        "GET /api/v1/government-replies",
        "POST /api/v1/cases/{number}/government-reply/delivered",
        "GET /api/v1/changes",
    }
    return found, headers


def _send(case, headers) -> None:
    response = case.call(headers=headers)
    case.validate_response(response, checks=[not_a_server_error])
    if response.status_code >= 400:
        body = response.json()
        assert body["status"] == response.status_code, body
        assert body["code"] and body["message"], body


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_schemathesis_finds_no_server_error(operations, mode):
    found, headers = operations
    for operation in found:
        _fuzz(operation, mode, headers)


def test_schemathesis_on_a_case_of_the_tokens_channels_finds_no_server_error(
    operations, db_session
):
    """The operations on one case, with a number that exists (drawn numbers are all 404)."""
    found, headers = operations
    number = db_session.scalar(
        select(Case.number).join(Channel).where(Channel.code == "hotline_96511").limit(1)
    )
    assert number
    for operation in found:
        if "{number}" in operation.path:
            _fuzz(operation, GenerationMode.POSITIVE, headers, {"number": number})


def _fuzz(operation, mode, headers, path_parameters=None) -> None:
    @SETTINGS
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    def run(case):
        _send(case, headers)

    run()
