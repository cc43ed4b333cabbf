# ruff: noqa: F811 (the pages' matrix's fixtures, imported, are named as parameters)
"""Every API endpoint, for every role, against an object of the user's own force and
of another force: the pages' matrix (tests/test_security_matrix.py) for /api/v1/.

Each person signs in with a read and write token of their own. The answer is
the data or the move done (200, 201); 403 for what they may see but not do, 404
for what they may not see, 401 without a token; and nothing changed but where
the move was made. The world of two forces is the pages' matrix's, made once
per class.
"""

import datetime
from collections.abc import Callable
from typing import NamedTuple

import pytest
from django.urls import get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from tests.test_security_matrix import (  # noqa: F401 (fixtures)
    DOERS,
    EVERYONE,
    INSPECTORS,
    LEAD,
    OK,
    ROLES,
    expected,
    fresh,
    made,
    tracker_rows,
    world,
)
from tracker import services
from tracker.models import Action, DeadlineChangeRequest, Finding, ProgressUpdate


def rows_but_tokens():
    """Every tracker row, less the tokens (whose last use each request may note)."""
    rows = tracker_rows()
    rows.pop("tracker.ApiToken")
    return rows


def lists_only_what_is_seen(key):
    """A force user's list holds their force's object and not the other's; a
    reader's holds both."""

    def check(o, world, user, body):
        ids = {row["id"] for row in body["results"]}
        other = world["other" if o is world["own"] else "own"][key]
        assert o[key].pk in ids or user.force_id not in (None, o["force"].pk)
        if user.force_id is None:
            assert other.pk in ids, "a reader sees every force"
        elif user.force_id == o["force"].pk:
            assert other.pk not in ids, "another force's is never listed"

    return check


def action_moved(key, status):
    def check(o, world, user, body):
        action = fresh(o[key])
        assert action.status == status
        assert action.version == o[key].version + 1
        assert body["status"] == status

    return check


def finding_moved(key, status):
    def check(o, world, user, body):
        assert fresh(o[key]).status == status
        assert body["status"] == status

    return check


def progress_recorded(o, world, user, body):
    assert ProgressUpdate.objects.filter(
        action=o["action"], author=user, text="Panel met."
    ).exists()
    assert fresh(o["action"]).percent_complete == 45


def deadline_asked(o, world, user, body):
    assert DeadlineChangeRequest.objects.filter(
        action=o["done"], status="pending", requested_by=user
    ).exists()


def deadline_decided(o, world, user, body):
    assert fresh(o["change"]).status == "approved"
    assert fresh(o["action"]).deadline == o["change"].new_deadline


class Endpoint(NamedTuple):
    name: str
    method: str
    path: Callable[[dict], str]
    allowed: set[str]
    per_force: bool
    done: Callable | None = None
    body: Callable[[dict], dict] | None = None


def move(key, name, status, text=""):
    return Endpoint(
        f"action-{name}",
        "post",
        lambda o: f"/api/v1/actions/{o[key].pk}/{name}/",
        {"start": DOERS, "mark-done": {"owner"}}.get(name, LEAD),
        True,
        action_moved(key, status),
        lambda o: {"text": text, "version": o[key].version},
    )


def finding_move(key, name, status, allowed, text=""):
    return Endpoint(
        f"finding-{name}",
        "post",
        lambda o: f"/api/v1/findings/{o[key].pk}/{name}/",
        allowed,
        True,
        finding_moved(key, status),
        lambda o: {"text": text},
    )


def read(name, collection, key):
    """The list and the detail of one kind of object."""
    return [
        Endpoint(
            f"{name}-list",
            "get",
            lambda o: f"/api/v1/{collection}/",
            EVERYONE,
            False,
            lists_only_what_is_seen(key),
        ),
        Endpoint(
            f"{name}-detail",
            "get",
            lambda o: f"/api/v1/{collection}/{o[key].pk}/",
            EVERYONE,
            True,
        ),
    ]


