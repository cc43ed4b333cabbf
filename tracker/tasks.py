"""Celery tasks: thin, they take ids and dates and call tracker.sweep.

Beat starts `sweep_reminders` (a PeriodicTask in the database, 08:00 London
time on weekdays) and `catch_up_reminders` every quarter of an hour after it;
both queue one `send_reminder_digest` per person with something waiting.
"""

import datetime

from celery import shared_task
from django.conf import settings

from . import sweep


@shared_task(name="tracker.sweep_reminders", ignore_result=True, acks_late=True)
def sweep_reminders(day: str | None = None) -> None:
    """Record what is due today and queue the day's digests (nothing on a bank holiday)."""
    sweep.run_sweep(datetime.date.fromisoformat(day) if day else None)


@shared_task(name="tracker.catch_up_reminders", ignore_result=True, acks_late=True)
def catch_up_reminders() -> None:
    """Re-queue what is stuck between sweeps: dead claims, failures, digests Redis lost."""
    sweep.run_catch_up()


@shared_task(
    bind=True,
    name="tracker.send_reminder_digest",
    ignore_result=True,
    acks_late=True,
    # Killed after this long, so a claim older than REMINDER_CLAIM_TIMEOUT_SECONDS
    # can only belong to a dead worker.
    time_limit=settings.REMINDER_SEND_TIME_LIMIT_SECONDS,
)
def send_reminder_digest(self, recipient_id: int, day: str) -> None:
    """Send one person's digest; retry with exponential backoff while the mail server fails.

    Running it twice sends nothing twice: the second run finds nothing to claim.
    After the last retry the items are marked failed; a later sweep re-queues them.
    """
    max_retries = settings.REMINDER_SEND_MAX_RETRIES
    give_up = self.request.retries >= max_retries
    try:
        sweep.deliver_digest(
            recipient_id, datetime.date.fromisoformat(day), give_up=give_up
        )
    except OSError as error:  # smtplib's errors and refused or dropped connections
        if give_up:
            raise
        countdown = min(
            settings.REMINDER_RETRY_BACKOFF_SECONDS * 2**self.request.retries,
            settings.REMINDER_RETRY_BACKOFF_MAX_SECONDS,
        )
        raise self.retry(
            exc=error, countdown=countdown, max_retries=max_retries
        ) from error
