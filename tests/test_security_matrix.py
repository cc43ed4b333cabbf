"""Every URL, for every role, against an object of the user's own force and of another force.

The answer is the page (or the form's own verdict), 403 for what the user may
see but not do, 404 for what they may not see, and the sign-in page for
anonymous visitors. A new URL must be added here: the last test checks that.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver
from django.utils import timezone

from tracker import services
from tracker.models import Action, DeadlineChangeRequest, Evidence

ROLES = ["anonymous", "owner", "lead", "outsider", "inspector", "admin_user"]
OK = "ok"  # the view ran: a page, a redirect after success, or a form error (400/409)

EVERYONE = {"owner", "lead", "outsider", "inspector", "admin_user"}
LEAD = {"lead"}
DOERS = {"owner", "lead"}  # the owner of the action, and the lead of its force
INSPECTORS = {"inspector"}
READERS = {"inspector", "admin_user"}


def build(force_side, lead, owner, inspector, settings, tmp_path):
    """One of everything for a force: inspection, finding, action, evidence, deadline request."""
    finding = force_side["finding"]
    action = services.action_create(
        inspector,
        finding=finding,
        title="Plan",
        owner=owner,
        deadline=datetime.date(2030, 5, 1),
        deadline_set_by=Action.DeadlineSetBy.INSPECTORATE,
    )
    services.action_record_progress(
        owner,
        action,
        text="Notes",
        files=[SimpleUploadedFile("notes.txt", b"minutes", "text/plain")],
    )
    change = services.deadline_change_request(
        lead,
        action,
        new_deadline=timezone.localdate() + datetime.timedelta(days=60),
        reason="The national guidance it depends on is late.",
    )
    return {
        "force": finding.force,
        "inspection": finding.inspection,
        "finding": finding,
        "action": action,
        "evidence": Evidence.objects.get(update__action=action),
        "change": change,
    }


@pytest.fixture
def world(
    finding,
    other_finding,
    lead,
    other_lead,
    owner,
    outsider,
    inspector,
    settings,
    tmp_path,
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return {
        "own": build({"finding": finding}, lead, owner, inspector, settings, tmp_path),
        "other": build(
            {"finding": other_finding},
            other_lead,
            outsider,
            inspector,
            settings,
            tmp_path,
        ),
    }


# (url name, method, path from the objects, roles allowed to act, whether reading is per force)
ENDPOINTS = [
    ("home", "get", lambda o: "/", EVERYONE, False),
    ("action-list", "get", lambda o: "/actions/", EVERYONE, False),
    ("action-export-csv", "get", lambda o: "/actions/export.csv", EVERYONE, False),
    ("action-export-xlsx", "get", lambda o: "/actions/export.xlsx", EVERYONE, False),
    ("national", "get", lambda o: "/national/", READERS, False),
    ("calendar", "get", lambda o: "/calendar/", EVERYONE, False),
    ("import-start", "get", lambda o: "/import/", READERS, False),
    ("my-reminders", "get", lambda o: "/reminders/", EVERYONE, False),
    ("force-detail", "get", lambda o: o["force"].get_absolute_url(), EVERYONE, True),
    (
        "inspection-detail",
        "get",
        lambda o: o["inspection"].get_absolute_url(),
        EVERYONE,
        True,
    ),
    (
        "finding-detail",
        "get",
        lambda o: o["finding"].get_absolute_url(),
        EVERYONE,
        True,
    ),
    ("action-detail", "get", lambda o: o["action"].get_absolute_url(), EVERYONE, True),
    (
        "evidence-download",
        "get",
        lambda o: f"/evidence/{o['evidence'].pk}/",
        EVERYONE,
        True,
    ),
    (
        "action-assign",
        "get",
        lambda o: f"/actions/{o['action'].pk}/assign/",
        LEAD,
        True,
    ),
    (
        "action-assign-post",
        "post",
        lambda o: f"/actions/{o['action'].pk}/assign/",
        LEAD,
        True,
    ),
    (
        "action-add-update",
        "post",
        lambda o: f"/actions/{o['action'].pk}/updates/",
        DOERS,
        True,
    ),
    (
        "action-move-start",
        "post",
        lambda o: f"/actions/{o['action'].pk}/start/",
        DOERS,
        True,
    ),
    (
        "action-move-mark-done",
        "post",
        lambda o: f"/actions/{o['action'].pk}/mark-done/",
        {"owner"},
        True,
    ),
    (
        "action-move-sign-off",
        "post",
        lambda o: f"/actions/{o['action'].pk}/sign-off/",
        LEAD,
        True,
    ),
    (
        "action-move-return",
        "post",
        lambda o: f"/actions/{o['action'].pk}/return/",
        LEAD,
        True,
    ),
    (
        "action-move-withdraw",
        "post",
        lambda o: f"/actions/{o['action'].pk}/withdraw/",
        LEAD,
        True,
    ),
    (
        "action-request-deadline",
        "post",
        lambda o: f"/actions/{o['action'].pk}/deadline-change/",
        LEAD,
        True,
    ),
    (
        "deadline-request-decide",
        "post",
        lambda o: f"/deadline-changes/{o['change'].pk}/decide/",
        INSPECTORS,
        True,
    ),
    (
        "finding-request-closure",
        "post",
        lambda o: f"/findings/{o['finding'].pk}/request-closure/",
        LEAD,
        True,
    ),
    (
        "finding-authorise-closure",
        "post",
        lambda o: f"/findings/{o['finding'].pk}/authorise-closure/",
        INSPECTORS,
        True,
    ),
    (
        "finding-decline-closure",
        "post",
        lambda o: f"/findings/{o['finding'].pk}/decline-closure/",
        INSPECTORS,
        True,
    ),
    (
        "finding-supersede",
        "post",
        lambda o: f"/findings/{o['finding'].pk}/supersede/",
        INSPECTORS,
        True,
    ),
]


def expected(role, whose, allowed, per_force):
    if role == "anonymous":
        return "login"
    home_force = {"owner": "own", "lead": "own", "outsider": "other"}.get(role)
    visible = role in READERS or not per_force or home_force == whose
    if not visible:
        return 404
    acting_as = role
    if per_force and whose == "other" and role == "outsider":
        acting_as = "owner"  # the outsider is the owner of the other force's action
    return OK if acting_as in allowed else 403


@pytest.mark.parametrize(
    "name, method, path, allowed, per_force", ENDPOINTS, ids=[e[0] for e in ENDPOINTS]
)
@pytest.mark.parametrize("role", ROLES)
def test_url_answers_by_role_and_force(
    client, request, world, name, method, path, allowed, per_force, role
):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    for whose in ("own", "other"):
        response = getattr(client, method)(
            path(world[whose]), {"text": ""} if method == "post" else None
        )
        want = expected(role, whose, allowed, per_force)
        if want == "login":
            assert (
                response.status_code == 302
                and "/accounts/login/" in response["Location"]
            ), whose
        elif want == OK:
            assert response.status_code in (200, 302, 400, 409), (
                whose,
                response.status_code,
            )
        else:
            assert response.status_code == want, (whose, response.status_code)


def test_every_tracker_url_is_in_the_matrix():
    tracker = set(get_resolver().namespace_dict["tracker"][1].reverse_dict.keys())
    covered = (
        {e[0] for e in ENDPOINTS}
        | {
            "action-move",
            "finding-move",
            "action-export",
            "calendar-feed",
            "import-preview",  # tests/test_importing.py: a token works only in its own session
        }
    )
    missing = {name for name in tracker if isinstance(name, str)} - covered
    assert not missing, f"add these URLs to the security matrix: {sorted(missing)}"


def test_forbidden_moves_change_nothing(client, world, owner):
    action = world["own"]["action"]
    action.refresh_from_db()
    before = (action.status, action.version, action.updates.count())
    client.force_login(owner)
    client.post(f"/actions/{action.pk}/withdraw/", {"text": "gone"})
    client.post(f"/actions/{action.pk}/sign-off/", {"text": ""})
    action.refresh_from_db()
    assert (action.status, action.version, action.updates.count()) == before
    assert DeadlineChangeRequest.objects.filter(status="pending").count() == 2


@pytest.mark.parametrize(
    "path, back",
    [
        ("/actions/{action}/sign-off/", "/actions/{action}/"),
        ("/actions/{action}/updates/", "/actions/{action}/"),
        ("/findings/{finding}/request-closure/", "/findings/{finding}/"),
        ("/accounts/logout/", "/"),
    ],
)
def test_a_form_only_address_opened_in_the_browser_explains_itself(
    client, owner, action, path, back
):
    client.force_login(owner)
    ids = {"action": action.pk, "finding": action.finding_id}
    response = client.get(path.format(**ids))
    assert response.status_code == 405
    assert "POST" in response["Allow"]
    page = response.content.decode()
    assert "<nav" in page, "the site's own page, with its navigation"
    assert "only by a form" in page
    assert f'href="{back.format(**ids)}"' in page


@pytest.mark.parametrize(
    "who, path",
    [
        ("owner", "/"),
        ("owner", "/actions/"),
        ("owner", "/actions/{action}/"),
        ("owner", "/findings/{finding}/"),
        ("owner", "/reminders/"),
        ("owner", "/calendar/"),
        ("lead", "/actions/{action}/assign/"),
        ("inspector", "/national/"),
        ("inspector", "/import/"),
        (None, "/accounts/login/"),
    ],
)
def test_head_answers_wherever_get_does(client, request, action, who, path):
    if who:
        client.force_login(request.getfixturevalue(who))
    path = path.format(action=action.pk, finding=action.finding_id)
    assert client.get(path).status_code == 200
    response = client.head(path)
    assert response.status_code == 200, path
    assert response.content == b""
