"""The failures reminders must survive, with real parts: every due email sent exactly once.

A real SMTP server (aiosmtpd) counts what arrives; real Celery workers (in this
process, or `celery worker` subprocesses on the test database) take the tasks
from the real Redis (database 15, on a queue of the test's own), or from a
private redis-server that the test stops and starts. Each test prints what it
observed; run with -s to see the counts.
"""

# Fixtures imported from tests.reminders_support are, as pytest intends, test arguments.
# ruff: noqa: F811

import datetime
import threading
import time

import pytest

from tests.conftest import make_user
from tests.reminders_support import (  # noqa: F401 (fixtures)
    TUESDAY,
    MailSink,
    WorkerProcess,
    broker_at,
    celery_worker,
    make_action,
    migration_data_put_back,
    private_redis,
    reminder_queue,
    running_worker,
    smtp_server,
    wait_until,
)
from tracker import tasks
from tracker.models import Reminder, ReminderPreference, Role
from tracker.reminders.outbox import run_catch_up, run_sweep
from tracker.tasks import queue_digests

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("migration_data_put_back"),
]


@pytest.fixture
def people(force, finding, lead):
    """Five people, each with two actions due on Tuesday 2 May 2017: ten reminders, five digests."""
    people = [
        make_user(f"person{i}@westmercia.test", Role.FORCE_STAFF, force)
        for i in range(5)
    ]
    for i, person in enumerate(people):
        make_action(
            finding, lead, person, datetime.date(2017, 5, 9), f"Publish plan part {i}"
        )
        make_action(
            finding,
            lead,
            person,
            datetime.date(2017, 5, 3),
            f"Brief the board on part {i}",
        )
    return people


def statuses() -> dict:
    counts = {}
    for status in Reminder.objects.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


def everyone_got_exactly_one(sink, people) -> bool:
    return sink.per_recipient() == {person.email: 1 for person in people}


def all_sent() -> bool:
    return statuses() == {"sent": 10}


# The mail server ------------------------------------------------------------------


def test_smtp_down_for_the_first_attempts_then_up_everything_arrives_once(
    people, settings, reminder_queue, celery_worker
):
    sink = MailSink()  # its port is chosen, but nothing listens there yet
    sink.point_settings_here(settings)
    settings.REMINDER_SEND_MAX_RETRIES = 4

    # As beat would: the sweep task runs on the worker and queues the digests.
    tasks.sweep_reminders.apply_async(("2017-05-02",), queue=reminder_queue)
    assert wait_until(
        lambda: (
            Reminder.objects.count() == 10
            and all(a >= 2 for a in Reminder.objects.values_list("attempts", flat=True))
        ),
        30,
    ), statuses()
    attempts_while_down = sorted(
        set(Reminder.objects.values_list("attempts", flat=True))
    )
    errors = set(Reminder.objects.values_list("last_error", flat=True))
    sink.start()
    try:
        assert wait_until(all_sent, 30), statuses()
        time.sleep(1)  # any late duplicate would arrive now
        print(
            f"\nSMTP down then up: each of the {len(people)} digests (10 items) was refused "
            f"{attempts_while_down} times, then {len(sink.messages)} messages arrived: "
            f"{dict(sink.per_recipient())}; outbox {statuses()}; errors seen: {errors}"
        )
        assert everyone_got_exactly_one(sink, people)
        assert all("ConnectionRefusedError" in error for error in errors)
    finally:
        sink.stop()


def test_smtp_down_past_the_last_retry_fails_then_the_next_sweep_sends_once(
    people, settings, reminder_queue, celery_worker, admin_client
):
    sink = MailSink()
    sink.point_settings_here(settings)
    settings.REMINDER_SEND_MAX_RETRIES = 1

    run_sweep(TUESDAY, queue=queue_digests)
    assert wait_until(lambda: statuses() == {"failed": 10}, 30), statuses()
    attempts = sorted(set(Reminder.objects.values_list("attempts", flat=True)))
    # Administrators see them, with a filter.
    page = admin_client.get("/admin/tracker/reminder/?status__exact=failed")
    assert (
        page.status_code == 200
        and page.content.decode().count("Failed: not sent after its attempts") >= 10
    )

    still_down = run_sweep(TUESDAY, queue=queue_digests)
    assert still_down.failed_requeued == 0

    sink.start()
    try:
        back = run_sweep(TUESDAY, queue=queue_digests)
        assert wait_until(all_sent, 30), statuses()
        time.sleep(1)
        print(
            f"\nSMTP down past the last retry: attempts per item {attempts}, 10 failed; "
            f"sweep while still down re-queued {still_down.failed_requeued}; sweep once up "
            f"re-queued {back.failed_requeued} and queued {back.queued} digests; "
            f"{len(sink.messages)} messages arrived: {dict(sink.per_recipient())}"
        )
        assert back.failed_requeued == 10
        assert everyone_got_exactly_one(sink, people)
    finally:
        sink.stop()


