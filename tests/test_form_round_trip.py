"""Every form on every page, submitted exactly as a browser would send it unchanged.

For each persona the test crawls the pages it can reach from its home page (and
the pages of the fixture world), reads every ``<form method=post>`` the way a
browser builds its submission, posts it back unchanged and compares every row of
the database before and after:

* an edit form (assign, reminder choices, the admin's change forms...) changes
  nothing but bookkeeping;
* a move (mark done, sign off, request closure...) may make its move, but no value
  the page displayed (deadline, owner, contributors, percent...) changes with it;
* a form that creates (a progress update, an import) may add rows, never alter one.

Each submission runs in a savepoint that is rolled back, so every form is tried
against the same world. A page with a POST form this test cannot classify fails
it: a new form is covered by adding it to the tables below.
"""

import copy
import datetime
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve

from tests.conftest import make_finding
from tracker import services
from tracker.models import (
    Action,
    DeadlineChangeRequest,
    Finding,
    Force,
    ReminderPreference,
)

SAMPLE = (
    Path(__file__).resolve().parent.parent
    / "tracker"
    / "data"
    / "west-mercia-peel-2016-effectiveness.txt"
)

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

# --- The browser's side: which controls a form sends, and with what values ------


def _valid_iso_date(value: str) -> bool:
    if not ISO_DATE.fullmatch(value):
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _sanitised(kind: str, value: str) -> str:
    """The value the browser holds for an input, after the HTML standard's sanitising.

    Chromium, Firefox and Safari empty a date input whose value is not a valid
    yyyy-mm-dd date, and a number input whose value is not a number: the box shows
    nothing and the form sends an empty value.
    """
    if kind == "date":
        return value if _valid_iso_date(value) else ""
    if kind == "number":
        try:
            float(value)
        except ValueError:
            return ""
    return value


class Form:
    def __init__(self, attrs: dict, page_url: str):
        self.method = (attrs.get("method") or "get").lower()
        self.action = urljoin(page_url, attrs.get("action") or page_url)
        self.controls: list[dict] = []  # in document order
        self.date_inputs: list[dict] = []

    def can_be_sent(self) -> bool:
        """Without a submit button, only Enter in a field sends a form."""
        return bool(self.buttons()) or any(
            c["kind"] not in ("hidden", "checkbox", "radio", "select", "textarea")
            and not c["disabled"]
            for c in self.controls
        )

    def buttons(self) -> list[dict]:
        return [c for c in self.controls if c["kind"] == "submit" and not c["disabled"]]

    def submission(self, button: dict | None) -> dict[str, list[str]]:
        """What the browser sends when `button` is clicked (None: Enter in a field)."""
        data: dict[str, list[str]] = {}

        def send(name, value):
            data.setdefault(name, []).append(value)

        for control in self.controls:
            name, kind = control["name"], control["kind"]
            if not name or control["disabled"]:
                continue
            if kind == "submit":
                if control is button:
                    send(name, control["value"])
            elif kind in ("checkbox", "radio"):
                if control["checked"]:
                    send(
                        name, control["value"] if control["value"] is not None else "on"
                    )
            elif kind in ("file", "reset", "button", "image"):
                continue  # no file chosen: nothing worth sending
            elif kind == "select":
                options = [o for o in control["options"] if not o["disabled"]]
                chosen = [o for o in options if o["selected"]]
                if not control["multiple"]:
                    # One choice: the last marked selected, else the first option.
                    chosen = chosen[-1:] or options[:1]
                for option in chosen:
                    send(name, option["value"])
            elif kind == "textarea":
                send(name, control["value"])
            else:
                send(name, _sanitised(kind, control["value"] or ""))
        return data


