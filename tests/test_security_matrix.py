"""Every URL, for every role, against an object of the user's own force and of another force.

The answer is the page, or for a form the move done and its page's address
(each form is sent as its page would send it, and the move is looked for in the
database); 403 for what the user may see but not do, 404 for what they may not
see, and the sign-in page for anonymous visitors, with nothing changed. A form's
address opened in the browser, and a page's address sent a form, answer 405.
A new URL must be added here: a test checks that.

The objects are made once per class; each test starts from them as made (its
transaction is rolled back).
"""

import copy
import csv
import datetime
import io
from collections.abc import Callable
from typing import NamedTuple

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.urls import get_resolver
from django.utils import timezone
from openpyxl import load_workbook

from tests.conftest import make_finding, make_inspection, make_user
from tracker import services
from tracker.models import (
    Action,
    ApiToken,
    DeadlineChangeRequest,
    Evidence,
    Finding,
    FindingEvent,
    Force,
    Inspection,
    NationalFinding,
    Notification,
    ProgressUpdate,
    Question,
    Role,
    User,
    Webhook,
)

ROLES = ["anonymous", "owner", "lead", "outsider", "inspector", "admin_user"]
OK = "ok"  # the view did what was asked: the page, or the move and a redirect

EVERYONE = {"owner", "lead", "outsider", "inspector", "admin_user"}
LEAD = {"lead"}
DOERS = {"owner", "lead"}  # the owner of the action, and the lead of its force
INSPECTORS = {"inspector"}
READERS = {"inspector", "admin_user"}
LOOK_AFTER_WEBHOOKS = {"lead", "inspector", "admin_user"}
FORCE_USERS = {"owner", "lead", "outsider"}  # staff and leads, each of their own force

NEW_DEADLINE = datetime.date(2031, 1, 15)
# The forces' registers are on a network of their own, named in the settings.
WEBHOOK_NETWORKS = ["192.0.2.0/24"]
WEBHOOK_NETWORK_ADDRESS = "https://192.0.2.10/hooks"
REASON = "The national guidance it depends on is late."


def signed_off_action(finding, lead, owner, title):
    action = services.action_create(lead, finding=finding, title=title, owner=owner)
    services.action_record_progress(owner, action, text="Work done")
    services.action_mark_done(owner, action, "Delivered.")
    services.action_sign_off(lead, action, "Checked.")


def build_side(force, lead, owner, inspector):
    """One of everything for a force, with an object in the state each move starts from.

    `action` is in progress with evidence and a pending deadline request (`change`);
    `fresh` is not started, `done` awaits sign-off; the later inspection's
    `closable` finding has every action signed off and `requested` awaits an
    inspector's decision on closure.
    """
    today = timezone.localdate()
    inspection = make_inspection(force)
    finding = make_finding(inspection)
    action = services.action_create(
        inspector,
        finding=finding,
        title=f"Plan for {force.name}",
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
        new_deadline=today + datetime.timedelta(days=60),
        reason=REASON,
    )
    fresh = services.action_create(
        lead,
        finding=finding,
        title=f"Not started in {force.name}",
        owner=owner,
        deadline=datetime.date(2030, 9, 1),
    )
    done = services.action_create(
        inspector,
        finding=finding,
        title=f"Done in {force.name}",
        owner=owner,
        deadline=datetime.date(2030, 7, 1),
        deadline_set_by=Action.DeadlineSetBy.INSPECTORATE,
    )
    services.action_record_progress(owner, done, text="Built", percent=60)
    services.action_mark_done(owner, done, "All built.")
    later = make_inspection(force, year=2018)
    closable = make_finding(later, number=1)
    signed_off_action(closable, lead, owner, "Signed off")
    requested = make_finding(later, number=2)
    signed_off_action(requested, lead, owner, "Signed off too")
    services.finding_request_closure(lead, requested, "Every action is signed off.")
    bare = make_finding(later, number=3)  # no actions: an inspector may remove it
    # A national recommendation, of which the force's is one copy.
    national = NationalFinding.objects.create(
        kind=Finding.Kind.RECOMMENDATION,
        text="Chief constables should review their vetting decisions.",
        reference=f"NAT-{force.code}-REC-1",
        report_title="Vetting across forces",
        programme="Vetting",
        addressed_as="Chief constables",
        addressees=["all forces"],
    )
    make_finding(later, number=4, national=national)
    # No finding under either: an inspector may remove them.
    spare_question = Question.objects.create(
        inspection=inspection, text="Asked, but nothing found?", order=50
    )
    spare_inspection = make_inspection(force, year=2014)
    Question.objects.create(inspection=spare_inspection, text="Any?", order=1)
    webhook, _secret = services.webhook_create(
        lead,
        force=force,
        name=f"{force.short_name} register",
        url=f"{WEBHOOK_NETWORK_ADDRESS}/{force.code}",
        kinds=["signed_off"],
    )
    # A test event the receiver did not take: failed, for "send again".
    services.webhook_ping(lead, webhook)
    webhook.deliveries.update(status="failed", attempts=1, last_error="503")
    reload = lambda obj: type(obj).objects.get(pk=obj.pk)  # noqa: E731
    return {
        "force": force,
        "inspection": inspection,
        "finding": reload(finding),
        "action": reload(action),
        "evidence": Evidence.objects.get(update__action=action),
        "change": change,
        "fresh": reload(fresh),
        "done": reload(done),
        "closable": reload(closable),
        "requested": reload(requested),
        "bare": reload(bare),
        # The owner's, from being made owner of `action`: theirs alone.
        "notification": Notification.objects.filter(
            recipient=owner, action=action
        ).first(),
        "spare_question": reload(spare_question),
        "spare_inspection": reload(spare_inspection),
        "national": national,
        # The owner's API token: theirs alone.
        "token": services.api_token_create(
            owner,
            name="Register sync",
            scope="read",
            expires_on=today + datetime.timedelta(days=30),
        )[0],
        # The force's webhook: its lead's to look after, nobody else's.
        "webhook": reload(webhook),
        "lead": lead,
        "owner": owner,
    }


