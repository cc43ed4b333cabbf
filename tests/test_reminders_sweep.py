"""The reminder sweep and the digest, on the real database and a real SMTP server.

The running example is Tuesday 2 May 2017, the day after the early May bank
holiday. The data is made on Monday 3 April 2017 (so nobody is due a "no
update" nudge yet) and the sweep is told which day it is: time is an input.
"""

# Fixtures imported from tests.reminders_support are, as pytest intends, test arguments.
# ruff: noqa: F811

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import redis
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from peel.celery import app
from tests.conftest import make_finding, make_inspection, make_user
from tests.reminders_support import (
    TUESDAY,
    forget_queue,
    make_action,
    smtp_server,  # noqa: F401 (fixtures)
    text_body,
)
from tracker import services
from tracker.models import (
    Reminder,
    ReminderPolicy,
    ReminderPreference,
    Role,
)
from tracker.reminders.delivery import deliver_digest
from tracker.reminders.outbox import run_catch_up, run_sweep
from tracker.sending import SendFailed
from tracker.tasks import queue_digests

LONDON = ZoneInfo("Europe/London")
MADE_ON = datetime.datetime(2017, 4, 3, 9, 0, tzinfo=LONDON)


def made(when=MADE_ON):
    return time_machine.travel(when, tick=False)


def outbox(**filters):
    return set(
        Reminder.objects.filter(**filters).values_list(
            "action__title", "recipient__email", "kind"
        )
    )


def sweep_and_send(day=TUESDAY):
    """The command's path: sweep without Celery, then send each digest in this process."""
    result = run_sweep(day)
    return result, [deliver_digest(r, day) for r in result.recipients]


@pytest.fixture
def world(force, finding, lead, owner, contributor, colleague, inspector):
    """Three actions due on Tuesday 2 May 2017, two that are not, and a waiting closure request."""
    force.inspector_contact = inspector
    force.save()
    with made():
        actions = {
            "plan": make_action(
                finding,
                lead,
                owner,
                datetime.date(2017, 5, 9),
                "Publish the action plan",
                contributors=[contributor],
            ),
            "brief": make_action(
                finding,
                lead,
                owner,
                datetime.date(2017, 5, 3),
                "Brief the chief officers",
            ),
            "report": make_action(
                finding, lead, owner, datetime.date(2017, 4, 21), "Report for scrutiny"
            ),
            "later": make_action(
                finding, lead, colleague, datetime.date(2017, 8, 1), "Later work"
            ),
            "undated": make_action(finding, lead, colleague, None, "Undated work"),
        }
    closing = make_finding(finding.inspection, number=2)
    with made(datetime.datetime(2017, 4, 10, 9, 0, tzinfo=LONDON)):
        done = make_action(
            closing, lead, owner, datetime.date(2017, 4, 7), "Finished work"
        )
        services.action_record_progress(owner, done, text="Did it.", percent=50)
        services.action_mark_done(owner, done, text="All done.")
        services.action_sign_off(lead, done)
        services.finding_request_closure(lead, closing, "Everything is done.")
    return {**actions, "closing": closing}


EXPECTED_ON_TUESDAY = {
    ("Publish the action plan", "owner@westmercia.test", "due_in_7_days"),
    ("Publish the action plan", "contributor@westmercia.test", "due_in_7_days"),
    ("Brief the chief officers", "owner@westmercia.test", "due_in_1_day"),
    # Deadline Friday 21 April: the weekly repeat fell on the bank holiday and moves to Tuesday.
    ("Report for scrutiny", "owner@westmercia.test", "overdue_week_1"),
    ("Report for scrutiny", "lead@westmercia.test", "escalation_force_lead"),
    # Closure requested on 10 April; more than 10 working days (Easter in between) have passed.
    (None, "inspector@hmicfrs.test", "closure_request_waiting"),
}


# The sweep ------------------------------------------------------------------------


def test_the_sweep_records_what_is_due_and_a_second_sweep_records_nothing_new(world):
    first = run_sweep(TUESDAY)
    assert outbox() == EXPECTED_ON_TUESDAY
    assert first.recorded == 6
    assert sorted(first.recipients) == sorted(
        Reminder.objects.order_by().values_list("recipient_id", flat=True).distinct()
    )

    second = run_sweep(TUESDAY)
    assert second.recorded == 0
    assert len(second.due) == 6
    assert Reminder.objects.count() == 6


