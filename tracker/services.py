"""Every write to the domain, one function per state change.

Each function checks who may, validates, saves, and writes the timeline entry
(a `ProgressUpdate` for actions, a `FindingEvent` for findings). Views, the
admin, commands and tasks call these; none of them writes those rows itself.
"""

import datetime
import secrets
from collections.abc import Iterable, Sequence

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import evidence
from .models import (
    FORCE_ROLES,
    Action,
    DeadlineChangeRequest,
    Evidence,
    Finding,
    FindingEvent,
    Force,
    Inspection,
    ProgressUpdate,
    ReminderPreference,
    Role,
    User,
    owned_or_helped_by,
)
from .permissions import (
    can_change_action,
    is_administrator,
    is_force_lead_of,
    is_inspector,
    is_owner_or_contributor,
)
from .selectors import action_as_seen


class WorkflowError(Exception):
    """A move the rules do not allow, with a message to show the person who tried it.

    `field`: the form field the message is about, when it is about one.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class ConflictError(WorkflowError):
    """Somebody else changed the action since this person loaded it."""

    def __init__(self, current: Action, changed_fields: Sequence[str]):
        names = ", ".join(changed_fields) or "its details"
        super().__init__(
            f"Someone else changed this action while you were editing it ({names}). "
            "Nothing was saved: review the current version and make your change again."
        )
        self.current = current
        self.changed_fields = list(changed_fields)


def _long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _deny(message: str):
    raise PermissionDenied(message)


def _require_text(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise WorkflowError(f"{what} is required.")
    return text


def _check_percent(percent: int | None) -> None:
    if percent is not None and not 0 <= percent <= 100:
        raise WorkflowError("Percent complete must be between 0 and 100.")


def _locked(action: Action, expected_version: int | None = None) -> Action:
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
        raise ConflictError(current, _changed_since(action, expected_version, current))
    return current


def _changed_since(seen: Action, version: int, current: Action) -> list[str]:
    """What changed since the person's page, from the change history of that version."""
    then = action_as_seen(current, version)
    changed = _changed_fields(then or seen, current)
    if (
        then is not None
        and ProgressUpdate.objects.filter(
            action=current, created_at__gt=then.history_date
        ).exists()
    ):
        changed.append("a new entry on its timeline")
    return changed


def _move_action(
    action: Action,
    user: User,
    kind: str,
    to_status: str,
    text: str = "",
    percent: int | None = None,
    *,
    is_progress: bool = False,
) -> ProgressUpdate:
    """Move the action to a status, writing its timeline entry; one save of the action.

    `is_progress`: the move reports work done, so it also counts as the latest
    progress (the no-update nudge is measured from it).
    """
    now = timezone.now()
    from_status = action.status
    action.status = to_status
    action.status_changed_at = now
    if percent is not None:
        action.percent_complete = percent
    if is_progress:
        action.last_progress_at = now
    if to_status == Action.Status.DONE:
        action.done_on = timezone.localdate(now)
    elif to_status != Action.Status.SIGNED_OFF:
        action.done_on = None
    action.version += 1
    action._history_user = user
    action.save()
    update = ProgressUpdate.objects.create(
        action=action,
        kind=kind,
        author=user,
        text=text,
        from_status=from_status,
        to_status=to_status,
        percent_complete=percent,
        created_at=now,
    )
    # Only work starting moves the finding: a withdrawal changes nothing on the
    # finding's published timeline (the action's own timeline has the reason).
    if action.finding_id and to_status == Action.Status.IN_PROGRESS:
        _finding_note_work_started(action.finding, user, action)
    return update


def _finding_note_work_started(finding: Finding, user: User, action: Action) -> None:
    """A finding awaiting review is being progressed once any of its actions has started."""
    updated = Finding.objects.filter(
        pk=finding.pk, status=Finding.Status.AWAITING_REVIEW
    ).update(
        status=Finding.Status.BEING_PROGRESSED,
        status_changed_at=timezone.now(),
        updated_at=timezone.now(),
    )
    if updated:
        finding.refresh_from_db()
        FindingEvent.objects.create(
            finding=finding,
            kind=FindingEvent.Kind.PROGRESSING,
            from_status=Finding.Status.AWAITING_REVIEW,
            to_status=Finding.Status.BEING_PROGRESSED,
            author=user,
            text=f"Work started on the action “{action.title}”.",
        )


