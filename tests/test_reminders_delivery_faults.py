"""Delivery under faults: how many copies arrive when the mail server, the worker or the
database misbehaves, counted at a real SMTP server.

The guarantees (tracker.sending): nothing lost; a capped number of attempts, then
failed and visible in the admin; a second copy only where the server may have
taken the message and its reply was lost, and then at most one; a catch-up never
queues what a live retry holds; marking "sent" survives a lost database
connection. Run with -s to see what the server received in each case.
"""

# Fixtures imported from tests.reminders_support are, as pytest intends, test arguments.
# ruff: noqa: F811

import datetime
import os
import signal
import time
import uuid

import psycopg
import pytest

from tests.conftest import make_user
from tests.reminders_support import (  # noqa: F401 (fixtures)
    TUESDAY,
    FaultyMailSink,
    WorkerProcess,
    celery_worker,
    make_action,
    migration_data_put_back,
    reminder_queue,
    test_database_url,
    wait_until,
)
from tracker.models import Reminder, Role
from tracker.reminders.outbox import run_catch_up, run_sweep
from tracker.tasks import queue_digests

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("migration_data_put_back"),
]


@pytest.fixture
def sink(settings):
    server = FaultyMailSink().start()
    server.point_settings_here(settings)
    yield server
    server.stop()


@pytest.fixture
def people(force, finding, lead):
    """Three people, each with two actions due on Tuesday 2 May 2017: six items, three digests."""
    people = [
        make_user(f"person{i}@westmercia.test", Role.FORCE_STAFF, force)
        for i in range(3)
    ]
    for i, person in enumerate(people):
        make_action(finding, lead, person, datetime.date(2017, 5, 9), f"Plan {i}")
        make_action(finding, lead, person, datetime.date(2017, 5, 3), f"Brief {i}")
    return people


def statuses() -> dict:
    counts: dict = {}
    for status in Reminder.objects.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


def copies(sink, people) -> dict:
    received = sink.per_recipient()
    return {person.email: received[person.email] for person in people}


def settled() -> bool:
    counts = statuses()
    return (
        bool(counts)
        and "sending" not in counts
        and not (Reminder.objects.filter(status="pending").exists())
    )


# The reply lost after the message was taken ------------------------------------------


@pytest.mark.parametrize(
    "fault", ["dropped before 250", "reply slower than the timeout"]
)
def test_a_reply_lost_after_the_message_was_taken_sends_at_most_one_more_copy(
    fault, people, sink, settings, reminder_queue, celery_worker
):
    settings.REMINDER_SEND_MAX_RETRIES = 3
    settings.EMAIL_TIMEOUT = 1
    if fault == "dropped before 250":
        sink.drops = 1000
    else:
        sink.slow = 2.5

    run_sweep(TUESDAY, queue=queue_digests)
    assert wait_until(lambda: statuses() == {"failed": 6}, 40), statuses()
    time.sleep(1.5)  # any further retry would arrive now
    # The catch-up sees nothing to do: these may be at the server already.
    catch_up = run_catch_up(TUESDAY, queue=queue_digests)
    time.sleep(1.5)
    errors = set(Reminder.objects.values_list("last_error", flat=True))
    print(
        f"\nReply {fault}: the server received {copies(sink, people)} copies; outbox "
        f"{statuses()}; attempts {sorted(set(Reminder.objects.values_list('attempts', flat=True)))}; "
        f"the catch-up re-queued {catch_up.failed_requeued} and queued {catch_up.queued}; "
        f"errors {errors}"
    )
    # The first copy and one more (the retry, which was the items' last attempt).
    assert copies(sink, people) == {person.email: 2 for person in people}
    assert (catch_up.failed_requeued, catch_up.queued) == (0, 0)
    assert set(Reminder.objects.values_list("maybe_delivered", flat=True)) == {True}
    assert all("SMTPServerDisconnected" in error for error in errors)


def test_a_reply_dropped_once_then_answered_gives_one_extra_copy_and_sent(
    people, sink, settings, reminder_queue, celery_worker
):
    sink.drops = 3  # the first digest of each of the three people
    run_sweep(TUESDAY, queue=queue_digests)
    assert wait_until(lambda: statuses() == {"sent": 6}, 30), statuses()
    time.sleep(1)
    print(
        f"\nReply dropped once each, then answered: the server received "
        f"{copies(sink, people)}; outbox {statuses()}"
    )
    assert copies(sink, people) == {person.email: 2 for person in people}


# A refusal before DATA, and the live retry ---------------------------------------------


