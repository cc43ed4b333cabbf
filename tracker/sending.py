"""Sending from an outbox table: claim, hold for a retry, give up, mark sent.

Shared by every table of messages waiting to go (reminders now, notifications
next), so the guarantees are the same for all. The functions take a queryset of
the table; its rows need the delivery fields `status` (pending, sending, sent,
failed, cancelled), `claim_token`, `claimed_at`, `attempts`, `last_error`,
`sent_at`, `retry_at` and `maybe_delivered`.

What is guaranteed:

- nothing is lost: a row leaves pending or sending only as sent, cancelled (by
  its table's own check) or failed, and failed rows are listed in the admin;
- a row is tried at most REMINDER_MAX_ATTEMPTS times, then it is failed;
- a second copy can reach a person only where the mail server may have taken
  the message and its reply was lost (the connection dropped or timed out after
  the message was sent, or the worker died while sending): such a row is marked
  `maybe_delivered`, its next attempt is its last, and after that it waits for a
  person to send it again;
- a row held for a retry (`retry_at` in the future) is claimed by nobody but
  the retry, so a catch-up never queues a second task for it.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import smtplib
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import InterfaceError, OperationalError, connections
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"

# Errors that mean "the broker is not there" when a sending task is published:
# publishing gives up and the rows wait in the outbox for the catch-up.
BROKER_ERRORS = (KombuError, RedisError, OSError)

# How often marking "sent" is tried again after the database connection was lost
# (the mail server has the message: giving up here would send it again later).
MARK_SENT_TRIES = 5


def publish_each(task: str, ids: Iterable[int], *, what: str) -> int:
    """Publish one `task` per id (in order, each once); give up at the first broker
    failure and say how many went. The rows wait in their outbox whatever happens
    here: the quarter-hourly catch-up queues what is still waiting."""
    ids = list(dict.fromkeys(ids))
    for published, one in enumerate(ids):
        try:
            current_app.send_task(task, args=(one,), queue=settings.REMINDER_QUEUE)
        except BROKER_ERRORS as error:
            logger.warning(
                "Could not queue %s for %d (%s): the catch-up will.",
                what,
                len(ids) - published,
                error,
            )
            return published
    return len(ids)


def max_attempts() -> int:
    return settings.REMINDER_MAX_ATTEMPTS


def _claim_cutoff(now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(seconds=settings.REMINDER_CLAIM_TIMEOUT_SECONDS)


class Explained(Exception):
    """A failure already put in words for a person: shown as it is, without its type."""


def error_text(error: BaseException) -> str:
    """The error as a person reads it in the admin: the server's own reply where it gave one."""
    detail = str(error)
    if isinstance(error, Explained):
        return detail[:1000]
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        detail = "; ".join(
            f"{address}: {code} {_reply(reply)}"
            for address, (code, reply) in error.recipients.items()
        )
    elif isinstance(error, smtplib.SMTPResponseException):
        detail = f"{error.smtp_code} {_reply(error.smtp_error)}"
    return f"{type(error).__name__}: {detail}"[:1000]