def test_a_bank_holiday_sweep_records_and_sends_nothing(world, smtp_server):
    result, _ = sweep_and_send(datetime.date(2017, 5, 1))  # early May bank holiday
    assert not result.working_day
    assert Reminder.objects.count() == 0
    assert smtp_server.messages == []


def test_the_sweep_catches_up_after_missed_days_with_only_the_latest_stage(world):
    # No sweep ran for a week: on Monday 8 May the plan is due in 1 day, not also in 7.
    run_sweep(datetime.date(2017, 5, 8))
    plan = outbox(action=world["plan"], kind__startswith="due_")
    assert plan == {
        ("Publish the action plan", "owner@westmercia.test", "due_in_1_day"),
        ("Publish the action plan", "contributor@westmercia.test", "due_in_1_day"),
    }


def test_signed_off_withdrawn_and_finished_findings_get_nothing(
    world, owner, lead, inspector, finding
):
    services.action_withdraw(lead, world["brief"], "No longer needed.")
    services.action_record_progress(owner, world["plan"], text="Drafted.", percent=90)
    services.action_mark_done(owner, world["plan"], text="Published.")
    services.action_sign_off(lead, world["plan"])
    run_sweep(TUESDAY)
    assert {title for title, _, _ in outbox()} == {"Report for scrutiny", None}

    # A superseded finding's actions are no one's work any more.
    Reminder.objects.all().delete()
    later = make_finding(make_inspection(finding.force, 2018))
    services.finding_supersede(inspector, finding, later)
    run_sweep(TUESDAY)
    assert {title for title, _, _ in outbox()} == {None}  # only the closure request


def test_an_action_done_awaiting_sign_off_pauses_the_owner_and_reminds_the_lead(
    world, owner
):
    with made(datetime.datetime(2017, 4, 24, 10, 0, tzinfo=LONDON)):
        services.action_record_progress(
            owner, world["plan"], text="Drafted.", percent=90
        )
        services.action_mark_done(owner, world["plan"], text="Published.")
    run_sweep(TUESDAY)  # 5 working days after Monday 24 April
    assert outbox(action=world["plan"]) == {
        ("Publish the action plan", "lead@westmercia.test", "awaiting_sign_off")
    }


def test_the_sweep_uses_a_fixed_number_of_queries_for_5_or_50_actions(
    finding, lead, force
):
    owners = [
        make_user(f"owner{i}@westmercia.test", Role.FORCE_STAFF, force)
        for i in range(10)
    ]

    def add_actions(count):
        with made():
            for i in range(count):
                action = make_action(
                    finding, lead, owners[i % 10], datetime.date(2017, 5, 9)
                )
                action.contributors.add(owners[(i + 1) % 10])

    def count_queries():
        Reminder.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            result = run_sweep(TUESDAY)
        return len(queries), result

    add_actions(5)
    with_5, result_5 = count_queries()
    add_actions(45)
    with_50, result_50 = count_queries()
    print(
        f"\nsweep queries: {with_5} with 5 actions ({len(result_5.due)} due), "
        f"{with_50} with 50 actions ({len(result_50.due)} due)"
    )
    assert (len(result_5.due), len(result_50.due)) == (10, 100)
    assert with_5 == with_50
    # (One of them finds who has notifications waiting for their digest.)
    assert with_5 <= 17


def test_the_sweep_queues_one_task_per_person_after_commit(
    world, settings, django_capture_on_commit_callbacks
):
    settings.REMINDER_QUEUE = queue = "test-reminders-queued"
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete(queue)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            result = run_sweep(TUESDAY, queue=queue_digests)
        assert client.llen(queue) == 0  # nothing before the rows are committed
        for callback in callbacks:
            callback()
        assert (
            result.queued == 4 == client.llen(queue)
        )  # owner, contributor, lead, inspector
    finally:
        forget_queue(settings.CELERY_BROKER_URL, queue)