def test_the_catch_up_does_not_queue_what_a_waiting_retry_holds(
    people, sink, settings, reminder_queue, celery_worker
):
    settings.REMINDER_RETRY_BACKOFF_SECONDS = 4
    sink.refuse = True  # 451 to RCPT: nothing taken, retried normally

    run_sweep(TUESDAY, queue=queue_digests)
    assert wait_until(
        lambda: (
            sink.refused >= 3
            and Reminder.objects.filter(
                status="pending", retry_at__isnull=False
            ).count()
            == 6
        ),
        20,
    ), statuses()
    # Each task now waits out its backoff; the server answers connections, so an
    # old-style catch-up would queue a second task for each person.
    held = run_catch_up(TUESDAY, queue=queue_digests)
    sink.refuse = False
    assert wait_until(lambda: statuses() == {"sent": 6}, 30), statuses()
    time.sleep(1)
    print(
        f"\nRefused at RCPT, then answered: {sink.refused} refusals; the catch-up during "
        f"the backoff queued {held.queued}; the server received {copies(sink, people)}; "
        f"outbox {statuses()}"
    )
    assert held.queued == 0 and held.recipients == []
    assert copies(sink, people) == {person.email: 1 for person in people}
    assert set(Reminder.objects.values_list("maybe_delivered", flat=True)) == {False}


def test_a_digest_refused_for_good_fails_at_once_until_sent_again_from_the_admin(
    people, sink, settings, reminder_queue, celery_worker, admin_client
):
    settings.REMINDER_SEND_MAX_RETRIES = 5
    settings.REMINDER_MAX_ATTEMPTS = 5
    gone = people[0]
    sink.unknown = {gone.email}

    run_sweep(TUESDAY, queue=queue_digests)
    assert wait_until(lambda: statuses() == {"sent": 4, "failed": 2}, 20), statuses()
    time.sleep(1.5)
    later = run_catch_up(TUESDAY, queue=queue_digests)
    time.sleep(1)
    refused = Reminder.objects.filter(recipient=gone)
    assert sink.refused_for_good == {gone.email: 1}
    assert set(refused.values_list("status", "attempts", "refused")) == {
        ("failed", 1, True)
    }
    assert later.failed_requeued == 0 and later.queued == 0
    listed = admin_client.get("/admin/tracker/reminder/?refused__exact=1").content
    assert b"550 5.1.1 No such user here" in listed

    # The address is put right; a person sends them again from the admin.
    sink.unknown = set()
    admin_client.post(
        "/admin/tracker/reminder/",
        {
            "action": "send_failed_again",
            "_selected_action": list(refused.values_list("pk", flat=True)),
        },
    )
    assert wait_until(lambda: statuses() == {"sent": 6}, 20), statuses()
    print(
        f"\n550 for {gone.email}: refused {dict(sink.refused_for_good)}, the catch-up "
        f"re-queued {later.failed_requeued}; after 'send again' received {copies(sink, people)}"
    )
    assert copies(sink, people) == {person.email: 1 for person in people}
    assert set(refused.values_list("refused", flat=True)) == {False}


def test_attempts_are_capped_then_failed_shown_in_the_admin_and_sent_again_from_it(
    people, sink, settings, reminder_queue, celery_worker, admin_client
):
    settings.REMINDER_SEND_MAX_RETRIES = 1
    settings.REMINDER_MAX_ATTEMPTS = 3
    sink.refuse = True

    run_sweep(TUESDAY, queue=queue_digests)
    assert wait_until(lambda: statuses() == {"failed": 6}, 20), statuses()
    # The server answers connections: the catch-up gives each item its third attempt ...
    first = run_catch_up(TUESDAY, queue=queue_digests)
    assert wait_until(
        lambda: (
            set(Reminder.objects.values_list("attempts", flat=True)) == {3}
            and statuses() == {"failed": 6}
        ),
        20,
    ), statuses()
    # ... and no more, however many catch-ups follow.
    later = [run_catch_up(TUESDAY, queue=queue_digests) for _ in range(3)]
    time.sleep(1)
    attempts = set(Reminder.objects.values_list("attempts", flat=True))
    page = admin_client.get("/admin/tracker/reminder/?status__exact=failed").content
    listed = page.decode()

    sink.refuse = False
    failed = list(Reminder.objects.values_list("pk", flat=True))
    answer = admin_client.post(
        "/admin/tracker/reminder/",
        {"action": "send_failed_again", "_selected_action": failed},
        follow=True,
    )
    assert wait_until(lambda: statuses() == {"sent": 6}, 20), statuses()
    time.sleep(1)
    print(
        f"\nRefused for good: {sink.refused} refusals; attempts {attempts}; the first "
        f"catch-up re-queued {first.failed_requeued}, the next ones "
        f"{[c.failed_requeued for c in later]}; after 'send again' in the admin the "
        f"server received {copies(sink, people)}"
    )
    assert first.failed_requeued == 6
    assert [c.failed_requeued for c in later] == [0, 0, 0]
    assert attempts == {3}
    assert sink.refused == 9  # three digests (one recipient each), three attempts each
    assert listed.count("Failed: not sent after its attempts") >= 6
    assert "SMTPRecipientsRefused" in listed and "4.3.0 Try again later" in listed
    assert "6 reminders will be sent again" in answer.content.decode()
    assert copies(sink, people) == {person.email: 1 for person in people}


