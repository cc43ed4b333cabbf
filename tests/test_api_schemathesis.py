"""Schemathesis against the API's own OpenAPI schema, in-process through WSGI:
whatever it sends, in the shapes the schema allows and beyond, no answer is a
server error. A bounded number of examples per operation keeps it well under a
minute."""

import datetime

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tracker import services


@pytest.fixture
def api_schema(db):
    return schemathesis.openapi.from_wsgi(
        "/api/v1/schema/?format=json", get_wsgi_application()
    )


@pytest.fixture
def lead_token(action, lead, other_action):
    """A force lead's read and write token, in a world with work in two forces."""
    _, secret = services.api_token_create(
        lead,
        name="Fuzz",
        scope="read_write",
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    return secret


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_server_error(case, lead_token):
    response = case.call(headers={"Authorization": f"Bearer {lead_token}"})
    case.validate_response(response, checks=[not_a_server_error])
