"""The workflow's bookkeeping, applied to rows the generator builds in memory.

MIRROR OF tracker.services (and one check of tracker.permissions). Each service
moves an action or a finding inside a function that also checks who may, locks
the row and saves it, so the generator, which bulk-inserts 50,000 actions and
400,000 updates, cannot call it; and tracker has no pure helper for the part
that only sets fields. This module restates that part, once, and each function
names the code it follows: the generator writes a timeline and these derive
from it what the services would have left on the action and the finding
(status, from/to statuses, percent, done_on, last progress, status dates, the
version, self sign-offs). A move's changes to an action are the services' own
`apply_move`, imported; when tracker gains pure helpers for the rest, import
them here instead and delete the copies.

Statuses, kinds and which statuses are closed or unfinished are not restated:
they come from tracker.models.

Where the generated data does not do what the services do, it is kept so that
a seed gives the data it always gave, and marked DIFFERS, here and in
bench.generator (changing it means bumping bench.generator.VERSION).
"""

from __future__ import annotations

import datetime

from tracker.models import Action, Finding, FindingEvent, ProgressUpdate, User
from tracker.services.actions import apply_move as move_action

Status = Action.Status
Kind = ProgressUpdate.Kind

# ------------------------------------------------------------------- actions

# The move each kind of update records, as the service that writes it makes it:
# kind -> (the action's new status, whether the move also counts as progress).
# A progress update (Kind.PROGRESS) is no move: see `record_progress`.
ACTION_MOVES: dict[str, tuple[str, bool]] = {
    # action_record_progress on an action not started: its first update starts it.
    Kind.STARTED: (Status.IN_PROGRESS, True),
    Kind.MARKED_DONE: (Status.DONE, True),  # action_mark_done
    Kind.SIGNED_OFF: (Status.SIGNED_OFF, False),  # action_sign_off
    Kind.SELF_SIGNED_OFF: (Status.SIGNED_OFF, False),  # action_sign_off, own work
    Kind.RETURNED: (Status.IN_PROGRESS, False),  # action_return
    Kind.WITHDRAWN: (Status.WITHDRAWN, False),  # action_withdraw
}
# action_mark_done: work marked done is 100% complete.
DONE_PERCENT = 100


def created_and_assigned(action: Action, moment: datetime.datetime) -> None:
    """The action as action_create saved it at `moment` (the model's defaults), then
    action_assign gave it its owner, contributors and deadline: one version more."""
    fields = Action._meta
    action.status = fields.get_field("status").default
    action.percent_complete = fields.get_field("percent_complete").default
    action.status_changed_at = moment
    action.last_progress_at = action.done_on = None
    action.version = fields.get_field("version").default + 1


def apply_update(action: Action, update: ProgressUpdate) -> None:
    """Record `update` on `action` as its service would: the update's from and to
    statuses, and the fields it changes on the action.

    Start from `created_and_assigned`, then apply the action's updates in order. A returned action keeps
    the update's percent (None here): DIFFERS from action_return, which records
    the last percent below 100 before the work was marked done.
    """
    move = ACTION_MOVES.get(update.kind)
    if move is None:
        record_progress(action, update.created_at, update.percent_complete)
        return
    to_status, is_progress = move
    if update.kind == Kind.MARKED_DONE:
        update.percent_complete = DONE_PERCENT
    update.from_status = action.status
    update.to_status = to_status
    move_action(
        action,
        to_status,
        update.created_at,
        update.percent_complete,
        is_progress=is_progress,
    )


def record_progress(
    action: Action, moment: datetime.datetime, percent: int | None
) -> None:
    """services.action_record_progress on an action already in progress, without the save."""
    if percent is not None:
        action.percent_complete = percent
    action.last_progress_at = moment
    action.version += 1


def sign_off_kind(lead: User, owner: User | None, contributors: list[User]) -> str:
    """services.action_sign_off: a lead signing off work they own or helped with
    signs off their own work (permissions.is_owner_or_contributor, on people in
    memory: the generator's are all active and of the action's force)."""
    own_work = lead == owner or lead in contributors
    return Kind.SELF_SIGNED_OFF if own_work else Kind.SIGNED_OFF


def starts_finding(update: ProgressUpdate) -> bool:
    """Whether this move of an action starts its finding (awaiting review -> being progressed).

    DIFFERS from services._move_action, where only a move to in progress starts
    the finding and a withdrawal changes nothing on it: here any move out of not
    started does, a withdrawal of an action never started included.
    """
    return bool(update.to_status) and update.to_status != Status.NOT_STARTED


def work_started_text(action: Action) -> str:
    """services._finding_note_work_started's words on the finding's timeline."""
    return f"Work started on the action “{action.title}”."


# ------------------------------------------------------------------ findings

# The status each kind of finding event moves the finding to, as its service does.
FINDING_MOVES: dict[str, str] = {
    # _finding_note_work_started, when an action starts
    FindingEvent.Kind.PROGRESSING: Finding.Status.BEING_PROGRESSED,
    FindingEvent.Kind.CLOSURE_REQUESTED: Finding.Status.CLOSURE_REQUESTED,  # finding_request_closure
    FindingEvent.Kind.CLOSURE_AUTHORISED: Finding.Status.COMPLETE,  # finding_authorise_closure
    FindingEvent.Kind.CLOSURE_DECLINED: Finding.Status.BEING_PROGRESSED,  # finding_decline_closure
    FindingEvent.Kind.SUPERSEDED: Finding.Status.SUPERSEDED,  # finding_supersede
}


def finding_created(finding: Finding, moment: datetime.datetime) -> None:
    """The finding as the import saved it at `moment`, with the model's default status."""
    finding.status = Finding._meta.get_field("status").default
    finding.status_changed_at = moment


def apply_finding_event(finding: Finding, event: FindingEvent) -> None:
    """services._move_finding without the save: the event's from and to statuses,
    and the finding's status and status date. Start from `finding_created`."""
    event.from_status = finding.status
    event.to_status = FINDING_MOVES[event.kind]
    finding.status = event.to_status
    finding.status_changed_at = event.created_at


def may_request_closure(statuses: list[str]) -> bool:
    """services.finding_request_closure: every action signed off or withdrawn, and
    one signed off at least."""
    return (
        all(status in Action.CLOSED_STATUSES for status in statuses)
        and Status.SIGNED_OFF in statuses
    )


def may_supersede(finding: Finding, by: Finding) -> bool:
    """services.finding_supersede: only a finding of a later inspection of the same force."""
    return (
        by.force_id == finding.force_id
        and by.inspection.published_on > finding.inspection.published_on
    )


def superseded_text(by: Finding) -> str:
    """services.finding_supersede's words when the inspector adds none."""
    return f"Superseded by {by.reference}."
