"""Sending a person's waiting notifications, run by the task after the move commits.

As a digest is sent (`tracker.reminders.delivery`): a conditional UPDATE claims
the person's pending rows under a fresh token (a task delivered twice claims
nothing), each row is looked at again as the data stands now (sent only while
still true, to a person who may still see it), then each is sent as its own
email, threaded with every other message about the same action or finding, and
marked sent. What happens when sending fails (the hold for the task's retry, the
attempt cap, at most one more copy after a lost reply) is `tracker.sending`'s,
the same for notifications as for reminders; the catch-up queues what is left.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .. import mail_headers, sending
from ..models import (
    Action,
    DeadlineChangeRequest,
    Finding,
    Notification,
)
from ..selectors import visible_actions, visible_findings, visible_inspections
from ..sending import NotSent, SendFailed, mail_server_answers, send
from .kinds import SUBJECTS, Kind


@dataclass
class Delivery:
    recipient_id: int
    claimed: int = 0
    cancelled: int = 0
    sent: int = 0
    refused: int = 0  # refused for good by the mail server (5xx): failed at once


def thread_id(subject) -> str:
    """The thread every email about one action (or finding, or inspection) belongs to."""
    if isinstance(subject, Action):
        return mail_headers.thread_id(subject)
    return mail_headers.message_id(subject._meta.model_name, subject.pk)


def deliver_notifications(
    recipient_id: int, *, retry_in: float | None = None
) -> Delivery:
    """Send one person's waiting notifications, one email each.

    The claim, the hold for a retry, the attempt cap and the "at most one more
    copy" after a lost reply are `tracker.sending`'s, as for a digest. If one
    email fails, it and those not yet sent are held for the retry in `retry_in`
    seconds (or failed when there is none) and `SendFailed` is raised. One the
    server refuses for good (5xx) is failed at once and the next is tried.
    """
    delivery = Delivery(recipient_id)
    mine = Notification.objects.filter(recipient_id=recipient_id, in_digest=False)
    token, delivery.claimed = sending.claim(mine)
    if not delivery.claimed:
        return delivery
    claimed = Notification.objects.filter(
        claim_token=token, status=Notification.Status.SENDING
    )
    current = current_notifications(claimed)
    delivery.cancelled = delivery.claimed - len(current)
    for place, item in enumerate(current):
        try:
            send(notification_message(item))
        except NotSent as not_sent:
            if not_sent.permanent:
                # Refused for good: this one fails now; the next may still go.
                sending.record_failure(
                    claimed.filter(pk=item.pk),
                    not_sent.error,
                    maybe_delivered=False,
                    retry_at=None,
                    refused=True,
                )
                delivery.refused += 1
                continue
            retry_at = None
            if retry_in is not None:
                retry_at = timezone.now() + datetime.timedelta(seconds=retry_in)
            failure = sending.record_failure(
                claimed.filter(pk=item.pk),
                not_sent.error,
                maybe_delivered=not_sent.maybe_delivered,
                retry_at=retry_at,
            )
            # Those after it were not tried: held (or failed) with it.
            rest = sending.record_failure(
                claimed.filter(pk__in=[later.pk for later in current[place + 1 :]]),
                not_sent.error,
                maybe_delivered=False,
                retry_at=retry_at,
            )
            failure.held += rest.held
            failure.failed += rest.failed
            raise SendFailed(not_sent.error, failure, not_sent.maybe_delivered) from (
                not_sent.error
            )
        delivery.sent += sending.mark_sent(claimed.filter(pk=item.pk))
    return delivery


def current_notifications(claimed: QuerySet[Notification]) -> list[Notification]:
    """The claimed notifications still worth telling, oldest first; the others
    cancelled with the reason. Sent on their own or in a digest, the same last look."""
    current = []
    for item in claimed.select_related(
        "recipient",
        "actor",
        "action__finding",
        "action__inspection__force",
        "action__owner",
        "finding__inspection__force",
        "inspection__force",
    ).order_by("created_at", "pk"):
        reason = stale_reason(item)
        if reason:
            item.status, item.cancel_reason = Notification.Status.CANCELLED, reason
            item.save(update_fields=["status", "cancel_reason"])
        else:
            current.append(item)
    return current


def stale_reason(item: Notification) -> str:
    """Why the notification is no longer worth an email, if it is not."""
    recipient = item.recipient
    if not recipient.is_active:
        return "The recipient's account is inactive."
    if not recipient.email:
        return "The recipient has no email address."
    if item.action is not None:
        if not visible_actions(recipient).filter(pk=item.action.pk).exists():
            return "The recipient can no longer see this action."
        return _action_moved_on(item.kind, item.action, recipient.pk)
    if item.finding is not None:
        if not visible_findings(recipient).filter(pk=item.finding.pk).exists():
            return "The recipient can no longer see this finding."
        return _finding_moved_on(item.kind, item.finding)
    if item.inspection is not None:
        if not visible_inspections(recipient).filter(pk=item.inspection.pk).exists():
            return "The recipient can no longer see this inspection."
        return ""
    return "What it was about has been removed."


def _action_moved_on(kind: str, action: Action, recipient_id: int) -> str:
    match kind:
        case Kind.ASSIGNED_OWNER if action.owner_id != recipient_id:
            return "The action has another owner since."
        case Kind.ASSIGNED_CONTRIBUTOR if not action.contributors.filter(
            pk=recipient_id
        ).exists():
            return "The recipient is no longer a contributor."
        case Kind.UNASSIGNED if (
            action.owner_id == recipient_id
            or action.contributors.filter(pk=recipient_id).exists()
        ):
            return "The recipient is back on the action."
        case Kind.MARKED_DONE if action.status != Action.Status.DONE:
            return "The action is no longer waiting for sign-off."
        case Kind.SIGNED_OFF if action.status != Action.Status.SIGNED_OFF:
            return "The action is no longer signed off."
        case Kind.RETURNED if action.status != Action.Status.IN_PROGRESS:
            return "The action has moved on since it was returned."
        case Kind.WITHDRAWN if action.status != Action.Status.WITHDRAWN:
            return "The action is no longer withdrawn."
        case Kind.DEADLINE_REQUESTED if not action.deadline_requests.filter(
            status=DeadlineChangeRequest.Status.PENDING
        ).exists():
            return "The deadline change request has been decided."
    return ""


def _finding_moved_on(kind: str, finding: Finding) -> str:
    match kind:
        case Kind.CLOSURE_REQUESTED if (
            finding.status != Finding.Status.CLOSURE_REQUESTED
        ):
            return "The closure request has been decided."
        case Kind.CLOSURE_AUTHORISED if finding.status != Finding.Status.COMPLETE:
            return "The finding is no longer complete."
        case Kind.SUPERSEDED if finding.status != Finding.Status.SUPERSEDED:
            return "The finding is no longer superseded."
    return ""


def notification_message(
    item: Notification, *, connection=None
) -> EmailMultiAlternatives:
    """One notification as an email: a plain-text part that reads on its own, and HTML."""
    subject = item.subject
    action = item.action
    finding = item.finding or (action.finding if action is not None else None)
    inspection = item.inspection or (
        action.inspection
        if action is not None
        else finding.inspection
        if finding
        else None
    )
    force = getattr(inspection, "force", None)
    context = {
        "item": item,
        "action": action,
        "finding": finding,
        "inspection": inspection,
        "force": force,
        "url": settings.SITE_URL + subject.get_absolute_url(),
        "notifications_url": settings.SITE_URL + reverse("tracker:notifications"),
        "preferences_url": settings.SITE_URL
        + reverse("tracker:notification-preferences"),
    }
    preferences = context["preferences_url"]
    message = EmailMultiAlternatives(
        subject=_subject(item, force),
        body=render_to_string("emails/notification.txt", context),
        to=[item.recipient.email],
        connection=connection,
        headers={
            **mail_headers.automatic_headers(
                mail_headers.message_id("notification", item.pk)
            ),
            "In-Reply-To": thread_id(subject),
            "References": thread_id(subject),
            **mail_headers.unsubscribe_headers(preferences),
        },
    )
    message.attach_alternative(
        render_to_string("emails/notification.html", context), "text/html"
    )
    return message


def _subject(item: Notification, force) -> str:
    """ "Returned to you: Publish the plan (WMP-2016-EFF-AFI-1), West Mercia": short on a phone."""
    subject = item.subject
    if item.action is not None:
        about = item.action.title
        if item.action.finding is not None:
            about += f" ({item.action.finding.reference})"
    elif item.finding is not None:
        about = item.finding.reference
    else:
        about = subject.title
    words = f"{SUBJECTS[Kind(item.kind)]}: {' '.join(about.split())}"
    return f"{words}, {force.short_name}" if force is not None else words


def catch_up(*, queue) -> int:
    """Queue whoever still has notifications ready: a task Redis lost, a dead
    worker's claim, failures that may be tried again once the mail server answers.

    Rows held for a live retry are not ready, so no second task is queued for them.
    """
    now = timezone.now()
    everyone = Notification.objects.all()
    sending.release_stale_claims(everyone, now)
    if not mail_server_answers():
        return 0
    sending.requeue_failed(everyone)
    # Left a minute, so that the task queued at commit is not doubled; those for
    # the digest go with it (`tracker.reminders.outbox.waiting_recipients`).
    settled = now - datetime.timedelta(minutes=1)
    recipients = list(
        sending.ready(everyone.filter(created_at__lt=settled, in_digest=False), now)
        .order_by("recipient_id")
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    return queue(recipients) if recipients else 0


def send_again(rows) -> int:
    """Failed notifications back to pending with their attempts reset (the admin's action)."""
    return sending.send_again(rows)