class FormParser(HTMLParser):
    """The forms of a page, their controls, and the values a browser would hold."""

    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self.links: list[str] = []
        self.form: Form | None = None
        self.select: dict | None = None
        self.option: dict | None = None
        self.textarea: dict | None = None
        self.disabled_fieldsets = 0
        self.fieldsets: list[bool] = []

    def _disabled(self, attrs) -> bool:
        return "disabled" in attrs or self.disabled_fieldsets > 0

    def handle_starttag(self, tag, attr_list):
        attrs = {k: (v if v is not None else "") for k, v in attr_list}
        if tag == "a" and attrs.get("href"):
            self.links.append(urljoin(self.page_url, attrs["href"]))
        elif tag == "form":
            self.form = Form(attrs, self.page_url)
            self.forms.append(self.form)
        elif tag == "fieldset":
            disabled = "disabled" in attrs
            self.fieldsets.append(disabled)
            self.disabled_fieldsets += disabled
        elif self.form is None:
            return
        elif tag == "input":
            kind = (attrs.get("type") or "text").lower()
            control = {
                "kind": kind,
                "name": attrs.get("name"),
                "value": attrs.get(
                    "value", "on" if kind in ("checkbox", "radio") else ""
                ),
                "checked": "checked" in attrs,
                "disabled": self._disabled(attrs),
            }
            if kind == "submit" and "value" not in attrs:
                control["value"] = "Submit"
            self.form.controls.append(control)
            if kind == "date":
                self.form.date_inputs.append(control)
        elif tag == "button":
            kind = (attrs.get("type") or "submit").lower()
            self.form.controls.append(
                {
                    "kind": kind,
                    "name": attrs.get("name"),
                    "value": attrs.get("value", ""),
                    "disabled": self._disabled(attrs),
                }
            )
        elif tag == "select":
            self.select = {
                "kind": "select",
                "name": attrs.get("name"),
                "multiple": "multiple" in attrs,
                "options": [],
                "disabled": self._disabled(attrs),
            }
            self.form.controls.append(self.select)
        elif tag == "option" and self.select is not None:
            self.option = {
                "value": attrs.get("value"),
                "text": "",
                "selected": "selected" in attrs,
                "disabled": "disabled" in attrs,
            }
            self.select["options"].append(self.option)
        elif tag == "textarea":
            self.textarea = {
                "kind": "textarea",
                "name": attrs.get("name"),
                "value": "",
                "disabled": self._disabled(attrs),
            }
            self.form.controls.append(self.textarea)

    def handle_data(self, data):
        if self.option is not None:
            self.option["text"] += data
        if self.textarea is not None:
            self.textarea["value"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "fieldset" and self.fieldsets:
            self.disabled_fieldsets -= self.fieldsets.pop()
        elif tag == "select":
            self.select = None
            self.option = None
        elif tag == "option":
            self._close_option()
        elif tag == "textarea" and self.textarea is not None:
            # The HTML parser drops one newline straight after <textarea>.
            value = self.textarea["value"]
            self.textarea["value"] = value[1:] if value.startswith("\n") else value
            self.textarea = None

    def _close_option(self):
        if self.option is not None:
            if self.option["value"] is None:
                self.option["value"] = " ".join(self.option["text"].split())
            self.option = None

    def close(self):
        super().close()
        self._close_option()


def parse(html: str, page_url: str) -> FormParser:
    parser = FormParser(page_url)
    parser.feed(html)
    parser.close()
    for form in parser.forms:
        for control in form.controls:
            if control["kind"] == "select":
                for option in control["options"]:
                    if option["value"] is None:
                        option["value"] = " ".join(option["text"].split())
    return parser


# --- The server's side: every row of the database, and what may change ---------

# Bookkeeping that may change on any submission, with why:
IGNORED_TABLES = {
    "sessions.session",  # the signed-in session itself (a form's own visit)
    "admin.logentry",  # the admin's note of each save, even "No fields changed"
    "axes.accessattempt",  # sign-in attempts, counted by django-axes
    "axes.accesslog",
    "axes.accessfailurelog",
    # Celery beat's stamp of "the schedule changed", written on every admin save.
    "django_celery_beat.periodictasks",
}
IGNORED_FIELDS = {
    "version",  # the optimistic-lock counter: every save bumps it, by design
    "updated_at",  # auto_now: the time of the last save, not a value anyone set
    "last_login",  # signing in is not a form on the page being tested
    "date_changed",  # Celery beat's auto_now on a periodic task
}


def _is_history(model) -> bool:
    # simple_history appends a row on every save, changed or not: an audit log.
    return model.__name__.startswith("Historical")


def snapshot() -> dict[str, dict]:
    rows = {}
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label_lower
        if label in IGNORED_TABLES or _is_history(model):
            continue
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if f.attname not in IGNORED_FIELDS
        ]
        rows[label] = {
            values[0]: dict(zip(fields, values[1:], strict=True))
            for values in model._base_manager.values_list("pk", *fields)
        }
    return rows


