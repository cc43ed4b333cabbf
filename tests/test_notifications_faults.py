"""Notification emails under faults, counted at a real SMTP server: the same rules as
the digest (tracker.sending), for messages sent one by one.

A refusing server that comes back: each message once. A server that takes the
message and loses its reply: at most one more copy, then failed and left for a
person. A worker killed in the middle of a person's batch: nothing lost, nothing
twice. The database connection killed after the server's 250: nothing twice.
Run with -s to see what the server received.
"""

# Fixtures imported from tests.reminders_support are, as pytest intends, test arguments.
# ruff: noqa: F811

import datetime
import os
import signal
import time
import uuid
from collections import Counter

import psycopg
import pytest
from django.utils import timezone

from tests.conftest import make_user
from tests.reminders_support import (  # noqa: F401 (fixtures)
    FaultyMailSink,
    WorkerProcess,
    celery_worker,
    migration_data_put_back,
    reminder_queue,
    test_database_url,
    wait_until,
)
from tracker import services
from tracker.models import Notification, Role
from tracker.notifications.delivery import catch_up
from tracker.tasks import queue_notifications

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("migration_data_put_back"),
]


@pytest.fixture
def sink(settings):
    server = FaultyMailSink(with_notifications=True).start()
    server.point_settings_here(settings)
    yield server
    server.stop()


@pytest.fixture
def team(force):
    """Three people of the force, each to be made owner of an action."""
    return [
        make_user(f"person{i}@westmercia.test", Role.FORCE_STAFF, force)
        for i in range(3)
    ]


def assign_all(team, finding, lead):
    for i, person in enumerate(team):
        services.action_create(lead, finding=finding, title=f"Plan {i}", owner=person)


def statuses() -> Counter:
    return Counter(Notification.objects.values_list("status", flat=True))


def copies(sink) -> Counter:
    return Counter(m["message"]["Message-ID"] for m in sink.messages)


def test_a_server_refusing_for_a_while_then_answering_delivers_each_once(
    team, finding, lead, sink, settings, reminder_queue, celery_worker
):
    settings.REMINDER_SEND_MAX_RETRIES = 5
    sink.refuse = True
    assign_all(team, finding, lead)
    # Each task is refused and waits out its backoff, its row held for it.
    assert wait_until(lambda: sink.refused >= 3, 20), sink.refused
    assert set(Notification.objects.values_list("retry_at", flat=True)) != {None}
    # The catch-up queues nothing while the retries hold the rows.
    assert catch_up(queue=queue_notifications) == 0
    sink.refuse = False
    assert wait_until(lambda: statuses() == {"sent": 3}, 30), statuses()
    time.sleep(1)
    print(f"\nRefused {sink.refused} times, then answered: received {copies(sink)}")
    assert len(sink.messages) == 3
    assert set(copies(sink).values()) == {1}


def test_a_reply_lost_after_the_message_was_taken_gives_at_most_one_more_copy(
    team, finding, lead, sink, settings, reminder_queue, celery_worker
):
    settings.REMINDER_SEND_MAX_RETRIES = 3
    sink.drops = 1000  # takes every message, then drops the connection before 250
    assign_all(team, finding, lead)
    assert wait_until(lambda: statuses() == {"failed": 3}, 40), statuses()
    time.sleep(1.5)  # any further retry would arrive now
    queued = catch_up(queue=queue_notifications)
    time.sleep(1)
    print(
        f"\nReply lost after DATA every time: received {dict(copies(sink))}; "
        f"outbox {dict(statuses())}; the catch-up queued {queued}"
    )
    assert set(copies(sink).values()) == {2}
    assert len(copies(sink)) == 3
    assert queued == 0
    assert set(Notification.objects.values_list("maybe_delivered", flat=True)) == {True}