# Actions ---------------------------------------------------------------------------


def _check_force_member(user: User | None, action: Action, what: str) -> None:
    if user is None:
        return
    if not user.is_active or user.role not in FORCE_ROLES:
        raise WorkflowError(
            f"{user} cannot be {what}: only force staff and force leads can."
        )
    if user.force_id != action.force_id:
        raise WorkflowError(f"{user} cannot be {what}: they belong to another force.")


def _check_people(action: Action, owner: User | None, contributors: list[User]) -> None:
    _check_force_member(owner, action, "the owner")
    for person in contributors:
        _check_force_member(person, action, "a contributor")


def _check_deadline_kept(
    current: Action, deadline: datetime.date | None, how_to_ask: str
) -> None:
    """A deadline the inspectorate set moves only by a change an inspector approves."""
    if (
        deadline != current.deadline
        and current.deadline_set_by == Action.DeadlineSetBy.INSPECTORATE
    ):
        raise WorkflowError(f"This deadline was set by the inspectorate. {how_to_ask}")


@transaction.atomic
def action_create(
    user: User,
    *,
    finding: Finding | None = None,
    inspection: Inspection | None = None,
    title: str,
    description: str = "",
    parent: Action | None = None,
    owner: User | None = None,
    deadline: datetime.date | None = None,
    deadline_wording: str = "",
    deadline_set_by: str = Action.DeadlineSetBy.FORCE,
    order: int | None = None,
) -> Action:
    """Add an action to a finding, or to the whole inspection for a report-wide deliverable.

    Force leads do this for their force; inspectors when importing a report.
    """
    inspection = finding.inspection if finding is not None else inspection
    if inspection is None:
        raise WorkflowError("An action answers a finding or an inspection: name one.")
    if not (is_force_lead_of(user, inspection.force_id) or is_inspector(user)):
        _deny("Only the force lead or an inspector can add actions.")
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
    siblings = Action.objects.filter(
        inspection=inspection, finding=finding, parent=parent
    )
    action = Action(
        inspection=inspection,
        finding=finding,
        parent=parent,
        title=_require_text(title, "A title"),
        description=description,
        owner=owner,
        deadline=deadline,
        deadline_wording=deadline_wording,
        deadline_set_by=deadline_set_by,
        order=order if order is not None else siblings.count() + 1,
    )
    action.force_id = inspection.force_id
    _check_force_member(owner, action, "the owner")
    action._history_user = user
    action.save()
    return action


@transaction.atomic
def action_assign(
    user: User,
    action: Action,
    *,
    expected_version: int,
    owner: User | None,
    contributors: Iterable[User],
    deadline: datetime.date | None,
) -> Action:
    """The force lead sets the owner, the contributors and the deadline.

    A deadline the inspectorate set is not the force's to move: that takes a
    deadline change request which an inspector approves.
    """
    if not is_force_lead_of(user, action.force_id):
        _deny("Only the force lead can assign owners and deadlines.")
    contributors = list(contributors)
    _check_people(action, owner, contributors)
    current = _locked(action)
    if current.version != expected_version:
        raise ConflictError(current, _changed_since(action, expected_version, current))
    if current.is_closed:
        raise WorkflowError(
            f"This action is {current.get_status_display().lower()} and can no longer be changed."
        )
    _check_deadline_kept(
        current,
        deadline,
        "Ask for a deadline change: an inspector has to approve it.",
    )
    if deadline != current.deadline:
        current.deadline_set_by = Action.DeadlineSetBy.FORCE
        current.deadline_wording = ""
    current.owner = owner
    current.deadline = deadline
    current.version += 1
    current._history_user = user
    current.save()
    current.contributors.set(contributors)
    return current


def _changed_fields(seen: Action, current: Action) -> list[str]:
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


def _validated_links(links: Iterable[str]) -> list[str]:
    try:
        return evidence.check_links(link or "" for link in links)
    except ValidationError as error:
        raise WorkflowError(" ".join(error.messages)) from None


