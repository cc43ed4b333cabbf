"""The reminder outbox and the sweep that fills it.

The policy (what is due, for whom) is `schedule`; `facts` feeds it from the
database and this module records its answers. The sweep, run by Celery beat at
08:00 London time on weekdays or by `manage.py send_reminders`:

1. does nothing on a bank holiday (the policy moved whatever fell on one);
2. returns to pending the items of sending tasks that died (claimed longer ago
   than REMINDER_CLAIM_TIMEOUT_SECONDS) and, if the mail server answers, the
   items that failed;
3. loads every open action and every finding waiting for closure in a fixed
   number of queries, asks the policy what is due, and records each reminder
   with INSERT ... ON CONFLICT DO NOTHING: the outbox's unique key makes a second
   record impossible, so a sweep run twice, or two at once, records each once;
4. after commit, queues (through the `queue` it is given, `tracker.tasks.queue_digests`)
   one digest task per person whose digest goes today and who has anything
   waiting, from today or from an earlier day Redis missed.

Between sweeps a catch-up (every quarter of an hour) does steps 2 and 4 only, so
that what got stuck is not left until the next morning.

Delivering a digest is `delivery`'s.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from ..models import Reminder, ReminderPolicy
from .delivery import mail_server_answers
from .facts import digest_goes, due_reminders, load_preferences
from .schedule import DueReminder
from .working_days import is_working_day

logger = logging.getLogger(__name__)

# Publishes one digest task per person and says how many it published. The
# tasks module owns the queueing (`tracker.tasks.queue_digests`) and passes it
# in, so the outbox never imports the tasks that import it.
Queue = Callable[[list[int], datetime.date], int]


_RECORD_SQL = """
    INSERT INTO tracker_reminder (recipient_id, action_id, finding_id, kind, deadline_key,
        send_on, due_on, status, attempts, last_error, cancel_reason, created_at)
    SELECT recipient, action, finding, kind, deadline_key, send_on, %s, 'pending', 0, '', '', %s
    FROM unnest(
        string_to_array(%s, ',', '')::bigint[], string_to_array(%s, ',', '')::bigint[],
        string_to_array(%s, ',', '')::bigint[], string_to_array(%s, ',')::varchar[],
        string_to_array(%s, ',')::date[], string_to_array(%s, ',')::date[]
    ) AS due (recipient, action, finding, kind, deadline_key, send_on)
    ON CONFLICT DO NOTHING
