"""What a person will be reminded of and when (their reminders page), and what a sweep on a day would send (the command's preview)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from ..models import Action, Finding, Reminder, ReminderPolicy, ReminderPreference, User
from ..selectors import concerning, visible_actions, visible_findings
from .facts import (
    digest_goes,
    due_reminders,
    load_action_facts,
    load_preferences,
    remindable_actions,
)
from .kinds import CLOSURE_REQUEST_WAITING, goes_on_leave, kind_label
from .schedule import audience, schedule_for_action
from .working_days import add_working_days, is_working_day


@dataclass
class PlannedReminder:
    on: datetime.date
    label: str
    paused: bool = False


@dataclass
class ReminderPlan:
    """What one person will be reminded of about one action or finding, and when."""

    title: str
    url: str
    reference: str
    deadline: datetime.date | None
    upcoming: list[PlannedReminder]


def reminder_plan(user: User, day: datetime.date) -> list[ReminderPlan]:
    """Every reminder `user` will get from `day` on, per action or finding, soonest first.

    A fixed number of queries however many actions: the facts (three), the
    titles, the policy, the person's preference and the closure requests.
    """

    policy = ReminderPolicy.load().as_policy()
    preference = ReminderPreference.objects.filter(user=user).first()
    actions = remindable_actions().filter(
        pk__in=visible_actions(user).filter(concerning(user)).values("pk")
    )
    facts = load_action_facts(actions)
    rows = {
        action.pk: action
        for action in Action.objects.filter(
            pk__in=[f.action_id for f in facts]
        ).select_related("finding")
    }

    def planned(on, kind):
        paused = bool(
            preference and preference.is_paused_on(on) and goes_on_leave(kind)
        )
        return PlannedReminder(on=on, label=kind_label(kind, policy), paused=paused)

    plans = []
    for fact in facts:
        action = rows[fact.action_id]
        upcoming = [
            planned(on, kind)
            for on, kind in schedule_for_action(fact, policy=policy)
            if on >= day and user.pk in audience(fact, kind)
        ]
        if upcoming:
            plans.append(
                ReminderPlan(
                    title=action.title,
                    url=action.get_absolute_url(),
                    reference=action.finding.reference
                    if action.finding_id
                    else "The whole report",
                    deadline=action.deadline,
                    upcoming=upcoming,
                )
            )
    if user.is_inspector and user.is_active:
        for finding in (
            visible_findings(user)
            .filter(
                Q(force__inspector_contact=user)
                | Q(force__inspector_contact__isnull=True),
                status=Finding.Status.CLOSURE_REQUESTED,
            )
            .order_by("status_changed_at")
        ):
            since = timezone.localdate(finding.status_changed_at)
            on = add_working_days(since, policy.closure_wait_working_days + 1)
            if on < day:
                continue  # already sent: it goes once
            plans.append(
                ReminderPlan(
                    title=f"Closure request for {finding.reference}",
                    url=finding.get_absolute_url(),
                    reference=finding.reference,
                    deadline=None,
                    upcoming=[planned(on, CLOSURE_REQUEST_WAITING)],
                )
            )
    return sorted(plans, key=lambda plan: (plan.upcoming[0].on, plan.title))


def preview(day: datetime.date) -> dict[int, list[tuple[str, Reminder]]]:
    """What a sweep on `day` would send, per recipient, without writing anything.

    Each entry is ("new", unsaved reminder) for what the sweep would record, or
    ("waiting", reminder) for an item already in the outbox that the digest
    would carry. What the outbox already sent or cancelled is left out.
    """
    if not is_working_day(day):
        return {}
    preferences = load_preferences()
    due = due_reminders(day, ReminderPolicy.load().as_policy(), preferences)
    recorded = set(
        Reminder.objects.filter(
            Q(action_id__in={item.action_id for item in due if item.action_id})
            | Q(finding_id__in={item.finding_id for item in due if item.finding_id})
        ).values_list("action_id", "finding_id", "recipient_id", "kind", "deadline_key")
    )
    plan = defaultdict(list)
    for item in due:
        key = (
            item.action_id,
            item.finding_id,
            item.recipient_id,
            item.kind,
            item.deadline_key,
        )
        if key not in recorded:
            reminder = Reminder(
                recipient_id=item.recipient_id,
                action_id=item.action_id,
                finding_id=item.finding_id,
                kind=item.kind,
                deadline_key=item.deadline_key,
                send_on=item.send_on,
                due_on=day,
            )
            plan[item.recipient_id].append(("new", reminder))
    for reminder in Reminder.objects.filter(
        status__in=[Reminder.Status.PENDING, Reminder.Status.FAILED], due_on__lte=day
    ).order_by("pk"):
        plan[reminder.recipient_id].append(("waiting", reminder))
    return {
        recipient_id: entries
        for recipient_id, entries in sorted(plan.items())
        if digest_goes(recipient_id, day, preferences)
    }
