"""Schemathesis against the API's own OpenAPI schema, in-process through WSGI:
whatever it sends, in the shapes the schema allows and beyond, no answer is a
server error. A bounded number of examples per operation keeps it well under a
minute."""

import datetime
import json

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tracker import services


def _schema():
    """The schema as /api/v1/schema/ serves it, made in-process (no request, no database)."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(
        json.loads(OpenApiJsonRenderer().render(generated))
    )
    loaded.app = get_wsgi_application()
    return loaded


schema = _schema()


@pytest.fixture
def in_process(db):
    # As Django's test client does: the test's transaction holds the connection,
    # which the end of each request would otherwise close.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


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


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_server_error(case, lead_token, in_process):
    response = case.call(
        headers={"Authorization": f"Bearer {lead_token}", "Host": "testserver"}
    )
    case.validate_response(response, checks=[not_a_server_error])
