"""Action plans: the actions and sub-steps a force sets itself for a finding.

The force lead plans (and force staff, where the lead allows it): adds actions
and sub-steps with their owner, contributors, deadline and deliverable, edits
their words and reorders them. Owners, contributors and deadlines change later
through `action_assign`; an action leaves the plan by `action_withdraw`.
"""

import datetime
from collections.abc import Iterable, Sequence

from django.db import transaction

from ..models import Action, Finding, Force, Inspection, User
from ..notifications import events
from ..permissions import (
    is_inspector,
    may_edit_action,
    may_let_staff_plan,
    may_plan,
    plans_for_force,
)
from .common import (
    changed_by,
    changed_since,
    check_people,
    deny,
    lock_action,
    require_text,
)
from .errors import ConflictError, WorkflowError

TITLE_LIMIT: int = Action._meta.get_field("title").max_length or 0
DELIVERABLE_LIMIT: int = Action._meta.get_field("deliverable").max_length or 0


def _check_words(title: str, deliverable: str) -> str:
    title = require_text(title, "A title")
    if len(title) > TITLE_LIMIT:
        raise WorkflowError(
            f"A title can be at most {TITLE_LIMIT} characters.", "title"
        )
    if len(deliverable) > DELIVERABLE_LIMIT:
        raise WorkflowError(
            f"A deliverable can be at most {DELIVERABLE_LIMIT} characters.",
            "deliverable",
        )
    return title


@transaction.atomic
def action_create(
    user: User,
    *,
    finding: Finding | None = None,
    inspection: Inspection | None = None,
    title: str,
    description: str = "",
    deliverable: str = "",
    parent: Action | None = None,
    owner: User | None = None,
    contributors: Iterable[User] = (),
    deadline: datetime.date | None = None,
    deadline_wording: str = "",
    deadline_set_by: str = Action.DeadlineSetBy.FORCE,
    order: int | None = None,
) -> Action:
    """Add an action to a finding's plan (a sub-step under `parent`), or to the whole
    inspection for a report-wide deliverable.

    The force lead does this for their force, force staff where the lead allows
    it, and inspectors for what a report asks of every force.
    """
    inspection = finding.inspection if finding is not None else inspection
    if inspection is None:
        raise WorkflowError("An action answers a finding or an inspection: name one.")
    if not (plans_for_force(user, inspection.force) or is_inspector(user)):
        deny("Only the force lead or an inspector can add actions.")
    if finding is not None and finding.status not in (
        Finding.Status.AWAITING_REVIEW,
        Finding.Status.BEING_PROGRESSED,
    ):
        raise WorkflowError(
            f"Actions cannot be added to a finding that is {finding.get_status_display().lower()}."
        )
    if parent is not None and (parent.finding_id, parent.inspection_id) != (
        getattr(finding, "pk", None),
        inspection.pk,
    ):
        raise WorkflowError(
            "A sub-step must answer the same finding as its parent action."
        )
    if parent is not None and parent.is_closed:
        raise WorkflowError(
            f"The action is {parent.get_status_display().lower()}: it takes no new sub-steps."
        )
    siblings = Action.objects.filter(
        inspection=inspection, finding=finding, parent=parent
    )
    action = Action(
        inspection=inspection,
        finding=finding,
        parent=parent,
        title=_check_words(title, deliverable),
        description=description,
        deliverable=deliverable.strip(),
        owner=owner,
        deadline=deadline,
        deadline_wording=deadline_wording,
        deadline_set_by=deadline_set_by,
        order=order if order is not None else siblings.count() + 1,
    )
    action.force_id = inspection.force_id
    contributors = list(contributors)
    check_people(action, owner, contributors)
    changed_by(action, user)
    action.save()
    if contributors:
        action.contributors.set(contributors)
    events.assignment_changed(user, action, owner_before=None, contributors_before=())
    return action


@transaction.atomic
def action_edit(
    user: User,
    action: Action,
    *,
    expected_version: int,
    title: str,
    description: str,
    deliverable: str,
) -> Action:
    """Change what an open action says: its title, description and deliverable.

    A save that changes nothing saves nothing (and keeps the version, so a page
    opened before it is not refused as out of date).
    """
    if not plans_for_force(user, action.force):
        deny(
            "Only the force lead (or force staff, where the lead allows it) can edit actions."
        )
    title = _check_words(title, deliverable)
    current = lock_action(action)
    if current.version != expected_version:
        raise ConflictError(current, changed_since(action, expected_version, current))
    if not may_edit_action(user, current):
        raise WorkflowError(
            f"This action is {current.get_status_display().lower()} and can no longer be changed."
        )
    # A browser sends a text box's line ends as CRLF, whatever was stored.
    description = description.replace("\r\n", "\n")
    deliverable = deliverable.strip()
    if (title, description, deliverable) == (
        current.title,
        current.description.replace("\r\n", "\n"),
        current.deliverable,
    ):
        return current
    current.title, current.description, current.deliverable = (
        title,
        description,
        deliverable,
    )
    current.version += 1
    changed_by(current, user)
    current.save()
    return current


@transaction.atomic
def action_reorder(
    user: User,
    finding: Finding,
    ordered: Sequence[int],
    *,
    parent: Action | None = None,
) -> list[Action]:
    """Put a finding's actions (or one action's sub-steps) in the order given by their ids.

    The ids must be exactly that list's: each once, none of another finding or
    another action. Only the actions whose place changes are saved, each with a
    line in its history. Returns them.
    """
    if not plans_for_force(user, finding.force):
        deny(
            "Only the force lead (or force staff, where the lead allows it) can reorder actions."
        )
    if not may_plan(user, finding):
        raise WorkflowError(
            f"The actions of a finding that is {finding.get_status_display().lower()} "
            "can no longer be reordered."
        )
    siblings = {
        action.pk: action
        for action in Action.objects.select_for_update(of=("self",))
        .filter(finding=finding, parent=parent)
        .order_by("order", "pk")
    }
    ordered = list(ordered)
    if len(ordered) != len(set(ordered)) or set(ordered) != set(siblings):
        raise WorkflowError(
            "The new order must name each of these actions once, and no other: "
            "the list may have changed since the page was opened. Reload it and try again."
        )
    moved = []
    for place, pk in enumerate(ordered, start=1):
        action = siblings[pk]
        if action.order != place:
            action.order = place
            changed_by(action, user)
            action.save(update_fields=["order", "updated_at"])
            moved.append(action)
    return moved


def force_planning_set(user: User, force: Force, *, staff_may_plan: bool) -> Force:
    """The force lead lets force staff plan actions too, or stops them."""
    if not may_let_staff_plan(user, force):
        deny("Only the force lead decides whether force staff plan actions.")
    if force.staff_may_plan != staff_may_plan:
        force.staff_may_plan = staff_may_plan
        force.save(update_fields=["staff_may_plan"])
    return force
