"""The deadline-reminder schedule: what is due, for whom, as of a given date.

Plain functions over plain facts, with no Django and no database, so that the rules
can be read and tested on their own. A sweep (run on working days at 08:00 London
time) loads `ActionFacts` and `FindingFacts` from the database, calls
`due_for_action` and `due_for_finding`, and inserts the returned `DueReminder`s
into an outbox whose unique key is (action or finding, recipient, kind,
deadline_key). That key is what makes each reminder go once, so these functions
never need to remember what was sent: they say what is due *today*, and may
say it again tomorrow.

Catch-up: the sweep may miss days (outages, deploys, a long weekend). For each
series (the reminders before a deadline, the reminders after it) only the latest
stage whose send date has come is returned, never a stale earlier stage as well:
someone six days before a deadline needs "due in 7 days", not also "due in 14
days". One-off reminders (escalations, sign-off, closure, nudges) are returned for
as long as their condition holds; the outbox key keeps them to one.

Grouping several reminders to one person into one message is the sender's job,
not the policy's: this module only says which reminders are due.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta

from .kinds import (
    AWAITING_SIGN_OFF,
    CLOSURE_REQUEST_WAITING,
    ESCALATION_FORCE_LEAD,
    ESCALATION_INSPECTOR,
    NO_UPDATE_NUDGE,
    Audience,
    escalates_own_work,
    goes_on_leave,
    kind_before,
    kind_overdue,
    recipients_for,
)
from .policy import DEFAULT_POLICY, Policy
from .working_days import (
    add_working_days,
    is_working_day,
    next_working_day,
    previous_working_day,
)

# Statuses as the models spell them (tracker.models.Action.Status and
# Finding.Status). Repeated as strings because this module must not import Django.
NOT_STARTED = "not_started"

IN_PROGRESS = "in_progress"


DONE = "done"


SIGNED_OFF = "signed_off"


WITHDRAWN = "withdrawn"


UNFINISHED_ACTION_STATUSES = frozenset({NOT_STARTED, IN_PROGRESS})


CLOSED_ACTION_STATUSES = frozenset({SIGNED_OFF, WITHDRAWN})


ACTION_STATUSES = UNFINISHED_ACTION_STATUSES | CLOSED_ACTION_STATUSES | {DONE}


CLOSURE_REQUESTED = "closure_requested"


FINDING_STATUSES = frozenset(
    {"awaiting_review", "being_progressed", CLOSURE_REQUESTED, "complete", "superseded"}
)


@dataclass(frozen=True)
class ActionFacts:
    """What the policy needs to know about one action, loaded by the sweep.

    `force_lead_ids` are the leads of the action's force; `inspector_contact_id`
    is the force's inspector contact, if it has one. `status_since` is the date
    the action entered its current status; `last_progress_on` is the date of
    its last progress update, or of its creation if it has none.
    """

    action_id: int
    status: str
    deadline: date | None
    owner_id: int | None
    contributor_ids: tuple[int, ...]
    force_lead_ids: tuple[int, ...]
    inspector_contact_id: int | None
    status_since: date
    last_progress_on: date


@dataclass(frozen=True)
class FindingFacts:
    """What the policy needs to know about one finding.

    `status_since` is the date the finding entered its status (for a closure
    request, the date closure was requested). `inspector_ids` is the force's
    inspector contact, or every inspector if the force has none: the sweep
    decides, because only it knows who the inspectors are.
    """

    finding_id: int
    status: str
    status_since: date
    inspector_ids: tuple[int, ...]


@dataclass(frozen=True)
class DueReminder:
    """One reminder to record in the outbox.

    `deadline_key` is the fourth part of the outbox's unique key: the deadline
    for deadline reminders and escalations (so a moved deadline starts a fresh
    series), the date the status was entered for sign-off and closure waits,
    the date of the last update for nudges (so a new silence gives a new nudge).
    `send_on` is the working day the stage was scheduled for, which is earlier
    than today when the sweep is catching up. `days_left` is the deadline minus
    today in calendar days (negative when overdue), for reminders about the
    deadline; None for the others.
    """

    kind: str
    recipient_id: int
    action_id: int | None
    finding_id: int | None
    deadline_key: date
    send_on: date
    days_left: int | None


# What a date and the policy call for, worked out once per date (per process,
# bounded): a sweep asks about the same few hundred deadlines and update dates
# for tens of thousands of actions.
_memo = functools.lru_cache(maxsize=4096)


@_memo
def _before_stages(deadline: date, policy: Policy) -> tuple[tuple[date, str], ...]:
    """The reminders before a deadline, as (send date, kind), earliest first.

    Moved to the working day before when they fall on a non-working day, so that
    nobody learns of a deadline after it. When two stages land on the same send
    date (a Saturday deadline: "due in 1 day" and "due today" both come on the
    Friday) only the later stage is kept, as catch-up would choose it anyway.
    """
    stages: dict[date, str] = {}
    for days in sorted(policy.days_before, reverse=True):
        send_on = previous_working_day(deadline - timedelta(days=days))
        stages[send_on] = kind_before(days)  # a later stage replaces an earlier one
    return tuple(sorted(stages.items()))


def _first_overdue_on(deadline: date) -> date:
    # The next working day after the deadline: a Friday deadline is overdue on Monday.
    return next_working_day(deadline + timedelta(days=1))


def _overdue_send_on(deadline: date, repeat: int, policy: Policy) -> date:
    """The send date of the first overdue reminder (repeat 0) or of a repeat.

    Repeats count calendar days from the first overdue date, each moved to the
    next working day on its own: a bank holiday delays one repeat, not the
    whole series.
    """
    first = _first_overdue_on(deadline)
    if repeat == 0:
        return first
    return next_working_day(first + timedelta(days=policy.overdue_repeat_days * repeat))


def _latest_overdue_repeat(deadline: date, today: date, policy: Policy) -> int | None:
    """The latest overdue stage whose send date has come, or None before the first."""
    first = _first_overdue_on(deadline)
    if today < first:
        return None
    repeat = (today - first).days // policy.overdue_repeat_days
    # A repeat pushed past a bank holiday may not have come yet: step back.
    # (Send dates increase with the repeat, since no run of non-working days
    # is as long as a week.)
    while repeat > 0 and _overdue_send_on(deadline, repeat, policy) > today:
        repeat -= 1
    return repeat


def _lead_escalation_on(deadline: date, policy: Policy) -> date:
    return next_working_day(
        deadline + timedelta(days=policy.escalate_to_lead_after_days)
    )


def _inspector_escalation_on(deadline: date, policy: Policy) -> date:
    return next_working_day(
        deadline + timedelta(days=policy.escalate_to_inspector_after_days)
    )


@_memo
def _sign_off_reminder_on(status_since: date, policy: Policy) -> date:
    return add_working_days(status_since, policy.sign_off_wait_working_days)


@_memo
def _nudge_on(last_progress_on: date, policy: Policy) -> date:
    return next_working_day(last_progress_on + timedelta(days=policy.nudge_after_days))


@_memo
def _deadline_reminders_due(
    deadline: date, today: date, policy: Policy
) -> tuple[tuple[str, date], ...]:
    """(kind, send date) of every reminder about `deadline` due as of `today`.

    The same for every open action with that deadline, so a sweep works it out
    once per deadline rather than once per action.
    """
    if today <= deadline:
        started = [
            (on, kind) for on, kind in _before_stages(deadline, policy) if on <= today
        ]
        if not started:
            return ()
        send_on, kind = started[-1]
        return ((kind, send_on),)
    due = []
    repeat = _latest_overdue_repeat(deadline, today, policy)
    if repeat is not None:
        due.append((kind_overdue(repeat), _overdue_send_on(deadline, repeat, policy)))
    for kind, send_on in (
        (ESCALATION_FORCE_LEAD, _lead_escalation_on(deadline, policy)),
        (ESCALATION_INSPECTOR, _inspector_escalation_on(deadline, policy)),
    ):
        if send_on <= today:
            due.append((kind, send_on))
    return tuple(due)


def _unique(ids) -> tuple[int, ...]:
    """Ids in their first order, without None and without repeats."""
    return tuple(dict.fromkeys(i for i in ids if i is not None))


def audience(facts: ActionFacts, kind: str) -> tuple[int | None, ...]:
    """The people of one action whom a reminder of `kind` is for (`recipients_for`),
    less anyone it would escalate their own work to (`escalates_own_work`)."""
    match recipients_for(kind):
        case Audience.WORKERS:
            return (facts.owner_id, *facts.contributor_ids)
        case Audience.OWNER:
            return (facts.owner_id,)
        case Audience.FORCE_LEADS:
            people: tuple[int | None, ...] = facts.force_lead_ids
        case Audience.INSPECTOR:
            people = (facts.inspector_contact_id,)
        case _:
            raise ValueError(f"No audience for kind {kind!r}")
    return tuple(
        person
        for person in people
        if person is None
        or not escalates_own_work(kind, person, facts.owner_id, facts.contributor_ids)
    )


def _check_action_status(status: str) -> None:
    # An unknown status would otherwise silently stop an action's reminders.
    if status not in ACTION_STATUSES:
        raise ValueError(f"Unknown action status: {status!r}")


def due_for_action(
    facts: ActionFacts,
    today: date,
    *,
    paused: frozenset[int] = frozenset(),
    policy: Policy = DEFAULT_POLICY,
) -> list[DueReminder]:
    """The reminders about one action that are due as of `today`.

    Returns the latest before-deadline stage or the latest overdue stage to the
    owner and contributors, the escalations once their thresholds have passed,
    the sign-off reminder to the force leads, and the no-update nudge to the
    owner. Nothing on a non-working day: whatever would fall on one was moved to
    a working day. People in `paused` (on leave) get none of their own
    reminders; escalations still go.
    """
    _check_action_status(facts.status)
    if not is_working_day(today) or facts.status in CLOSED_ACTION_STATUSES:
        return []

    due: list[DueReminder] = []

    def add(kind, deadline_key, send_on, days_left):
        for recipient in _unique(audience(facts, kind)):
            if recipient in paused and goes_on_leave(kind):
                continue
            due.append(
                DueReminder(
                    kind=kind,
                    recipient_id=recipient,
                    action_id=facts.action_id,
                    finding_id=None,
                    deadline_key=deadline_key,
                    send_on=send_on,
                    days_left=days_left,
                )
            )

    if facts.status == DONE:
        # Done, awaiting sign-off: the owner's part is finished, so their
        # reminders and the escalations pause; the lead is the one to act now.
        send_on = _sign_off_reminder_on(facts.status_since, policy)
        if send_on <= today:
            add(AWAITING_SIGN_OFF, facts.status_since, send_on, None)
        return due

    # Not started or in progress.
    if facts.deadline is not None:
        days_left = (facts.deadline - today).days
        for kind, send_on in _deadline_reminders_due(facts.deadline, today, policy):
            add(kind, facts.deadline, send_on, days_left)

    # The nudge is about silence, not the deadline: it applies with or without one.
    send_on = _nudge_on(facts.last_progress_on, policy)
    if send_on <= today:
        add(NO_UPDATE_NUDGE, facts.last_progress_on, send_on, None)
    return due


def due_for_finding(
    facts: FindingFacts,
    today: date,
    *,
    paused: frozenset[int] = frozenset(),
    policy: Policy = DEFAULT_POLICY,
) -> list[DueReminder]:
    """The reminders about one finding due as of `today`: a closure request left waiting.

    Due once the request has waited more than `closure_wait_working_days`
    working days (so on the 11th working day after it by default). An inspector
    on leave is skipped for now; the reminder comes when they are back, as the
    condition still holds.
    """
    if facts.status not in FINDING_STATUSES:
        raise ValueError(f"Unknown finding status: {facts.status!r}")
    if not is_working_day(today) or facts.status != CLOSURE_REQUESTED:
        return []
    send_on = add_working_days(facts.status_since, policy.closure_wait_working_days + 1)
    if send_on > today:
        return []
    return [
        DueReminder(
            kind=CLOSURE_REQUEST_WAITING,
            recipient_id=inspector,
            action_id=None,
            finding_id=facts.finding_id,
            deadline_key=facts.status_since,
            send_on=send_on,
            days_left=None,
        )
        for inspector in _unique(facts.inspector_ids)
        if inspector not in paused
    ]


def schedule_for_action(
    facts: ActionFacts, *, policy: Policy = DEFAULT_POLICY
) -> list[tuple[date, str]]:
    """Every planned (send date, kind) for the action as it stands, earliest first.

    For a "what will I be reminded of and when" page: the reminders before the
    current deadline, the first overdue reminder and its first
    `policy.schedule_overdue_weeks` repeats, the escalations (if there is
    someone to escalate to), and the nudge that will come if nobody records
    progress. The plan assumes nothing changes: a status change, a progress
    update or a moved deadline gives a new plan. Past entries are included;
    the page may grey them out.
    """
    _check_action_status(facts.status)
    if facts.status in CLOSED_ACTION_STATUSES:
        return []
    if facts.status == DONE:
        if not facts.force_lead_ids:
            return []
        return [(_sign_off_reminder_on(facts.status_since, policy), AWAITING_SIGN_OFF)]

    plan: list[tuple[date, str]] = []
    deadline = facts.deadline
    if deadline is not None:
        plan.extend(_before_stages(deadline, policy))
        for repeat in range(policy.schedule_overdue_weeks + 1):
            plan.append(
                (_overdue_send_on(deadline, repeat, policy), kind_overdue(repeat))
            )
        if facts.force_lead_ids:
            plan.append((_lead_escalation_on(deadline, policy), ESCALATION_FORCE_LEAD))
        if facts.inspector_contact_id is not None:
            plan.append(
                (_inspector_escalation_on(deadline, policy), ESCALATION_INSPECTOR)
            )
    if facts.owner_id is not None:
        plan.append((_nudge_on(facts.last_progress_on, policy), NO_UPDATE_NUDGE))
    # A stable sort keeps the order above among entries on the same day.
    return sorted(plan, key=lambda entry: entry[0])
