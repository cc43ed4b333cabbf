"""Deadline changes: the force asks, an inspector decides."""

import datetime

from django.db import transaction
from django.utils import timezone

from ..formats import long_date
from ..models import Action, DeadlineChangeRequest, ProgressUpdate, User
from ..notifications import events
from ..permissions import is_force_lead_of, is_inspector
from .common import changed_by, deny, lock_action, require_text
from .errors import WorkflowError

DEADLINE_REASON_MIN_CHARS = 20
DEADLINE_MAX_YEARS_AHEAD = 5


def _years_after(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def deadline_change_request(
    user: User, action: Action, *, new_deadline: datetime.date, reason: str
) -> DeadlineChangeRequest:
    """The force lead asks to move a deadline the inspectorate set."""
    if not is_force_lead_of(user, action.force_id):
        deny("Only the force lead can ask for a deadline change.")
    today = timezone.localdate()
    latest = _years_after(today, DEADLINE_MAX_YEARS_AHEAD)
    if not today < new_deadline <= latest:
        raise WorkflowError(
            f"The new deadline must be after today and within {DEADLINE_MAX_YEARS_AHEAD} "
            f"years (by {long_date(latest)}).",
            field="new_deadline",
        )
    reason = (reason or "").strip()
    if len(reason) < DEADLINE_REASON_MIN_CHARS:
        raise WorkflowError(
            f"Give a reason of at least {DEADLINE_REASON_MIN_CHARS} characters: the "
            "inspector decides on what it says (what the delay is, and why the new "
            "date will hold).",
            field="reason",
        )
    action = lock_action(action)
    if action.is_closed:
        raise WorkflowError(f"This action is {action.get_status_display().lower()}.")
    if action.deadline_set_by != Action.DeadlineSetBy.INSPECTORATE:
        raise WorkflowError("This deadline was set by the force: change it directly.")
    if new_deadline == action.deadline:
        raise WorkflowError(
            "The new deadline is the same as the current one.", field="new_deadline"
        )
    if action.deadline_requests.filter(
        status=DeadlineChangeRequest.Status.PENDING
    ).exists():
        raise WorkflowError(
            "A deadline change for this action is already waiting for an inspector."
        )
    change = DeadlineChangeRequest.objects.create(
        action=action,
        requested_by=user,
        current_deadline=action.deadline,
        new_deadline=new_deadline,
        reason=reason,
    )
    ProgressUpdate.objects.create(
        action=action,
        kind=ProgressUpdate.Kind.DEADLINE_REQUESTED,
        author=user,
        text=f"Asked to move the deadline to {long_date(new_deadline)}: {reason}",
    )
    events.deadline_requested(user, change)
    return change


@transaction.atomic
def deadline_change_decide(
    user: User, change: DeadlineChangeRequest, *, approve: bool, comment: str = ""
) -> DeadlineChangeRequest:
    """An inspector approves (the deadline moves) or refuses (it stays, with the reason)."""
    if not is_inspector(user):
        deny("Only an inspector can decide a deadline change.")
    comment = comment.strip()
    if not approve:
        comment = require_text(comment, "A comment explaining the refusal")
    change = DeadlineChangeRequest.objects.select_for_update().get(pk=change.pk)
    if change.status != DeadlineChangeRequest.Status.PENDING:
        raise WorkflowError(
            f"This request was already decided ({change.get_status_display().lower()})."
        )
    action = lock_action(change.action)
    change.status = (
        DeadlineChangeRequest.Status.APPROVED
        if approve
        else DeadlineChangeRequest.Status.REFUSED
    )
    change.decided_by = user
    change.decided_at = timezone.now()
    change.decision_comment = comment
    change.save()
    if approve:
        old = action.deadline
        action.deadline = change.new_deadline
        action.deadline_wording = (
            f"moved from {long_date(old)} with the inspectorate's approval"
            if old
            else ""
        )
        action.version += 1
        changed_by(action, user)
        action.save()
    ProgressUpdate.objects.create(
        action=action,
        kind=ProgressUpdate.Kind.DEADLINE_CHANGED
        if approve
        else ProgressUpdate.Kind.DEADLINE_REFUSED,
        author=user,
        text=comment,
    )
    events.deadline_decided(user, change)
    return change