@pytest.fixture(scope="class")
def made(django_db_setup, django_db_blocker, tmp_path_factory):
    """The objects of both forces, made once for the class and rolled back after it."""
    storages = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path_factory.mktemp("evidence"))},
        },
    }
    with (
        django_db_blocker.unblock(),
        # What tests/conftest.py's _test_settings gives each test, for making them.
        override_settings(
            STORAGES=storages,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            CACHES={
                "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
            },
            WEBHOOK_ALLOWED_NETWORKS=WEBHOOK_NETWORKS,
        ),
        transaction.atomic(),
    ):
        west_mercia = Force.objects.get(code="WMP")
        west_midlands = Force.objects.get(code="WMD")
        people = {
            "owner": make_user(
                "owner@westmercia.test",
                Role.FORCE_STAFF,
                west_mercia,
                first_name="Olive",
            ),
            "lead": make_user("lead@westmercia.test", Role.FORCE_LEAD, west_mercia),
            "outsider": make_user(
                "outsider@westmidlands.test", Role.FORCE_STAFF, west_midlands
            ),
            "other_lead": make_user(
                "lead@westmidlands.test", Role.FORCE_LEAD, west_midlands
            ),
            "inspector": make_user("inspector@hmicfrs.test", Role.INSPECTOR),
            "admin_user": User.objects.create_superuser(
                "admin@hmicfrs.test", "a-long-test-password"
            ),
        }
        yield {
            "people": people,
            "own": build_side(
                west_mercia, people["lead"], people["owner"], people["inspector"]
            ),
            "other": build_side(
                west_midlands,
                people["other_lead"],
                people["outsider"],
                people["inspector"],
            ),
        }
        transaction.set_rollback(True)


@pytest.fixture
def world(made, db, settings):
    """The class's objects as made: a test's changes to them are undone for the next."""
    settings.WEBHOOK_ALLOWED_NETWORKS = WEBHOOK_NETWORKS
    return copy.deepcopy(made)