def test_the_catch_up_runs_a_missed_sweep_and_requeues_only_when_the_mail_server_answers(
    world, settings, smtp_server
):
    settings.REMINDER_QUEUE = queue = "test-reminders-catch-up"
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    try:
        # Nothing ran at 08:00 (beat was down): the first catch-up sweeps.
        missed = run_catch_up(TUESDAY, queue=queue_digests)
        assert (missed.recorded, client.llen(queue)) == (6, 0)  # queued after commit
        assert ReminderPolicy.load().last_swept_on == TUESDAY
        # Later the digests are still waiting (say Redis lost them).
        smtp_server.stop()
        down = run_catch_up(TUESDAY, queue=queue_digests)
        assert (
            down.recorded,
            len(down.recipients),
            down.queued,
            client.llen(queue),
        ) == (
            0,
            4,
            0,
            0,
        )
        smtp_server.start()
        up = run_catch_up(TUESDAY, queue=queue_digests)
        assert up.queued == 4 == client.llen(queue)
        assert Reminder.objects.count() == 6  # nothing new recorded
        assert (
            run_catch_up(datetime.date(2017, 5, 1), queue=queue_digests).queued == 0
        )  # bank holiday
    finally:
        forget_queue(settings.CELERY_BROKER_URL, queue)


def test_the_08_00_sweep_is_scheduled_in_the_database_for_weekdays_in_london(db):
    task = PeriodicTask.objects.get(task="tracker.sweep_reminders")
    assert task.enabled
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_week) == (
        "0",
        "8",
        "1-5",
    )
    assert str(task.crontab.timezone) == "Europe/London"
    catch_up = PeriodicTask.objects.get(task="tracker.catch_up_reminders")
    # All day on working days, so that recovery never waits for the next morning.
    assert (
        catch_up.crontab.minute,
        catch_up.crontab.hour,
        catch_up.crontab.day_of_week,
    ) == ("*/15", "*", "1-5")
    assert {
        "tracker.sweep_reminders",
        "tracker.catch_up_reminders",
        "tracker.send_reminder_digest",
    } <= set(app.tasks)


def test_an_administrators_policy_changes_what_is_due(world):
    policy = ReminderPolicy.load()
    policy.days_before = "3,0"
    policy.escalate_to_lead_after_days = 14
    policy.full_clean()
    policy.save()
    run_sweep(TUESDAY)
    assert outbox(action=world["plan"]) == set()  # 7 days before is no longer a stage
    assert (
        "Brief the chief officers",
        "owner@westmercia.test",
        "due_in_3_days",
    ) in outbox()
    assert (
        "Report for scrutiny",
        "lead@westmercia.test",
        "escalation_force_lead",
    ) not in outbox()


def test_a_bad_policy_is_refused():
    policy = ReminderPolicy(days_before="7,seven")
    with pytest.raises(Exception, match="whole numbers"):
        policy.clean()
    policy = ReminderPolicy(days_before="7,7")
    with pytest.raises(Exception, match="must not repeat"):
        policy.clean()


# People's choices -----------------------------------------------------------------


def test_a_person_on_leave_gets_no_reminders_but_escalations_still_go(
    world, owner, lead
):
    ReminderPreference.objects.create(
        user=owner, paused_until=datetime.date(2017, 5, 5)
    )
    ReminderPreference.objects.create(user=lead, paused_until=datetime.date(2017, 5, 5))
    run_sweep(TUESDAY)
    assert not outbox(recipient=owner)
    assert outbox(recipient=lead) == {
        ("Report for scrutiny", "lead@westmercia.test", "escalation_force_lead")
    }