def _as_shown(value):
    # A form shows a time to the second: what it cannot show, it cannot send back.
    if isinstance(value, datetime.datetime):
        return value.replace(microsecond=0)
    return value


def diff(before: dict, after: dict) -> dict:
    added, removed, changed = [], [], {}
    for label, old_rows in before.items():
        new_rows = after[label]
        added += [(label, pk) for pk in new_rows.keys() - old_rows.keys()]
        removed += [(label, pk) for pk in old_rows.keys() - new_rows.keys()]
        for pk in old_rows.keys() & new_rows.keys():
            for field, old in old_rows[pk].items():
                if _as_shown(new_rows[pk][field]) != _as_shown(old):
                    changed[(label, pk, field)] = (old, new_rows[pk][field])
    return {"added": added, "removed": removed, "changed": changed}


# --- What each form is ---------------------------------------------------------

EDIT, CREATE, LOGOUT = "edit", "create", "logout"
# The import preview's add, delete, split, merge and move buttons change the report
# waiting in the session, which the page then shows changed: no row may change.
STRUCTURE = "structure"

# A workflow move changes the state of the action or finding it moves (and may
# ripple up: starting work moves the finding to "being progressed"), adds timeline
# rows, and nothing else. Never the deadline, owner, contributors or wording.
WORKFLOW = {
    "tracker.action.status",
    "tracker.action.status_changed_at",
    "tracker.action.last_progress_at",
    "tracker.finding.status",
    "tracker.finding.status_changed_at",
}
MOVES = {
    "start": WORKFLOW,
    # Done means complete: a done action is 100% (a database constraint), and the
    # day it was done is kept to tell work done late.
    "mark-done": WORKFLOW
    | {"tracker.action.percent_complete", "tracker.action.done_on"},
    "sign-off": WORKFLOW,
    # Returned work is no longer complete (issue 10, item 6), nor done on a day.
    "return": WORKFLOW | {"tracker.action.percent_complete", "tracker.action.done_on"},
    "withdraw": WORKFLOW | {"tracker.action.done_on"},
    "request-closure": WORKFLOW,
    "authorise-closure": WORKFLOW,
    "decline-closure": WORKFLOW,
    "supersede": WORKFLOW | {"tracker.finding.superseded_by_id"},
    # The inspector's decision on a deadline change: approving moves the deadline
    # to the date the page showed as requested (checked below).
    "approve": {
        "tracker.deadlinechangerequest.status",
        "tracker.deadlinechangerequest.decided_by_id",
        "tracker.deadlinechangerequest.decided_at",
        "tracker.deadlinechangerequest.decision_comment",
        "tracker.action.deadline",
        "tracker.action.deadline_wording",
    },
    "refuse": {
        "tracker.deadlinechangerequest.status",
        "tracker.deadlinechangerequest.decided_by_id",
        "tracker.deadlinechangerequest.decided_at",
        "tracker.deadlinechangerequest.decision_comment",
    },
    "calendar": {"tracker.user.calendar_token"},
    # A webhook paused or resumed: when, and nothing else; a new secret: the secret.
    "pause": {"tracker.webhook.paused_at"},
    "resume": {"tracker.webhook.paused_at"},
    "new-secret": {"tracker.webhook.secret"},
    # Its failed events sent again: their delivery columns (none had failed here).
    "send-again": {
        "tracker.webhookdelivery.status",
        "tracker.webhookdelivery.attempts",
        "tracker.webhookdelivery.refused",
        "tracker.webhookdelivery.maybe_delivered",
        "tracker.webhookdelivery.retry_at",
    },
    # Revoking an API token: when, and nothing else.
    "revoke-token": {"tracker.apitoken.revoked_at"},
    # Moving an action up or down its plan changes its place and its neighbour's.
    "reorder": {"tracker.action.order"},
    # Marking notifications read: when, and nothing else.
    "read": {"tracker.notification.read_at"},
    # The force lead's choice of whether force staff plan actions.
    "planning": {"tracker.force.staff_may_plan"},
}
# Forms on the admin's pages that are not submitted, and why.
NOT_SUBMITTED = {
    "delete": "deleting is the whole of what it does; nothing displayed to round-trip",
    "delete_view": "deleting is the whole of what it does",
    "revert": "a revert writes the historical values it shows; that is its purpose",
    "remove": "removing a finding, question, inspection or webhook is the whole of what"
    " it does (tests/test_authoring.py, tests/test_webhooks.py)",
}


