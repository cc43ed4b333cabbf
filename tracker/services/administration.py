"""An administrator's corrections in the admin: the same rules and the same version check as the pages."""

import datetime
from collections.abc import Iterable

from django.db import transaction

from ..models import Action, User
from .common import (
    changed_by,
    changed_since,
    check_administrator,
    check_deadline_kept,
    check_people,
    lock_action,
    require_text,
)
from .errors import ConflictError, WorkflowError


@transaction.atomic
def action_admin_check(
    user: User,
    action: Action,
    *,
    expected_version: int,
    owner: User | None,
    contributors: Iterable[User],
    deadline: datetime.date | None,
) -> Action:
    """Refuse an administrator's edit the pages would refuse, before anything is saved.

    The admin calls this while validating its form, in the transaction that then
    saves, so the row lock taken here holds until `action_admin_update` has saved.
    """
    check_administrator(user)
    current = lock_action(action)
    if current.version != expected_version:
        raise ConflictError(current, changed_since(action, expected_version, current))
    contributors = list(contributors)
    reassigned = (
        getattr(owner, "pk", None) != current.owner_id
        or deadline != current.deadline
        or {p.pk for p in contributors}
        != set(current.contributors.values_list("pk", flat=True))
    )
    if reassigned and current.is_closed:
        raise WorkflowError(
            f"This action is {current.get_status_display().lower()}: its owner, "
            "contributors and deadline can no longer be changed."
        )
    check_people(current, owner, contributors)
    check_deadline_kept(
        current,
        deadline,
        "The force lead asks for a deadline change on the action's page: an "
        "inspector has to approve it.",
    )
    return current


@transaction.atomic
def action_admin_update(
    user: User,
    action: Action,
    *,
    expected_version: int,
    title: str,
    description: str,
    owner: User | None,
    contributors: Iterable[User],
    deadline: datetime.date | None,
    order: int,
) -> Action:
    """An administrator corrects an action in the admin, under the pages' rules.

    A save that changes nothing saves nothing: a new version would refuse, as out
    of date, a page a force lead opened before it. The version then stays as it was.
    """
    contributors = list(contributors)
    current = action_admin_check(
        user,
        action,
        expected_version=expected_version,
        owner=owner,
        contributors=contributors,
        deadline=deadline,
    )
    title = require_text(title, "A title")
    # A browser sends a text box's line ends as CRLF, whatever was stored.
    if (
        title,
        description.replace("\r\n", "\n"),
        getattr(owner, "pk", None),
        deadline,
        order,
        {p.pk for p in contributors},
    ) == (
        current.title,
        current.description.replace("\r\n", "\n"),
        current.owner_id,
        current.deadline,
        current.order,
        set(current.contributors.values_list("pk", flat=True)),
    ):
        return current
    if deadline != current.deadline:
        current.deadline_set_by = Action.DeadlineSetBy.FORCE
        current.deadline_wording = ""
    current.title = title
    current.description = description
    current.owner = owner
    current.deadline = deadline
    current.order = order
    current.version += 1
    changed_by(current, user)
    current.save()
    current.contributors.set(contributors)
    return current