# The database connection lost after the server said 250 -------------------------------


def test_the_database_connection_lost_after_250_is_retried_not_sent_again(
    people, reminder_queue, tmp_path, settings
):
    sink = FaultyMailSink().start()
    sink.point_settings_here(settings)
    name = f"peel-worker-{uuid.uuid4().hex[:8]}"
    terminated = []

    def kill_the_workers_connection(message):
        # From another connection, as an administrator or a failover would.
        with psycopg.connect(test_database_url(), autocommit=True) as other:
            rows = other.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = %s",
                [name],
            ).fetchall()
        terminated.append(len(rows))

    sink.before_reply = kill_the_workers_connection
    worker = WorkerProcess(
        reminder_queue,
        sink.port,
        tmp_path / "worker.log",
        DATABASE_URL=f"{test_database_url()}?application_name={name}",
    ).start()
    try:
        run_sweep(TUESDAY, queue=queue_digests)
        assert wait_until(lambda: statuses() == {"sent": 6}, 30), (
            statuses(),
            (tmp_path / "worker.log").read_text()[-3000:],
        )
        time.sleep(1)
    finally:
        worker.stop()
        sink.stop()
    log = (tmp_path / "worker.log").read_text()
    print(
        f"\nDatabase connection killed after each DATA: {terminated} backends terminated; "
        f"the server received {copies(sink, people)}; outbox {statuses()}; "
        f"reconnects logged {log.count('reconnecting')}"
    )
    assert terminated == [1, 1, 1]
    assert copies(sink, people) == {person.email: 1 for person in people}
    assert log.count("reconnecting") == 3


# A worker killed after sending -------------------------------------------------------


def test_a_worker_killed_after_each_send_gives_one_extra_copy_then_fails(
    force, finding, lead, reminder_queue, tmp_path, settings
):
    person = make_user("person@westmercia.test", Role.FORCE_STAFF, force)
    make_action(finding, lead, person, datetime.date(2017, 5, 9), "Plan")
    sink = FaultyMailSink().start()
    sink.point_settings_here(settings)
    settings.REMINDER_CLAIM_TIMEOUT_SECONDS = 2
    workers = []

    def kill_the_worker(message):
        # The server has the message; the worker dies before its 250 is read.
        os.kill(workers[-1].process.pid, signal.SIGKILL)

    sink.before_reply = kill_the_worker
    log = tmp_path / "worker.log"
    recovered = []
    try:
        run_sweep(TUESDAY, queue=queue_digests)
        for _ in range(2):
            workers.append(
                WorkerProcess(
                    reminder_queue, sink.port, log, REMINDER_CLAIM_TIMEOUT_SECONDS=2
                ).start()
            )
            assert wait_until(lambda: workers[-1].process.poll() is not None, 15)
            workers[-1].stop()
            time.sleep(2.5)  # past the claim timeout
            recovered.append(run_catch_up(TUESDAY, queue=queue_digests).recovered)
        # A third catch-up finds nothing to release or to queue.
        third = run_catch_up(TUESDAY, queue=queue_digests)
        recovered.append(third.recovered)
        assert third.queued == 0
    finally:
        for worker in workers:
            worker.stop()
        sink.stop()
    item = Reminder.objects.get()
    print(
        f"\nWorker killed after each DATA, three times: the catch-ups released {recovered}; "
        f"the server received {len(sink.messages)} copies; the item is {item.status} after "
        f"{item.attempts} attempts: {item.last_error}"
    )
    assert len(sink.messages) == 2
    assert recovered == [1, 1, 0]
    assert (item.status, item.attempts, item.maybe_delivered) == ("failed", 2, True)
    assert "not sent again automatically" in item.last_error
