"""The reminder outbox and the sweep that fills it.

The policy (what is due, for whom) is `schedule`; `facts` feeds it from the
database and this module records its answers. The sweep, run by Celery beat at
08:00 London time on weekdays or by `manage.py send_reminders`:

1. does nothing on a bank holiday (the policy moved whatever fell on one);
2. gives the items of sending tasks that died (claimed longer ago than
   REMINDER_CLAIM_TIMEOUT_SECONDS) one last attempt and, if the mail server
   answers, returns to pending the failed items that may be tried again;
3. loads every open action and every finding waiting for closure in a fixed
   number of queries, asks the policy what is due, and records each reminder
   with INSERT ... ON CONFLICT DO NOTHING: the outbox's unique key makes a second
   record impossible, so a sweep run twice, or two at once, records each once;
4. after commit, queues (through the `queue` it is given, `tracker.tasks.queue_digests`)
   one digest task per person whose digest goes today and who has anything
   waiting, from today or from an earlier day Redis missed.

A sweep for a day before the last one swept does nothing. Between sweeps a
catch-up (every quarter of an hour, all day on working days) does steps 2 and 4
only, so that what got stuck is not left until the next morning.

Delivering a digest is `delivery`'s.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from .. import sending
from ..formats import long_date
from ..models import Notification, Reminder, ReminderPolicy
from ..sending import mail_server_answers
from .facts import Waiting, digest_goes, due_reminders, load_preferences
from .kinds import ESCALATIONS
from .schedule import DueReminder
from .working_days import is_working_day

logger = logging.getLogger(__name__)

# Publishes one digest task per person and says how many it published. The
# tasks module owns the queueing (`tracker.tasks.queue_digests`) and passes it
# in, so the outbox never imports the tasks that import it.
Queue = Callable[[list[int], datetime.date], int]


_RECORD_SQL = """
    INSERT INTO tracker_reminder (recipient_id, action_id, finding_id, kind, deadline_key,
        send_on, due_on, status, attempts, maybe_delivered, refused, last_error,
        cancel_reason, created_at)
    SELECT recipient, action, finding, kind, deadline_key, send_on, %s, 'pending', 0, false,
        false, '', '', %s
    FROM unnest(
        string_to_array(%s, ',', '')::bigint[], string_to_array(%s, ',', '')::bigint[],
        string_to_array(%s, ',', '')::bigint[], string_to_array(%s, ',')::varchar[],
        string_to_array(%s, ',')::date[], string_to_array(%s, ',')::date[]
    ) AS due (recipient, action, finding, kind, deadline_key, send_on)
    ON CONFLICT DO NOTHING
"""


def record_due(
    due: list[DueReminder], day: datetime.date, now: datetime.datetime
) -> int:
    """Insert the due reminders in one statement; the outbox key skips those already there.

    Plain arrays rather than model instances: at national scale building tens of
    thousands of Reminder objects took longer than everything else in the sweep.
    Returns how many were new.
    """
    if not due:
        return 0
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
        # Every row inserted here carries this exact timestamp; read off
        # (status, due on) rather than a pass over the outbox's sent history.
        return Reminder.objects.filter(
            status=Reminder.Status.PENDING, due_on=day, created_at=now
        ).count()
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
        return cursor.rowcount


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
    # Why nothing was done, when the sweep refused to run (a later day was swept).
    skipped: str = ""


def run_sweep(
    day: datetime.date | None = None, *, queue: Queue | None = None
) -> SweepResult:
    """Record what is due on `day` (today by default) and queue the day's digests.

    `queue` publishes the digests after commit (`tracker.tasks.queue_digests`);
    without it nothing is published to Celery and the caller sends the digests
    of `result.recipients` itself (the management command does).

    A sweep for a day earlier than the last one swept does nothing (and says so
    in `result.skipped`): it would send stages the later sweep has overtaken,
    "Due today" after "Overdue". Working days missed since the last sweep need
    no sweep of their own: the policy returns each series' latest stage and
    every one-off still due, and a weekly digest whose day was missed goes now.
    """
    day = day or timezone.localdate()
    result = SweepResult(day=day, working_day=is_working_day(day))
    if not result.working_day:
        return result
    policy_row = ReminderPolicy.load()
    swept_before = policy_row.last_swept_on
    if swept_before is not None and day < swept_before:
        result.skipped = (
            f"The sweep for {long_date(day)} did not run: {long_date(swept_before)} "
            "has been swept already, and its reminders overtake that day's."
        )
        logger.warning("Reminder sweep: %s", result.skipped)
        return result
    now = timezone.now()
    # Outside the transaction: each is one statement, and asking the mail server
    # whether it answers must not hold the sweep's transaction open.
    result.recovered = release_stale_claims(now)
    result.failed_requeued = requeue_failed()
    with transaction.atomic():
        preferences = load_preferences()
        result.due = due_reminders(day, policy_row.as_policy(), preferences)
        result.recorded = record_due(result.due, day, now)
        ReminderPolicy.objects.filter(
            Q(last_swept_on__isnull=True) | Q(last_swept_on__lt=day),
            pk=ReminderPolicy.SINGLETON_PK,
        ).update(last_swept_on=day)
        result.recipients = recipients_due(day, preferences, swept_before)
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


# Before this hour (London time) a catch-up does not start a sweep that has not
# run today: the 08:00 sweep may still be coming, or running.
CATCH_UP_SWEEPS_FROM_HOUR = 9


def run_catch_up(
    day: datetime.date | None = None,
    *,
    queue: Queue,
    now: datetime.datetime | None = None,
) -> SweepResult:
    """Between sweeps (every quarter of an hour, all day on working days), send what is stuck.

    Items of a sending task that died, failed items, and items whose task Redis
    lost would otherwise wait for the next morning's sweep. If the day's sweep
    never ran (beat, Redis or the worker down at 08:00) it runs it now, from
    09:00; before 09:00 it recovers the last swept day's digests only. Otherwise
    nothing new is recorded. Nothing is queued while the mail server does not
    answer, so an outage does not pile up tasks that can only fail; items held
    for a task's retry are left to that retry.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    day = day or today
    result = SweepResult(day=day, working_day=is_working_day(day))
    if not result.working_day:
        return result
    last_swept_on = ReminderPolicy.load().last_swept_on
    if last_swept_on != day:
        early = (
            day == today and timezone.localtime(now).hour < CATCH_UP_SWEEPS_FROM_HOUR
        )
        if not early or last_swept_on is None or last_swept_on > day:
            return run_sweep(day, queue=queue)
        day = result.day = last_swept_on
    result.recovered = release_stale_claims(now)
    result.failed_requeued = requeue_failed()
    result.recipients = recipients_due(day, load_preferences())
    if result.recipients and mail_server_answers():
        result.queued = queue(result.recipients, day)
    return result