@transaction.atomic
def action_record_progress(
    user: User,
    action: Action,
    *,
    text: str,
    percent: int | None = None,
    files: Sequence[UploadedFile] = (),
    links: Sequence[str] = (),
    expected_version: int | None = None,
) -> ProgressUpdate:
    """Record progress, with evidence. The first update on an action starts it.

    From a page older than the action (`expected_version`), words and evidence
    are still added, as they overwrite nothing; a percent is refused unless it is
    the current figure, so that an old page never replaces a newer one.
    """
    if not can_change_action(user, action):
        _deny(
            "Only the action's owner, its contributors and the force lead can record progress."
        )
    text = _require_text(text, "A description of the progress")
    _check_percent(percent)
    links = _validated_links(links)
    try:
        checked_types = evidence.check_evidence_files(files)
    except ValidationError as error:
        raise WorkflowError(" ".join(error.messages)) from None
    seen = action
    action = _locked(action)
    if (
        expected_version is not None
        and action.version != expected_version
        and percent is not None
        and percent != action.percent_complete
    ):
        raise ConflictError(action, _changed_since(seen, expected_version, action))
    if files:
        # The force's row is the lock that keeps two uploads at once from both
        # fitting in the same remaining room.
        force = Force.objects.select_for_update().get(pk=action.force_id)
        try:
            evidence.check_force_quota(force, files)
        except ValidationError as error:
            raise WorkflowError(" ".join(error.messages)) from None
    if action.status not in Action.UNFINISHED_STATUSES:
        raise WorkflowError(
            f"This action is {action.get_status_display().lower()}: progress can only be "
            "recorded on an action that is not started or in progress."
        )
    if action.status == Action.Status.NOT_STARTED:
        update = _move_action(
            action,
            user,
            ProgressUpdate.Kind.STARTED,
            Action.Status.IN_PROGRESS,
            text,
            percent,
            is_progress=True,
        )
    else:
        update = ProgressUpdate.objects.create(
            action=action,
            author=user,
            text=text,
            percent_complete=percent,
            created_at=timezone.now(),
        )
        if percent is not None:
            action.percent_complete = percent
        action.last_progress_at = update.created_at
        action.version += 1
        action._history_user = user
        action.save()
    for upload in files:
        Evidence.objects.create(
            update=update,
            file=upload,
            original_name=upload.name,
            content_type=checked_types[id(upload)],
            size=upload.size,
        )
    if files:
        evidence.recount_storage(action.force_id)
    for link in links:
        Evidence.objects.create(update=update, link=link)
    return update


@transaction.atomic
def action_start(
    user: User, action: Action, text: str = "", *, expected_version: int | None = None
) -> ProgressUpdate:
    if not can_change_action(user, action):
        _deny(
            "Only the action's owner, its contributors and the force lead can start it."
        )
    action = _locked(action, expected_version)
    if action.status != Action.Status.NOT_STARTED:
        raise WorkflowError(
            f"This action has already started ({action.get_status_display()})."
        )
    return _move_action(
        action, user, ProgressUpdate.Kind.STARTED, Action.Status.IN_PROGRESS, text
    )


@transaction.atomic
def action_mark_done(
    user: User, action: Action, text: str = "", *, expected_version: int | None = None
) -> ProgressUpdate:
    """The owner or a contributor says the work is done; the force lead then signs it off."""
    if not is_owner_or_contributor(user, action):
        _deny("Only the action's owner or a contributor can mark it done.")
    action = _locked(action, expected_version)
    if action.status != Action.Status.IN_PROGRESS:
        if action.status == Action.Status.NOT_STARTED:
            raise WorkflowError(
                "Record progress on this action before marking it done."
            )
        raise WorkflowError(
            f"Only an action in progress can be marked done; this one is "
            f"{action.get_status_display().lower()}."
        )
    update = _move_action(
        action,
        user,
        ProgressUpdate.Kind.MARKED_DONE,
        Action.Status.DONE,
        text.strip(),
        100,
        is_progress=True,
    )
    return update


def _lead_move_on_done(
    user: User,
    action: Action,
    verb: str,
    participle: str,
    expected_version: int | None = None,
) -> Action:
    if not is_force_lead_of(user, action.force_id):
        _deny(f"Only the force lead can {verb} an action.")
    action = _locked(action, expected_version)
    if action.status != Action.Status.DONE:
        raise WorkflowError(
            f"Only an action that is done and awaiting sign-off can be {participle}; "
            f"this one is {action.get_status_display().lower()}."
        )
    return action


