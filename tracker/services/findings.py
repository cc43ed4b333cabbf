"""Moves on a finding: closure requested, authorised or declined, superseded; the
inspectorate's register entries for it."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from ..importer import ParsedEntry
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
from .inspections import check_importer


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


# How far along the register's statuses are: the finding follows them forward only.
_REGISTER_STEPS: dict[str, int] = {
    Finding.Status.AWAITING_REVIEW: 0,
    Finding.Status.BEING_PROGRESSED: 1,
    Finding.Status.CLOSURE_REQUESTED: 2,
    Finding.Status.COMPLETE: 3,
}


def _followed_status(finding: Finding, published: str | None) -> str | None:
    """The status the finding takes from the register's latest status, if it moves."""
    if published not in (Finding.Status.BEING_PROGRESSED, Finding.Status.COMPLETE):
        return None
    current = _REGISTER_STEPS.get(finding.status)  # None: superseded, left alone
    if current is None or _REGISTER_STEPS[published] <= current:
        return None
    return published


@transaction.atomic
def record_register_entries(
    user: User | None, finding: Finding, entries: Iterable[ParsedEntry]
) -> list[FindingEvent]:
    """Put a register page's status log on the finding's published timeline.

    1. Only an importer may (None is the command line).
    2. With the finding locked, an entry already on its timeline (the same day,
       status and words) is left out, so importing the page again adds nothing.
    3. Each new entry is a register event, on the day the register gives it.
    4. If the latest new entry says being progressed or complete, the finding
       follows it, forward only: work recorded in the tracker since (a closure
       requested, say) is never undone by an older page, and a superseded finding
       stays superseded. That entry records the move, from and to.
    """
    check_importer(user)
    finding = _locked_finding(finding)
    recorded = set(
        FindingEvent.objects.filter(
            finding=finding, kind=FindingEvent.Kind.REGISTER
        ).values_list("occurred_on", "published_status", "text")
    )
    entries = list(entries)
    # A page lists its log newest first or oldest first; the same day keeps its order.
    if len(entries) > 1 and entries[0].on > entries[-1].on:
        entries.reverse()
    new = []
    for entry in sorted(entries, key=lambda entry: entry.on):
        status = entry.status or ""
        if status and status not in FindingEvent.REGISTER_STATUSES:
            raise WorkflowError(f"“{status}” is not a status of the register.")
        key = (entry.on, status, entry.text)
        if key not in recorded:
            recorded.add(key)
            new.append(entry)
    now = timezone.now()
    events = [
        FindingEvent(
            finding=finding,
            kind=FindingEvent.Kind.REGISTER,
            from_status=finding.status,
            to_status=finding.status,
            author=user,
            text=entry.text,
            occurred_on=entry.on,
            published_status=entry.status or "",
            created_at=now,
        )
        for entry in new
    ]
    latest = next((event for event in reversed(events) if event.published_status), None)
    moved_to = _followed_status(finding, latest.published_status) if latest else None
    if latest is not None and moved_to is not None:
        latest.to_status = moved_to
        finding.status, finding.status_changed_at = moved_to, now
        changed_by(finding, user, "Follows the inspectorate's register.")
        finding.save()
    return FindingEvent.objects.bulk_create(events)