def test_an_address_refused_for_good_fails_at_once_and_the_others_still_go(
    team, finding, lead, sink, settings, reminder_queue, celery_worker
):
    settings.REMINDER_SEND_MAX_RETRIES = 5
    settings.REMINDER_MAX_ATTEMPTS = 5
    gone = team[1]
    sink.unknown = {gone.email}  # 550 5.1.1: this address does not exist
    assign_all(team, finding, lead)
    # A second message for the same person, queued behind the refused one.
    services.action_create(lead, finding=finding, title="Plan 1b", owner=gone)
    assert wait_until(lambda: statuses() == {"sent": 2, "failed": 2}, 20), statuses()
    time.sleep(1.5)  # a retry, had one been held, would come now
    queued = catch_up(queue=queue_notifications)
    time.sleep(1)
    refused = Notification.objects.filter(recipient=gone)
    print(
        f"\n550 for {gone.email}: refused {dict(sink.refused_for_good)}; received "
        f"{sink.per_recipient()}; outbox {dict(statuses())}; catch-up queued {queued}"
    )
    # Each refused once: no retry, no catch-up, while the others arrived.
    assert sink.refused_for_good == {gone.email: 2}
    assert set(refused.values_list("status", "attempts", "refused")) == {
        ("failed", 1, True)
    }
    assert all(
        "550 5.1.1" in error for error in refused.values_list("last_error", flat=True)
    )
    assert queued == 0
    assert sorted(sink.per_recipient()) == sorted([team[0].email, team[2].email])


def test_a_worker_killed_in_the_middle_of_a_batch_loses_nothing_and_doubles_nothing(
    force, finding, lead, reminder_queue, tmp_path, settings
):
    """One person with three notifications; the worker dies as the second is
    addressed (before the server has it). After the claim timeout the catch-up
    queues the rest for a new worker: each arrives once."""
    person = make_user("person@westmercia.test", Role.FORCE_STAFF, force)
    settings.REMINDER_CLAIM_TIMEOUT_SECONDS = 2
    workers = []

    class KillAtSecond(FaultyMailSink):
        async def handle_RCPT(self, server, session, envelope, address, options):
            if len(self.messages) == 1 and not workers[0].killed:
                workers[0].killed = True
                os.kill(workers[0].process.pid, signal.SIGKILL)
                return "451 4.3.0 Gone"
            return await super().handle_RCPT(
                server, session, envelope, address, options
            )

    sink = KillAtSecond(with_notifications=True).start()
    sink.point_settings_here(settings)
    log = tmp_path / "worker.log"
    try:
        # Three notifications recorded before any worker runs, so one task sends all.
        for i in range(3):
            services.action_create(
                lead, finding=finding, title=f"Plan {i}", owner=person
            )
        first = WorkerProcess(
            reminder_queue, sink.port, log, REMINDER_CLAIM_TIMEOUT_SECONDS=2
        )
        first.killed = False
        workers.append(first)
        first.start()
        assert wait_until(lambda: first.process.poll() is not None, 20), log.read_text()
        time.sleep(2.5)  # past the claim timeout
        # The catch-up leaves a minute for the task queued at commit: make these older.
        Notification.objects.update(
            created_at=timezone.now() - datetime.timedelta(minutes=2)
        )
        second = WorkerProcess(
            reminder_queue, sink.port, log, REMINDER_CLAIM_TIMEOUT_SECONDS=2
        ).start()
        workers.append(second)
        queued = catch_up(queue=queue_notifications)
        assert wait_until(lambda: statuses() == {"sent": 3}, 30), (
            statuses(),
            log.read_text()[-3000:],
        )
        time.sleep(1)
    finally:
        for worker in workers:
            worker.stop()
        sink.stop()
    print(
        f"\nWorker killed at the second of three: the catch-up queued {queued}; "
        f"received {dict(copies(sink))}"
    )
    assert len(sink.messages) == 3
    assert set(copies(sink).values()) == {1}


def test_the_database_connection_lost_after_250_sends_nothing_twice(
    team, finding, lead, reminder_queue, tmp_path, settings
):
    sink = FaultyMailSink(with_notifications=True).start()
    sink.point_settings_here(settings)
    name = f"peel-worker-{uuid.uuid4().hex[:8]}"
    terminated = []

    def kill_the_workers_connection(message):
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
        assign_all(team, finding, lead)
        assert wait_until(lambda: statuses() == {"sent": 3}, 30), (
            statuses(),
            (tmp_path / "worker.log").read_text()[-3000:],
        )
        time.sleep(1)
    finally:
        worker.stop()
        sink.stop()
    print(
        f"\nDatabase connection killed after each DATA: {terminated} terminated; "
        f"received {dict(copies(sink))}"
    )
    assert terminated == [1, 1, 1]
    assert set(copies(sink).values()) == {1}
    assert len(copies(sink)) == 3