def classify(url: str, data: dict) -> str | None:
    """EDIT, CREATE, LOGOUT, a move's name, 'skip:<why>', or None if unknown."""
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    name, kwargs = match.view_name, match.kwargs
    if name in ("logout", "admin:logout"):
        return LOGOUT
    if name in (
        "tracker:action-assign",
        "tracker:action-edit",
        "tracker:actions-bulk",
        "tracker:webhook-edit",
        "tracker:my-reminders",
        "tracker:notification-preferences",
        "login",
        "password_change",
        "password_reset",
        "admin:password_change",
    ):
        return EDIT
    if name in (
        "tracker:action-add-update",
        "tracker:action-request-deadline",
        "tracker:action-new",
        "tracker:step-new",
        # A new personal API token, a new webhook.
        "tracker:api-tokens",
        "tracker:webhooks",
        # Making a pack notes it (a Paper row), for the next pack's "since".
        "tracker:force-pack",
        "tracker:inspection-pack",
        "tracker:national-brief",
    ):
        return CREATE
    if name == "tracker:action-reorder":
        return "reorder"
    if name in (
        "tracker:notification-open",
        "tracker:notification-read",
        "tracker:notifications-read-all",
    ):
        return "read"
    if name == "tracker:force-planning":
        return "planning"
    if name == "tracker:import-start":
        return CREATE
    if name == "tracker:import-preview":
        if "edit" in data:
            return STRUCTURE
        return CREATE if "confirm" in data else EDIT
    if name in ("tracker:action-move", "tracker:finding-move"):
        return kwargs["move"] if kwargs["move"] in MOVES else None
    if name == "tracker:finding-supersede":
        return "supersede"
    if name == "tracker:deadline-request-decide":
        decision = data.get("decision", [""])[0]
        return decision if decision in ("approve", "refuse") else None
    if name == "tracker:calendar":
        return "calendar"
    if name == "tracker:api-token-revoke":
        return "revoke-token"
    if name == "tracker:webhook-move":
        # A test event is a new row; the others change the webhook.
        return CREATE if kwargs["move"] == "ping" else kwargs["move"]
    if name == "tracker:webhook-remove":
        return "skip:" + NOT_SUBMITTED["remove"]
    if name in (
        "tracker:finding-edit",
        "tracker:question-edit",
        "tracker:inspection-edit",
    ):
        return EDIT
    if name in (
        "tracker:finding-add",
        "tracker:question-add",
        "tracker:inspection-add",
    ):
        return CREATE
    if name in (
        "tracker:finding-remove",
        "tracker:question-remove",
        "tracker:inspection-remove",
    ):
        return "skip:" + NOT_SUBMITTED["remove"]
    if name.startswith("admin:"):
        view = name.removeprefix("admin:")
        if view.endswith("_delete"):
            return "skip:" + NOT_SUBMITTED["delete"]
        if view.endswith("_simple_history"):
            return "skip:" + NOT_SUBMITTED["revert"]
        if view.endswith(("_change", "_changelist", "_password_change")):
            return EDIT
        if view.endswith("_add"):
            return CREATE
    return None


# --- The world, the crawl and the check ----------------------------------------

