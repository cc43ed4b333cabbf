"""What the policy needs from the database: open actions and waiting closure requests as plain facts, and each person's digest days."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from ..models import Action, Finding, ReminderPreference, Role, User
from .policy import Policy
from .schedule import (
    ActionFacts,
    DueReminder,
    FindingFacts,
    due_for_action,
    due_for_finding,
)


def remindable_actions() -> QuerySet[Action]:
    """Open actions, except those whose finding is complete or superseded.

    Named statuses, not excluded ones, on both sides: the open actions come off
    an index of their own (action_force_open_idx) and the open findings off
    (status, status changed), so that the sweep reads what can be due and never
    passes over the closed history, however many years of it there are.
    """
    open_findings = Finding.objects.filter(status__in=Finding.OPEN_STATUSES)
    return Action.objects.open().filter(
        Q(finding__isnull=True) | Q(finding__in=open_findings.values("pk"))
    )


# The contributors of the actions whose ids travel as one comma-separated string,
# looked up by action off the through table's index (an ORM `__in` subquery is
# planned as a pass over every contributor, closed work's included).
_CONTRIBUTORS_SQL = """
    SELECT c.action_id, c.user_id, u.is_active, u.force_id
    FROM tracker_action_contributors c JOIN tracker_user u ON u.id = c.user_id
    WHERE c.action_id = ANY(string_to_array(%s, ',')::bigint[])
    ORDER BY c.action_id, c.user_id
"""


def _contributor_rows(action_ids: list[int], actions: QuerySet[Action]):
    """(action, person, active, person's force) for each contributor to these actions."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_CONTRIBUTORS_SQL, [",".join(map(str, action_ids))])
            return cursor.fetchall()
    return (
        Action.contributors.through.objects.filter(action__in=actions.values("pk"))
        .order_by("action_id", "user_id")
        .values_list("action_id", "user_id", "user__is_active", "user__force_id")
    )


def load_action_facts(actions: QuerySet[Action]) -> list[ActionFacts]:
    """The policy's facts for these actions, in three queries however many there are.

    Inactive people are left out everywhere: nobody reads their mail. So are
    owners and contributors of another force (made so before the rules held, or
    moved since): the work is not theirs to see. The contributors and force leads
    are looked up by the actions' own ids and forces, read first.
    """
    actions = actions.order_by()
    london = timezone.get_current_timezone()
    # London dates computed by the database: converting 100,000 datetimes in Python
    # is most of the sweep's time at national scale.
    rows = list(
        actions.annotate(
            since=TruncDate("status_changed_at", tzinfo=london),
            progress_on=TruncDate(
                Coalesce("last_progress_at", "created_at"), tzinfo=london
            ),
        )
        .values_list(
            "pk",
            "status",
            "deadline",
            "owner_id",
            "owner__is_active",
            "owner__force_id",
            "force_id",
            "force__inspector_contact_id",
            "force__inspector_contact__is_active",
            "since",
            "progress_on",
        )
        .order_by("pk")
    )
    force_of = {row[0]: row[6] for row in rows}
    contributors = defaultdict(list)
    if rows:
        for action_id, user_id, active, user_force_id in _contributor_rows(
            list(force_of), actions
        ):
            if active and user_force_id == force_of.get(action_id):
                contributors[action_id].append(user_id)
    leads = defaultdict(list)
    for force_id, user_id in (
        User.objects.filter(
            role=Role.FORCE_LEAD,
            is_active=True,
            force__in=sorted(set(force_of.values())),
        )
        .order_by("pk")
        .values_list("force_id", "pk")
    ):
        leads[force_id].append(user_id)
    return [
        ActionFacts(
            action_id=pk,
            status=status,
            deadline=deadline,
            owner_id=owner_id if owner_active and owner_force_id == force_id else None,
            contributor_ids=tuple(contributors[pk]),
            force_lead_ids=tuple(leads[force_id]),
            inspector_contact_id=contact_id if contact_active else None,
            status_since=since,
            last_progress_on=progress_on,
        )
        for (
            pk,
            status,
            deadline,
            owner_id,
            owner_active,
            owner_force_id,
            force_id,
            contact_id,
            contact_active,
            since,
            progress_on,
        ) in rows
    ]


def load_finding_facts() -> list[FindingFacts]:
    """Findings waiting for an inspector's decision on closure, in two queries."""
    rows = list(
        Finding.objects.filter(status=Finding.Status.CLOSURE_REQUESTED)
        .order_by("pk")
        .values_list(
            "pk",
            "status",
            "status_changed_at",
            "force__inspector_contact_id",
            "force__inspector_contact__is_active",
        )
    )
    # A force with no inspector contact: every inspector hears of its closure requests.
    everyone = tuple(
        User.objects.filter(role=Role.INSPECTOR, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return [
        FindingFacts(
            finding_id=pk,
            status=status,
            status_since=timezone.localdate(since),
            inspector_ids=(contact_id,) if contact_id and contact_active else everyone,
        )
        for pk, status, since, contact_id, contact_active in rows
    ]


def load_preferences() -> dict[int, ReminderPreference]:
    return {pref.user_id: pref for pref in ReminderPreference.objects.all()}


@dataclass(frozen=True)
class Waiting:
    """What waits for one person: the day the oldest item was recorded, and any escalation."""

    oldest: datetime.date
    escalation: bool


def digest_goes(
    user_id: int,
    day: datetime.date,
    preferences: dict,
    waiting: Waiting | None = None,
    swept_before: datetime.date | None = None,
) -> bool:
    """Does `user_id`'s digest go on `day`? (`ReminderPreference.digest_goes_on`.)"""
    preference = preferences.get(user_id)
    if preference is None:
        return True
    return preference.digest_goes_on(
        day,
        swept_before=swept_before,
        escalation_waiting=waiting is not None and waiting.escalation,
        oldest_waiting=waiting.oldest if waiting is not None else None,
    )


def due_reminders(
    day: datetime.date, policy: Policy, preferences: dict[int, ReminderPreference]
) -> list[DueReminder]:
    """Everything the policy says is due on `day`, from the data as it stands."""
    paused = frozenset(
        user_id for user_id, pref in preferences.items() if pref.is_paused_on(day)
    )
    due = []
    for action in load_action_facts(remindable_actions()):
        due.extend(due_for_action(action, day, paused=paused, policy=policy))
    for finding in load_finding_facts():
        due.extend(due_for_finding(finding, day, paused=paused, policy=policy))
    return due