# The worker -----------------------------------------------------------------------


def test_a_worker_killed_in_the_middle_of_a_batch_loses_nothing_and_doubles_nothing(
    people, settings, reminder_queue, tmp_path
):
    # The server is slow to accept each recipient, so the worker is caught mid-send.
    sink = MailSink(rcpt_delay=1.0).start()
    sink.point_settings_here(settings)
    settings.REMINDER_CLAIM_TIMEOUT_SECONDS = 3
    worker_env = {"REMINDER_CLAIM_TIMEOUT_SECONDS": 3}
    log = tmp_path / "worker.log"
    first = WorkerProcess(reminder_queue, sink.port, log, **worker_env).start()
    second = None
    try:
        run_sweep(TUESDAY, queue=queue_digests)

        # The first digest has arrived and been marked sent; the second is claimed
        # and on its way (the server is sitting on its RCPT): kill the worker now.
        def mid_batch():
            counts = statuses()
            return (
                len(sink.messages) == 1
                and counts.get("sent") == 2
                and counts.get("sending") == 2
            )

        assert wait_until(mid_batch, 30), (
            statuses(),
            len(sink.messages),
            log.read_text()[-2000:],
        )
        first.kill()
        at_kill = statuses()
        arrived_at_kill = len(sink.messages)

        second = WorkerProcess(reminder_queue, sink.port, log, **worker_env).start()
        # The queued digests of the others go; the killed one's items stay claimed ...
        assert wait_until(lambda: statuses().get("sent") == 8, 30), statuses()
        assert statuses() == {"sent": 8, "sending": 2}
        # ... until the claim times out and the quarter-hourly catch-up gives them to
        # the new worker.
        time.sleep(3.5)
        recovery = run_catch_up(TUESDAY, queue=queue_digests)
        assert wait_until(all_sent, 30), statuses()
        time.sleep(1.5)
        print(
            f"\nWorker killed mid-batch: at the kill {arrived_at_kill} message arrived, outbox "
            f"{at_kill}; the restarted worker sent the queued rest; the catch-up recovered "
            f"{recovery.recovered} claimed items; in the end {len(sink.messages)} messages: "
            f"{dict(sink.per_recipient())}; outbox {statuses()}"
        )
        assert recovery.recovered == 2
        assert everyone_got_exactly_one(sink, people)
    finally:
        first.stop()
        if second:
            second.stop()
        sink.stop()


def test_two_sweeps_at_the_same_moment_double_nothing(
    people, smtp_server, celery_worker
):
    start = threading.Barrier(2)
    results, errors = [], []

    def beat():
        from django.db import connection

        try:
            start.wait(5)
            results.append(run_sweep(TUESDAY, queue=queue_digests))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert wait_until(all_sent, 30), statuses()
    time.sleep(1)
    print(
        f"\nTwo sweeps at once: recorded {[r.recorded for r in results]} rows, queued "
        f"{[r.queued for r in results]} digest tasks; {Reminder.objects.count()} outbox rows; "
        f"{len(smtp_server.messages)} messages: {dict(smtp_server.per_recipient())}"
    )
    assert sum(r.recorded for r in results) == 10 == Reminder.objects.count()
    # Both sweeps queue digests (the later one for whoever still had items pending
    # when it looked), and yet each person gets one message.
    assert max(r.queued for r in results) == 5 and sum(r.queued for r in results) > 5
    assert everyone_got_exactly_one(smtp_server, people)


# Redis ----------------------------------------------------------------------------


