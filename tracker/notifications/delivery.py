"""Sending a person's waiting notifications, run by the task after the move commits.

As a digest is sent (`tracker.reminders.delivery`): a conditional UPDATE claims
the person's pending rows under a fresh token (a task delivered twice claims
nothing), each row is looked at again as the data stands now (sent only while
still true, to a person who may still see it), then each is sent as its own
email, threaded with every other message about the same action or finding, and
marked sent. A refusal puts the unsent rows back to pending for the task's retry,
or to failed on the last one; the reminders' catch-up queues what is left.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from urllib.parse import urlparse

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ..models import (
    Action,
    DeadlineChangeRequest,
    Finding,
    Notification,
)
from ..selectors import visible_actions, visible_findings, visible_inspections
from .kinds import SUBJECTS, Kind


@dataclass
class Delivery:
    recipient_id: int
    claimed: int = 0
    cancelled: int = 0
    sent: int = 0


def _domain() -> str:
    return urlparse(settings.SITE_URL).hostname or "localhost"


def thread_id(subject) -> str:
    """The Message-ID every email about one action (or finding, or inspection) refers to."""
    return f"<{subject._meta.model_name}-{subject.pk}@{_domain()}>"


def claim(recipient_id: int, now: datetime.datetime) -> uuid.UUID | None:
    token = uuid.uuid4()
    cutoff = now - datetime.timedelta(seconds=settings.REMINDER_CLAIM_TIMEOUT_SECONDS)
    claimed = Notification.objects.filter(
        Q(status=Notification.Status.PENDING)
        | Q(status=Notification.Status.SENDING, claimed_at__lt=cutoff),
        recipient_id=recipient_id,
    ).update(
        status=Notification.Status.SENDING,
        claim_token=token,
        claimed_at=now,
        attempts=F("attempts") + 1,
    )
    return token if claimed else None


def deliver_notifications(recipient_id: int, *, give_up: bool = False) -> Delivery:
    """Send one person's waiting notifications, one email each, over one connection."""
    delivery = Delivery(recipient_id)
    token = claim(recipient_id, timezone.now())
    if token is None:
        return delivery
    items = list(
        Notification.objects.filter(
            claim_token=token, status=Notification.Status.SENDING
        )
        .select_related(
            "recipient",
            "actor",
            "action__finding",
            "action__inspection",
            "action__force",
            "finding__inspection__force",
            "inspection__force",
        )
        .order_by("created_at", "pk")
    )
    delivery.claimed = len(items)
    current = []
    for item in items:
        reason = stale_reason(item)
        if reason:
            item.status, item.cancel_reason = Notification.Status.CANCELLED, reason
            item.save(update_fields=["status", "cancel_reason"])
            delivery.cancelled += 1
        else:
            current.append(item)
    if not current:
        return delivery
    connection = get_connection()
    try:
        connection.open()
        for item in current:
            notification_message(item, connection=connection).send()
            delivery.sent += Notification.objects.filter(
                pk=item.pk, claim_token=token
            ).update(
                status=Notification.Status.SENT, sent_at=timezone.now(), last_error=""
            )
    except Exception as error:
        Notification.objects.filter(
            claim_token=token, status=Notification.Status.SENDING
        ).update(
            status=Notification.Status.FAILED
            if give_up
            else Notification.Status.PENDING,
            claim_token=None,
            claimed_at=None,
            last_error=f"{type(error).__name__}: {error}"[:1000],
        )
        raise
    finally:
        connection.close()
    return delivery


def stale_reason(item: Notification) -> str:
    """Why the notification is no longer worth an email, if it is not."""
    recipient = item.recipient
    if not recipient.is_active:
        return "The recipient's account is inactive."
    if not recipient.email:
        return "The recipient has no email address."
    action, finding = item.action, item.finding
    if action is not None:
        if not visible_actions(recipient).filter(pk=action.pk).exists():
            return "The recipient can no longer see this action."
    elif finding is not None:
        if not visible_findings(recipient).filter(pk=finding.pk).exists():
            return "The recipient can no longer see this finding."
    elif item.inspection is not None:
        if not visible_inspections(recipient).filter(pk=item.inspection_id).exists():
            return "The recipient can no longer see this inspection."
    else:
        return "What it was about has been removed."
    match item.kind:
        case Kind.ASSIGNED_OWNER:
            if action.owner_id != recipient.pk:
                return "The action has another owner since."
        case Kind.ASSIGNED_CONTRIBUTOR:
            if not action.contributors.filter(pk=recipient.pk).exists():
                return "The recipient is no longer a contributor."
        case Kind.UNASSIGNED:
            if (
                action.owner_id == recipient.pk
                or action.contributors.filter(pk=recipient.pk).exists()
            ):
                return "The recipient is back on the action."
        case Kind.MARKED_DONE:
            if action.status != Action.Status.DONE:
                return "The action is no longer waiting for sign-off."
        case Kind.SIGNED_OFF:
            if action.status != Action.Status.SIGNED_OFF:
                return "The action is no longer signed off."
        case Kind.RETURNED:
            if action.status != Action.Status.IN_PROGRESS:
                return "The action has moved on since it was returned."
        case Kind.WITHDRAWN:
            if action.status != Action.Status.WITHDRAWN:
                return "The action is no longer withdrawn."
        case Kind.CLOSURE_REQUESTED:
            if finding.status != Finding.Status.CLOSURE_REQUESTED:
                return "The closure request has been decided."
        case Kind.CLOSURE_AUTHORISED:
            if finding.status != Finding.Status.COMPLETE:
                return "The finding is no longer complete."
        case Kind.SUPERSEDED:
            if finding.status != Finding.Status.SUPERSEDED:
                return "The finding is no longer superseded."
        case Kind.DEADLINE_REQUESTED:
            if not action.deadline_requests.filter(
                status=DeadlineChangeRequest.Status.PENDING
            ).exists():
                return "The deadline change request has been decided."
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
    thread = thread_id(subject)
    message = EmailMultiAlternatives(
        subject=_subject(item, force),
        body=render_to_string("emails/notification.txt", context),
        to=[item.recipient.email],
        connection=connection,
        headers={
            "Message-ID": f"<notification-{item.pk}@{_domain()}>",
            "In-Reply-To": thread,
            "References": thread,
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
            "List-Unsubscribe": f"<{preferences}>",
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
    """Queue whoever still has notifications waiting: a task Redis lost, a dead
    worker's claim. (Failed ones wait for an administrator's "send again".)"""
    from ..reminders.delivery import mail_server_answers

    now = timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.REMINDER_CLAIM_TIMEOUT_SECONDS)
    # Left a minute, so the task queued at commit is not doubled.
    settled = now - datetime.timedelta(minutes=1)
    waiting = Notification.objects.filter(
        Q(status=Notification.Status.PENDING, created_at__lt=settled)
        | Q(status=Notification.Status.SENDING, claimed_at__lt=cutoff)
    )
    recipients = list(
        waiting.order_by("recipient_id")
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    if not recipients or not mail_server_answers():
        return 0
    return queue(recipients)


def send_again(ids) -> int:
    """Failed notifications back to pending with their attempts reset (the admin's action)."""
    return Notification.objects.filter(
        pk__in=list(ids), status=Notification.Status.FAILED
    ).update(status=Notification.Status.PENDING, attempts=0, last_error="")