def test_a_weekly_digest_goes_on_its_weekday_only(world, owner, smtp_server):
    ReminderPreference.objects.create(
        user=owner,
        digest=ReminderPreference.Digest.WEEKLY,
        weekly_on=ReminderPreference.Weekday.FRIDAY,
    )
    sweep_and_send(TUESDAY)
    assert smtp_server.to(owner.email) == []
    assert (
        Reminder.objects.filter(recipient=owner, status=Reminder.Status.PENDING).count()
        == 3
    )

    sweep_and_send(datetime.date(2017, 5, 5))  # Friday
    [digest] = smtp_server.to(owner.email)
    body = "\n".join(text_body(digest).splitlines())
    # By Friday the plan (9 May) recorded as "due in 7 days" is due in 4; the brief
    # (3 May) is now overdue, and the older "due in 1 day" for it is not sent as
    # well. A month without progress has also earned each action a nudge: a note
    # on its entry, not an entry of its own.
    assert "Due in 4 days\n   Publish the action plan" in body
    assert "Overdue\n   Brief the chief officers" in body and "2 days overdue" in body
    assert "Due in 1 day" not in body and "Due in 7 days" not in body
    assert body.count("Also: no progress update since Monday 3 April 2017") == 3
    assert digest["Subject"] == "2 overdue, 1 due this week · PEEL action tracker"
    assert (
        Reminder.objects.get(recipient=owner, kind="due_in_1_day").status
        == Reminder.Status.CANCELLED
    )


def test_a_weekly_digest_on_a_bank_holiday_goes_the_next_working_day():
    preference = ReminderPreference(
        digest=ReminderPreference.Digest.WEEKLY, weekly_on=0
    )
    assert not preference.digest_due_on(datetime.date(2017, 4, 28))  # Friday
    assert preference.digest_due_on(
        datetime.date(2017, 5, 2)
    )  # Tuesday after the bank holiday
    assert not preference.digest_due_on(datetime.date(2017, 5, 3))
    assert preference.digest_due_on(datetime.date(2017, 5, 8))


def test_a_weekly_digest_whose_day_was_missed_goes_on_the_next_working_day(
    world, owner, smtp_server
):
    ReminderPreference.objects.create(
        user=owner,
        digest=ReminderPreference.Digest.WEEKLY,
        weekly_on=ReminderPreference.Weekday.MONDAY,
    )
    # The sweep ran on Friday 5 May, not on Monday 8 May (beat was down all day).
    sweep_and_send(datetime.date(2017, 5, 5))
    assert smtp_server.to(owner.email) == []
    tuesday = datetime.date(2017, 5, 9)
    result, _ = sweep_and_send(tuesday)
    [digest] = smtp_server.to(owner.email)
    # The entry's headline, then its title on the next line.
    assert "Due today Publish the action plan" in " ".join(text_body(digest).split())
    assert owner.pk in result.recipients


def test_a_weekly_digest_that_could_not_go_on_its_day_goes_once_the_server_answers(
    world, owner, smtp_server
):
    ReminderPreference.objects.create(
        user=owner,
        digest=ReminderPreference.Digest.WEEKLY,
        weekly_on=ReminderPreference.Weekday.TUESDAY,
    )
    run_sweep(TUESDAY)
    smtp_server.stop()
    with pytest.raises(SendFailed):
        deliver_digest(owner.pk, TUESDAY)
    smtp_server.start()
    # Wednesday's catch-up: it was Tuesday's digest, it does not wait a week.
    wednesday = datetime.date(2017, 5, 3)
    result, _ = sweep_and_send(wednesday)
    assert owner.pk in result.recipients
    assert len(smtp_server.to(owner.email)) == 1


def test_escalations_to_a_weekly_digest_person_do_not_wait_for_their_day(
    world, lead, owner, smtp_server
):
    for person in (lead, owner):
        ReminderPreference.objects.create(
            user=person,
            digest=ReminderPreference.Digest.WEEKLY,
            weekly_on=ReminderPreference.Weekday.FRIDAY,
        )
    result, _ = sweep_and_send(TUESDAY)
    [digest] = smtp_server.to(lead.email)
    assert "Report for scrutiny" in text_body(digest)
    assert lead.pk in result.recipients
    assert owner.pk not in result.recipients  # their reminders wait for Friday


