"""Moves on a finding: closure requested, authorised or declined, superseded."""

from django.db import transaction
from django.utils import timezone

from ..models import Action, Finding, FindingEvent, User
from ..notifications import events
from ..permissions import (
    is_force_lead_of,
    is_inspector,
    may_decide_closure,
    may_request_closure,
    may_supersede,
)
from ..selectors.queues import closable_findings
from .common import changed_by, deny, require_text
from .errors import WorkflowError


def _locked_finding(finding: Finding) -> Finding:
    return (
        Finding.objects.select_for_update(of=("self",))
        .select_related("inspection")
        .get(pk=finding.pk)
    )


def _move_finding(
    finding: Finding, user: User, kind: str, to_status: str, text: str
) -> FindingEvent:
    now = timezone.now()
    event = FindingEvent.objects.create(
        finding=finding,
        kind=kind,
        from_status=finding.status,
        to_status=to_status,
        author=user,
        text=text,
        created_at=now,
    )
    finding.status = to_status
    finding.status_changed_at = now
    changed_by(finding, user)
    finding.save()
    events.finding_moved(user, event)
    return event


def _why_not_closable(finding: Finding) -> str:
    statuses = list(finding.actions.values_list("status", flat=True))
    still_open = sum(status not in Action.CLOSED_STATUSES for status in statuses)
    if still_open:
        return (
            f"{still_open} action{'s are' if still_open > 1 else ' is'} still open: every action "
            "must be signed off or withdrawn before closure is requested."
        )
    return "At least one action must be signed off before closure is requested."


@transaction.atomic
def finding_request_closure(
    user: User, finding: Finding, statement: str
) -> FindingEvent:
    """The force lead asks the inspectorate to file the finding as complete.

    Only when every action is signed off or withdrawn, and at least one was signed off.
    """
    if not is_force_lead_of(user, finding.force_id):
        deny("Only the force lead can request closure of a finding.")
    statement = require_text(statement, "A closing statement")
    finding = _locked_finding(finding)
    if not may_request_closure(user, finding):
        raise WorkflowError(
            f"Closure cannot be requested for a finding that is {finding.get_status_display().lower()}."
        )
    if not closable_findings(Finding.objects.filter(pk=finding.pk)).exists():
        raise WorkflowError(_why_not_closable(finding))
    return _move_finding(
        finding,
        user,
        FindingEvent.Kind.CLOSURE_REQUESTED,
        Finding.Status.CLOSURE_REQUESTED,
        statement,
    )


def _inspector_decision(user: User, finding: Finding, verb: str) -> Finding:
    if not is_inspector(user):
        deny(f"Only an inspector can {verb} closure.")
    finding = _locked_finding(finding)
    if not may_decide_closure(user, finding):
        raise WorkflowError(
            f"There is no closure request to {verb}: the finding is {finding.get_status_display().lower()}."
        )
    return finding


@transaction.atomic
def finding_authorise_closure(
    user: User, finding: Finding, comment: str = ""
) -> FindingEvent:
    finding = _inspector_decision(user, finding, "authorise")
    return _move_finding(
        finding,
        user,
        FindingEvent.Kind.CLOSURE_AUTHORISED,
        Finding.Status.COMPLETE,
        comment.strip(),
    )


@transaction.atomic
def finding_decline_closure(user: User, finding: Finding, comment: str) -> FindingEvent:
    """An inspector declines, and says why: the force sees the comment on the timeline."""
    comment = require_text(comment, "A comment explaining why closure is declined")
    finding = _inspector_decision(user, finding, "decline")
    return _move_finding(
        finding,
        user,
        FindingEvent.Kind.CLOSURE_DECLINED,
        Finding.Status.BEING_PROGRESSED,
        comment,
    )


@transaction.atomic
def finding_supersede(
    user: User, finding: Finding, by: Finding, comment: str = ""
) -> FindingEvent:
    """An inspector records that a finding of a later inspection of the force took this one over."""
    if not is_inspector(user):
        deny("Only an inspector can mark a finding superseded.")
    finding = _locked_finding(finding)
    by = Finding.objects.select_related("inspection").get(pk=by.pk)
    if not may_supersede(user, finding):
        raise WorkflowError(
            f"A finding that is {finding.get_status_display().lower()} cannot be superseded."
        )
    if by.pk == finding.pk or by.force_id != finding.force_id:
        raise WorkflowError(
            "A finding can only be superseded by a finding about the same force."
        )
    earlier, later = finding.inspection.published_on, by.inspection.published_on
    if by.inspection_id == finding.inspection_id or (
        earlier and later and later <= earlier
    ):
        raise WorkflowError(
            "A finding can only be superseded by a finding of a later inspection."
        )
    finding.superseded_by = by
    text = comment.strip() or f"Superseded by {by.reference}."
    return _move_finding(
        finding, user, FindingEvent.Kind.SUPERSEDED, Finding.Status.SUPERSEDED, text
    )