PERSONAS = [
    "owner",
    "colleague",
    "contributor",
    "lead",
    "outsider",
    "other_lead",
    "inspector",
    "admin_user",
]
# Links not followed: files and feeds (no forms), and the admin's pages that only
# redirect elsewhere.
SKIPPED_VIEWS = {
    "tracker:action-export",
    "tracker:calendar-feed",
    "tracker:evidence-download",
    "admin:view_on_site",
    "admin:jsi18n",
}
# Pages of one kind visited per persona: every action and finding of the small
# world, a sample of the 43 forces, and one row of each model in the admin (its
# change form is the same for every row).
PER_VIEW = {"tracker": 12, "admin": 1}


@pytest.fixture
def world(
    action,
    finding,
    inspection,
    owner,
    contributor,
    lead,
    inspector,
    other_action,
    settings,
):
    """Actions and findings in every state that shows a different form."""
    settings.WEBHOOK_ALLOWED_NETWORKS = ["192.0.2.0/24"]
    services.webhook_create(
        lead,
        force=lead.force,
        name="Risk register",
        url="https://192.0.2.10/hooks",
        kinds=["signed_off", "returned"],
    )
    set_by_inspectorate = services.action_create(
        lead,
        finding=finding,
        title="Report the action plan to the inspectorate",
        owner=owner,
        deadline=datetime.date(2030, 11, 12),
        deadline_wording="by 12 November 2030",
        deadline_set_by=Action.DeadlineSetBy.INSPECTORATE,
    )
    set_by_inspectorate.contributors.add(contributor)
    services.action_start(owner, set_by_inspectorate)
    services.action_record_progress(owner, set_by_inspectorate, text="Half", percent=50)
    with_request = services.action_create(
        lead,
        finding=finding,
        title="Train every officer",
        owner=owner,
        deadline=datetime.date(2031, 1, 31),
        deadline_set_by=Action.DeadlineSetBy.INSPECTORATE,
    )
    services.deadline_change_request(
        lead,
        with_request,
        new_deadline=datetime.date(2031, 3, 31),
        reason="Training runs until March next year",
    )
    done = services.action_create(
        lead, finding=finding, title="Brief the board", owner=owner
    )
    services.action_start(owner, done)
    services.action_mark_done(owner, done, "Briefed")
    services.action_create(lead, finding=finding, title="Sub-step", parent=action)
    closing = make_finding(inspection, number=2)
    Finding.objects.filter(pk=closing.pk).update(
        status=Finding.Status.CLOSURE_REQUESTED
    )
    ReminderPreference.objects.create(
        user=owner,
        digest=ReminderPreference.Digest.WEEKLY,
        weekly_on=3,
        paused_until=datetime.date(2030, 8, 31),
    )
    services.calendar_token_reset(owner)
    pages = [
        obj.get_absolute_url()
        for obj in (
            action,
            set_by_inspectorate,
            with_request,
            done,
            finding,
            closing,
            inspection,
            other_action,
        )
    ]
    return {"pages": pages + [f"/actions/{a.pk}/assign/" for a in Action.objects.all()]}


def _view_of(url: str):
    try:
        return resolve(urlsplit(url).path)
    except Resolver404:
        return None


def _tracker_admin(match) -> bool:
    # The admin's pages of the app's own models (other apps' admins are theirs).
    if match.view_name == "admin:app_list":
        return match.kwargs["app_label"] == "tracker"
    return match.view_name == "admin:index" or match.view_name.startswith(
        "admin:tracker_"
    )


def crawl(client: Client, seeds: list[str]):
    """Every page (path, parsed) reachable from the seeds, a few per kind of page."""
    seen, queue, per_view = set(), list(seeds), Counter()
    while queue:
        url = queue.pop(0)
        parts = urlsplit(url)
        if parts.netloc not in ("", "testserver") or parts.scheme not in ("", "http"):
            continue
        path = parts.path  # a query only filters or pages: the same forms
        if path in seen:
            continue
        seen.add(path)
        match = _view_of(path)
        if match is None or match.view_name in SKIPPED_VIEWS:
            continue
        if path.startswith(("/static/", "/media/")):
            continue
        namespace = "admin" if match.view_name.startswith("admin:") else "tracker"
        if namespace == "admin" and not _tracker_admin(match):
            continue
        per_view[match.view_name] += 1
        if per_view[match.view_name] > PER_VIEW[namespace] and path not in seeds:
            continue
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get(
            "Content-Type", ""
        ):
            continue
        parsed = parse(response.content.decode(), "http://testserver" + path)
        yield path, parsed
        queue += parsed.links