def test_a_sweep_for_an_earlier_day_after_a_later_one_does_nothing(
    world, owner, smtp_server, caplog
):
    wednesday = datetime.date(2017, 5, 3)
    sweep_and_send(wednesday)
    before = Reminder.objects.count()
    [wednesdays] = smtp_server.to(owner.email)
    assert "Due today Brief the chief officers" in " ".join(
        text_body(wednesdays).split()
    )

    late = run_sweep(TUESDAY)
    assert late.skipped == (
        "The sweep for 2 May 2017 did not run: 3 May 2017 has been swept already, "
        "and its reminders overtake that day's."
    )
    assert (late.recorded, late.recipients) == (0, [])
    assert Reminder.objects.count() == before
    assert "did not run" in caplog.text
    assert ReminderPolicy.load().last_swept_on == wednesday
    # The command says so too, and sends nothing.
    with pytest.raises(CommandError, match="3 May 2017 has been swept already"):
        run_command("--date", "2017-05-02")
    assert len(smtp_server.to(owner.email)) == 1


def test_before_nine_the_catch_up_recovers_the_last_swept_day_and_does_not_sweep(
    world, settings
):
    settings.REMINDER_QUEUE = queue = "test-reminders-early-catch-up"
    run_sweep(TUESDAY)
    queued = []

    def queue_for_test(recipients, day):
        queued.append((len(recipients), day))
        return len(recipients)

    wednesday = datetime.date(2017, 5, 3)
    try:
        early = datetime.datetime(2017, 5, 3, 6, 30, tzinfo=LONDON)
        night = run_catch_up(queue=queue_for_test, now=early)
        assert (night.day, night.recorded) == (TUESDAY, 0)
        assert ReminderPolicy.load().last_swept_on == TUESDAY  # not swept early
        assert queued == [(4, TUESDAY)]  # Tuesday's digests, still waiting
        later = datetime.datetime(2017, 5, 3, 9, 15, tzinfo=LONDON)
        morning = run_catch_up(queue=queue_for_test, now=later)
        assert ReminderPolicy.load().last_swept_on == wednesday
        assert morning.day == wednesday and morning.recorded > 0
    finally:
        forget_queue(settings.CELERY_BROKER_URL, queue)


# The digest -----------------------------------------------------------------------


def test_one_digest_a_day_per_person_with_all_their_items(
    world, owner, settings, smtp_server
):
    settings.SITE_URL = "https://peel.example.org"
    settings.DEFAULT_FROM_EMAIL = "PEEL action tracker <noreply@peel.example.org>"
    sweep_and_send()
    assert smtp_server.per_recipient() == {
        "owner@westmercia.test": 1,
        "contributor@westmercia.test": 1,
        "lead@westmercia.test": 1,
        "inspector@hmicfrs.test": 1,
    }
    [digest] = smtp_server.to(owner.email)
    raw = next(m["raw"] for m in smtp_server.messages if owner.email in m["to"])
    print("\nThe owner's digest as the SMTP server received it:\n" + raw.decode())
    assert digest["Subject"] == "1 overdue, 2 due this week · PEEL action tracker"
    assert digest["From"] == "PEEL action tracker <noreply@peel.example.org>"
    assert digest["Auto-Submitted"] == "auto-generated"
    body = text_body(digest)
    for action, when in [
        ("report", "11 days overdue"),
        ("brief", "1 day left"),
        ("plan", "7 days left"),
    ]:
        assert world[action].title in body
        assert when in body
        assert f"https://peel.example.org/actions/{world[action].pk}/" in body
    assert body.count(world["plan"].finding.reference) == 3
    assert "Deadline: Friday 21 April 2017 (11 days overdue)" in body
    html = digest.get_body(preferencelist=("html",)).get_content()
    link = f'<a href="https://peel.example.org/actions/{world["plan"].pk}/">'
    assert f"{link}Publish the action plan</a>" in html
    assert Reminder.objects.filter(status=Reminder.Status.SENT).count() == 6
    assert not Reminder.objects.exclude(status=Reminder.Status.SENT).exists()

    inspector_body = text_body(smtp_server.to("inspector@hmicfrs.test")[0])
    assert "Closure request waiting for your decision" in inspector_body
    assert f"Finding: {world['closing'].reference}" in inspector_body
    assert f"Area for improvement: {world['closing'].text[:40]}" in inspector_body
    assert f"/findings/{world['closing'].pk}/" in inspector_body
    lead_body = "\n".join(
        text_body(smtp_server.to("lead@westmercia.test")[0]).splitlines()
    )
    assert "Escalated to you as force lead\n   Report for scrutiny" in lead_body
    assert "Owner: Olive" in lead_body and "11 days overdue" in lead_body
    # The next day nothing new is due for the lead or the inspector: an escalation
    # and a closure reminder go once, not every day.
    sweep_and_send(datetime.date(2017, 5, 3))
    assert len(smtp_server.to("inspector@hmicfrs.test")) == 1
    assert len(smtp_server.to("lead@westmercia.test")) == 1
    assert len(smtp_server.to(owner.email)) == 2  # the brief is due today


