"""Account email: the welcome, with a link to set a password.

`send_welcomes` renders and sends, and says whom it could not reach. The daily
digest of reminders is `tracker.reminders.digest`.
"""

import datetime
from collections.abc import Sequence

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .formats import clock_time, weekday_date
from .models import Role, User


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
        "expires": f"{weekday_date(expires.date())} at {clock_time(expires)}",
        "reset_url": settings.SITE_URL + reverse("password_reset"),
        # Where passwords are off, the person signs in with the force's account.
        "password_sign_in": settings.PASSWORD_SIGN_IN,
        "provider": settings.OIDC_PROVIDER_NAME,
        "sign_in_url": settings.SITE_URL + reverse("login"),
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
