"""Every write to the domain, one function per state change.

Each function checks who may, validates, saves, and writes the timeline entry
(a `ProgressUpdate` for actions, a `FindingEvent` for findings). Views, the
admin, commands and tasks call these; none of them writes those rows itself.
"""

import datetime
import secrets
from collections.abc import Iterable, Sequence
from urllib.parse import urlparse

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .evidence import check_evidence_file
from .models import (
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
)
from .permissions import (
    can_change_action,
    is_force_lead_of,
    is_inspector,
    is_owner_or_contributor,
)


class WorkflowError(Exception):
    """A move the rules do not allow, with a message to show the person who tried it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


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


def _locked(action: Action) -> Action:
    """Re-read the action under a row lock, so two moves at once cannot both pass their checks."""
    return (
        Action.objects.select_for_update(of=("self",))
        .select_related("finding")
        .get(pk=action.pk)
    )


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
    if action.finding_id and to_status != Action.Status.NOT_STARTED:
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
    if not user.is_active or user.role not in (Role.FORCE_STAFF, Role.FORCE_LEAD):
        raise WorkflowError(
            f"{user} cannot be {what}: only force staff and force leads can."
        )
    if user.force_id != action.force_id:
        raise WorkflowError(f"{user} cannot be {what}: they belong to another force.")


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
    _check_force_member(owner, action, "the owner")
    for person in contributors:
        _check_force_member(person, action, "a contributor")
    current = _locked(action)
    if current.version != expected_version:
        changed = _changed_fields(action, current)
        raise ConflictError(current, changed)
    if current.is_closed:
        raise WorkflowError(
            f"This action is {current.get_status_display().lower()} and can no longer be changed."
        )
    if (
        deadline != current.deadline
        and current.deadline_set_by == Action.DeadlineSetBy.INSPECTORATE
    ):
        raise WorkflowError(
            "This deadline was set by the inspectorate. Ask for a deadline change: "
            "an inspector has to approve it."
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
    cleaned = []
    for link in links:
        link = (link or "").strip()
        if not link:
            continue
        if urlparse(link).scheme not in ("http", "https"):
            raise WorkflowError(
                f"“{link}” is not a web address: links must start with https://."
            )
        cleaned.append(link)
    return cleaned


@transaction.atomic
def action_record_progress(
    user: User,
    action: Action,
    *,
    text: str,
    percent: int | None = None,
    files: Sequence[UploadedFile] = (),
    links: Sequence[str] = (),
) -> ProgressUpdate:
    """Record progress, with evidence. The first update on an action starts it."""
    if not can_change_action(user, action):
        _deny(
            "Only the action's owner, its contributors and the force lead can record progress."
        )
    text = _require_text(text, "A description of the progress")
    _check_percent(percent)
    links = _validated_links(links)
    checked_types = {}
    for upload in files:
        try:
            checked_types[id(upload)] = check_evidence_file(upload)
        except ValidationError as error:
            raise WorkflowError(" ".join(error.messages)) from None
    action = _locked(action)
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
    for link in links:
        Evidence.objects.create(update=update, link=link)
    return update


@transaction.atomic
def action_start(user: User, action: Action, text: str = "") -> ProgressUpdate:
    if not can_change_action(user, action):
        _deny(
            "Only the action's owner, its contributors and the force lead can start it."
        )
    action = _locked(action)
    if action.status != Action.Status.NOT_STARTED:
        raise WorkflowError(
            f"This action has already started ({action.get_status_display()})."
        )
    return _move_action(
        action, user, ProgressUpdate.Kind.STARTED, Action.Status.IN_PROGRESS, text
    )


@transaction.atomic
def action_mark_done(user: User, action: Action, text: str = "") -> ProgressUpdate:
    """The owner or a contributor says the work is done; the force lead then signs it off."""
    if not is_owner_or_contributor(user, action):
        _deny("Only the action's owner or a contributor can mark it done.")
    action = _locked(action)
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
    user: User, action: Action, verb: str, participle: str
) -> Action:
    if not is_force_lead_of(user, action.force_id):
        _deny(f"Only the force lead can {verb} an action.")
    action = _locked(action)
    if action.status != Action.Status.DONE:
        raise WorkflowError(
            f"Only an action that is done and awaiting sign-off can be {participle}; "
            f"this one is {action.get_status_display().lower()}."
        )
    return action


@transaction.atomic
def action_sign_off(user: User, action: Action, text: str = "") -> ProgressUpdate:
    action = _lead_move_on_done(user, action, "sign off", "signed off")
    return _move_action(
        action,
        user,
        ProgressUpdate.Kind.SIGNED_OFF,
        Action.Status.SIGNED_OFF,
        text.strip(),
    )


@transaction.atomic
def action_return(user: User, action: Action, comment: str) -> ProgressUpdate:
    """The force lead sends done work back, saying what is still missing."""
    comment = _require_text(comment, "A comment saying what is still needed")
    action = _lead_move_on_done(user, action, "return", "returned")
    return _move_action(
        action, user, ProgressUpdate.Kind.RETURNED, Action.Status.IN_PROGRESS, comment
    )


@transaction.atomic
def action_withdraw(user: User, action: Action, reason: str) -> ProgressUpdate:
    """The force lead withdraws an action that is no longer needed, saying why."""
    if not is_force_lead_of(user, action.force_id):
        _deny("Only the force lead can withdraw an action.")
    reason = _require_text(reason, "A reason for withdrawing the action")
    action = _locked(action)
    if action.is_closed:
        raise WorkflowError(
            f"This action is already {action.get_status_display().lower()}."
        )
    return _move_action(
        action, user, ProgressUpdate.Kind.WITHDRAWN, Action.Status.WITHDRAWN, reason
    )


@transaction.atomic
def deadline_change_request(
    user: User, action: Action, *, new_deadline: datetime.date, reason: str
) -> DeadlineChangeRequest:
    """The force lead asks to move a deadline the inspectorate set."""
    if not is_force_lead_of(user, action.force_id):
        _deny("Only the force lead can ask for a deadline change.")
    reason = _require_text(reason, "A reason for the change")
    action = _locked(action)
    if action.is_closed:
        raise WorkflowError(f"This action is {action.get_status_display().lower()}.")
    if action.deadline_set_by != Action.DeadlineSetBy.INSPECTORATE:
        raise WorkflowError("This deadline was set by the force: change it directly.")
    if new_deadline == action.deadline:
        raise WorkflowError("The new deadline is the same as the current one.")
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
    if role in (Role.FORCE_STAFF, Role.FORCE_LEAD) and force is None:
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
        # No password: the person sets one through "forgot password".
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
    preference, _ = ReminderPreference.objects.update_or_create(
        user=user,
        defaults={
            "digest": digest,
            "weekly_on": weekly_on,
            "paused_until": paused_until,
        },
    )
    return preference
