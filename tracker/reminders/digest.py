"""The daily digest as an email: one message per person, text and HTML."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Sequence
from urllib.parse import urlparse

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from ..formats import weekday_date
from ..models import Action, Reminder, User
from .kinds import (
    AWAITING_SIGN_OFF,
    ESCALATION_FORCE_LEAD,
    ESCALATION_INSPECTOR,
    NO_UPDATE_NUDGE,
    kind_label,
)
from .policy import Policy

# Said to the person escalated to, rather than the policy's name for the kind.
ESCALATION_LABELS = {
    ESCALATION_FORCE_LEAD: "Escalated to you as force lead",
    ESCALATION_INSPECTOR: "Escalated to you as the force's inspector contact",
}


# Items about someone else's work name whose it is.
ABOUT_SOMEONE_ELSE = {ESCALATION_FORCE_LEAD, ESCALATION_INSPECTOR, AWAITING_SIGN_OFF}


def _when(reminder: Reminder, day: datetime.date) -> str:
    """Days left or overdue as of the digest's day, not as of the sweep."""
    if reminder.finding_id:
        return f"closure requested on {weekday_date(reminder.deadline_key)}"
    if reminder.kind == AWAITING_SIGN_OFF:
        return f"marked done on {weekday_date(reminder.deadline_key)}"
    if reminder.kind == NO_UPDATE_NUDGE:
        return f"last progress recorded on {weekday_date(reminder.deadline_key)}"
    action = _about_action(reminder)
    if action.deadline is None:
        return "no deadline"
    days = (action.deadline - day).days
    if days == 0:
        return "due today"
    if days > 0:
        return f"{days} day{'s' if days != 1 else ''} left"
    return f"{-days} day{'s' if days != -1 else ''} overdue"


def _about_action(reminder: Reminder) -> Action:
    """The action an outbox item is about, when it is not about a finding."""
    if reminder.action is None:
        raise ValueError(
            f"Reminder {reminder.pk} is about neither an action nor a finding."
        )
    return reminder.action


def digest_items(
    reminders: Sequence[Reminder], day: datetime.date, policy: Policy
) -> list[dict]:
    """What one line of the digest says about each reminder, most urgent first."""
    items = []
    for reminder in reminders:
        owner = None
        if reminder.finding is not None:
            finding = reminder.finding
            title = f"Closure request: {finding.get_kind_display().lower()} {finding.reference}"
            reference, deadline, url = (
                finding.reference,
                None,
                finding.get_absolute_url(),
            )
        else:
            action = _about_action(reminder)
            title = action.title
            reference = (
                action.finding.reference if action.finding else "the whole report"
            )
            deadline, url = action.deadline, action.get_absolute_url()
            if reminder.kind in ABOUT_SOMEONE_ELSE:
                owner = str(action.owner) if action.owner_id else "nobody yet"
        items.append(
            {
                "label": ESCALATION_LABELS.get(reminder.kind)
                or kind_label(reminder.kind, policy),
                "owner": owner,
                "title": title,
                "reference": reference,
                "deadline": deadline,
                "deadline_text": weekday_date(deadline) if deadline else "none",
                "when": _when(reminder, day),
                "url": settings.SITE_URL + url,
                "sort": (deadline or datetime.date.max, reminder.pk),
            }
        )
    return sorted(items, key=lambda item: item["sort"])


def message_id(recipient: User, reminders: Sequence[Reminder]) -> str:
    """The same reminders to the same person always carry the same Message-ID.

    If a worker dies after the mail server accepted a digest but before the
    items were marked sent, the resent copy has the same id, and mail systems
    that deduplicate by Message-ID drop it.
    """
    ids = ",".join(str(pk) for pk in sorted(r.pk for r in reminders))
    digest = hashlib.sha256(ids.encode()).hexdigest()[:24]
    domain = urlparse(settings.SITE_URL).hostname or "localhost"
    return f"<reminders.{recipient.pk}.{digest}@{domain}>"


def digest_message(
    recipient: User, reminders: Sequence[Reminder], day: datetime.date, policy: Policy
) -> EmailMultiAlternatives:
    context = {
        "recipient": recipient,
        "name": recipient.first_name or recipient.email,
        "day": weekday_date(day),
        "items": digest_items(reminders, day, policy),
        "preferences_url": settings.SITE_URL + reverse("tracker:my-reminders"),
        "site_url": settings.SITE_URL,
    }
    # One line, whatever the template's whitespace: a newline would break the header.
    subject = " ".join(
        render_to_string("emails/reminder_digest_subject.txt", context).split()
    )
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/reminder_digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers={
            "Message-ID": message_id(recipient, reminders),
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(
        render_to_string("emails/reminder_digest.html", context), "text/html"
    )
    return message