@transaction.atomic
def action_sign_off(
    user: User, action: Action, text: str = "", *, expected_version: int | None = None
) -> ProgressUpdate:
    """The force lead accepts done work.

    A lead who owns the action or helped with it may sign it off (a small force
    has one lead), but it is recorded as a self sign-off, which the inspector
    deciding the finding's closure sees.
    """
    action = _lead_move_on_done(
        user, action, "sign off", "signed off", expected_version
    )
    own_work = is_owner_or_contributor(user, action)
    return _move_action(
        action,
        user,
        ProgressUpdate.Kind.SELF_SIGNED_OFF
        if own_work
        else ProgressUpdate.Kind.SIGNED_OFF,
        Action.Status.SIGNED_OFF,
        text.strip(),
    )


def _percent_before_done(action: Action) -> int:
    """The last percent below 100 the timeline gave before the action was marked done.

    Returned work is not finished, so a figure of 100% (the owner's own before
    marking it done, or the one marking done sets) is passed over.
    """
    before = (
        ProgressUpdate.objects.filter(action=action, percent_complete__lt=100)
        .exclude(kind=ProgressUpdate.Kind.MARKED_DONE)
        .order_by("-created_at", "-pk")
        .values_list("percent_complete", flat=True)
        .first()
    )
    return before or 0


@transaction.atomic
def action_return(
    user: User, action: Action, comment: str, *, expected_version: int | None = None
) -> ProgressUpdate:
    """The force lead sends done work back, saying what is still missing.

    Marking done set 100%; the action goes back to the figure it had before, as
    the work is not finished (the timeline entry records it).
    """
    comment = _require_text(comment, "A comment saying what is still needed")
    action = _lead_move_on_done(user, action, "return", "returned", expected_version)
    return _move_action(
        action,
        user,
        ProgressUpdate.Kind.RETURNED,
        Action.Status.IN_PROGRESS,
        comment,
        _percent_before_done(action),
    )


@transaction.atomic
def action_withdraw(
    user: User, action: Action, reason: str, *, expected_version: int | None = None
) -> ProgressUpdate:
    """The force lead withdraws an action that is no longer needed, saying why."""
    if not is_force_lead_of(user, action.force_id):
        _deny("Only the force lead can withdraw an action.")
    reason = _require_text(reason, "A reason for withdrawing the action")
    action = _locked(action, expected_version)
    if action.is_closed:
        raise WorkflowError(
            f"This action is already {action.get_status_display().lower()}."
        )
    return _move_action(
        action, user, ProgressUpdate.Kind.WITHDRAWN, Action.Status.WITHDRAWN, reason
    )


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
        _deny("Only the force lead can ask for a deadline change.")
    today = timezone.localdate()
    latest = _years_after(today, DEADLINE_MAX_YEARS_AHEAD)
    if not today < new_deadline <= latest:
        raise WorkflowError(
            f"The new deadline must be after today and within {DEADLINE_MAX_YEARS_AHEAD} "
            f"years (by {_long_date(latest)}).",
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
    action = _locked(action)
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
        text=f"Asked to move the deadline to {_long_date(new_deadline)}: {reason}",
    )
    return change


@transaction.atomic
def deadline_change_decide(
    user: User, change: DeadlineChangeRequest, *, approve: bool, comment: str = ""
) -> DeadlineChangeRequest:
    """An inspector approves (the deadline moves) or refuses (it stays, with the reason)."""
    if not is_inspector(user):
        _deny("Only an inspector can decide a deadline change.")
    comment = comment.strip()
    if not approve:
        comment = _require_text(comment, "A comment explaining the refusal")
    change = DeadlineChangeRequest.objects.select_for_update().get(pk=change.pk)
    if change.status != DeadlineChangeRequest.Status.PENDING:
        raise WorkflowError(
            f"This request was already decided ({change.get_status_display().lower()})."
        )
    action = _locked(change.action)
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
            f"moved from {_long_date(old)} with the inspectorate's approval"
            if old
            else ""
        )
        action.version += 1
        action._history_user = user
        action.save()
    ProgressUpdate.objects.create(
        action=action,
        kind=ProgressUpdate.Kind.DEADLINE_CHANGED
        if approve
        else ProgressUpdate.Kind.DEADLINE_REFUSED,
        author=user,
        text=comment,
    )
    return change


# Findings --------------------------------------------------------------------------


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
    finding._history_user = user
    finding.save()
    return event


