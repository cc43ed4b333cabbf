"""Every event, driven through the pages, reaches the people it is for exactly once.

Real parts: the moves are posted to the app as its forms send them; the
notifications are sent by a real Celery worker taking the tasks from the real
Redis; a real SMTP server (aiosmtpd) started by the test counts what arrives.
"""

# Fixtures imported from tests.reminders_support are, as pytest intends, test arguments.
# ruff: noqa: F811

import datetime
from collections import Counter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.conftest import make_finding, make_inspection, make_user
from tests.reminders_support import (  # noqa: F401 (fixtures)
    celery_worker,
    mail_server,
    migration_data_put_back,
    reminder_queue,
    text_body,
    wait_until,
)
from tests.test_importing import SAMPLE
from tracker import services
from tracker.models import Action, Finding, Force, Notification, Role

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("migration_data_put_back"),
]

DEADLINE = datetime.date(2031, 3, 31)


def as_(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(user, path, data) -> None:
    response = as_(user).post(path, data)
    assert response.status_code == 302, (path, response.status_code)
    assert "/accounts/login/" not in response["Location"]
    # People act on the emails of the step before. A worker slower than the next
    # click would rightly drop news the click made stale (the last look: "Returned
    # to you" once the work is marked done again), so each step waits for them.
    waiting = Notification.objects.filter(
        in_digest=False,
        status__in=[Notification.Status.PENDING, Notification.Status.SENDING],
    )
    assert wait_until(lambda: not waiting.exists(), timeout=60), path


def version(action) -> int:
    return Action.objects.get(pk=action.pk).version


def test_each_event_through_the_pages_reaches_each_person_once(
    mail_server, celery_worker
):
    force = Force.objects.get(code="WMP")
    elsewhere = Force.objects.get(code="WMD")
    lead = make_user("lead@westmercia.test", Role.FORCE_LEAD, force)
    owner = make_user("owner@westmercia.test", Role.FORCE_STAFF, force)
    helper = make_user("helper@westmercia.test", Role.FORCE_STAFF, force)
    colleague = make_user("colleague@westmercia.test", Role.FORCE_STAFF, force)
    contact = make_user("contact@hmicfrs.test", Role.INSPECTOR)
    make_user("bystander@hmicfrs.test", Role.INSPECTOR)
    Force.objects.filter(pk=force.pk).update(inspector_contact=contact)
    # Another force's people, with the same handle as one mentioned: told nothing.
    make_user("lead@westmidlands.test", Role.FORCE_LEAD, elsewhere)
    make_user("colleague@westmidlands.test", Role.FORCE_STAFF, elsewhere)
    # Before the sample report (published in 2017), so that one of its findings can
    # supersede one of these.
    earlier = make_inspection(force, year=2014)
    finding = make_finding(earlier)
    overtaken = make_finding(earlier, number=2)
    services.action_create(
        lead, finding=overtaken, title="Review the old plan", owner=colleague
    )
    deadline_action = services.action_create(
        contact,
        finding=finding,
        title="Audit the custody records",
        deadline=DEADLINE,
        deadline_set_by=Action.DeadlineSetBy.INSPECTORATE,
    )
    spare = services.action_create(lead, finding=finding, title="A spare action")
    # (The colleague's "You own an action" for the old plan is the first message.)
    assert Notification.objects.count() == 1

    # The lead plans an action with an owner and a contributor.
    post(
        lead,
        f"/findings/{finding.pk}/actions/new/",
        {
            "title": "Train every custody sergeant",
            "description": "",
            "deliverable": "A training record",
            "owner": owner.pk,
            "contributors": [helper.pk],
            "deadline": DEADLINE.isoformat(),
        },
    )
    action = Action.objects.get(title="Train every custody sergeant")
    # The owner records progress, mentioning a colleague.
    post(
        owner,
        f"/actions/{action.pk}/updates/",
        {
            "text": "Half trained. @colleague can you book the rest?",
            "version": version(action),
        },
    )
    post(
        owner,
        f"/actions/{action.pk}/mark-done/",
        {"text": "All trained.", "version": version(action)},
    )
    post(
        lead,
        f"/actions/{action.pk}/return/",
        {"text": "Two sergeants are missing.", "version": version(action)},
    )
    post(
        owner,
        f"/actions/{action.pk}/mark-done/",
        {"text": "Now all.", "version": version(action)},
    )
    post(
        lead,
        f"/actions/{action.pk}/sign-off/",
        {"text": "Checked.", "version": version(action)},
    )
    # The spare action is assigned to the colleague, then withdrawn.
    post(
        lead,
        f"/actions/{spare.pk}/assign/",
        {
            "owner": colleague.pk,
            "contributors": [],
            "deadline": "",
            "version": version(spare),
        },
    )
    post(
        lead,
        f"/actions/{spare.pk}/withdraw/",
        {"text": "Covered by the training.", "version": version(spare)},
    )
    # A deadline change, asked and approved.
    post(
        lead,
        f"/actions/{deadline_action.pk}/deadline-change/",
        {
            "new_deadline": "2031-09-30",
            "reason": "The audit team is not in post until the summer of 2031.",
        },
    )
    change = deadline_action.deadline_requests.get()
    post(
        contact,
        f"/deadline-changes/{change.pk}/decide/",
        {"decision": "approve", "comment": "Agreed."},
    )
    post(
        lead,
        f"/actions/{deadline_action.pk}/withdraw/",
        {"text": "Done by the national audit.", "version": version(deadline_action)},
    )
    # Closure: requested, declined with a comment, requested again, authorised.
    post(lead, f"/findings/{finding.pk}/request-closure/", {"text": "All delivered."})
    post(
        contact,
        f"/findings/{finding.pk}/decline-closure/",
        {"text": "Attach the training record."},
    )
    post(lead, f"/findings/{finding.pk}/request-closure/", {"text": "Record attached."})
    post(contact, f"/findings/{finding.pk}/authorise-closure/", {"text": "Accepted."})

    # The inspectorate publishes a new report: imported from the import page.
    inspector = as_(contact)  # the preview is kept in the inspector's session
    upload = inspector.post(
        "/import/", {"file": SimpleUploadedFile("wm.txt", SAMPLE.read_bytes())}
    )
    confirmed = inspector.post(upload["Location"], {"force": force.pk, "confirm": "1"})
    assert confirmed.status_code == 302
    newer = Finding.objects.filter(inspection__published_on__gt=earlier.published_on)
    post(
        contact,
        f"/findings/{overtaken.pk}/supersede/",
        {
            "reference": newer.first().reference,
            "comment": "The 2016 report took it over.",
        },
    )

    expected = Counter(
        {
            ("colleague@westmercia.test", "You own an action"): 2,
            ("lead@westmercia.test", "New inspection report"): 1,
            ("lead@westmercia.test", "Superseded"): 1,
            ("colleague@westmercia.test", "Superseded"): 1,
            ("owner@westmercia.test", "You own an action"): 1,
            ("helper@westmercia.test", "You are a contributor"): 1,
            ("colleague@westmercia.test", "You are mentioned"): 1,
            ("lead@westmercia.test", "Ready for your sign-off"): 2,
            ("owner@westmercia.test", "Returned to you"): 1,
            ("helper@westmercia.test", "Returned to you"): 1,
            ("owner@westmercia.test", "Signed off"): 1,
            ("helper@westmercia.test", "Signed off"): 1,
            ("colleague@westmercia.test", "Withdrawn"): 1,
            ("contact@hmicfrs.test", "Deadline change requested"): 1,
            ("lead@westmercia.test", "Deadline change decided"): 1,
            ("contact@hmicfrs.test", "Closure requested"): 2,
            ("lead@westmercia.test", "Closure declined"): 1,
            ("owner@westmercia.test", "Closure declined"): 1,
            ("lead@westmercia.test", "Closure authorised"): 1,
            ("owner@westmercia.test", "Closure authorised"): 1,
        }
    )

    def arrived() -> Counter:
        return Counter(
            # (A subject with non-ASCII words is folded before its first encoded
            # word, which Python's parser reads as a leading space.)
            (m["to"][0], m["message"]["Subject"].split(":", 1)[0].strip())
            for m in mail_server.messages
        )

    wait_until(lambda: sum(arrived().values()) >= sum(expected.values()), timeout=60)
    # A moment more, for any copy that should not come.
    wait_until(lambda: False, timeout=2)
    assert arrived() == expected
    assert all(len(m["to"]) == 1 for m in mail_server.messages)
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}
    returned = [
        m["message"]
        for m in mail_server.messages
        if m["message"]["Subject"].startswith("Returned to you")
    ]
    assert "> Two sergeants are missing." in text_body(returned[0])
    # Every message about the training action threads on it.
    about_action = {
        m["message"]["In-Reply-To"]
        for m in mail_server.messages
        if "Train every custody sergeant" in m["message"]["Subject"]
    }
    assert about_action == {f"<action.{action.pk}@localhost>"}
    assert Finding.objects.get(pk=finding.pk).status == Finding.Status.COMPLETE
    print("\nArrived:", dict(arrived()))
    for header in ("Subject", "To", "Message-ID", "In-Reply-To", "Auto-Submitted"):
        print(f"{header}: {returned[0][header]}")
    print(text_body(returned[0]))