def tracker_rows():
    """Every row of every tracker table, history included, to compare before and after."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_app_config("tracker").get_models(
            include_auto_created=True
        )
    }


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


# What each page shows, and each form sends and does, given one force's objects `o`
# and the person acting.


def shows(text_of):
    def check(o, user, response):
        assert text_of(o) in response.content.decode(), text_of(o)

    return check


def exports_only_forces_seen(o, user, response):
    """A force user's export holds their force's actions and no other's; a
    reader's holds both forces'."""
    if response.get("Content-Type", "").startswith("text/csv"):
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
    else:
        sheet = load_workbook(io.BytesIO(response.content))["Actions"]
        header, *values = sheet.values
        rows = [dict(zip(header, row, strict=True)) for row in values]
    forces = {row["Force"] for row in rows}
    seen = (
        {user.force.name}
        if user.force_id
        else {"West Mercia Police", "West Midlands Police"}
    )
    assert forces == seen, (user, forces)
    references = {row["Reference"] for row in rows}
    assert o["action"].reference in references or o["force"].name not in seen


def evidence_is_sent(o, user, response):
    assert b"".join(response.streaming_content) == b"minutes"


def assign_form(o):
    return {
        "owner": o["lead"].pk,
        "contributors": [o["owner"].pk],
        "deadline": NEW_DEADLINE.isoformat(),
        "version": o["fresh"].version,
    }


def assigned(o, user, response):
    action = fresh(o["fresh"])
    assert action.owner == o["lead"]
    assert list(action.contributors.all()) == [o["owner"]]
    assert action.deadline == NEW_DEADLINE
    assert action.version == o["fresh"].version + 1


def progress_recorded(o, user, response):
    action = fresh(o["action"])
    assert action.percent_complete == 40
    assert action.version == o["action"].version + 1
    assert ProgressUpdate.objects.filter(
        action=action, author=user, text="Minutes of the panel added."
    ).exists()


def all_read(o, user, response):
    assert not Notification.objects.filter(
        recipient=user, read_at__isnull=True
    ).exists()


def notification_read(then=None):
    def check(o, user, response):
        assert fresh(o["notification"]).read_at is not None
        if then is not None:
            assert response["Location"] == then(o)

    return check


def moved(key, status, kind, text):
    """The action moved to `status`, with its timeline entry by the person."""

    def check(o, user, response):
        action = fresh(o[key])
        assert action.status == status
        assert action.version == o[key].version + 1
        assert ProgressUpdate.objects.filter(
            action=action, author=user, kind=kind, text=text
        ).exists()

    return check


def move_form(key, text):
    return lambda o: {"text": text, "version": o[key].version}


def deadline_requested(o, user, response):
    assert DeadlineChangeRequest.objects.filter(
        action=o["done"],
        requested_by=user,
        status=DeadlineChangeRequest.Status.PENDING,
        new_deadline=NEW_DEADLINE,
        reason=REASON,
    ).exists()


def deadline_approved(o, user, response):
    change = fresh(o["change"])
    assert change.status == DeadlineChangeRequest.Status.APPROVED
    assert change.decided_by == user
    assert change.decision_comment == "Agreed."
    assert fresh(o["action"]).deadline == change.new_deadline


def finding_moved(key, status, kind, text):
    """The finding moved to `status`, with its timeline entry by the person."""

    def check(o, user, response):
        assert fresh(o[key]).status == status
        assert FindingEvent.objects.filter(
            finding=o[key], author=user, kind=kind, text=text
        ).exists()

    return check


def superseded(o, user, response):
    finding = fresh(o["finding"])
    assert finding.status == Finding.Status.SUPERSEDED
    assert finding.superseded_by == o["closable"]
    assert FindingEvent.objects.filter(
        finding=finding,
        author=user,
        kind=FindingEvent.Kind.SUPERSEDED,
        text="Taken over.",
    ).exists()


PLANNED = "Publish the force's plan"


def planned(title, parent_key=None):
    """A new action (or sub-step of `parent_key`) on the plan, made by the person."""

    def check(o, user, response):
        action = Action.objects.get(title=title, force=o["force"])
        assert action.finding == o["finding"]
        assert action.owner == o["owner"] and action.deliverable == "A published plan"
        if parent_key:
            assert action.parent == o[parent_key]
        assert action.history.get(history_type="+").history_user == user

    return check


def lists_own_force_only(text_of):
    """A queue shows the row to readers of every force and to its force, never to another."""

    def check(o, user, response):
        shown = text_of(o) in response.content.decode()
        assert shown == (user.force_id in (None, o["force"].pk)), text_of(o)

    return check


def plan_form(title):
    return lambda o: {
        "title": title,
        "description": "",
        "deliverable": "A published plan",
        "owner": o["owner"].pk,
        "deadline": NEW_DEADLINE.isoformat(),
    }


def edited(o, user, response):
    action = fresh(o["fresh"])
    assert (action.title, action.deliverable) == ("Renamed plan", "A new deliverable")
    assert action.version == o["fresh"].version + 1


def reordered(o, user, response):
    assert fresh(o["fresh"]).order == 1 and fresh(o["action"]).order == 2


def staff_may_plan(o, user, response):
    assert fresh(o["force"]).staff_may_plan


def inspection_added(o, user, response):
    added = Inspection.objects.get(force=o["force"], title=f"By hand: {o['force']}")
    assert response["Location"] == added.get_absolute_url()
    assert [q.text for q in added.questions.all()] == ["How well?"]


def finding_added(o, user, response):
    added = Finding.objects.get(reference=f"{o['force'].code}-HAND-AFI-1")
    assert (added.inspection, added.question) == (
        o["inspection"],
        o["finding"].question,
    )
    assert added.history.get().history_user == user


def question_added(o, user, response):
    assert o["inspection"].questions.filter(text="Asked by hand?").exists()


def finding_edited(o, user, response):
    finding = fresh(o["finding"])
    assert finding.text == "Corrected by hand."
    assert finding.history.latest().history_user == user


def finding_removed(o, user, response):
    assert not Finding.objects.filter(pk=o["bare"].pk).exists()
    assert Finding.history.get(id=o["bare"].pk, history_type="-").history_user == user


def question_edited(o, user, response):
    question = fresh(o["spare_question"])
    assert (question.text, question.grade) == ("Reworded by hand?", "good")
    assert question.history.latest().history_user == user


def question_removed(o, user, response):
    pk = o["spare_question"].pk
    assert not Question.objects.filter(pk=pk).exists()
    assert Question.history.get(id=pk, history_type="-").history_user == user


def inspection_edited(o, user, response):
    inspection = fresh(o["inspection"])
    assert inspection.title == f"Retitled: {o['force']}"
    assert inspection.history.latest().history_user == user


def inspection_removed(o, user, response):
    pk = o["spare_inspection"].pk
    assert response["Location"] == o["force"].get_absolute_url()
    assert not Inspection.objects.filter(pk=pk).exists()
    assert Inspection.history.get(id=pk, history_type="-").history_user == user


def bulk_signed_off(o, user, response):
    """The lead's own force's done action is signed off; another force's is untouched."""
    status = fresh(o["done"]).status
    if user.force_id == o["force"].pk:
        assert status == Action.Status.SIGNED_OFF
    else:
        assert status == Action.Status.DONE


def token_made(o, user, response):
    assert ApiToken.objects.filter(user=user, name="Dashboard").exists()


def token_revoked(o, user, response):
    assert fresh(o["token"]).revoked_at is not None


def webhook_made(o, user, response):
    webhook = Webhook.objects.filter(name="Dashboard feed", created_by=user).latest(
        "pk"
    )
    assert webhook.force_id == (user.force_id if user.role == Role.FORCE_LEAD else None)
    assert response["Location"] == webhook.get_absolute_url()


def webhook_changed(o, user, response):
    assert fresh(o["webhook"]).kinds == ["signed_off", "returned"]


def webhook_removed(o, user, response):
    assert not Webhook.objects.filter(pk=o["webhook"].pk).exists()


def webhook_paused(o, user, response):
    assert fresh(o["webhook"]).is_paused


def webhook_resumed(o, user, response):
    assert not fresh(o["webhook"]).is_paused


def webhook_new_secret(o, user, response):
    assert fresh(o["webhook"]).secret != o["webhook"].secret


def webhook_pinged(o, user, response):
    assert o["webhook"].deliveries.filter(kind="ping").count() == 2


def webhook_sent_again(o, user, response):
    assert o["webhook"].deliveries.filter(status="failed").count() == 0
    assert o["webhook"].deliveries.filter(status="pending", attempts=0).count() == 1


