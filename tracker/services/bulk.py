"""Moves on many actions at once, from the action list: all of them, or none.

Each action goes through the same service as on its own page (`action_assign`,
`action_sign_off`), with the version the list showed, inside one transaction:
the first refusal undoes the rest and is reported with the action it is about.
"""

import datetime
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.db import transaction

from ..models import Action, User
from ..permissions import is_force_lead_of
from ..selectors import visible_actions
from .actions import action_assign, action_sign_off
from .common import deny
from .errors import WorkflowError

ASSIGN, SIGN_OFF = "assign", "sign-off"


def _chosen(user: User, chosen: Sequence[tuple[int, int]]) -> list[tuple[Action, int]]:
    """The chosen actions, each with the version the list showed, as the person sees them."""
    if not chosen:
        raise WorkflowError("Choose at least one action.")
    versions = dict(chosen)
    actions = {
        action.pk: action
        for action in visible_actions(user)
        .filter(pk__in=list(versions))
        .select_related("finding", "force")
    }
    if len(actions) != len(versions):
        # Another force's action, or one that is gone: the same answer for both.
        raise WorkflowError(
            "Some of the chosen actions are not in your list any more: nothing was "
            "changed. Reload the list and choose again."
        )
    ordered = sorted(
        actions.values(), key=lambda a: (a.deadline is None, a.deadline, a.pk)
    )
    for action in ordered:
        if not is_force_lead_of(user, action.force_id):
            deny("Only the force lead can change several actions at once.")
    return [(action, versions[action.pk]) for action in ordered]


@transaction.atomic
def actions_bulk_assign(
    user: User,
    chosen: Sequence[tuple[int, int]],
    *,
    owner: User | None = None,
    set_owner: bool = False,
    deadline: datetime.date | None = None,
    set_deadline: bool = False,
) -> list[Action]:
    """Give the chosen actions an owner, a deadline, or both; their contributors stay."""
    if not (set_owner or set_deadline):
        raise WorkflowError("Choose an owner or a deadline to give them.")
    done = []
    for action, version in _chosen(user, chosen):
        try:
            done.append(
                action_assign(
                    user,
                    action,
                    expected_version=version,
                    owner=owner if set_owner else action.owner,
                    contributors=list(action.contributors.all()),
                    deadline=deadline if set_deadline else action.deadline,
                )
            )
        except (WorkflowError, PermissionDenied) as error:
            raise WorkflowError(
                f"Nothing was changed. “{action.title}”: {_reason(error)}"
            ) from error
    return done


@transaction.atomic
def actions_bulk_sign_off(
    user: User, chosen: Sequence[tuple[int, int]], text: str = ""
) -> list[Action]:
    """Sign off the chosen actions, every one of them done and awaiting sign-off."""
    done = []
    for action, version in _chosen(user, chosen):
        try:
            action_sign_off(user, action, text, expected_version=version)
        except (WorkflowError, PermissionDenied) as error:
            raise WorkflowError(
                f"Nothing was changed. “{action.title}”: {_reason(error)}"
            ) from error
        done.append(action)
    return done


def _reason(error: Exception) -> str:
    return getattr(error, "message", None) or str(error)