def _allowed(kind: str, change: dict) -> list[str]:
    """What in the change the form of this kind must not have done."""
    problems = [f"removed {row}" for row in change["removed"]]
    if kind in (EDIT, LOGOUT, STRUCTURE):
        problems += [f"added {row}" for row in change["added"]]
    if kind in (EDIT, LOGOUT, CREATE, STRUCTURE):
        allowed = {"tracker.action.last_progress_at"} if kind == CREATE else set()
    else:
        allowed = MOVES[kind]
    for (label, pk, field), (old, new) in change["changed"].items():
        if f"{label}.{field}" not in allowed:
            problems.append(f"{label} {pk} {field}: {old!r} -> {new!r}")
    return problems


def _check_approval(change: dict) -> list[str]:
    for (label, pk, field), (_, new) in change["changed"].items():
        if label == "tracker.action" and field == "deadline":
            asked = DeadlineChangeRequest.objects.filter(action_id=pk).first()
            if asked is None or asked.new_deadline != new:
                return [f"approving moved the deadline to {new}, not the date asked"]
    return []


# Forms repeated once per row of a list, the same but for the row: one of each
# is submitted (a page of 25 notifications holds 50 of them).
ONE_IS_ENOUGH = {"tracker:notification-open", "tracker:notification-read"}


def submit_every_form(client: Client, who: str, seeds: list[str]) -> tuple[list, set]:
    problems, tried, signatures = [], set(), set()
    for path, parsed in list(crawl(client, seeds)):
        for index, form in enumerate(parsed.forms):
            if form.method != "post" or not form.can_be_sent():
                continue
            for control in form.date_inputs:
                if control["value"] and not _valid_iso_date(control["value"]):
                    problems.append(
                        f"{who} {path}: <input type=date name={control['name']}>"
                        f" value {control['value']!r} shows empty in a browser"
                    )
            for button in form.buttons() or [None]:
                data = form.submission(button)
                kind = classify(form.action, data)
                if kind is None:
                    problems.append(f"{who} {path}: unclassified form to {form.action}")
                    continue
                signature = (form.action, repr(sorted(_without_token(data).items())))
                view = resolve(urlsplit(form.action).path).view_name
                if (
                    kind.startswith("skip:")
                    or signature in signatures
                    or (view in ONE_IS_ENOUGH and (view, kind) in tried)
                ):
                    continue
                signatures.add(signature)
                tried.add((view, kind))
                problems += _submit(client, who, path, index, form, button, kind)
    return problems, tried


def _without_token(data: dict, *also: str) -> dict:
    return {k: v for k, v in data.items() if k not in ("csrfmiddlewaretoken", *also)}


def _submit(client, who, path, index, form, button, kind) -> list[str]:
    where = f"{who} {path} form {index} ({kind}) to {urlsplit(form.action).path}"
    data = form.submission(button)
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        before = snapshot()
        response = client.post(form.action, data)
        change = diff(before, snapshot())
        problems = _allowed(kind, change)
        if kind == "approve":
            problems += _check_approval(change)
        if response.status_code not in (200, 302, 400):
            problems.append(f"answered {response.status_code}")
        if kind == EDIT and response.status_code == 302 and not problems:
            # Shown again after saving, the form holds just what it held before.
            page = client.get(path).content.decode()
            again = parse(page, "http://testserver" + path).forms[index]
            same = [
                b
                for b in again.buttons()
                if button
                and (b["name"], b["value"]) == (button["name"], button["value"])
            ]
            # The version is the optimistic lock's (the admin calls it the
            # expected version): saving moved it on.
            lock = ("version", "expected_version")
            resent = _without_token(again.submission(same[0] if same else None), *lock)
            if resent != _without_token(data, *lock):
                problems.append(f"shown again it sends {resent}, not {data}")
        transaction.set_rollback(True)
    client.cookies = cookies
    return [f"{where}: {problem}" for problem in problems]


