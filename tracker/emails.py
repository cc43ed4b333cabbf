"""Email as templates: one digest of reminders per person per day, text and HTML,
and the welcome with a link to set a password.

`digest_message` renders; the caller sends (tracker.sweep claims, sends, marks).
`send_welcomes` renders and sends, and says whom it could not reach.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Sequence
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import Reminder, Role, User
from .reminders import (
    AWAITING_SIGN_OFF,
    ESCALATION_FORCE_LEAD,
    ESCALATION_INSPECTOR,
    Policy,
    kind_label,
)

# Said to the person escalated to, rather than the policy's name for the kind.
ESCALATION_LABELS = {
    ESCALATION_FORCE_LEAD: "Escalated to you as force lead",
    ESCALATION_INSPECTOR: "Escalated to you as the force's inspector contact",
}
# Items about someone else's work name whose it is.
ABOUT_SOMEONE_ELSE = {ESCALATION_FORCE_LEAD, ESCALATION_INSPECTOR, AWAITING_SIGN_OFF}


def long_date(day: datetime.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _when(reminder: Reminder, day: datetime.date) -> str:
    """Days left or overdue as of the digest's day, not as of the sweep."""
    action = reminder.action
    if reminder.finding_id:
        return f"closure requested on {long_date(reminder.deadline_key)}"
    if reminder.kind == "awaiting_sign_off":
        return f"marked done on {long_date(reminder.deadline_key)}"
    if reminder.kind == "no_update_nudge":
        return f"last progress recorded on {long_date(reminder.deadline_key)}"
    if action.deadline is None:
        return "no deadline"
    days = (action.deadline - day).days
    if days == 0:
        return "due today"
    if days > 0:
        return f"{days} day{'s' if days != 1 else ''} left"
    return f"{-days} day{'s' if days != -1 else ''} overdue"


def digest_items(
    reminders: Sequence[Reminder], day: datetime.date, policy: Policy
) -> list[dict]:
    """What one line of the digest says about each reminder, most urgent first."""
    items = []
    for reminder in reminders:
        owner = None
        if reminder.finding_id:
            finding = reminder.finding
            title = f"Closure request: {finding.get_kind_display().lower()} {finding.reference}"
            reference, deadline, url = (
                finding.reference,
                None,
                finding.get_absolute_url(),
            )
        else:
            action = reminder.action
            title = action.title
            reference = (
                action.finding.reference if action.finding_id else "the whole report"
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
                "deadline_text": long_date(deadline) if deadline else "none",
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
        "day": long_date(day),
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


def mail_server_answers() -> bool:
    """Does the configured mail server accept a connection right now?"""
    connection = get_connection()
    try:
        connection.open()
    except OSError:  # smtplib's errors are OSErrors too
        return False
    connection.close()
    return True


def set_password_url(user: User) -> str:
    """The password reset link: it works once (its token is made from the password,
    which setting one changes) and for PASSWORD_RESET_TIMEOUT seconds."""
    return settings.SITE_URL + reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )


def link_lifetime() -> str:
    """How long a set-password link works, in words: "3 days", "12 hours"."""
    seconds = settings.PASSWORD_RESET_TIMEOUT
    for unit, size in (("day", 86400), ("hour", 3600)):
        if seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    minutes = max(1, seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def role_in_words(user: User) -> str:
    """Their role in words: "force lead of West Mercia Police", "an inspector"."""
    if user.force_id:
        return f"{user.get_role_display().lower()} of {user.force}"
    return "an administrator" if user.role == Role.ADMIN else "an inspector"


def welcome_message(user: User) -> EmailMultiAlternatives:
    expires = timezone.localtime() + datetime.timedelta(
        seconds=settings.PASSWORD_RESET_TIMEOUT
    )
    context = {
        "name": user.first_name or user.email,
        "email": user.email,
        "role": role_in_words(user),
        "link": set_password_url(user),
        "lifetime": link_lifetime(),
        "expires": f"{long_date(expires.date())} at {expires:%H:%M}",
        "reset_url": settings.SITE_URL + reverse("password_reset"),
    }
    subject = " ".join(render_to_string("emails/welcome_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/welcome.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(
        render_to_string("emails/welcome.html", context), "text/html"
    )
    return message


def send_welcomes(users: Sequence[User]) -> dict[User, str]:
    """Email each person their welcome; for those it could not reach, say why.

    One connection for them all: when the mail server does not answer, everyone
    is reported at once rather than each after a timeout of their own.
    """
    connection = get_connection()
    try:
        connection.open()
    except OSError as error:  # smtplib's errors are OSErrors too
        return {user: _reason(error) for user in users}
    failed = {}
    try:
        for user in users:
            try:
                connection.send_messages([welcome_message(user)])
            except OSError as error:
                failed[user] = _reason(error)
    finally:
        connection.close()
    return failed


def _reason(error: OSError) -> str:
    return str(error) or type(error).__name__