def recipients_due(
    day: datetime.date,
    preferences: dict,
    swept_before: datetime.date | None = None,
) -> list[int]:
    """Everyone whose digest goes on `day` and who has something ready to send in it.

    `swept_before` is the day of the sweep before this one, when a sweep is
    asking: a weekly digest whose day fell between the two goes now.
    """
    return [
        user_id
        for user_id, waiting in waiting_recipients(day).items()
        if digest_goes(user_id, day, preferences, waiting, swept_before)
    ]


def waiting_recipients(day: datetime.date) -> dict[int, Waiting]:
    """Everyone with items ready to send by `day`, including items Redis never delivered.

    Not items held for a sending task's retry: that task will send them.
    """
    rows = (
        sending.ready(Reminder.objects.filter(due_on__lte=day))
        .values("recipient_id")
        .annotate(
            oldest=Min("due_on"),
            escalations=Count("pk", filter=Q(kind__in=ESCALATIONS)),
        )
        .order_by("recipient_id")
    )
    waiting = {
        row["recipient_id"]: Waiting(row["oldest"], row["escalations"] > 0)
        for row in rows
    }
    # Notifications a person chose to have in their digest go with it.
    notifications = (
        sending.ready(
            Notification.objects.filter(in_digest=True, created_at__date__lte=day)
        )
        .values("recipient_id")
        .annotate(first=Min("created_at"))
        .order_by("recipient_id")
    )
    for row in notifications:
        oldest = timezone.localdate(row["first"])
        known = waiting.get(row["recipient_id"])
        waiting[row["recipient_id"]] = (
            Waiting(min(known.oldest, oldest), known.escalation)
            if known is not None
            else Waiting(oldest, False)
        )
    return waiting


def release_stale_claims(now: datetime.datetime | None = None) -> int:
    """Items claimed by a sending task that died get one last attempt (`tracker.sending`)."""
    return sending.release_stale_claims(Reminder.objects.all(), now)


def requeue_failed() -> int:
    """Failed items that may be tried again go back to pending, once the mail server answers.

    Not those that used REMINDER_MAX_ATTEMPTS, nor those the mail server may
    already have: they wait for someone to send them again (`send_again`).
    """
    failed = Reminder.objects.filter(status=Reminder.Status.FAILED)
    if not failed.exists() or not mail_server_answers():
        return 0
    return sending.requeue_failed(failed)


def send_again(ids: Iterable[int]) -> int:
    """An administrator's "send again": failed items back to pending, attempts reset.

    Only once the mail server answers (0 otherwise), so the items do not use up
    their attempts against a server that is down.
    """
    failed = Reminder.objects.filter(status=Reminder.Status.FAILED, pk__in=list(ids))
    if not failed.exists() or not mail_server_answers():
        return 0
    return sending.send_again(failed)
