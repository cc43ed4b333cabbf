"""The request log: one JSON line per request, readable across app servers, with
no token from the address in it."""

import json
import logging

import pytest

from tracker import services

pytestmark = pytest.mark.django_db


def lines(caplog) -> list[dict]:
    return [
        json.loads(record.getMessage())
        for record in caplog.records
        if record.name == "peel.requests"
    ]


def test_each_request_is_one_line_with_its_id_route_status_and_person(
    client, owner, caplog
):
    caplog.set_level(logging.INFO, logger="peel.requests")
    client.force_login(owner)
    response = client.get("/actions/", HTTP_X_REQUEST_ID="lb-1234abcd")
    assert response["X-Request-ID"] == "lb-1234abcd"
    (line,) = lines(caplog)
    assert line["request_id"] == "lb-1234abcd"
    assert (line["method"], line["route"], line["status"]) == ("GET", "/actions/", 200)
    assert line["view"] == "tracker:action-list"
    assert line["user"] == owner.pk
    assert line["ms"] >= 0 and ":" in line["server"]


def test_a_token_in_the_address_never_reaches_the_log(client, owner, caplog):
    caplog.set_level(logging.INFO, logger="peel.requests")
    token = services.calendar_token_reset(owner)
    client.get(f"/calendar/{token}.ics")
    client.get("/no/such/page/", HTTP_X_REQUEST_ID="bad id with spaces")
    first, second = lines(caplog)
    assert first["route"] == "/calendar/<str:token>.ics"
    assert token not in caplog.text
    # Not a page: said so; an id that is not one is replaced by a fresh one.
    assert (second["route"], second["status"]) == ("(no page)", 404)
    assert second["request_id"] != "bad id with spaces"
    assert len(second["request_id"]) == 32
