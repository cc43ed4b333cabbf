"""The checks every service shares: refusals, required text, row locks and version checks, who may own an action."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied

from ..models import FORCE_ROLES, Action, ProgressUpdate, User
from ..permissions import is_administrator
from ..selectors import action_as_seen
from .errors import ConflictError, WorkflowError


def changed_by(obj: Any, user: User | None, reason: str = "") -> None:
    """Name who makes the next save of `obj` (and why) in its change history.

    django-simple-history reads these two attributes when the object is saved;
    None is the command line.
    """
    obj._history_user = user
    if reason:
        obj._change_reason = reason


def deny(message: str):
    raise PermissionDenied(message)


def require_text(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise WorkflowError(f"{what} is required.")
    return text


def check_percent(percent: int | None) -> None:
    if percent is not None and not 0 <= percent <= 100:
        raise WorkflowError("Percent complete must be between 0 and 100.")


def lock_action(action: Action, expected_version: int | None = None) -> Action:
    """Re-read the action under a row lock, so two moves at once cannot both pass their checks.

    With `expected_version` (the version the person's page showed), refuse a move
    made from a page older than the action: what they decided on is not what is
    there now. None is for callers that act on the current state, not on a page.
    """
    current = (
        Action.objects.select_for_update(of=("self",))
        .select_related("finding")
        .get(pk=action.pk)
    )
    if expected_version is not None and current.version != expected_version:
        raise ConflictError(current, changed_since(action, expected_version, current))
    return current


def changed_since(seen: Action, version: int, current: Action) -> list[str]:
    """What changed since the person's page, from the change history of that version."""
    then = action_as_seen(current, version)
    changed = changed_fields(then or seen, current)
    if (
        then is not None
        and ProgressUpdate.objects.filter(
            action=current, created_at__gt=then.history_date
        ).exists()
    ):
        changed.append("a new entry on its timeline")
    return changed


def check_force_member(user: User | None, action: Action, what: str) -> None:
    if user is None:
        return
    if not user.is_active or user.role not in FORCE_ROLES:
        raise WorkflowError(
            f"{user} cannot be {what}: only force staff and force leads can."
        )
    if user.force_id != action.force_id:
        raise WorkflowError(f"{user} cannot be {what}: they belong to another force.")


def check_people(action: Action, owner: User | None, contributors: list[User]) -> None:
    check_force_member(owner, action, "the owner")
    for person in contributors:
        check_force_member(person, action, "a contributor")


def check_deadline_kept(
    current: Action, deadline: datetime.date | None, how_to_ask: str
) -> None:
    """A deadline the inspectorate set moves only by a change an inspector approves."""
    if (
        deadline != current.deadline
        and current.deadline_set_by == Action.DeadlineSetBy.INSPECTORATE
    ):
        raise WorkflowError(f"This deadline was set by the inspectorate. {how_to_ask}")


def changed_fields(seen: Action, current: Action) -> list[str]:
    labels = {
        "title": "title",
        "description": "description",
        "owner_id": "owner",
        "deadline": "deadline",
        "status": "status",
        "percent_complete": "percent complete",
    }
    return [
        label
        for field, label in labels.items()
        if getattr(seen, field) != getattr(current, field)
    ]


def check_administrator(user: User) -> None:
    if not is_administrator(user):
        deny("Only an administrator can make this change.")
