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
from collections.abc import Callable, Iterable

from celery import shared_task
from django.conf import settings

from . import webhooks
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
    """Re-queue what is stuck between sweeps: dead claims, failures, digests,
    notifications and webhook events Redis lost."""
    outbox.run_catch_up(queue=queue_digests)
    notification_delivery.catch_up(queue=queue_notifications)
    webhooks.catch_up(queue=webhooks.queue_webhooks)


def queue_notifications(recipient_ids: Iterable[int]) -> int:
    """Publish one notification-sending task per person (see `tracker.notifications.events`)."""
    from .notifications.events import queue_notifications as publish

    return publish(recipient_ids)


def _send_or_retry(task, deliver: Callable[[float | None], object], what: str) -> None:
    """Run a sending task's `deliver(retry_in)`; retry with exponential backoff while
    it fails (its rows are held for the retry meanwhile), and give up quietly once
    they are failed (they wait in the admin or the webhook's log)."""
    max_retries = settings.REMINDER_SEND_MAX_RETRIES
    countdown = None
    if task.request.retries < max_retries:
        countdown = min(
            settings.REMINDER_RETRY_BACKOFF_SECONDS * 2**task.request.retries,
            settings.REMINDER_RETRY_BACKOFF_MAX_SECONDS,
        )
    try:
        deliver(countdown)
    except SendFailed as failed:
        if not failed.failure.will_retry:
            logger.warning(
                "%s failed for good (%s): %d failed.",
                what,
                failed,
                failed.failure.failed,
            )
            return
        raise task.retry(
            exc=failed.error, countdown=countdown, max_retries=max_retries
        ) from failed.error


# Killed after REMINDER_SEND_TIME_LIMIT_SECONDS, so a claim older than
# REMINDER_CLAIM_TIMEOUT_SECONDS can only belong to a dead worker.
_SENDING = {
    "bind": True,
    "ignore_result": True,
    "acks_late": True,
    "time_limit": settings.REMINDER_SEND_TIME_LIMIT_SECONDS,
}


@shared_task(name="tracker.send_reminder_digest", **_SENDING)
def send_reminder_digest(self, recipient_id: int, day: str) -> None:
    """Send one person's digest; retry with exponential backoff while the mail server fails.

    Running it twice sends nothing twice: the second run finds nothing to claim.
    While it waits out a backoff its items are held for it (nobody else sends
    them); after the last retry, or their last attempt, they are failed.
    """
    _send_or_retry(
        self,
        lambda retry_in: delivery.deliver_digest(
            recipient_id, datetime.date.fromisoformat(day), retry_in=retry_in
        ),
        f"The digest of user {recipient_id}",
    )


@shared_task(name="tracker.send_notifications", **_SENDING)
def send_notifications(self, recipient_id: int) -> None:
    """Send one person's waiting notifications, retrying as a digest does."""
    _send_or_retry(
        self,
        lambda retry_in: notification_delivery.deliver_notifications(
            recipient_id, retry_in=retry_in
        ),
        f"Notifications of user {recipient_id}",
    )


@shared_task(name=webhooks.SEND_TASK, **_SENDING)
def send_webhooks(self, webhook_id: int) -> None:
    """POST one webhook's waiting events, retrying as a digest does."""
    _send_or_retry(
        self,
        lambda retry_in: webhooks.deliver_webhook(webhook_id, retry_in=retry_in),
        f"Webhook {webhook_id}",
    )