S = Action.Status
ENDPOINTS = [
    *read("force", "forces", "force"),
    *read("inspection", "inspections", "inspection"),
    *read("finding", "findings", "finding"),
    *read("action", "actions", "action"),
    *read("evidence", "evidence", "evidence"),
    *read("deadline-change", "deadline-changes", "change"),
    Endpoint(
        "action-updates",
        "get",
        lambda o: f"/api/v1/actions/{o['action'].pk}/updates/",
        EVERYONE,
        True,
    ),
    Endpoint(
        "action-updates-post",
        "post",
        lambda o: f"/api/v1/actions/{o['action'].pk}/updates/",
        DOERS,
        True,
        progress_recorded,
        lambda o: {"text": "Panel met.", "percent": 45, "version": o["action"].version},
    ),
    move("fresh", "start", S.IN_PROGRESS),
    move("action", "mark-done", S.DONE, "Delivered."),
    move("done", "sign-off", S.SIGNED_OFF),
    move("done", "return", S.IN_PROGRESS, "Add the minutes."),
    move("fresh", "withdraw", S.WITHDRAWN, "No longer needed."),
    finding_move(
        "closable",
        "request-closure",
        Finding.Status.CLOSURE_REQUESTED,
        LEAD,
        "Every action is signed off.",
    ),
    finding_move("requested", "authorise-closure", Finding.Status.COMPLETE, INSPECTORS),
    finding_move(
        "requested",
        "decline-closure",
        Finding.Status.BEING_PROGRESSED,
        INSPECTORS,
        "The evidence does not show it.",
    ),
    Endpoint(
        "action-deadline-change",
        "post",
        lambda o: f"/api/v1/actions/{o['done'].pk}/deadline-change/",
        LEAD,
        True,
        deadline_asked,
        lambda o: {
            "new_deadline": (
                timezone.localdate() + datetime.timedelta(days=90)
            ).isoformat(),
            "reason": "The national guidance it depends on is late.",
        },
    ),
    Endpoint(
        "deadline-change-decide",
        "post",
        lambda o: f"/api/v1/deadline-changes/{o['change'].pk}/decide/",
        INSPECTORS,
        True,
        deadline_decided,
        lambda o: {"decision": "approve"},
    ),
]


@pytest.fixture
def tokens(world):
    expires_on = timezone.localdate() + datetime.timedelta(days=30)
    return {
        role: services.api_token_create(
            person, name="Matrix", scope="read_write", expires_on=expires_on
        )[1]
        for role, person in world["people"].items()
    }


class TestWhoMayDoWhatByApi:
    @pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
    @pytest.mark.parametrize("role", ROLES)
    def test_endpoint_answers_by_role_and_force(self, world, tokens, endpoint, role):
        client = APIClient()
        user = world["people"].get(role)
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens[role]}")
        for whose in ("own", "other"):
            o = world[whose]
            body = endpoint.body(o) if endpoint.body else None
            before = rows_but_tokens()
            response = getattr(client, endpoint.method)(
                endpoint.path(o), body, format="json"
            )
            want = expected(role, whose, endpoint.allowed, endpoint.per_force)
            if want == "login":
                assert response.status_code == 401, whose
            elif want == OK:
                assert response.status_code in (200, 201), (
                    whose,
                    response.status_code,
                    response.json(),
                )
                if endpoint.done:
                    endpoint.done(o, world, user, response.json())
                if endpoint.method == "post":
                    continue
            else:
                assert response.status_code == want, (whose, response.status_code)
            assert "detail" in response.json() or want == OK
            assert rows_but_tokens() == before, (
                f"{whose}: a {want} changed the database"
            )


@pytest.mark.parametrize("path", ["/api/v1/schema/", "/api/v1/docs/"])
def test_the_schema_and_its_page_are_open_to_all(client, db, path):
    assert client.get(path).status_code == 200


def test_every_api_url_is_in_the_matrix():
    api = set(get_resolver().namespace_dict["api"][1].reverse_dict.keys())
    names = {name for name in api if isinstance(name, str)}
    covered = {
        "force-list",
        "force-detail",
        "inspection-list",
        "inspection-detail",
        "finding-list",
        "finding-detail",
        "action-list",
        "action-detail",
        "action-updates",  # GET and POST
        "action-deadline-change",
        "evidence-list",
        "evidence-detail",
        "deadline-change-list",
        "deadline-change-detail",
        "deadline-change-decide",
        "action-move",  # each of ACTION_MOVES
        "finding-move",  # each of FINDING_MOVES
        "schema",
        "docs",
    }
    missing = names - covered
    assert not missing, f"add these API URLs to the matrix: {sorted(missing)}"
    tested = {e.name for e in ENDPOINTS} | {"action-move", "finding-move"}
    assert covered - {"schema", "docs"} <= tested | {
        "action-updates",
    }
