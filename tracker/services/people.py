"""People: accounts, their calendar address, their reminder choices, a move between forces."""

import datetime
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from ..models import (
    FORCE_ROLES,
    Action,
    Force,
    ReminderPreference,
    Role,
    User,
    owned_or_helped_by,
)
from .common import changed_by, check_administrator


def role_from_cli(value: str) -> str:
    """Accept the command-line spelling (force-lead) as well as the stored one (force_lead)."""
    role = (value or "").strip().lower().replace("-", "_")
    if role not in Role.values:
        choices = ", ".join(r.replace("_", "-") for r in Role.values)
        raise ValidationError(f"“{value}” is not a role: use one of {choices}.")
    return role


def user_check(
    *,
    email: str,
    role: str,
    force: Force | None = None,
    force_slug: str | None = None,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """The person `user_create` would add, checked in full and not saved.

    The force comes as a Force (the admin's form) or by its slug or code (the
    commands), not both. A refusal is a ValidationError keyed by what it is about:
    email, role, force, password, or another of the person's fields.
    """
    if force is not None and force_slug is not None:
        raise TypeError("Give the force or its slug, not both.")
    try:
        role = role_from_cli(role)
    except ValidationError as error:
        raise ValidationError({"role": error.messages}) from None
    email = User.objects.normalize_email((email or "").strip()).lower()
    if force_slug:
        force = Force.objects.filter(
            Q(slug=force_slug) | Q(code__iexact=force_slug)
        ).first()
        if force is None:
            raise ValidationError(
                {
                    "force": f"There is no force “{force_slug}”: use its slug, "
                    "e.g. west-mercia."
                }
            )
    if role in FORCE_ROLES and force is None:
        how = " (--force SLUG)" if force_slug is not None else ""
        raise ValidationError(
            {"force": f"Force staff and force leads need a force{how}."}
        )
    if role in (Role.INSPECTOR, Role.ADMIN) and force is not None:
        raise ValidationError(
            {
                "force": "Inspectors and administrators work across forces: give no force."
            }
        )
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            {"email": f"A user with the email {email} already exists."}
        )
    user = User(
        email=email,
        role=role,
        force=force,
        first_name=(first_name or "").strip(),
        last_name=(last_name or "").strip(),
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    if password:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ValidationError({"password": error.error_list}) from None
        user.set_password(password)
    else:
        # No password: the welcome email's link sets one (tracker.emails).
        user.set_unusable_password()
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as error:
        raise ValidationError(
            {
                field: f"{field.replace('_', ' ')} “{getattr(user, field, '')}”: "
                f"{' '.join(messages)}"
                for field, messages in error.message_dict.items()
            }
        ) from None
    return user


def user_create(
    *,
    email: str,
    role: str,
    force: Force | None = None,
    force_slug: str | None = None,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Onboard one person, checking everything (`user_check`) before anything is saved."""
    user = user_check(
        email=email,
        role=role,
        force=force,
        force_slug=force_slug,
        password=password,
        first_name=first_name,
        last_name=last_name,
    )
    user.save()
    return user


def calendar_token_reset(user: User) -> str:
    """Give the person a new secret feed address; the old one stops working at once."""
    user.calendar_token = secrets.token_urlsafe(32)
    user.calendar_off_by_password_at = None
    user.save(update_fields=["calendar_token", "calendar_off_by_password_at"])
    return user.calendar_token


def calendar_token_revoke(user: User) -> None:
    user.calendar_token = None
    user.calendar_off_by_password_at = None
    user.save(update_fields=["calendar_token", "calendar_off_by_password_at"])


def reminder_preferences_update(
    user: User, *, digest: str, weekly_on: int, paused_until: datetime.date | None
) -> "ReminderPreference":
    """A person's choice of daily or weekly digest, and leave during which only escalations go."""
    choices = {"digest": digest, "weekly_on": weekly_on, "paused_until": paused_until}
    if not ReminderPreference.objects.filter(user=user).exists():
        unsaved = ReminderPreference(user=user)
        if all(getattr(unsaved, name) == value for name, value in choices.items()):
            # The defaults hold without a row: saving them unchanged changes nothing.
            return unsaved
    preference, _ = ReminderPreference.objects.update_or_create(
        user=user, defaults=choices
    )
    return preference


@transaction.atomic
def user_change_force(
    user: User, person: User, *, force: Force | None, role: str
) -> list[Action]:
    """An administrator moves a person to another force, or to another role.

    Leaving a force ends their part in its open work: the actions they own become
    unassigned, for the force lead to reassign, and they stop contributing to the
    rest; each change is in the action's history under the administrator's name.
    Closed actions keep who did the work. Returns the actions changed.
    """
    check_administrator(user)
    before = User.objects.select_for_update().get(pk=person.pk)
    person.force, person.role = force, role
    person.save(update_fields=["force", "role"])
    if before.role not in FORCE_ROLES or (
        person.role in FORCE_ROLES and person.force_id == before.force_id
    ):
        return []
    changed = list(
        Action.objects.select_for_update(of=("self",))
        .filter(owned_or_helped_by(person), force_id=before.force_id)
        .exclude(status__in=Action.CLOSED_STATUSES)
        .order_by("pk")
    )
    helped = set(
        Action.contributors.through.objects.filter(
            user=person, action__in=changed
        ).values_list("action_id", flat=True)
    )
    reason = f"{person} left {before.force}"[:100]
    for action in changed:
        changed_by(action, user, reason)
        if action.owner_id == person.pk:
            action.owner = None
        # A page opened before the move must not put them back unawares.
        action.version += 1
        action.save()
        if action.pk in helped:
            action.contributors.remove(person)
    return changed
