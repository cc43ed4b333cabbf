"""Delivering a digest, run by the task: claim, check, send, mark.

The task claims a person's pending items (a token and a time on each row), looks
at them again as the data stands now (`check_current`: a moved deadline, a
signed-off action, leave, a move to another force send nothing stale), sends one
message and marks the items sent; a task delivered twice finds nothing to claim.
The claiming, holding and marking are `tracker.sending`'s, shared with every
outbox table; `deliver_digest` says when a copy may, rarely, go twice.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from .. import sending
from ..models import (
    Action,
    Finding,
    Notification,
    Reminder,
    ReminderPolicy,
    ReminderPreference,
    Role,
    User,
)
from ..notifications.delivery import current_notifications
from ..selectors import visible_actions, visible_findings
from ..sending import NotSent, SendFailed, send
from .digest import digest_message
from .kinds import (
    AWAITING_SIGN_OFF,
    CLOSURE_REQUEST_WAITING,
    NO_UPDATE_NUDGE,
    Audience,
    escalates_own_work,
    goes_on_leave,
    is_deadline_kind,
    is_series_kind,
    recipients_for,
)


@dataclass
class Delivery:
    recipient_id: int
    claimed: int = 0
    cancelled: int = 0
    sent: int = 0
    notifications: int = 0  # sent in the digest


def deliver_digest(
    recipient_id: int, day: datetime.date, *, retry_in: float | None = None
) -> Delivery:
    """Send one person's waiting reminders as one email.

    1. Claim (`tracker.sending.claim`): a conditional UPDATE moves their ready
       items to sending under a fresh token. Whoever runs second (a task
       delivered twice, a second sweep's task) claims nothing and sends nothing;
       items held for another task's retry are not ready.
    2. Check each claimed item is still current; cancel the stale ones.
    3. Send one email; 4. mark its items sent, reconnecting to the database if
       the connection was lost meanwhile (the server has the message by then).

    If sending fails, the items are held for a retry in `retry_in` seconds (the
    task's), or failed when there is none, and `SendFailed` is raised. A failure
    after the server may have taken the message (the connection dropped, or its
    reply was slower than EMAIL_TIMEOUT) marks the items so that the retry is
    their last attempt: at most one extra copy. A refusal (connection refused,
    a 4xx or 5xx reply) is retried as often as the attempts allow.

    A worker killed between 3 and 4 leaves the items claimed; after
    REMINDER_CLAIM_TIMEOUT_SECONDS they get one last attempt. That is
    at-least-once, chosen on purpose: marking them sent before sending would
    silently lose every reminder of a worker killed between the two. The
    Message-ID is derived from the items, so a copy carries the same id.
    """
    delivery = Delivery(recipient_id)
    mine = Reminder.objects.filter(recipient_id=recipient_id, due_on__lte=day)
    token, delivery.claimed = sending.claim(mine)
    # The notifications the person chose to have in their digest, under the same rules.
    noted = Notification.objects.filter(
        recipient_id=recipient_id, in_digest=True, created_at__date__lte=day
    )
    note_token, notes_claimed = sending.claim(noted)
    if not (delivery.claimed or notes_claimed):
        return delivery
    claimed = Reminder.objects.filter(claim_token=token, status=Reminder.Status.SENDING)
    items = list(
        claimed.select_related(
            "recipient", "action__finding", "action__owner", "finding__inspection"
        ).order_by("pk")
    )
    current, stale = check_current(items, day) if items else ([], [])
    if stale:
        for item, reason in stale:
            item.status, item.cancel_reason = Reminder.Status.CANCELLED, reason
        Reminder.objects.bulk_update(
            [item for item, _ in stale], ["status", "cancel_reason"]
        )
        delivery.cancelled = len(stale)
    claimed_notes = Notification.objects.filter(
        claim_token=note_token, status=Notification.Status.SENDING
    )
    notes = current_notifications(claimed_notes)
    if not (current or notes):
        return delivery
    recipient = items[0].recipient if items else notes[0].recipient
    message = digest_message(
        recipient, current, day, ReminderPolicy.load().as_policy(), notifications=notes
    )
    to_send = claimed.filter(pk__in=[item.pk for item in current])
    notes_to_send = claimed_notes.filter(pk__in=[note.pk for note in notes])
    try:
        send(message)
    except NotSent as not_sent:
        retry_at = None
        if retry_in is not None:
            retry_at = timezone.now() + datetime.timedelta(seconds=retry_in)
        failure = sending.record_failure(
            to_send,
            not_sent.error,
            maybe_delivered=not_sent.maybe_delivered,
            retry_at=retry_at,
            refused=not_sent.permanent,
        )
        sending.record_failure(
            notes_to_send,
            not_sent.error,
            maybe_delivered=not_sent.maybe_delivered,
            retry_at=retry_at,
            refused=not_sent.permanent,
        )
        raise SendFailed(not_sent.error, failure, not_sent.maybe_delivered) from (
            not_sent.error
        )
    delivery.sent = sending.mark_sent(to_send)
    delivery.notifications = sending.mark_sent(notes_to_send)
    return delivery


def check_current(
    items: list[Reminder], day: datetime.date
) -> tuple[list[Reminder], list[tuple[Reminder, str]]]:
    """Split claimed items into those still worth sending and the stale ones, with why.

    The sweep decided from the data as it was; this looks again just before
    sending, so a deadline moved, an action signed off or a person gone on leave
    since then sends nothing stale.
    """
    recipient = items[0].recipient
    preference = ReminderPreference.objects.filter(user=recipient).first()
    paused = preference is not None and preference.is_paused_on(day)
    action_ids = {item.action_id for item in items if item.action_id}
    finding_ids = {item.finding_id for item in items if item.finding_id}
    # Through the door, as of now: a person moved to another force since the
    # sweep is told nothing more of the old force's work.
    visible = {
        ("action", pk)
        for pk in visible_actions(recipient)
        .filter(pk__in=action_ids)
        .values_list("pk", flat=True)
    } | {
        ("finding", pk)
        for pk in visible_findings(recipient)
        .filter(pk__in=finding_ids)
        .values_list("pk", flat=True)
    }
    contributors = set(
        Action.contributors.through.objects.filter(
            action_id__in=action_ids, user_id=recipient.pk
        ).values_list("action_id", flat=True)
    )
    current, stale = [], []
    for item in items:
        reason = _stale_reason(item, recipient, paused, contributors, visible)
        if reason:
            stale.append((item, reason))
        else:
            current.append(item)
    # Catching up (a weekly digest, a retried failure) can leave two stages of one
    # deadline waiting: only the latest is news.
    latest: dict[int, Reminder] = {}
    for item in current:
        if item.action_id and is_series_kind(item.kind):
            best = latest.get(item.action_id)
            if best is None or (item.send_on, item.pk) > (best.send_on, best.pk):
                latest[item.action_id] = item
    kept = []
    for item in current:
        if (
            item.action_id
            and is_series_kind(item.kind)
            and latest[item.action_id] is not item
        ):
            stale.append(
                (item, "A later reminder about the same deadline replaced it.")
            )
        else:
            kept.append(item)
    return kept, stale


def _stale_reason(
    item: Reminder, recipient: User, paused: bool, contributors: set, visible: set
) -> str:
    kind = item.kind
    if not recipient.is_active:
        return "The recipient's account is inactive."
    if item.action_id and ("action", item.action_id) not in visible:
        return "The recipient can no longer see this action."
    if item.finding_id and ("finding", item.finding_id) not in visible:
        return "The recipient can no longer see this finding."
    if paused and goes_on_leave(kind):
        return "The recipient is on leave."
    if item.finding is not None:
        finding = item.finding
        if kind == CLOSURE_REQUEST_WAITING and (
            finding.status != Finding.Status.CLOSURE_REQUESTED
            or timezone.localdate(finding.status_changed_at) != item.deadline_key
        ):
            return "The closure request has been decided."
        return _no_longer_for(recipient, recipients_for(kind), None, contributors)
    action = item.action
    if action is None:
        return "The reminder is about neither an action nor a finding."
    if action.is_closed:
        return f"The action was {action.get_status_display().lower()}."
    if action.finding and action.finding.status not in Finding.OPEN_STATUSES:
        return f"The finding is {action.finding.get_status_display().lower()}."
    if is_deadline_kind(kind):
        if action.status not in Action.UNFINISHED_STATUSES:
            return "The action is done and waiting for sign-off."
        if action.deadline != item.deadline_key:
            return "The deadline has moved."
    if kind == AWAITING_SIGN_OFF and (
        action.status != Action.Status.DONE
        or timezone.localdate(action.status_changed_at) != item.deadline_key
    ):
        return "The action is no longer waiting for sign-off."
    if kind == NO_UPDATE_NUDGE and (
        action.status not in Action.UNFINISHED_STATUSES
        or timezone.localdate(action.last_progress_at or action.created_at)
        != item.deadline_key
    ):
        return "Progress has been recorded since."
    # `contributors` holds the ids of the recipient's actions among these items.
    helps = (recipient.pk,) if action.pk in contributors else ()
    if escalates_own_work(kind, recipient.pk, action.owner_id, helps):
        return "The action is the recipient's own work: their own reminder covers it."
    return _no_longer_for(recipient, recipients_for(kind), action, contributors)


def _no_longer_for(
    recipient: User, audience: Audience, action: Action | None, contributors: set
) -> str:
    """Why the recipient is no longer one of the people the reminder is for, if they are not."""
    match audience:
        case Audience.FORCE_LEADS:
            if not (
                recipient.role == Role.FORCE_LEAD
                and action is not None
                and recipient.force_id == action.force_id
            ):
                return "The recipient is no longer the force lead."
        case Audience.INSPECTOR:
            if recipient.role != Role.INSPECTOR:
                return "The recipient is no longer an inspector."
        case Audience.OWNER:
            if action is None or action.owner_id != recipient.pk:
                return "The recipient no longer owns the action."
        case Audience.WORKERS:
            if action is None or (
                action.owner_id != recipient.pk and action.pk not in contributors
            ):
                return "The recipient no longer owns or contributes to the action."
    return ""
