"""Celery tasks: thin, they take ids and dates and call tracker.reminders.

Beat starts `sweep_reminders` (a PeriodicTask in the database, 08:00 London
time on weekdays) and `catch_up_reminders` every quarter of an hour, all day on
working days;
both queue one `send_reminder_digest` per person with something waiting. The
queueing lives here, with the task it publishes: the outbox is handed
`queue_digests` and never imports this module.
"""

import datetime
import logging
from collections.abc import Iterable

from celery import shared_task
from django.conf import settings

from .notifications import delivery as notification_delivery
from .reminders import delivery, outbox
from .sending import BROKER_ERRORS, SendFailed

logger = logging.getLogger(__name__)


def queue_digests(recipient_ids: Iterable[int], day: datetime.date) -> int:
    """Publish one digest task per person; give up at the first broker failure.

    The items are safe in the outbox whatever happens here: the next sweep
    queues whoever still has pending items. Returns how many were published.
    """
    recipient_ids = list(recipient_ids)
    for published, recipient_id in enumerate(recipient_ids):
        try:
            send_reminder_digest.apply_async(
                (recipient_id, day.isoformat()), queue=settings.REMINDER_QUEUE
            )
        except BROKER_ERRORS as error:
            logger.warning(
                "Could not queue %d reminder digests (%s): the next sweep will.",
                len(recipient_ids) - published,
                error,
            )
            return published
    return len(recipient_ids)


@shared_task(name="tracker.sweep_reminders", ignore_result=True, acks_late=True)
def sweep_reminders(day: str | None = None) -> None:
    """Record what is due today and queue the day's digests (nothing on a bank holiday)."""
    outbox.run_sweep(
        datetime.date.fromisoformat(day) if day else None, queue=queue_digests
    )


@shared_task(name="tracker.catch_up_reminders", ignore_result=True, acks_late=True)
def catch_up_reminders() -> None:
    """Re-queue what is stuck between sweeps: dead claims, failures, digests and
    notifications Redis lost."""
    outbox.run_catch_up(queue=queue_digests)
    notification_delivery.catch_up(queue=queue_notifications)


def queue_notifications(recipient_ids: Iterable[int]) -> int:
    """Publish one notification-sending task per person (see `tracker.notifications.events`)."""
    from .notifications.events import queue_notifications as publish

    return publish(recipient_ids)


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
    While it waits out a backoff its items are held for it (nobody else sends
    them); after the last retry, or their last attempt, they are failed.
    """
    max_retries = settings.REMINDER_SEND_MAX_RETRIES
    countdown = None
    if self.request.retries < max_retries:
        countdown = min(
            settings.REMINDER_RETRY_BACKOFF_SECONDS * 2**self.request.retries,
            settings.REMINDER_RETRY_BACKOFF_MAX_SECONDS,
        )
    try:
        delivery.deliver_digest(
            recipient_id, datetime.date.fromisoformat(day), retry_in=countdown
        )
    except SendFailed as failed:
        if not failed.failure.will_retry:
            logger.warning(
                "The digest of user %s failed for good (%s): %d items failed.",
                recipient_id,
                failed,
                failed.failure.failed,
            )
            return
        raise self.retry(
            exc=failed.error, countdown=countdown, max_retries=max_retries
        ) from failed.error


@shared_task(
    bind=True,
    name="tracker.send_notifications",
    ignore_result=True,
    acks_late=True,
    time_limit=settings.REMINDER_SEND_TIME_LIMIT_SECONDS,
)
def send_notifications(self, recipient_id: int) -> None:
    """Send one person's waiting notifications, retrying as a digest does."""
    max_retries = settings.REMINDER_SEND_MAX_RETRIES
    countdown = None
    if self.request.retries < max_retries:
        countdown = min(
            settings.REMINDER_RETRY_BACKOFF_SECONDS * 2**self.request.retries,
            settings.REMINDER_RETRY_BACKOFF_MAX_SECONDS,
        )
    try:
        notification_delivery.deliver_notifications(recipient_id, retry_in=countdown)
    except SendFailed as failed:
        if not failed.failure.will_retry:
            logger.warning(
                "Notifications of user %s failed for good (%s): %d failed.",
                recipient_id,
                failed,
                failed.failure.failed,
            )
            return
        raise self.retry(
            exc=failed.error, countdown=countdown, max_retries=max_retries
        ) from failed.error
