"""Who may do what. Selectors and services ask these; views never decide on their own."""

from .models import Action, Role


def sees_every_force(user) -> bool:
    """Inspectors and administrators read every force's data."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role in (Role.INSPECTOR, Role.ADMIN)
    )


def is_force_lead_of(user, force_id: int | None) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role == Role.FORCE_LEAD
        and user.force_id is not None
        and user.force_id == force_id
    )


def is_administrator(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == Role.ADMIN)


def may_manage_people(user) -> bool:
    """Giving a person a role, a force or the admin decides what they see: administrators only.

    Other staff let into the admin may correct names and emails, no more.
    """
    return is_administrator(user)


def may_change_account(user, person) -> bool:
    """Staff who are not administrators leave alone the accounts that hold the admin:
    setting one's password would make them its holder."""
    return may_manage_people(user) or not (
        person.is_staff or person.is_superuser or person.role == Role.ADMIN
    )


def is_inspector(user) -> bool:
    return bool(
        user.is_authenticated and user.is_active and user.role == Role.INSPECTOR
    )


def can_import(user) -> bool:
    """Importing a report (or a revision of one) is for inspectors, and administrators."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role in (Role.INSPECTOR, Role.ADMIN)
    )


def is_owner_or_contributor(user, action: Action) -> bool:
    if not (
        user.is_authenticated and user.is_active and user.force_id == action.force_id
    ):
        return False
    if action.owner_id == user.pk:
        return True
    return action.contributors.filter(pk=user.pk).exists()


def can_change_action(user, action: Action) -> bool:
    """May this user record progress on, or otherwise change, this action?

    Its owner and contributors may, and so may their force lead; nobody from
    another force, and not inspectors, who review rather than do the work.
    """
    return is_force_lead_of(user, action.force_id) or is_owner_or_contributor(
        user, action
    )
