"""The embedded default: the app on an SQLite file, as a first run or a small force has it.

The suite runs on PostgreSQL; these tests start a process of their own on a fresh
SQLite file (migrated, with the demo data), and drive it with Django's test client.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow

# Runs inside `manage.py shell` on the SQLite file; prints one JSON line of findings.
SCRIPT = r"""
import json, re, threading
from django.core.management import call_command
from django.db import connection
from django.test import Client
from tracker import services
from tracker.models import Action, Finding, User

call_command("migrate", verbosity=0)
call_command("load_demo", verbosity=0)
out = {}
with connection.cursor() as cursor:
    out["journal_mode"] = cursor.execute("PRAGMA journal_mode").fetchone()[0]
    out["busy_timeout"] = cursor.execute("PRAGMA busy_timeout").fetchone()[0]

lead = User.objects.get(email="lead@westmercia.demo")
inspector = User.objects.get(email="inspector@hmicfrs.demo")
finding = Finding.objects.filter(inspection__force=lead.force).first()
BIG = str(2**64)

def client_for(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client

def hidden_fields(page, action_url):
    # The form that posts to action_url (named, or the page's own address).
    for form in re.findall(r"<form\b.*?</form>", page, re.S):
        tag = form.split(">", 1)[0]
        if f'action="{action_url}"' in tag or ("post" in tag and "action=" not in tag):
            return dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form))
    raise AssertionError(f"no form posts to {action_url}")

# 1. Ids a 64-bit key cannot hold.
inspector_client, lead_client = client_for(inspector), client_for(lead)
out["list_force"] = inspector_client.get(f"/actions/?force={BIG}").status_code
out["export_force"] = inspector_client.get(f"/actions/export.csv?force={BIG}").status_code
action = Action.objects.filter(force=lead.force).exclude(
    status__in=Action.CLOSED_STATUSES
).first()
before = (action.version, list(action.contributors.values_list("pk", flat=True)))
url = f"/actions/{action.pk}/assign/"
fields = hidden_fields(lead_client.get(url).content.decode(), url)
response = lead_client.post(url, {**fields, "contributors": [BIG]})
out["assign_contributors"] = response.status_code
out["assign_message"] = "Select a valid choice" in response.content.decode()
action.refresh_from_db()
out["assign_unchanged"] = before == (
    action.version, list(action.contributors.values_list("pk", flat=True))
)

# The admin's change form: the same ids, posted by an administrator.
admin = User.objects.create_superuser("admin@sqlite.test", "a-long-test-password")
admin_client = client_for(admin)
url = f"/admin/tracker/action/{action.pk}/change/"
page = admin_client.get(url).content.decode()
version = re.search(r'name="expected_version" value="(\d+)"', page).group(1)
admin_pages = {}
for field in ("owner", "contributors"):
    response = admin_client.post(
        url,
        {"title": action.title, "order": "1", "expected_version": version, field: BIG},
    )
    admin_pages[field] = [
        response.status_code, "Select a valid choice" in response.content.decode()
    ]
out["admin_choices"] = admin_pages
action.refresh_from_db()
out["admin_unchanged"] = before == (
    action.version, list(action.contributors.values_list("pk", flat=True))
)

# 2. Twelve people saving at once, each on a thread (so a connection) of their own.
actions = [
    services.action_create(lead, finding=finding, title=f"Concurrent {n}")
    for n in range(12)
]
clients = [client_for(lead) for _ in actions]
pages = [
    hidden_fields(
        c.get(a.get_absolute_url()).content.decode(), f"/actions/{a.pk}/updates/"
    )
    for c, a in zip(clients, actions)
]
statuses, errors = [], []
start = threading.Barrier(len(actions))

def save(client, action, fields):
    start.wait()
    try:
        response = client.post(
            f"/actions/{action.pk}/updates/",
            {**fields, "text": "Done my part.", "percent_complete": "40"},
        )
        statuses.append(response.status_code)
    except Exception as error:
        errors.append(repr(error))

threads = [
    threading.Thread(target=save, args=args) for args in zip(clients, actions, pages)
]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
out["statuses"] = sorted(statuses)
out["errors"] = errors
out["saved"] = sum(a.updates.count() for a in actions)
print("RESULT " + json.dumps(out))
"""


@pytest.fixture(scope="module")
def sqlite_run(tmp_path_factory):
    database = tmp_path_factory.mktemp("sqlite") / "peel.sqlite3"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        DATABASE_URL=f"sqlite:///{database}",
        ALLOWED_HOSTS="testserver",
        # The console would print the demo's emails; this keeps stdout to the result.
        EMAIL_URL="dummymail://",
        CELERY_TASK_ALWAYS_EAGER="false",
        LOG_LEVEL="CRITICAL",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, result.stdout[-3000:] + result.stderr[-3000:]
    return json.loads(lines[0].removeprefix("RESULT "))


def test_sqlite_waits_for_a_writer_instead_of_failing(sqlite_run):
    assert sqlite_run["journal_mode"] == "wal"
    assert sqlite_run["busy_timeout"] >= 5000


def test_twelve_concurrent_saves_all_succeed(sqlite_run):
    assert sqlite_run["errors"] == []
    assert sqlite_run["statuses"] == [302] * 12
    assert sqlite_run["saved"] == 12


def test_an_action_list_filter_beyond_64_bits_is_refused_not_a_crash(sqlite_run):
    assert sqlite_run["list_force"] == 400
    assert sqlite_run["export_force"] == 400


def test_a_contributor_beyond_64_bits_is_a_form_error_and_nothing_is_saved(
    sqlite_run,
):
    assert sqlite_run["assign_contributors"] == 400
    assert sqlite_run["assign_message"]
    assert sqlite_run["assign_unchanged"]


def test_an_admin_owner_or_contributor_beyond_64_bits_is_a_form_error(sqlite_run):
    assert sqlite_run["admin_choices"] == {
        "owner": [200, True],
        "contributors": [200, True],
    }
    assert sqlite_run["admin_unchanged"]
