"""Moves on an action: create, assign, record progress, start, mark done, sign off, return, withdraw."""

import datetime
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from .. import evidence
from ..models import (
    Action,
    Evidence,
    Finding,
    FindingEvent,
    Force,
    ProgressUpdate,
    User,
)
from ..notifications import events
from ..permissions import (
    can_change_action,
    is_force_lead_of,
    is_owner_or_contributor,
    may_assign,
    may_mark_done,
    may_review,
    may_start,
    may_update,
    may_withdraw,
)
from .common import (
    changed_by,
    changed_since,
    check_deadline_kept,
    check_people,
    check_percent,
    deny,
    lock_action,
    require_text,
)
from .errors import ConflictError, WorkflowError


def apply_move(
    action: Action,
    to_status: str,
    moment: datetime.datetime,
    percent: int | None = None,
    *,
    is_progress: bool = False,
) -> None:
    """What a move to `to_status` at `moment` changes on the action, without saving.

    Its status and the time of it, the percent when given, the latest progress
    when the move reports work, the day the work was done (kept through
    sign-off), and one version more. The national data generator (bench/)
    applies moves to rows it bulk-inserts through this too.
    """
    action.status = to_status
    action.status_changed_at = moment
    if percent is not None:
        action.percent_complete = percent
    if is_progress:
        action.last_progress_at = moment
    if to_status == Action.Status.DONE:
        action.done_on = timezone.localdate(moment)
    elif to_status != Action.Status.SIGNED_OFF:
        action.done_on = None
    action.version += 1


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
    apply_move(action, to_status, now, percent, is_progress=is_progress)
    changed_by(action, user)
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
    events.action_updated(user, update)
    # Only work starting moves the finding: a withdrawal changes nothing on the
    # finding's published timeline (the action's own timeline has the reason).
    if to_status == Action.Status.IN_PROGRESS and action.finding is not None:
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
        deny("Only the force lead can assign owners and deadlines.")
    contributors = list(contributors)
    check_people(action, owner, contributors)
    current = lock_action(action)
    if current.version != expected_version:
        raise ConflictError(current, changed_since(action, expected_version, current))
    if not may_assign(user, current):
        raise WorkflowError(
            f"This action is {current.get_status_display().lower()} and can no longer be changed."
        )
    check_deadline_kept(
        current, deadline, "Ask for a deadline change: an inspector has to approve it."
    )
    if deadline != current.deadline:
        current.deadline_set_by = Action.DeadlineSetBy.FORCE
        current.deadline_wording = ""
    owner_before = current.owner_id
    contributors_before = list(current.contributors.values_list("pk", flat=True))
    current.owner = owner
    current.deadline = deadline
    current.version += 1
    changed_by(current, user)
    current.save()
    current.contributors.set(contributors)
    events.assignment_changed(
        user,
        current,
        owner_before=owner_before,
        contributors_before=contributors_before,
    )
    return current


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
        deny(
            "Only the action's owner, its contributors and the force lead can record progress."
        )
    text = require_text(text, "A description of the progress")
    check_percent(percent)
    links = _validated_links(links)
    try:
        checked_types = evidence.check_evidence_files(files)
    except ValidationError as error:
        raise WorkflowError(" ".join(error.messages)) from None
    seen = action
    action = lock_action(action)
    if (
        expected_version is not None
        and action.version != expected_version
        and percent is not None
        and percent != action.percent_complete
    ):
        raise ConflictError(action, changed_since(seen, expected_version, action))
    if files:
        # The force's row is the lock that keeps two uploads at once from both
        # fitting in the same remaining room.
        force = Force.objects.select_for_update().get(pk=action.force_id)
        try:
            evidence.check_force_quota(force, files)
        except ValidationError as error:
            raise WorkflowError(" ".join(error.messages)) from None
    if not may_update(user, action):
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
        changed_by(action, user)
        action.save()
    for upload in files:
        Evidence.objects.create(
            update=update,
            file=upload,
            original_name=upload.name or "",
            content_type=checked_types[id(upload)],
            size=upload.size,
        )
    if files:
        evidence.recount_storage(action.force_id)
    for link in links:
        Evidence.objects.create(update=update, link=link)
    if update.kind == ProgressUpdate.Kind.PROGRESS:
        # (A first update that starts the action was told of by the move.)
        events.action_updated(user, update)
    return update


@transaction.atomic
def action_start(
    user: User, action: Action, text: str = "", *, expected_version: int | None = None
) -> ProgressUpdate:
    if not can_change_action(user, action):
        deny(
            "Only the action's owner, its contributors and the force lead can start it."
        )
    action = lock_action(action, expected_version)
    if not may_start(user, action):
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
        deny("Only the action's owner or a contributor can mark it done.")
    action = lock_action(action, expected_version)
    if not may_mark_done(user, action):
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
        deny(f"Only the force lead can {verb} an action.")
    action = lock_action(action, expected_version)
    if not may_review(user, action):
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
    comment = require_text(comment, "A comment saying what is still needed")
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
        deny("Only the force lead can withdraw an action.")
    reason = require_text(reason, "A reason for withdrawing the action")
    action = lock_action(action, expected_version)
    if not may_withdraw(user, action):
        raise WorkflowError(
            f"This action is already {action.get_status_display().lower()}."
        )
    return _move_action(
        action, user, ProgressUpdate.Kind.WITHDRAWN, Action.Status.WITHDRAWN, reason
    )