def _reply(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else reply


def ready(rows: QuerySet, now: datetime.datetime | None = None) -> QuerySet:
    """Rows waiting to be sent now: pending, not held for a retry, under the cap."""
    now = now or timezone.now()
    return rows.filter(
        Q(retry_at__isnull=True) | Q(retry_at__lte=now),
        status=PENDING,
        attempts__lt=max_attempts(),
    )


def claim(
    rows: QuerySet, now: datetime.datetime | None = None
) -> tuple[uuid.UUID, int]:
    """Claim the ready rows among `rows` under a fresh token; returns it and how many.

    A conditional UPDATE: of two tasks claiming at once, the second claims nothing.
    Rows of a dead claim are released first (`release_stale_claims`), so they
    are claimed under the same rules as any other.
    """
    now = now or timezone.now()
    release_stale_claims(rows, now)
    token = uuid.uuid4()
    claimed = ready(rows, now).update(
        status=SENDING,
        claim_token=token,
        claimed_at=now,
        retry_at=None,
        attempts=F("attempts") + 1,
    )
    return token, claimed


def release_stale_claims(rows: QuerySet, now: datetime.datetime | None = None) -> int:
    """Rows claimed by a sending task that died go back to pending, or to failed.

    The claim timeout is longer than the task's hard time limit, so a claim that
    old belongs to a dead worker. That worker may have sent the message before it
    died, so the row is `maybe_delivered` and gets one last attempt; a row that
    already was, or that has used its attempts (counted when claimed), is failed.
    Returns how many were released.
    """
    now = now or timezone.now()
    stale = rows.filter(status=SENDING, claimed_at__lt=_claim_cutoff(now))
    note = "The worker sending it stopped before recording the outcome"
    failed = stale.filter(
        Q(maybe_delivered=True) | Q(attempts__gte=max_attempts())
    ).update(
        status=FAILED,
        claim_token=None,
        claimed_at=None,
        maybe_delivered=True,
        last_error=f"{note}; not sent again automatically (it may have been sent).",
    )
    released = stale.update(
        status=PENDING,
        claim_token=None,
        claimed_at=None,
        maybe_delivered=True,
        last_error=f"{note}: it may have been sent, so one more attempt is the last.",
    )
    if failed or released:
        logger.warning(
            "Released %d rows of dead sending tasks (%d failed, %d for a last attempt).",
            failed + released,
            failed,
            released,
        )
    return failed + released


@dataclass
class Failure:
    """What became of claimed rows whose send failed."""

    held: int = 0  # pending again, each held until its retry
    failed: int = 0

    @property
    def will_retry(self) -> bool:
        return self.held > 0


def record_failure(
    claimed: QuerySet,
    error: BaseException,
    *,
    maybe_delivered: bool,
    retry_at: datetime.datetime | None,
    refused: bool = False,
) -> Failure:
    """Rows whose send failed: held for the retry at `retry_at`, or failed.

    Failed when there is no retry (`retry_at` None), when the row has used its
    attempts, or when this was its last attempt (it was `maybe_delivered`). A
    failure after the message went (`maybe_delivered`, e.g. the connection
    dropped before the server's reply) marks the row so its next attempt is its
    last. The retry itself is the caller's (a Celery retry at `retry_at`).
    Rows the server `refused` for good (a 5xx reply) are failed at once and
    marked, so no catch-up tries them again.
    """
    text = error_text(error)
    last = Q(attempts__gte=max_attempts()) | Q(maybe_delivered=True)
    # A row that may be at the server stays marked so, failed or not.
    marked = {"maybe_delivered": True} if maybe_delivered else {}
    if refused:
        marked["refused"] = True
        retry_at = None
    failed = (claimed if retry_at is None else claimed.filter(last)).update(
        status=FAILED,
        claim_token=None,
        claimed_at=None,
        retry_at=None,
        last_error=text,
        **marked,
    )
    held = 0
    if retry_at is not None:
        held = claimed.exclude(last).update(
            status=PENDING,
            claim_token=None,
            claimed_at=None,
            retry_at=retry_at,
            last_error=text,
            **marked,
        )
    return Failure(held=held, failed=failed)


def mark_sent(claimed: QuerySet) -> int:
    """Mark claimed rows sent, reconnecting if the database connection was lost.

    Called after the mail server said it took the message: if the UPDATE is lost
    with the connection, the rows would stay claimed and be sent again once the
    claim times out. So a lost connection is closed and the UPDATE tried again
    (MARK_SENT_TRIES times, a little longer apart each time).
    """
    connection = connections[claimed.db]
    for attempt in range(1, MARK_SENT_TRIES + 1):
        try:
            return claimed.update(
                status=SENT, sent_at=timezone.now(), last_error="", retry_at=None
            )
        except (OperationalError, InterfaceError) as error:
            if attempt == MARK_SENT_TRIES or connection.in_atomic_block:
                raise
            logger.warning(
                "Could not record a sent message (%s); reconnecting (try %d of %d).",
                error,
                attempt + 1,
                MARK_SENT_TRIES,
            )
            connection.close()
            time.sleep(0.2 * 2**attempt)
    raise AssertionError("unreachable")


def requeue_failed(rows: QuerySet) -> int:
    """Failed rows that may be tried again automatically go back to pending.

    Not those that used their attempts, those the server may already have
    (`maybe_delivered`) or those it refused for good (`refused`): those wait for
    a person (`send_again`).
    """
    return rows.filter(
        status=FAILED,
        maybe_delivered=False,
        refused=False,
        attempts__lt=max_attempts(),
    ).update(status=PENDING, retry_at=None)


def send_again(rows: QuerySet) -> int:
    """A person asked to send failed rows again: pending, with their attempts reset.

    This may send a second copy of a `maybe_delivered` row; the admin says so.
    """
    return rows.filter(status=FAILED).update(
        status=PENDING, attempts=0, maybe_delivered=False, refused=False, retry_at=None
    )


def mail_server_answers() -> bool:
    """Does the configured mail server accept a connection right now?"""
    connection = get_connection()
    try:
        connection.open()
    except OSError:  # smtplib's errors are OSErrors too
        return False
    connection.close()
    return True


class NotSent(Exception):
    """`send` failed; `maybe_delivered` if the server may have taken the message.

    `permanent` when the server refused it for good (a 5xx reply, such as "550
    no such user"): trying again would be refused the same way, so the row is
    failed at once, for a person to look at, instead of retried to the cap.
    """

    def __init__(self, error: BaseException, maybe_delivered: bool):
        super().__init__(str(error))
        self.error, self.maybe_delivered = error, maybe_delivered
        self.permanent = refused_for_good(error)


def refused_for_good(error: BaseException) -> bool:
    """Did the mail server refuse with a permanent (5xx) reply?"""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return 500 <= error.smtp_code < 600
    return False


class SendFailed(Exception):
    """The digest did not go; its items are held for the retry or failed (`failure`)."""

    def __init__(self, error: BaseException, failure: Failure, maybe_delivered: bool):
        super().__init__(error_text(error))
        self.error, self.failure, self.maybe_delivered = error, failure, maybe_delivered


def send(message: EmailMessage) -> None:
    """Send one message; on failure say whether the server may have taken it (`NotSent`).

    Nothing can have gone if the connection could not be opened, or if the
    server answered with a refusal. Any other failure once connected (the
    connection dropped, a reply slower than EMAIL_TIMEOUT) may have come after
    the server took the message: smtplib does not say at which step, so a drop
    before the message was sent is counted as "may have been delivered" too.
    """
    connection = get_connection()
    try:
        connection.open()
    except Exception as error:
        raise NotSent(error, maybe_delivered=False) from error
    try:
        connection.send_messages([message])
    except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused) as error:
        raise NotSent(error, maybe_delivered=False) from error
    except Exception as error:
        raise NotSent(error, maybe_delivered=True) from error
    finally:
        with contextlib.suppress(Exception):
            connection.close()