def webhook_move(move, done):
    return Endpoint(
        f"webhook-move-{move}",
        "post",
        lambda o: f"/webhooks/{o['webhook'].pk}/{move}/",
        LEAD,
        True,
        done,
        form=lambda o: {},
        wrong_method="get",
        lead_only=True,
    )


class Endpoint(NamedTuple):
    name: str  # the URL's name
    method: str
    path: Callable[[dict], str]
    allowed: set[str]  # the roles allowed to act
    per_force: bool  # whether reading it is per force
    # What the move changes in the database (or a page shows), checked after it.
    done: Callable | None = None
    form: Callable[[dict], dict] | None = None  # a valid form, as its page sends it
    wrong_method: str | None = None  # answered 405; None where both are served
    # One person's own (a notification): 404 to everyone else, whatever their role.
    personal: bool = False
    # A force's own, looked after by its lead (a webhook): 404 to everyone else.
    lead_only: bool = False


S = Action.Status
K = ProgressUpdate.Kind
ENDPOINTS = [
    Endpoint("home", "get", lambda o: "/", EVERYONE, False, wrong_method="post"),
    Endpoint(
        "action-list",
        "get",
        lambda o: "/actions/",
        EVERYONE,
        False,
        wrong_method="post",
    ),
    Endpoint(
        "action-export-csv",
        "get",
        lambda o: "/actions/export.csv",
        EVERYONE,
        False,
        exports_only_forces_seen,
        wrong_method="post",
    ),
    Endpoint(
        "action-export-xlsx",
        "get",
        lambda o: "/actions/export.xlsx",
        EVERYONE,
        False,
        exports_only_forces_seen,
        wrong_method="post",
    ),
    Endpoint(
        "national", "get", lambda o: "/national/", READERS, False, wrong_method="post"
    ),
    Endpoint(
        "national-export",
        "get",
        lambda o: "/national/export.xlsx",
        READERS,
        False,
        wrong_method="post",
    ),
    Endpoint(
        "finding-list",
        "get",
        lambda o: "/findings/",
        EVERYONE,
        False,
        lists_own_force_only(lambda o: o["finding"].reference),
        wrong_method="post",
    ),
    Endpoint(
        "national-findings",
        "get",
        lambda o: "/national/findings/",
        READERS,
        False,
        shows(lambda o: o["national"].reference),
        wrong_method="post",
    ),
    Endpoint(
        "national-finding",
        "get",
        lambda o: o["national"].get_absolute_url(),
        READERS,
        False,
        shows(lambda o: f"{o['force'].code}-2018-EFF-AFI-4"),
        wrong_method="post",
    ),
    # These three take a form on the same address (calendar, import, reminders).
    Endpoint("calendar", "get", lambda o: "/calendar/", EVERYONE, False),
    Endpoint("api-tokens", "get", lambda o: "/api-tokens/", EVERYONE, False),
    Endpoint(
        "api-tokens-post",
        "post",
        lambda o: "/api-tokens/",
        EVERYONE,
        False,
        token_made,
        lambda o: {
            "name": "Dashboard",
            "scope": "read_write",
            "expires_on": (
                timezone.localdate() + datetime.timedelta(days=9)
            ).isoformat(),
        },
    ),
    Endpoint(
        "api-token-revoke",
        "post",
        lambda o: f"/api-tokens/{o['token'].pk}/revoke/",
        {"owner"},
        True,
        token_revoked,
        form=lambda o: {},
        wrong_method="get",
        personal=True,
    ),
    Endpoint("webhooks", "get", lambda o: "/webhooks/", LOOK_AFTER_WEBHOOKS, False),
    Endpoint(
        "webhooks-post",
        "post",
        lambda o: "/webhooks/",
        LOOK_AFTER_WEBHOOKS,
        False,
        webhook_made,
        lambda o: {
            "name": "Dashboard feed",
            "url": f"{WEBHOOK_NETWORK_ADDRESS}/dashboard",
            "kinds": ["signed_off"],
        },
    ),
    Endpoint(
        "webhook",
        "get",
        lambda o: f"/webhooks/{o['webhook'].pk}/",
        LEAD,
        True,
        shows(lambda o: o["webhook"].url),
        wrong_method="post",
        lead_only=True,
    ),
    Endpoint(
        "webhook-edit",
        "get",
        lambda o: f"/webhooks/{o['webhook'].pk}/edit/",
        LEAD,
        True,
        shows(lambda o: o["webhook"].url),
        lead_only=True,
    ),
    Endpoint(
        "webhook-edit-post",
        "post",
        lambda o: f"/webhooks/{o['webhook'].pk}/edit/",
        LEAD,
        True,
        webhook_changed,
        lambda o: {
            "name": o["webhook"].name,
            "url": o["webhook"].url,
            "kinds": ["signed_off", "returned"],
        },
        lead_only=True,
    ),
    Endpoint(
        "webhook-remove",
        "get",
        lambda o: f"/webhooks/{o['webhook'].pk}/remove/",
        LEAD,
        True,
        shows(lambda o: o["webhook"].url),
        lead_only=True,
    ),
    Endpoint(
        "webhook-remove-post",
        "post",
        lambda o: f"/webhooks/{o['webhook'].pk}/remove/",
        LEAD,
        True,
        webhook_removed,
        form=lambda o: {},
        lead_only=True,
    ),
    webhook_move("pause", webhook_paused),
    webhook_move("resume", webhook_resumed),
    webhook_move("new-secret", webhook_new_secret),
    webhook_move("ping", webhook_pinged),
    webhook_move("send-again", webhook_sent_again),
    Endpoint("import-start", "get", lambda o: "/import/", READERS, False),
    Endpoint("my-reminders", "get", lambda o: "/reminders/", EVERYONE, False),
    Endpoint(
        "notifications",
        "get",
        lambda o: "/notifications/",
        EVERYONE,
        False,
        wrong_method="post",
    ),
    Endpoint(
        "notification-preferences",
        "get",
        lambda o: "/notifications/choices/",
        EVERYONE,
        False,
    ),
    Endpoint(
        "notifications-read-all",
        "post",
        lambda o: "/notifications/read/",
        EVERYONE,
        False,
        all_read,
        form=lambda o: {},
        wrong_method="get",
    ),
    Endpoint(
        "notification-open",
        "post",
        lambda o: f"/notifications/{o['notification'].pk}/",
        {"owner"},
        True,
        notification_read(then=lambda o: o["action"].get_absolute_url()),
        form=lambda o: {},
        wrong_method="get",
        personal=True,
    ),
    Endpoint(
        "notification-read",
        "post",
        lambda o: f"/notifications/{o['notification'].pk}/read/",
        {"owner"},
        True,
        notification_read(),
        form=lambda o: {},
        wrong_method="get",
        personal=True,
    ),
    Endpoint(
        "force-detail",
        "get",
        lambda o: o["force"].get_absolute_url(),
        EVERYONE,
        True,
        shows(lambda o: o["force"].name),
        wrong_method="post",
    ),
    # The packs' pages; what making each pack gives, for every role and force, is
    # tests/test_papers.py's.
    Endpoint(
        "force-pack",
        "get",
        lambda o: f"/forces/{o['force'].slug}/pack/",
        {"lead", "inspector", "admin_user"},
        True,
        shows(lambda o: o["force"].name),
    ),
    Endpoint(
        "inspection-pack",
        "get",
        lambda o: f"/inspections/{o['inspection'].pk}/pack/",
        {"lead", "inspector", "admin_user"},
        True,
        shows(lambda o: o["inspection"].title),
    ),
    Endpoint("national-brief", "get", lambda o: "/national/brief/", READERS, False),
    Endpoint(
        "inspection-detail",
        "get",
        lambda o: o["inspection"].get_absolute_url(),
        EVERYONE,
        True,
        shows(lambda o: o["action"].title),
        wrong_method="post",
    ),
    Endpoint(
        "finding-detail",
        "get",
        lambda o: o["finding"].get_absolute_url(),
        EVERYONE,
        True,
        shows(lambda o: o["finding"].reference),
        wrong_method="post",
    ),
    Endpoint(
        "action-detail",
        "get",
        lambda o: o["action"].get_absolute_url(),
        EVERYONE,
        True,
        shows(lambda o: o["action"].title),
        wrong_method="post",
    ),
    Endpoint(
        "evidence-download",
        "get",
        lambda o: f"/evidence/{o['evidence'].pk}/",
        EVERYONE,
        True,
        evidence_is_sent,
        wrong_method="post",
    ),
    # The assign page shows its form (GET) and takes it (POST).
    Endpoint(
        "action-assign",
        "get",
        lambda o: f"/actions/{o['fresh'].pk}/assign/",
        LEAD,
        True,
        shows(lambda o: o["fresh"].title),
    ),
    Endpoint(
        "action-assign-post",
        "post",
        lambda o: f"/actions/{o['fresh'].pk}/assign/",
        LEAD,
        True,
        assigned,
        assign_form,
    ),
    Endpoint(
        "action-add-update",
        "post",
        lambda o: f"/actions/{o['action'].pk}/updates/",
        DOERS,
        True,
        progress_recorded,
        lambda o: {
            "text": "Minutes of the panel added.",
            "percent_complete": "40",
            "version": o["action"].version,
        },
        "get",
    ),
    Endpoint(
        "action-move-start",
        "post",
        lambda o: f"/actions/{o['fresh'].pk}/start/",
        DOERS,
        True,
        moved("fresh", S.IN_PROGRESS, K.STARTED, "Work begins."),
        move_form("fresh", "Work begins."),
        "get",
    ),
    Endpoint(
        "action-move-mark-done",
        "post",
        lambda o: f"/actions/{o['action'].pk}/mark-done/",
        {"owner"},
        True,
        moved("action", S.DONE, K.MARKED_DONE, "Plan published."),
        move_form("action", "Plan published."),
        "get",
    ),
    Endpoint(
        "action-move-sign-off",
        "post",
        lambda o: f"/actions/{o['done'].pk}/sign-off/",
        LEAD,
        True,
        moved("done", S.SIGNED_OFF, K.SIGNED_OFF, "Checked against the plan."),
        move_form("done", "Checked against the plan."),
        "get",
    ),
    Endpoint(
        "action-move-return",
        "post",
        lambda o: f"/actions/{o['done'].pk}/return/",
        LEAD,
        True,
        moved("done", S.IN_PROGRESS, K.RETURNED, "The annex is missing."),
        move_form("done", "The annex is missing."),
        "get",
    ),
    Endpoint(
        "action-move-withdraw",
        "post",
        lambda o: f"/actions/{o['action'].pk}/withdraw/",
        LEAD,
        True,
        moved("action", S.WITHDRAWN, K.WITHDRAWN, "No longer needed."),
        move_form("action", "No longer needed."),
        "get",
    ),
    Endpoint(
        "action-request-deadline",
        "post",
        lambda o: f"/actions/{o['done'].pk}/deadline-change/",
        LEAD,
        True,
        deadline_requested,
        lambda o: {"new_deadline": NEW_DEADLINE.isoformat(), "reason": REASON},
        "get",
    ),
    Endpoint(
        "deadline-request-decide",
        "post",
        lambda o: f"/deadline-changes/{o['change'].pk}/decide/",
        INSPECTORS,
        True,
        deadline_approved,
        lambda o: {"decision": "approve", "comment": "Agreed."},
        "get",
    ),
    Endpoint(
        "finding-request-closure",
        "post",
        lambda o: f"/findings/{o['closable'].pk}/request-closure/",
        LEAD,
        True,
        finding_moved(
            "closable",
            Finding.Status.CLOSURE_REQUESTED,
            FindingEvent.Kind.CLOSURE_REQUESTED,
            "The plan is published and in use.",
        ),
        lambda o: {"text": "The plan is published and in use."},
        "get",
    ),
    Endpoint(
        "finding-authorise-closure",
        "post",
        lambda o: f"/findings/{o['requested'].pk}/authorise-closure/",
        INSPECTORS,
        True,
        finding_moved(
            "requested",
            Finding.Status.COMPLETE,
            FindingEvent.Kind.CLOSURE_AUTHORISED,
            "Evidence accepted.",
        ),
        lambda o: {"text": "Evidence accepted."},
        "get",
    ),
    Endpoint(
        "finding-decline-closure",
        "post",
        lambda o: f"/findings/{o['requested'].pk}/decline-closure/",
        INSPECTORS,
        True,
        finding_moved(
            "requested",
            Finding.Status.BEING_PROGRESSED,
            FindingEvent.Kind.CLOSURE_DECLINED,
            "Show how the panel's views changed the plan.",
        ),
        lambda o: {"text": "Show how the panel's views changed the plan."},
        "get",
    ),
    Endpoint(
        "finding-supersede",
        "post",
        lambda o: f"/findings/{o['finding'].pk}/supersede/",
        INSPECTORS,
        True,
        superseded,
        lambda o: {"reference": o["closable"].reference, "comment": "Taken over."},
        "get",
    ),
    Endpoint(
        "action-new",
        "get",
        lambda o: f"/findings/{o['finding'].pk}/actions/new/",
        LEAD,
        True,
        shows(lambda o: o["finding"].reference),
    ),
    Endpoint(
        "action-new-post",
        "post",
        lambda o: f"/findings/{o['finding'].pk}/actions/new/",
        LEAD,
        True,
        planned(PLANNED),
        plan_form(PLANNED),
    ),
    Endpoint(
        "step-new",
        "get",
        lambda o: f"/actions/{o['fresh'].pk}/steps/new/",
        LEAD,
        True,
        shows(lambda o: o["fresh"].title),
    ),
    Endpoint(
        "step-new-post",
        "post",
        lambda o: f"/actions/{o['fresh'].pk}/steps/new/",
        LEAD,
        True,
        planned("A sub-step of it", "fresh"),
        plan_form("A sub-step of it"),
    ),
    Endpoint(
        "action-edit",
        "get",
        lambda o: f"/actions/{o['fresh'].pk}/edit/",
        LEAD,
        True,
        shows(lambda o: o["fresh"].title),
    ),
    Endpoint(
        "action-edit-post",
        "post",
        lambda o: f"/actions/{o['fresh'].pk}/edit/",
        LEAD,
        True,
        edited,
        lambda o: {
            "title": "Renamed plan",
            "description": "",
            "deliverable": "A new deliverable",
            "version": o["fresh"].version,
        },
    ),
    Endpoint(
        "action-reorder",
        "post",
        lambda o: f"/actions/{o['fresh'].pk}/reorder/",
        LEAD,
        True,
        reordered,
        lambda o: {"direction": "up"},
        wrong_method="get",
    ),
    Endpoint(
        "force-planning",
        "post",
        lambda o: f"/forces/{o['force'].slug}/planning/",
        LEAD,
        True,
        staff_may_plan,
        lambda o: {"staff_may_plan": "yes"},
        wrong_method="get",
    ),
    # The work queues: the same address for everyone, the rows by who asks.
    Endpoint(
        "queue-closure-requests",
        "get",
        lambda o: "/queues/closure-requests/",
        READERS,
        False,
        lists_own_force_only(lambda o: o["requested"].reference),
        wrong_method="post",
    ),
    Endpoint(
        "queue-deadline-requests",
        "get",
        lambda o: "/queues/deadline-requests/",
        READERS,
        False,
        lists_own_force_only(lambda o: o["change"].action.title),
        wrong_method="post",
    ),
    Endpoint(
        "queue-overdue-findings",
        "get",
        lambda o: "/queues/overdue-findings/",
        READERS,
        False,
        wrong_method="post",
    ),
    Endpoint(
        "queue-sign-off",
        "get",
        lambda o: "/queues/sign-off/",
        FORCE_USERS,
        False,
        lists_own_force_only(lambda o: o["done"].title),
        wrong_method="post",
    ),
    Endpoint(
        "queue-overdue",
        "get",
        lambda o: "/queues/overdue/",
        FORCE_USERS,
        False,
        wrong_method="post",
    ),
    Endpoint(
        "queue-due-soon",
        "get",
        lambda o: "/queues/due-soon/",
        FORCE_USERS,
        False,
        wrong_method="post",
    ),
    Endpoint(
        "queue-returned",
        "get",
        lambda o: "/queues/returned/",
        FORCE_USERS,
        False,
        wrong_method="post",
    ),
    Endpoint(
        "queue-ready-for-closure",
        "get",
        lambda o: "/queues/ready-for-closure/",
        LEAD,
        False,
        lists_own_force_only(lambda o: o["closable"].reference),
        wrong_method="post",
    ),
    Endpoint(
        "queue-closure-declined",
        "get",
        lambda o: "/queues/closure-declined/",
        LEAD,
        False,
        wrong_method="post",
    ),
    Endpoint(
        "queue-my-deadline-requests",
        "get",
        lambda o: "/queues/my-deadline-requests/",
        LEAD,
        False,
        lists_own_force_only(lambda o: o["change"].action.title),
        wrong_method="post",
    ),
    # Findings by hand: each page shows its form (GET) and takes it (POST).
    Endpoint("inspection-add", "get", lambda o: "/inspections/new/", READERS, False),
    Endpoint(
        "inspection-add-post",
        "post",
        lambda o: "/inspections/new/",
        READERS,
        False,
        inspection_added,
        lambda o: {
            "force": o["force"].pk,
            "programme": "PEEL 2014",
            "title": f"By hand: {o['force']}",
            "published_on": "2015-02-12",
            "overall_grade": "good",
            "questions": "How well?",
        },
    ),
    Endpoint(
        "finding-add",
        "get",
        lambda o: f"/inspections/{o['inspection'].pk}/findings/new/",
        READERS,
        True,
        shows(lambda o: o["inspection"].title),
    ),
    Endpoint(
        "finding-add-post",
        "post",
        lambda o: f"/inspections/{o['inspection'].pk}/findings/new/",
        READERS,
        True,
        finding_added,
        lambda o: {
            "question": o["finding"].question_id,
            "kind": Finding.Kind.AREA_FOR_IMPROVEMENT,
            "reference": f"{o['force'].code}-HAND-AFI-1",
            "text": "The force should do it.",
        },
    ),
    Endpoint(
        "question-add",
        "get",
        lambda o: f"/inspections/{o['inspection'].pk}/questions/new/",
        READERS,
        True,
        shows(lambda o: o["inspection"].title),
    ),
    Endpoint(
        "question-add-post",
        "post",
        lambda o: f"/inspections/{o['inspection'].pk}/questions/new/",
        READERS,
        True,
        question_added,
        lambda o: {"text": "Asked by hand?", "grade": "good"},
    ),
    Endpoint(
        "finding-edit",
        "get",
        lambda o: f"/findings/{o['finding'].pk}/edit/",
        READERS,
        True,
        shows(lambda o: o["finding"].reference),
    ),
    Endpoint(
        "finding-edit-post",
        "post",
        lambda o: f"/findings/{o['finding'].pk}/edit/",
        READERS,
        True,
        finding_edited,
        lambda o: {
            "text": "Corrected by hand.",
            "reference": o["finding"].reference,
            "kind": o["finding"].kind,
            "question": o["finding"].question_id,
            "parent": "",
            "seen": o["finding"].updated_at.isoformat(),
        },
    ),
    Endpoint(
        "finding-remove",
        "get",
        lambda o: f"/findings/{o['bare'].pk}/remove/",
        READERS,
        True,
        shows(lambda o: o["bare"].reference),
    ),
    Endpoint(
        "finding-remove-post",
        "post",
        lambda o: f"/findings/{o['bare'].pk}/remove/",
        READERS,
        True,
        finding_removed,
        lambda o: {"seen": o["bare"].updated_at.isoformat()},
    ),
    Endpoint(
        "question-edit",
        "get",
        lambda o: f"/questions/{o['spare_question'].pk}/edit/",
        READERS,
        True,
        shows(lambda o: o["spare_question"].text),
    ),
    Endpoint(
        "question-edit-post",
        "post",
        lambda o: f"/questions/{o['spare_question'].pk}/edit/",
        READERS,
        True,
        question_edited,
        lambda o: {
            "text": "Reworded by hand?",
            "grade": "good",
            "seen": o["spare_question"].updated_at.isoformat(),
        },
    ),
    Endpoint(
        "question-remove",
        "get",
        lambda o: f"/questions/{o['spare_question'].pk}/remove/",
        READERS,
        True,
        shows(lambda o: o["spare_question"].text),
    ),
    Endpoint(
        "question-remove-post",
        "post",
        lambda o: f"/questions/{o['spare_question'].pk}/remove/",
        READERS,
        True,
        question_removed,
        lambda o: {"seen": o["spare_question"].updated_at.isoformat()},
    ),
    Endpoint(
        "inspection-edit",
        "get",
        lambda o: f"/inspections/{o['inspection'].pk}/edit/",
        READERS,
        True,
        shows(lambda o: o["inspection"].title),
    ),
    Endpoint(
        "inspection-edit-post",
        "post",
        lambda o: f"/inspections/{o['inspection'].pk}/edit/",
        READERS,
        True,
        inspection_edited,
        lambda o: {
            "programme": o["inspection"].programme,
            "pillar": o["inspection"].pillar,
            "title": f"Retitled: {o['force']}",
            "published_on": o["inspection"].published_on.isoformat(),
            "overall_grade": o["inspection"].overall_grade,
            "source_reference": "",
            "seen": o["inspection"].updated_at.isoformat(),
        },
    ),
    Endpoint(
        "inspection-remove",
        "get",
        lambda o: f"/inspections/{o['spare_inspection'].pk}/remove/",
        READERS,
        True,
        shows(lambda o: o["spare_inspection"].title),
    ),
    Endpoint(
        "inspection-remove-post",
        "post",
        lambda o: f"/inspections/{o['spare_inspection'].pk}/remove/",
        READERS,
        True,
        inspection_removed,
        lambda o: {"seen": o["spare_inspection"].updated_at.isoformat()},
    ),
    # Several actions at once: a lead's own force only (another's is refused by name).
    Endpoint(
        "actions-bulk",
        "post",
        lambda o: "/actions/bulk/",
        LEAD,
        False,
        bulk_signed_off,
        lambda o: {
            "selected": [f"{o['done'].pk}:{o['done'].version}"],
            "do": "sign-off",
        },
        wrong_method="get",
    ),
]