@pytest.mark.parametrize("who", PERSONAS)
def test_every_form_submitted_unchanged_changes_nothing(request, who, world):
    user = request.getfixturevalue(who)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    seeds = ["/", *world["pages"]]
    if who in ("inspector", "admin_user"):
        response = client.post(
            "/import/",
            {
                "text": SAMPLE.read_text(),
                # Another force than the world's, so that the import is a new report
                # rather than a revision of the world's West Mercia inspection.
                "force": Force.objects.get(code="KEN").pk,
                "csrfmiddlewaretoken": _csrf(client),
            },
        )
        assert response.status_code == 302
        seeds.append(response["Location"])
    if who == "admin_user":
        seeds.append("/admin/")
    problems, tried = submit_every_form(client, who, seeds)
    assert not problems, "\n".join(problems)
    assert (
        "logout",
        LOGOUT,
    ) in tried, "the crawl found no page (the sign-out form is on all)"
    expected = EXPECTED_FORMS.get(who, set())
    assert expected <= tried, f"not reached: {expected - tried}"


def _csrf(client: Client) -> str:
    client.get("/import/")
    return client.cookies["csrftoken"].value


# The forms each persona must reach, so that a crawl that stops early fails.
EXPECTED_FORMS = {
    "owner": {
        ("tracker:action-add-update", CREATE),
        ("tracker:action-move", "start"),
        ("tracker:action-move", "mark-done"),
        ("tracker:my-reminders", EDIT),
        ("tracker:notification-preferences", EDIT),
        ("tracker:notification-read", "read"),
        ("tracker:calendar", "calendar"),
        ("tracker:api-tokens", CREATE),
    },
    "lead": {
        ("tracker:action-assign", EDIT),
        ("tracker:action-move", "sign-off"),
        ("tracker:action-move", "return"),
        ("tracker:action-move", "withdraw"),
        ("tracker:action-request-deadline", CREATE),
        ("tracker:finding-move", "request-closure"),
        ("tracker:action-new", CREATE),
        ("tracker:step-new", CREATE),
        ("tracker:action-edit", EDIT),
        ("tracker:action-reorder", "reorder"),
        ("tracker:force-planning", "planning"),
        ("tracker:force-pack", CREATE),
        ("tracker:inspection-pack", CREATE),
        ("tracker:webhooks", CREATE),
        ("tracker:webhook-edit", EDIT),
        ("tracker:webhook-move", "pause"),
        ("tracker:webhook-move", "new-secret"),
        ("tracker:webhook-move", CREATE),
    },
    "inspector": {
        ("tracker:deadline-request-decide", "approve"),
        ("tracker:deadline-request-decide", "refuse"),
        ("tracker:finding-move", "authorise-closure"),
        ("tracker:finding-move", "decline-closure"),
        ("tracker:finding-supersede", "supersede"),
        ("tracker:import-start", CREATE),
        ("tracker:import-preview", EDIT),
        ("tracker:import-preview", CREATE),
        ("tracker:import-preview", STRUCTURE),
        ("tracker:finding-edit", EDIT),
        ("tracker:question-edit", EDIT),
        ("tracker:inspection-edit", EDIT),
        ("tracker:finding-add", CREATE),
        ("tracker:question-add", CREATE),
        ("tracker:inspection-add", CREATE),
        ("tracker:national-brief", CREATE),
    },
    "admin_user": {
        ("admin:tracker_action_change", EDIT),
        ("admin:tracker_finding_change", EDIT),
        ("admin:tracker_inspection_change", EDIT),
        ("admin:tracker_user_change", EDIT),
        ("admin:tracker_reminderpreference_change", EDIT),
        ("admin:tracker_action_changelist", EDIT),
    },
}


def test_anonymous_forms_change_nothing(db):
    client = Client(enforce_csrf_checks=True)
    problems = []
    for path in ("/accounts/login/", "/accounts/password_reset/"):
        parsed = parse(client.get(path).content.decode(), "http://testserver" + path)
        for index, form in enumerate(f for f in parsed.forms if f.method == "post"):
            button = (form.buttons() or [None])[0]
            kind = classify(form.action, form.submission(button))
            assert kind == EDIT, (path, form.action)
            problems += _submit(client, "anonymous", path, index, form, button, kind)
    assert not problems, "\n".join(problems)