def test_redis_stopped_during_a_sweep_the_web_app_works_and_the_next_sweep_sends(
    people,
    settings,
    reminder_queue,
    smtp_server,
    private_redis,
    client,
    admin_client,
    monkeypatch,
):
    publish = tasks.send_reminder_digest.apply_async
    published = []

    def publish_then_lose_redis(*args, **kwargs):
        result = publish(*args, **kwargs)
        published.append(args)
        if len(published) == 2:
            private_redis.stop()  # Redis goes down in the middle of the sweep's queuing
        return result

    monkeypatch.setattr(
        tasks.send_reminder_digest, "apply_async", publish_then_lose_redis
    )
    with broker_at(private_redis.url):
        started = time.monotonic()
        during = run_sweep(TUESDAY, queue=queue_digests)
        sweep_seconds = time.monotonic() - started
        assert len(during.recipients) == 5 and during.queued == 2
        assert sweep_seconds < 5  # gave up fast, did not hang

        # The web app keeps working while Redis is down, even a page that queues.
        client.force_login(people[0])
        started = time.monotonic()
        assert client.get("/").status_code == 200
        assert client.get("/reminders/").status_code == 200
        Reminder.objects.filter(recipient=people[4]).update(
            status=Reminder.Status.FAILED
        )
        failed = list(
            Reminder.objects.filter(status="failed").values_list("pk", flat=True)
        )
        requeue = admin_client.post(
            "/admin/tracker/reminder/",
            {"action": "send_failed_again", "_selected_action": failed},
        )
        assert requeue.status_code == 302
        page_seconds = time.monotonic() - started
        assert page_seconds < 5
        assert smtp_server.messages == []

        # Redis comes back empty: the two digests it held died with it (no
        # persistence). The outbox still has every item pending.
        private_redis.start()
        monkeypatch.undo()
        with running_worker(reminder_queue):
            after = run_sweep(TUESDAY, queue=queue_digests)
            assert wait_until(all_sent, 30), statuses()
            time.sleep(1)
    print(
        f"\nRedis stopped mid-sweep: the sweep recorded {during.recorded} items and published "
        f"{during.queued} of {len(during.recipients)} digests before Redis died, returning in "
        f"{sweep_seconds:.2f}s; pages and the admin re-queue answered in {page_seconds:.2f}s "
        f"with Redis down; Redis restarted empty; the next sweep queued {after.queued} digests; "
        f"{len(smtp_server.messages)} messages arrived: {dict(smtp_server.per_recipient())}"
    )
    assert after.queued == 5
    assert everyone_got_exactly_one(smtp_server, people)


# People's choices, through the worker ----------------------------------------------


def test_a_person_on_leave_gets_nothing_through_the_worker(
    people, smtp_server, celery_worker
):
    ReminderPreference.objects.create(
        user=people[0], paused_until=datetime.date(2017, 5, 12)
    )
    result = run_sweep(TUESDAY, queue=queue_digests)
    assert wait_until(lambda: statuses() == {"sent": 8}, 30), statuses()
    assert result.queued == 4
    assert people[0].email not in smtp_server.per_recipient()


def test_no_stale_email_after_a_sign_off_or_a_moved_deadline_between_sweep_and_send(
    people, lead, smtp_server, reminder_queue, settings
):
    from tracker import services
    from tracker.models import Action

    settings.REMINDER_SEND_MAX_RETRIES = 2
    run_sweep(
        TUESDAY, queue=queue_digests
    )  # five digests wait in Redis; no worker is running yet
    signed_off, moved = people[0], people[1]
    for action in Action.objects.filter(owner=signed_off):
        services.action_record_progress(signed_off, action, text="Done.", percent=90)
        services.action_mark_done(signed_off, action, text="Finished.")
        services.action_sign_off(lead, action)
    plan = Action.objects.get(owner=moved, deadline=datetime.date(2017, 5, 9))
    services.action_assign(
        lead,
        plan,
        expected_version=plan.version,
        owner=moved,
        contributors=[],
        deadline=datetime.date(2017, 5, 16),
    )

    with running_worker(reminder_queue):
        assert wait_until(
            lambda: "pending" not in statuses() and "sending" not in statuses(), 30
        )
        before_next_sweep = dict(smtp_server.per_recipient())
        stale = sorted(
            Reminder.objects.filter(status="cancelled").values_list(
                "recipient__email", "cancel_reason"
            )
        )
        # The next day's sweep records the fresh reminder for the new deadline.
        next_day = run_sweep(datetime.date(2017, 5, 3), queue=queue_digests)
        assert wait_until(lambda: len(smtp_server.to(moved.email)) == 2, 30)
        time.sleep(1)
    fresh = smtp_server.to(moved.email)[1]
    print(
        f"\nStale items: {stale}; digests before the next sweep {before_next_sweep}; the next "
        f"day's sweep recorded {next_day.recorded} new items, {moved.email} got "
        f"“{fresh['Subject']}”"
    )
    assert signed_off.email not in smtp_server.per_recipient()
    assert stale == [
        (signed_off.email, "The action was signed off."),
        (signed_off.email, "The action was signed off."),
        (moved.email, "The deadline has moved."),
    ]
    assert before_next_sweep == {p.email: 1 for p in people[1:]}
    body = fresh.get_body(preferencelist=("plain",)).get_content()
    assert (
        "Publish plan part 1" in body
        and "Deadline: Tuesday 16 May 2017 (13 days left)" in body
    )
