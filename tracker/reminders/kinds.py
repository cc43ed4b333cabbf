"""Kinds of reminder: their names, their labels, and to whom each goes."""

from __future__ import annotations

import re
from collections.abc import Collection
from enum import StrEnum

from .policy import DEFAULT_POLICY, Policy

# Kinds that are not numbered stages; the stages are `kind_before(days)` and
# `kind_overdue(repeat)`.
DUE_TODAY = "due_today"
OVERDUE = "overdue"
ESCALATION_FORCE_LEAD = "escalation_force_lead"
ESCALATION_INSPECTOR = "escalation_inspector"
AWAITING_SIGN_OFF = "awaiting_sign_off"
CLOSURE_REQUEST_WAITING = "closure_request_waiting"
NO_UPDATE_NUDGE = "no_update_nudge"

ESCALATIONS = frozenset({ESCALATION_FORCE_LEAD, ESCALATION_INSPECTOR})


class Audience(StrEnum):
    """Who a kind of reminder is for, as a role in the work, not a list of people."""

    WORKERS = "the action's owner and contributors"
    OWNER = "the action's owner"
    FORCE_LEADS = "the force's leads"
    INSPECTOR = "the force's inspector contact"


def recipients_for(kind: str) -> Audience:
    """To whom a reminder of `kind` goes: the one rule the sweep, the delivery's
    last look and the "my reminders" page all follow.

    A closure request waiting goes to the force's inspector contact (to every
    inspector when the force has none: the sweep knows who they are).
    """
    if kind in (ESCALATION_FORCE_LEAD, AWAITING_SIGN_OFF):
        return Audience.FORCE_LEADS
    if kind in (ESCALATION_INSPECTOR, CLOSURE_REQUEST_WAITING):
        return Audience.INSPECTOR
    if kind == NO_UPDATE_NUDGE:
        return Audience.OWNER
    return Audience.WORKERS


def escalates_own_work(
    kind: str, recipient_id: int, owner_id: int | None, contributor_ids: Collection[int]
) -> bool:
    """Would a reminder of `kind` escalate to `recipient_id` an action that is theirs?

    A lead who owns or contributes to a late action already has the owner's
    reminder about it; escalating it to them as well only says it twice, and
    nobody is escalated their own work. The sweep leaves such a recipient out and
    the delivery's last look cancels any such item recorded before.
    """
    return kind in ESCALATIONS and (
        recipient_id == owner_id or recipient_id in contributor_ids
    )


def goes_on_leave(kind: str) -> bool:
    """Does a reminder of `kind` wait while its recipient is on leave?

    Escalations go even to people on leave: their point is that someone with
    authority hears about a late action, and they are rare (one per deadline).
    """
    return kind not in ESCALATIONS


def is_series_kind(kind: str) -> bool:
    """The reminders before and after a deadline: a later one replaces an earlier one."""
    return kind.startswith("due_") or kind.startswith("overdue")


def is_deadline_kind(kind: str) -> bool:
    """Kinds whose deadline_key is the action's deadline, so a moved deadline makes them stale."""
    return is_series_kind(kind) or kind in ESCALATIONS


def is_escalation(kind: str) -> bool:
    return kind in ESCALATIONS


# The reasons a digest entry can give, most severe first: the worst of an
# action's reminders heads its entry and the others become a note. Missed
# deadlines come first (escalated ones before the owner's own), then decisions
# left waiting past their time, then deadlines in order of nearness, then silence.
_SEVERITY = (
    ESCALATION_INSPECTOR,
    ESCALATION_FORCE_LEAD,
    OVERDUE,
    CLOSURE_REQUEST_WAITING,
    AWAITING_SIGN_OFF,
    DUE_TODAY,
)


_DUE_IN = re.compile(r"due_in_(\d+)_days?")


def severity(kind: str) -> tuple[int, int]:
    """Sorts kinds most severe first (smaller is more severe); see `_SEVERITY`."""
    if kind.startswith("overdue"):
        return (_SEVERITY.index(OVERDUE), 0)
    if kind in _SEVERITY:
        return (_SEVERITY.index(kind), 0)
    if match := _DUE_IN.fullmatch(kind):
        return (len(_SEVERITY), int(match.group(1)))
    # The nudge, and any kind added later without a place here.
    return (len(_SEVERITY) + 1, 0)


def kind_before(days: int) -> str:
    """The kind of the reminder `days` calendar days before a deadline."""
    if days == 0:
        return DUE_TODAY
    if days == 1:
        return "due_in_1_day"
    return f"due_in_{days}_days"


def kind_overdue(repeat: int) -> str:
    """The kind of the first overdue reminder (repeat 0) or of its `repeat`-th repeat."""
    return OVERDUE if repeat == 0 else f"overdue_week_{repeat}"


def kind_labels(policy: Policy = DEFAULT_POLICY) -> dict[str, str]:
    """A human label for each kind the policy can produce (overdue repeats: the listed weeks)."""
    labels = {}
    for days in sorted(policy.days_before, reverse=True):
        labels[kind_before(days)] = (
            "Due today" if days == 0 else f"Due in {days} day{'s' if days != 1 else ''}"
        )
    labels[OVERDUE] = "Overdue"
    for week in range(1, max(policy.schedule_overdue_weeks, 4) + 1):
        labels[kind_overdue(week)] = _overdue_week_label(week)
    labels[ESCALATION_FORCE_LEAD] = (
        f"Escalated to you: {policy.escalate_to_lead_after_days} days overdue"
    )
    labels[ESCALATION_INSPECTOR] = (
        f"Escalated to you: {policy.escalate_to_inspector_after_days} days overdue"
    )
    labels[AWAITING_SIGN_OFF] = "Awaiting your sign-off"
    labels[CLOSURE_REQUEST_WAITING] = "Closure request waiting for your decision"
    labels[NO_UPDATE_NUDGE] = f"No progress update for {policy.nudge_after_days} days"
    return labels


def _overdue_week_label(week: int) -> str:
    return f"Still overdue (week {week})"


KIND_LABELS: dict[str, str] = kind_labels(DEFAULT_POLICY)


_OVERDUE_WEEK = re.compile(r"overdue_week_(\d+)")


def kind_label(kind: str, policy: Policy = DEFAULT_POLICY) -> str:
    """The label of any kind, including overdue repeats beyond those in KIND_LABELS."""
    labels = KIND_LABELS if policy is DEFAULT_POLICY else kind_labels(policy)
    if kind in labels:
        return labels[kind]
    if match := _OVERDUE_WEEK.fullmatch(kind):
        return _overdue_week_label(int(match.group(1)))
    return kind.replace("_", " ").capitalize()