def test_a_digest_sent_twice_sends_once(world, owner, smtp_server):
    run_sweep(TUESDAY)
    first = deliver_digest(owner.pk, TUESDAY)
    second = deliver_digest(owner.pk, TUESDAY)
    assert (first.sent, second.claimed, second.sent) == (3, 0, 0)
    assert len(smtp_server.to(owner.email)) == 1


def test_a_deadline_moved_after_a_reminder_went_gets_a_fresh_reminder(
    world, owner, lead, smtp_server
):
    sweep_and_send()
    plan = world["plan"]
    assert "Deadline: Tuesday 9 May 2017 (7 days left)" in text_body(
        smtp_server.to(owner.email)[0]
    )

    plan.refresh_from_db()
    services.action_assign(
        lead,
        plan,
        expected_version=plan.version,
        owner=owner,
        contributors=list(plan.contributors.all()),
        deadline=datetime.date(2017, 5, 16),
    )
    sweep_and_send()  # the same day: 16 May is 14 days away, a fresh series
    assert outbox(action=plan, kind="due_in_14_days") == {
        ("Publish the action plan", "owner@westmercia.test", "due_in_14_days"),
        ("Publish the action plan", "contributor@westmercia.test", "due_in_14_days"),
    }
    second = smtp_server.to(owner.email)[1]
    assert second["Subject"] == "1 due within 4 weeks · PEEL action tracker"
    assert "Deadline: Tuesday 16 May 2017 (14 days left)" in text_body(second)


def test_a_deadline_moved_between_the_sweep_and_the_send_cancels_the_stale_item(
    world, owner, lead, smtp_server
):
    run_sweep(TUESDAY)
    plan = world["plan"]
    services.action_assign(
        lead,
        plan,
        expected_version=plan.version,
        owner=owner,
        contributors=list(plan.contributors.all()),
        deadline=datetime.date(2017, 6, 30),
    )
    deliver_digest(owner.pk, TUESDAY)
    body = text_body(smtp_server.to(owner.email)[0])
    assert "Publish the action plan" not in body
    stale = Reminder.objects.get(action=plan, recipient=owner)
    assert (stale.status, stale.cancel_reason) == (
        Reminder.Status.CANCELLED,
        "The deadline has moved.",
    )


def test_an_action_signed_off_between_the_sweep_and_the_send_sends_no_email(
    world, owner, contributor, lead, smtp_server
):
    run_sweep(TUESDAY)
    plan = world["plan"]
    services.action_record_progress(owner, plan, text="Drafted.", percent=90)
    services.action_mark_done(owner, plan, text="Published.")
    services.action_sign_off(lead, plan)

    delivery = deliver_digest(contributor.pk, TUESDAY)  # the plan was all they had
    assert (delivery.claimed, delivery.cancelled, delivery.sent) == (1, 1, 0)
    assert smtp_server.to(contributor.email) == []
    item = Reminder.objects.get(recipient=contributor)
    assert (item.status, item.cancel_reason) == (
        Reminder.Status.CANCELLED,
        "The action was signed off.",
    )


def test_a_claim_left_by_a_dead_worker_returns_to_pending_after_the_timeout(
    world, owner, settings, smtp_server
):
    settings.REMINDER_CLAIM_TIMEOUT_SECONDS = 600
    run_sweep(TUESDAY)
    # A worker claimed the owner's items and died before sending.
    Reminder.objects.filter(recipient=owner).update(
        status=Reminder.Status.SENDING,
        claimed_at=timezone.now(),
        claim_token="6d1f8a60-0000-4000-8000-000000000000",
    )
    assert deliver_digest(owner.pk, TUESDAY).claimed == 0  # still someone's, for now
    assert run_sweep(TUESDAY).recovered == 0

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=11)):
        result = run_sweep(TUESDAY)
        assert result.recovered == 3
        assert owner.pk in result.recipients
        assert deliver_digest(owner.pk, TUESDAY).sent == 3
    assert len(smtp_server.to(owner.email)) == 1


