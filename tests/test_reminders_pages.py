"""The "my reminders" page and the reminder admin: who may see and change what."""

# Fixtures imported from tests.reminders_support are, as pytest intends, test arguments.
# ruff: noqa: F811

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import make_user
from tests.reminders_support import (
    TUESDAY,
    make_action,
    smtp_server,  # noqa: F401 (fixtures)
)
from tracker.models import Finding, Reminder, ReminderPolicy, ReminderPreference, Role
from tracker.reminders.outbox import run_sweep

LONDON = ZoneInfo("Europe/London")
URL = "/reminders/"


def on(day, hour=9):
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, hour, tzinfo=LONDON), tick=False
    )


@pytest.fixture
def plan(finding, lead, owner, contributor, force, inspector):
    force.inspector_contact = inspector
    force.save()
    with on(datetime.date(2017, 4, 3)):
        return make_action(
            finding,
            lead,
            owner,
            datetime.date(2017, 5, 9),
            "Publish the action plan",
            contributors=[contributor],
        )


# The page -------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_wrong_method_is_refused(client, owner):
    client.force_login(owner)
    assert client.put(URL).status_code == 405


def test_the_owner_sees_what_they_will_be_reminded_of_and_when(client, owner, plan):
    client.force_login(owner)
    with on(TUESDAY):
        page = client.get(URL).content.decode()
    assert "Publish the action plan" in page
    for line in [
        "Tuesday 2 May 2017: Due in 7 days",
        "Wednesday 3 May 2017: No progress update for 30 days",
        "Monday 8 May 2017: Due in 1 day",
        "Tuesday 9 May 2017: Due today",
        "Wednesday 10 May 2017: Overdue",
    ]:
        assert line in page
    assert (
        "Escalated to you" not in page
    )  # escalations go to the lead and the inspector
    assert "Due in 14 days" not in page  # that one is in the past


def test_a_contributor_gets_no_nudge_and_the_lead_and_inspector_see_their_escalations(
    client, contributor, lead, inspector, plan
):
    with on(TUESDAY):
        client.force_login(contributor)
        page = client.get(URL).content.decode()
        assert (
            "Tuesday 9 May 2017: Due today" in page and "No progress update" not in page
        )
        client.force_login(lead)
        page = client.get(URL).content.decode()
        assert "Tuesday 16 May 2017: Escalated to you: 7 days overdue" in page
        assert "Due today" not in page
        client.force_login(inspector)
        page = client.get(URL).content.decode()
        assert "Tuesday 6 June 2017: Escalated to you: 28 days overdue" in page


def test_the_inspector_contact_sees_when_a_closure_request_will_be_chased(
    client, inspector, finding, plan
):
    Finding.objects.filter(pk=finding.pk).update(
        status=Finding.Status.CLOSURE_REQUESTED,
        status_changed_at=datetime.datetime(2017, 5, 2, 10, tzinfo=LONDON),
    )
    client.force_login(inspector)
    with on(TUESDAY):
        page = client.get(URL).content.decode()
    assert f"Closure request for {finding.reference}" in page
    # Waiting more than 10 working days: the 11th working day after Tuesday 2 May.
    assert "Wednesday 17 May 2017: Closure request waiting for your decision" in page


def test_an_outsider_sees_nothing_of_another_forces_work(client, outsider, plan):
    client.force_login(outsider)
    with on(TUESDAY):
        page = client.get(URL).content.decode()
    assert "Publish the action plan" not in page
    assert "No reminders are planned for you." in page


def test_choosing_a_weekly_digest_and_going_on_leave(client, owner, plan):
    client.force_login(owner)
    with on(TUESDAY):
        response = client.post(
            URL, {"digest": "weekly", "weekly_on": "4", "paused_until": "2017-05-12"}
        )
        assert response.status_code == 302 and response.url == URL
        page = client.get(URL).content.decode()
    preference = ReminderPreference.objects.get(user=owner)
    assert (preference.digest, preference.weekly_on, preference.paused_until) == (
        "weekly",
        4,
        datetime.date(2017, 5, 12),
    )
    assert "Your reminder choices are saved." in page
    assert "You are on leave until 12 May 2017" in page
    assert "they wait for your Friday message" in page
    assert "Monday 8 May 2017: Due in 1 day (on leave: not sent)" in page