def expected(role, whose, allowed, per_force, personal=False, lead_only=False):
    if role == "anonymous":
        return "login"
    if lead_only:
        return OK if (role, whose) == ("lead", "own") else 404
    if personal:
        # The own side's is the owner's, the other side's the outsider's.
        mine = {"owner": "own", "outsider": "other"}.get(role) == whose
        return OK if mine else 404
    home_force = {"owner": "own", "lead": "own", "outsider": "other"}.get(role)
    visible = role in READERS or not per_force or home_force == whose
    if not visible:
        return 404
    acting_as = role
    if per_force and whose == "other" and role == "outsider":
        acting_as = "owner"  # the outsider is the owner of the other force's action
    return OK if acting_as in allowed else 403


def signed_in(client, world, role):
    user = world["people"].get(role)
    if user is not None:
        client.force_login(user)
    return user


class TestWhoMayDoWhat:
    @pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
    @pytest.mark.parametrize("role", ROLES)
    def test_url_answers_by_role_and_force(self, client, world, endpoint, role):
        user = signed_in(client, world, role)
        for whose in ("own", "other"):
            o = world[whose]
            send = getattr(client, endpoint.method)
            form = endpoint.form(o) if endpoint.form else None
            before = tracker_rows()
            response = send(endpoint.path(o), form)
            want = expected(
                role,
                whose,
                endpoint.allowed,
                endpoint.per_force,
                endpoint.personal,
                endpoint.lead_only,
            )
            if want == "login":
                assert (
                    response.status_code == 302
                    and "/accounts/login/" in response["Location"]
                ), whose
            elif want == OK:
                # A page, or a move done and its page's address.
                answer = 302 if endpoint.method == "post" else 200
                assert response.status_code == answer, (whose, response.status_code)
                if endpoint.done:
                    endpoint.done(o, user, response)
                if endpoint.method == "post":
                    assert "/accounts/login/" not in response["Location"], whose
                    continue
            else:
                assert response.status_code == want, (whose, response.status_code)
            assert tracker_rows() == before, f"{whose}: a {want} changed the database"

    def test_forbidden_moves_change_nothing(self, client, world):
        action = world["own"]["action"]
        action.refresh_from_db()
        before = (action.status, action.version, action.updates.count())
        client.force_login(world["people"]["owner"])
        client.post(f"/actions/{action.pk}/withdraw/", {"text": "gone"})
        client.post(f"/actions/{action.pk}/sign-off/", {"text": ""})
        action.refresh_from_db()
        assert (action.status, action.version, action.updates.count()) == before
        assert DeadlineChangeRequest.objects.filter(status="pending").count() == 2