def test_a_dead_workers_claim_counts_as_an_attempt_and_respects_the_cap(
    world, owner, settings, smtp_server
):
    settings.REMINDER_CLAIM_TIMEOUT_SECONDS = 600
    settings.REMINDER_MAX_ATTEMPTS = 2
    run_sweep(TUESDAY)
    mine = Reminder.objects.filter(recipient=owner)
    long_ago = timezone.now() - datetime.timedelta(minutes=11)
    # A worker claimed them (their second attempt) and died: nothing more is tried.
    mine.update(status=Reminder.Status.SENDING, claimed_at=long_ago, attempts=2)
    assert run_sweep(TUESDAY).recovered == 3
    assert set(mine.values_list("status", "maybe_delivered")) == {("failed", True)}
    assert owner.pk not in run_sweep(TUESDAY).recipients
    assert smtp_server.to(owner.email) == []


def test_a_failed_item_waits_until_the_mail_server_answers(
    world, owner, settings, smtp_server
):
    run_sweep(TUESDAY)
    smtp_server.stop()
    with pytest.raises(SendFailed, match="ConnectionRefusedError"):
        deliver_digest(owner.pk, TUESDAY)
    assert set(
        Reminder.objects.filter(recipient=owner).values_list("status", flat=True)
    ) == {"failed"}
    assert run_sweep(TUESDAY).failed_requeued == 0  # still down

    smtp_server.start()
    result = run_sweep(TUESDAY)
    assert result.failed_requeued == 3 and owner.pk in result.recipients
    assert deliver_digest(owner.pk, TUESDAY).sent == 3
    assert len(smtp_server.to(owner.email)) == 1


# The command ----------------------------------------------------------------------


def run_command(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("send_reminders", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_dry_run_prints_what_would_go_and_records_nothing(world, smtp_server):
    out, _ = run_command("--date", "2017-05-02", "--dry-run")
    print(out)
    assert "nothing is recorded or sent" in out
    assert "owner@westmercia.test: 3 items" in out
    assert "Due in 7 days: Publish the action plan" in out
    assert "Escalated to you: 7 days overdue: Report for scrutiny" in out
    assert f"closure request for {world['closing'].reference}" in out
    assert Reminder.objects.count() == 0
    assert smtp_server.messages == []


def test_the_command_with_a_date_sends_the_digests(world, smtp_server):
    out, _ = run_command("--date", "2017-05-02")
    assert "6 reminders due, 6 new; 4 digests sent, 0 failed" in out
    assert sum(smtp_server.per_recipient().values()) == 4
    out, _ = run_command("--date", "2017-05-02")
    assert "0 new; 0 digests sent" in out
    assert sum(smtp_server.per_recipient().values()) == 4


def test_the_command_says_so_on_a_bank_holiday_and_refuses_a_bad_date(db):
    out, _ = run_command("--date", "2017-05-01")
    assert "not a working day" in out
    with pytest.raises(CommandError, match="not a date"):
        run_command("--date", "1 May")


def test_the_command_fails_loudly_when_the_mail_server_is_down(world, smtp_server):
    smtp_server.stop()
    with pytest.raises(CommandError, match="4 digests could not be sent"):
        run_command("--date", "2017-05-02")
    assert set(Reminder.objects.values_list("status", flat=True)) == {"failed"}


def test_the_portable_insert_used_on_sqlite_records_the_same_once(world, monkeypatch):
    # The embedded SQLite of a first run cannot take PostgreSQL's array insert.
    monkeypatch.setattr(connection, "vendor", "sqlite")
    first = run_sweep(TUESDAY)
    assert outbox() == EXPECTED_ON_TUESDAY
    assert first.recorded == 6
    again = run_sweep(TUESDAY)
    assert again.recorded == 0
    assert Reminder.objects.count() == 6