def test_a_leave_date_in_the_past_is_explained(client, owner):
    client.force_login(owner)
    with on(TUESDAY):
        response = client.post(
            URL, {"digest": "daily", "weekly_on": "0", "paused_until": "2017-04-28"}
        )
    assert response.status_code == 200
    page = response.content.decode()
    assert "That date has passed" in page
    # The field keeps its words, and its boxes what was sent.
    assert 'for="id_paused_until_day"' in page
    assert 'value="28"' in page.split('name="paused_until_day"')[1].split(">")[0]
    assert not ReminderPreference.objects.exists()


def test_the_page_uses_a_fixed_number_of_queries_for_5_or_50_actions(
    client, finding, lead, owner, force
):
    helper = make_user("helper@westmercia.test", Role.FORCE_STAFF, force)
    client.force_login(owner)

    def add(count):
        with on(datetime.date(2017, 4, 3)):
            for _ in range(count):
                make_action(
                    finding,
                    lead,
                    owner,
                    datetime.date(2017, 5, 9),
                    contributors=[helper],
                )

    def count_queries():
        with on(TUESDAY), CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries)

    add(5)
    with_5 = count_queries()
    add(45)
    with_50 = count_queries()
    print(f"\nmy reminders page queries: {with_5} with 5 actions, {with_50} with 50")
    assert with_5 == with_50


# The admin ------------------------------------------------------------------------


def test_the_policy_is_one_row_that_administrators_edit(admin_client):
    response = admin_client.get("/admin/tracker/reminderpolicy/")
    assert response.status_code == 302
    assert (
        response.url
        == f"/admin/tracker/reminderpolicy/{ReminderPolicy.SINGLETON_PK}/change/"
    )
    assert admin_client.get("/admin/tracker/reminderpolicy/add/").status_code == 403

    form = {
        "days_before": "21, 7, 0",
        "overdue_repeat_days": 7,
        "escalate_to_lead_after_days": 10,
        "escalate_to_inspector_after_days": 28,
        "sign_off_wait_working_days": 5,
        "closure_wait_working_days": 10,
        "nudge_after_days": 30,
        "schedule_overdue_weeks": 4,
    }
    response = admin_client.post(response.url, form)
    assert response.status_code == 302
    policy = ReminderPolicy.load().as_policy()
    assert (policy.days_before, policy.escalate_to_lead_after_days) == ((21, 7, 0), 10)

    response = admin_client.post(
        f"/admin/tracker/reminderpolicy/{ReminderPolicy.SINGLETON_PK}/change/",
        {**form, "days_before": "7,7"},
    )
    assert response.status_code == 200
    assert "must not repeat a day" in response.content.decode()


def test_force_staff_cannot_reach_the_reminder_admin(client, owner):
    client.force_login(owner)
    response = client.get("/admin/tracker/reminder/")
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_failed_reminders_are_listed_and_sent_again_from_the_admin(
    admin_client, plan, owner, smtp_server, django_capture_on_commit_callbacks
):
    run_sweep(TUESDAY)
    Reminder.objects.update(
        status=Reminder.Status.FAILED, last_error="SMTPServerDisconnected"
    )
    page = admin_client.get(
        "/admin/tracker/reminder/?status__exact=failed"
    ).content.decode()
    assert page.count("Failed: not sent after its attempts") >= 2
    assert page.count("SMTPServerDisconnected") >= 2  # the last error, in the list
    assert (
        admin_client.get("/admin/tracker/reminder/?kind=due_in_7_days").status_code
        == 200
    )

    ids = list(Reminder.objects.values_list("pk", flat=True))
    smtp_server.stop()
    response = admin_client.post(
        "/admin/tracker/reminder/",
        {"action": "send_failed_again", "_selected_action": ids},
        follow=True,
    )
    assert "The mail server does not answer" in response.content.decode()
    assert set(Reminder.objects.values_list("status", flat=True)) == {"failed"}

    smtp_server.start()
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client.post(
            "/admin/tracker/reminder/",
            {"action": "send_failed_again", "_selected_action": ids},
            follow=True,
        )
    assert "2 reminders will be sent again" in response.content.decode()
    assert set(Reminder.objects.values_list("status", flat=True)) == {"pending"}
    assert len(callbacks) == 1  # the digests are queued once the change is committed


def test_the_outbox_cannot_be_edited_by_hand(admin_client, plan):
    run_sweep(TUESDAY)
    reminder = Reminder.objects.first()
    assert admin_client.get("/admin/tracker/reminder/add/").status_code == 403
    response = admin_client.post(
        f"/admin/tracker/reminder/{reminder.pk}/change/", {"status": "sent"}
    )
    assert response.status_code == 403
    assert admin_client.get("/admin/tracker/reminderpreference/").status_code == 200