def test_every_tracker_url_is_in_the_matrix():
    tracker = set(get_resolver().namespace_dict["tracker"][1].reverse_dict.keys())
    covered = (
        {e.name for e in ENDPOINTS}
        | {
            "action-move",
            "finding-move",
            "webhook-move",
            "action-export",
            "calendar-feed",
            "import-preview",  # tests/test_importing.py: a token works only in its own session
        }
    )
    missing = {name for name in tracker if isinstance(name, str)} - covered
    assert not missing, f"add these URLs to the security matrix: {sorted(missing)}"


def test_every_sign_in_url_is_tested():
    """The provider's way in and back (/oidc/) belong to no role: anonymous, refused,
    off without a provider and with a forged state, in tests/test_oidc.py."""
    oidc = set(get_resolver().namespace_dict["oidc"][1].reverse_dict.keys())
    missing = {name for name in oidc if isinstance(name, str)} - {
        "authenticate",
        "callback",
    }
    assert not missing, f"test these URLs in tests/test_oidc.py: {sorted(missing)}"


WRONG_METHOD = [e for e in ENDPOINTS if e.wrong_method]


class TestMethods:
    @pytest.mark.parametrize(
        "endpoint", WRONG_METHOD, ids=[e.name for e in WRONG_METHOD]
    )
    @pytest.mark.parametrize("role", ROLES)
    def test_the_wrong_method_answers_405_to_everyone(
        self, client, world, endpoint, role
    ):
        """Asked before who is asking: a form's address by GET, a page's by POST."""
        signed_in(client, world, role)
        allow = "POST" if endpoint.method == "post" else "GET, HEAD"
        for whose in ("own", "other"):
            before = tracker_rows()
            response = getattr(client, endpoint.wrong_method)(
                endpoint.path(world[whose])
            )
            assert response.status_code == 405, (whose, response.status_code)
            assert response["Allow"] == allow, whose
            if endpoint.method == "post":
                assert "only by a form" in response.content.decode(), whose
            assert tracker_rows() == before, whose

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
        self, client, world, path, back
    ):
        action = world["own"]["action"]
        client.force_login(world["people"]["owner"])
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
            ("owner", "/queues/sign-off/"),
            ("inspector", "/queues/closure-requests/"),
            (None, "/accounts/login/"),
        ],
    )
    def test_head_answers_wherever_get_does(self, client, world, who, path):
        if who:
            client.force_login(world["people"][who])
        action = world["own"]["action"]
        path = path.format(action=action.pk, finding=action.finding_id)
        assert client.get(path).status_code == 200
        response = client.head(path)
        assert response.status_code == 200, path
        assert response.content == b""