"""


def record_due(
    due: list[DueReminder], day: datetime.date, now: datetime.datetime
) -> None:
    """Insert the due reminders in one statement; the outbox key skips those already there.

    Plain arrays rather than model instances: at national scale building tens of
    thousands of Reminder objects took longer than everything else in the sweep.
    """
    if not due:
        return
    if connection.vendor != "postgresql":
        # The embedded SQLite of a first run: the same outbox key skips repeats.
        Reminder.objects.bulk_create(
            [
                Reminder(
                    recipient_id=d.recipient_id,
                    action_id=d.action_id,
                    finding_id=d.finding_id,
                    kind=d.kind,
                    deadline_key=d.deadline_key,
                    send_on=d.send_on,
                    due_on=day,
                    created_at=now,
                )
                for d in due
            ],
            ignore_conflicts=True,
        )
        return
    # Each column goes as one comma-separated string (an empty item is NULL): the
    # driver quotes six strings instead of every element of six arrays, which at
    # 60,000 reminders took longer than the INSERT itself.
    columns = [
        ",".join("" if value is None else str(value) for value in column)
        for column in zip(
            *(
                (
                    d.recipient_id,
                    d.action_id,
                    d.finding_id,
                    d.kind,
                    d.deadline_key,
                    d.send_on,
                )
                for d in due
            ),
            strict=True,
        )
    ]
    with connection.cursor() as cursor:
        cursor.execute(_RECORD_SQL, [day, now, *columns])


@dataclass
class SweepResult:
    day: datetime.date
    working_day: bool
    due: list[DueReminder] = field(default_factory=list)
    recorded: int = 0
    recovered: int = 0
    failed_requeued: int = 0
    recipients: list[int] = field(default_factory=list)
    queued: int = 0


def run_sweep(
    day: datetime.date | None = None, *, queue: Queue | None = None
) -> SweepResult:
    """Record what is due on `day` (today by default) and queue the day's digests.

    `queue` publishes the digests after commit (`tracker.tasks.queue_digests`);
    without it nothing is published to Celery and the caller sends the digests
    of `result.recipients` itself (the management command does).
    """
    day = day or timezone.localdate()
    result = SweepResult(day=day, working_day=is_working_day(day))
    if not result.working_day:
        return result
    now = timezone.now()
    # Outside the transaction: each is one statement, and asking the mail server
    # whether it answers must not hold the sweep's transaction open.
    result.recovered = release_stale_claims(now)
    result.failed_requeued = requeue_failed()
    with transaction.atomic():
        policy = ReminderPolicy.load().as_policy()
        preferences = load_preferences()
        result.due = due_reminders(day, policy, preferences)
        record_due(result.due, day, now)
        # Every row this sweep inserted carries its exact timestamp.
        result.recorded = Reminder.objects.filter(created_at=now).count()
        ReminderPolicy.objects.filter(
            Q(last_swept_on__isnull=True) | Q(last_swept_on__lt=day),
            pk=ReminderPolicy.SINGLETON_PK,
        ).update(last_swept_on=day)
        result.recipients = recipients_due(day, preferences)
        if queue is not None and result.recipients:
            # Published only once the rows are committed, so the task finds them.
            transaction.on_commit(
                lambda: setattr(result, "queued", queue(result.recipients, day))
            )
    logger.info(
        "Reminder sweep for %s: %d due, %d new, %d digests to send.",
        day,
        len(result.due),
        result.recorded,
        len(result.recipients),
    )
    return result


def run_catch_up(day: datetime.date | None = None, *, queue: Queue) -> SweepResult:
    """Between sweeps (every quarter of an hour on working days), send what is stuck.

    Items of a sending task that died, failed items, and items whose task Redis
    lost would otherwise wait for the next morning's sweep. If the morning's
    sweep never ran (beat, Redis or the worker down at 08:00) it runs it now;
    otherwise nothing new is recorded. Nothing is queued while the mail server
    does not answer, so an outage does not pile up tasks that can only fail.
    """
    day = day or timezone.localdate()
    result = SweepResult(day=day, working_day=is_working_day(day))
    if not result.working_day:
        return result
    if ReminderPolicy.load().last_swept_on != day:
        return run_sweep(day, queue=queue)
    result.recovered = release_stale_claims()
    result.failed_requeued = requeue_failed()
    result.recipients = recipients_due(day, load_preferences())
    if result.recipients and mail_server_answers():
        result.queued = queue(result.recipients, day)
    return result


def recipients_due(day: datetime.date, preferences: dict) -> list[int]:
    """Everyone whose digest goes on `day` and who has something waiting in it."""
    return [
        user_id
        for user_id in waiting_recipients(day)
        if digest_goes(user_id, day, preferences)
    ]


def waiting_recipients(day: datetime.date) -> list[int]:
    """Everyone with pending items due by `day`, including items Redis never delivered."""
    return list(
        Reminder.objects.filter(status=Reminder.Status.PENDING, due_on__lte=day)
        .order_by("recipient_id")
        .values_list("recipient_id", flat=True)
        .distinct()
    )


def release_stale_claims(now: datetime.datetime | None = None) -> int:
    """Items claimed by a sending task that died go back to pending.

    The timeout is longer than the task's hard time limit, so a live task never
    loses its claim while it is still sending.
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.REMINDER_CLAIM_TIMEOUT_SECONDS)
    return Reminder.objects.filter(
        status=Reminder.Status.SENDING, claimed_at__lt=cutoff
    ).update(status=Reminder.Status.PENDING, claim_token=None, claimed_at=None)


def requeue_failed(ids: Iterable[int] | None = None) -> int:
    """Failed items go back to pending, once the mail server answers again."""
    failed = Reminder.objects.filter(status=Reminder.Status.FAILED)
    if ids is not None:
        failed = failed.filter(pk__in=list(ids))
    if not failed.exists() or not mail_server_answers():
        return 0
    return failed.update(status=Reminder.Status.PENDING)