@transaction.atomic
def finding_request_closure(
    user: User, finding: Finding, statement: str
) -> FindingEvent:
    """The force lead asks the inspectorate to file the finding as complete.

    Only when every action is signed off or withdrawn, and at least one was signed off.
    """
    if not is_force_lead_of(user, finding.force_id):
        _deny("Only the force lead can request closure of a finding.")
    statement = _require_text(statement, "A closing statement")
    finding = _locked_finding(finding)
    if finding.status not in (
        Finding.Status.AWAITING_REVIEW,
        Finding.Status.BEING_PROGRESSED,
    ):
        raise WorkflowError(
            f"Closure cannot be requested for a finding that is {finding.get_status_display().lower()}."
        )
    statuses = list(finding.actions.values_list("status", flat=True))
    still_open = sum(status not in Action.CLOSED_STATUSES for status in statuses)
    if still_open:
        raise WorkflowError(
            f"{still_open} action{'s are' if still_open > 1 else ' is'} still open: every action "
            "must be signed off or withdrawn before closure is requested."
        )
    if Action.Status.SIGNED_OFF not in statuses:
        raise WorkflowError(
            "At least one action must be signed off before closure is requested."
        )
    return _move_finding(
        finding,
        user,
        FindingEvent.Kind.CLOSURE_REQUESTED,
        Finding.Status.CLOSURE_REQUESTED,
        statement,
    )


def _inspector_decision(user: User, finding: Finding, verb: str) -> Finding:
    if not is_inspector(user):
        _deny(f"Only an inspector can {verb} closure.")
    finding = _locked_finding(finding)
    if finding.status != Finding.Status.CLOSURE_REQUESTED:
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
    comment = _require_text(comment, "A comment explaining why closure is declined")
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
        _deny("Only an inspector can mark a finding superseded.")
    finding = _locked_finding(finding)
    by = Finding.objects.select_related("inspection").get(pk=by.pk)
    if not finding.is_open:
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


# People ----------------------------------------------------------------------------


def role_from_cli(value: str) -> str:
    """Accept the command-line spelling (force-lead) as well as the stored one (force_lead)."""
    role = (value or "").strip().lower().replace("-", "_")
    if role not in Role.values:
        choices = ", ".join(r.replace("_", "-") for r in Role.values)
        raise ValidationError(f"“{value}” is not a role: use one of {choices}.")
    return role


def user_create(
    *,
    email: str,
    role: str,
    force_slug: str = "",
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Onboard one person, checking everything before anything is saved."""
    role = role_from_cli(role)
    email = User.objects.normalize_email((email or "").strip()).lower()
    force = None
    if force_slug:
        force = Force.objects.filter(
            Q(slug=force_slug) | Q(code__iexact=force_slug)
        ).first()
        if force is None:
            raise ValidationError(
                f"There is no force “{force_slug}”: use its slug, e.g. west-mercia."
            )
    if role in FORCE_ROLES and force is None:
        raise ValidationError(
            "Force staff and force leads need a force (--force SLUG)."
        )
    if role in (Role.INSPECTOR, Role.ADMIN) and force is not None:
        raise ValidationError(
            "Inspectors and administrators work across forces: give no force."
        )
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(f"A user with the email {email} already exists.")
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
        validate_password(password, user)
        user.set_password(password)
    else:
        # No password: the welcome email's link sets one (tracker.emails).
        user.set_unusable_password()
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as error:
        raise ValidationError(
            [
                f"{field.replace('_', ' ')} “{getattr(user, field, '')}”: {' '.join(messages)}"
                for field, messages in error.message_dict.items()
            ]
        ) from None
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
    user: User,
    *,
    digest: str,
    weekly_on: int,
    paused_until: datetime.date | None,
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


# Administrators --------------------------------------------------------------------
# The admin is a way in like the pages: the same rules, and the same version check.


def _check_administrator(user: User) -> None:
    if not is_administrator(user):
        _deny("Only an administrator can make this change.")


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
    _check_administrator(user)
    current = _locked(action)
    if current.version != expected_version:
        raise ConflictError(current, _changed_since(action, expected_version, current))
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
    _check_people(current, owner, contributors)
    _check_deadline_kept(
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
    title = _require_text(title, "A title")
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
    current._history_user = user
    current.save()
    current.contributors.set(contributors)
    return current


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
    _check_administrator(user)
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
        action._history_user = user
        action._change_reason = reason
        if action.owner_id == person.pk:
            action.owner = None
        # A page opened before the move must not put them back unawares.
        action.version += 1
        action.save()
        if action.pk in helped:
            action.contributors.remove(person)
    return changed
