"""The reminder outbox: the sweep that fills it and the delivery that empties it.

The policy (what is due, for whom) is `tracker.reminders`; this module feeds it
facts from the database and acts on its answers. The sweep, run by Celery beat at
08:00 London time on weekdays or by `manage.py send_reminders`:

1. does nothing on a bank holiday (the policy moved whatever fell on one);
2. returns to pending the items of sending tasks that died (claimed longer ago
   than REMINDER_CLAIM_TIMEOUT_SECONDS) and, if the mail server answers, the
   items that failed;
3. loads every open action and every finding waiting for closure in a fixed
   number of queries, asks the policy what is due, and records each reminder
   with INSERT ... ON CONFLICT DO NOTHING: the outbox's unique key makes a second
   record impossible, so a sweep run twice, or two at once, records each once;
4. after commit, queues one digest task per person whose digest goes today and
   who has anything waiting, from today or from an earlier day Redis missed.

Between sweeps a catch-up (every quarter of an hour) does steps 2 and 4 only, so
that what got stuck is not left until the next morning.

Delivering a digest (`deliver_digest`, run by the task) is claim, check, send, mark.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

from . import emails
from .models import (
    Action,
    Finding,
    Reminder,
    ReminderPolicy,
    ReminderPreference,
    Role,
    User,
    owned_or_helped_by,
)
from .reminders import (
    AWAITING_SIGN_OFF,
    CLOSURE_REQUEST_WAITING,
    ESCALATION_FORCE_LEAD,
    ESCALATION_INSPECTOR,
    NO_UPDATE_NUDGE,
    ActionFacts,
    DueReminder,
    FindingFacts,
    Policy,
    due_for_action,
    due_for_finding,
    is_working_day,
)
from .selectors import visible_actions, visible_findings

logger = logging.getLogger(__name__)

BATCH_SIZE = 2000

# Errors that mean "the broker is not there": publishing gives up, the rows wait.
BROKER_ERRORS = (KombuError, RedisError, OSError)


# ------------------------------------------------------------------------ kinds


def is_series_kind(kind: str) -> bool:
    """The reminders before and after a deadline: a later one replaces an earlier one."""
    return kind.startswith("due_") or kind.startswith("overdue")


def is_deadline_kind(kind: str) -> bool:
    """Kinds whose deadline_key is the action's deadline, so a moved deadline makes them stale."""
    return is_series_kind(kind) or kind in (ESCALATION_FORCE_LEAD, ESCALATION_INSPECTOR)


def is_escalation(kind: str) -> bool:
    return kind in (ESCALATION_FORCE_LEAD, ESCALATION_INSPECTOR)


# ------------------------------------------------------------------------ facts


def remindable_actions() -> QuerySet[Action]:
    """Open actions, except those whose finding is complete or superseded."""
    return Action.objects.exclude(status__in=Action.CLOSED_STATUSES).filter(
        Q(finding__isnull=True) | Q(finding__status__in=Finding.OPEN_STATUSES)
    )


def load_action_facts(actions: QuerySet[Action]) -> list[ActionFacts]:
    """The policy's facts for these actions, in three queries however many there are.

    Inactive people are left out everywhere: nobody reads their mail. So are
    owners and contributors of another force (made so before the rules held, or
    moved since): the work is not theirs to see.
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
    contributors = defaultdict(list)
    for action_id, user_id in (
        Action.contributors.through.objects.filter(
            action__in=actions.values("pk"),
            user__is_active=True,
            user__force_id=F("action__force_id"),
        )
        .order_by("action_id", "user_id")
        .values_list("action_id", "user_id")
    ):
        contributors[action_id].append(user_id)
    leads = defaultdict(list)
    for force_id, user_id in (
        User.objects.filter(
            role=Role.FORCE_LEAD, is_active=True, force__in=actions.values("force_id")
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


def digest_goes(user_id: int, day: datetime.date, preferences: dict) -> bool:
    preference = preferences.get(user_id)
    return preference is None or preference.digest_due_on(day)


def due_reminders(
    day: datetime.date, policy: Policy, preferences: dict[int, ReminderPreference]
) -> list[DueReminder]:
    """Everything the policy says is due on `day`, from the data as it stands."""
    paused = frozenset(
        user_id for user_id, pref in preferences.items() if pref.is_paused_on(day)
    )
    due = []
    for facts in load_action_facts(remindable_actions()):
        due.extend(due_for_action(facts, day, paused=paused, policy=policy))
    for facts in load_finding_facts():
        due.extend(due_for_finding(facts, day, paused=paused, policy=policy))
    return due


# ------------------------------------------------------------------------ sweep

_RECORD_SQL = """
    INSERT INTO tracker_reminder (recipient_id, action_id, finding_id, kind, deadline_key,
        send_on, due_on, status, attempts, last_error, cancel_reason, created_at)
    SELECT recipient, action, finding, kind, deadline_key, send_on, %s, 'pending', 0, '', '', %s
    FROM unnest(
        string_to_array(%s, ',', '')::bigint[], string_to_array(%s, ',', '')::bigint[],
        string_to_array(%s, ',', '')::bigint[], string_to_array(%s, ',')::varchar[],
        string_to_array(%s, ',')::date[], string_to_array(%s, ',')::date[]
    ) AS due (recipient, action, finding, kind, deadline_key, send_on)
    ON CONFLICT DO NOTHING
"""


def record_due(
    due: list[DueReminder], day: datetime.date, now: datetime.datetime
) -> None:
    """Insert the due reminders in one statement; the outbox key skips those already there.

    Plain arrays rather than model instances: at national scale building tens of
    thousands of Reminder objects took longer than everything else in the sweep.
    """
    if not due:
        return
    if connection.vendor != "postgresql":
        # The embedded SQLite of a first run: the same outbox key skips repeats.
        Reminder.objects.bulk_create(
            [
                Reminder(
                    recipient_id=d.recipient_id,
                    action_id=d.action_id,
                    finding_id=d.finding_id,
                    kind=d.kind,
                    deadline_key=d.deadline_key,
                    send_on=d.send_on,
                    due_on=day,
                    created_at=now,
                )
                for d in due
            ],
            ignore_conflicts=True,
        )
        return
    # Each column goes as one comma-separated string (an empty item is NULL): the
    # driver quotes six strings instead of every element of six arrays, which at
    # 60,000 reminders took longer than the INSERT itself.
    columns = [
        ",".join("" if value is None else str(value) for value in column)
        for column in zip(
            *(
                (
                    d.recipient_id,
                    d.action_id,
                    d.finding_id,
                    d.kind,
                    d.deadline_key,
                    d.send_on,
                )
                for d in due
            ),
            strict=True,
        )
    ]
    with connection.cursor() as cursor:
        cursor.execute(_RECORD_SQL, [day, now, *columns])


@dataclass
class SweepResult:
    day: datetime.date
    working_day: bool
    due: list[DueReminder] = field(default_factory=list)
    recorded: int = 0
    recovered: int = 0
    failed_requeued: int = 0
    recipients: list[int] = field(default_factory=list)
    queued: int = 0


def run_sweep(day: datetime.date | None = None, *, queue: bool = True) -> SweepResult:
    """Record what is due on `day` (today by default) and queue the day's digests.

    With `queue=False` nothing is published to Celery: the caller sends the
    digests of `result.recipients` itself (the management command does).
    """
    day = day or timezone.localdate()
    result = SweepResult(day=day, working_day=is_working_day(day))
    if not result.working_day:
        return result
    now = timezone.now()
    # Outside the transaction: each is one statement, and asking the mail server
    # whether it answers must not hold the sweep's transaction open.
    result.recovered = release_stale_claims(now)
    result.failed_requeued = requeue_failed()
    with transaction.atomic():
        policy = ReminderPolicy.load().as_policy()
        preferences = load_preferences()
        result.due = due_reminders(day, policy, preferences)
        record_due(result.due, day, now)
        # Every row this sweep inserted carries its exact timestamp.
        result.recorded = Reminder.objects.filter(created_at=now).count()
        ReminderPolicy.objects.filter(
            Q(last_swept_on__isnull=True) | Q(last_swept_on__lt=day),
            pk=ReminderPolicy.SINGLETON_PK,
        ).update(last_swept_on=day)
        result.recipients = recipients_due(day, preferences)
        if queue and result.recipients:
            # Published only once the rows are committed, so the task finds them.
            transaction.on_commit(
                lambda: setattr(result, "queued", queue_digests(result.recipients, day))
            )
    logger.info(
        "Reminder sweep for %s: %d due, %d new, %d digests to send.",
        day,
        len(result.due),
        result.recorded,
        len(result.recipients),
    )
    return result


def run_catch_up(day: datetime.date | None = None) -> SweepResult:
    """Between sweeps (every quarter of an hour on working days), send what is stuck.

    Items of a sending task that died, failed items, and items whose task Redis
    lost would otherwise wait for the next morning's sweep. If the morning's
    sweep never ran (beat, Redis or the worker down at 08:00) it runs it now;
    otherwise nothing new is recorded. Nothing is queued while the mail server
    does not answer, so an outage does not pile up tasks that can only fail.
    """
    day = day or timezone.localdate()
    result = SweepResult(day=day, working_day=is_working_day(day))
    if not result.working_day:
        return result
    if ReminderPolicy.load().last_swept_on != day:
        return run_sweep(day)
    result.recovered = release_stale_claims()
    result.failed_requeued = requeue_failed()
    result.recipients = recipients_due(day, load_preferences())
    if result.recipients and emails.mail_server_answers():
        result.queued = queue_digests(result.recipients, day)
    return result


def recipients_due(day: datetime.date, preferences: dict) -> list[int]:
    """Everyone whose digest goes on `day` and who has something waiting in it."""
    return [
        user_id
        for user_id in waiting_recipients(day)
        if digest_goes(user_id, day, preferences)
    ]


def waiting_recipients(day: datetime.date) -> list[int]:
    """Everyone with pending items due by `day`, including items Redis never delivered."""
    return list(
        Reminder.objects.filter(status=Reminder.Status.PENDING, due_on__lte=day)
        .order_by("recipient_id")
        .values_list("recipient_id", flat=True)
        .distinct()
    )


def release_stale_claims(now: datetime.datetime | None = None) -> int:
    """Items claimed by a sending task that died go back to pending.

    The timeout is longer than the task's hard time limit, so a live task never
    loses its claim while it is still sending.
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.REMINDER_CLAIM_TIMEOUT_SECONDS)
    return Reminder.objects.filter(
        status=Reminder.Status.SENDING, claimed_at__lt=cutoff
    ).update(status=Reminder.Status.PENDING, claim_token=None, claimed_at=None)


def requeue_failed(ids: Iterable[int] | None = None) -> int:
    """Failed items go back to pending, once the mail server answers again."""
    failed = Reminder.objects.filter(status=Reminder.Status.FAILED)
    if ids is not None:
        failed = failed.filter(pk__in=list(ids))
    if not failed.exists() or not emails.mail_server_answers():
        return 0
    return failed.update(status=Reminder.Status.PENDING)


def queue_digests(recipient_ids: Iterable[int], day: datetime.date) -> int:
    """Publish one digest task per person; give up at the first broker failure.

    The items are safe in the outbox whatever happens here: the next sweep
    queues whoever still has pending items. Returns how many were published.
    """
    from .tasks import send_reminder_digest

    recipient_ids = list(recipient_ids)
    for published, recipient_id in enumerate(recipient_ids):
        try:
            send_reminder_digest.apply_async(
                (recipient_id, day.isoformat()), queue=settings.REMINDER_QUEUE
            )
        except BROKER_ERRORS as error:
            logger.warning(
                "Could not queue %d reminder digests (%s): the next sweep will.",
                len(recipient_ids) - published,
                error,
            )
            return published
    return len(recipient_ids)


# --------------------------------------------------------------------- delivery


@dataclass
class Delivery:
    recipient_id: int
    claimed: int = 0
    cancelled: int = 0
    sent: int = 0


def deliver_digest(
    recipient_id: int, day: datetime.date, *, give_up: bool = False
) -> Delivery:
    """Send one person's waiting reminders as one email.

    1. Claim: a conditional UPDATE moves their pending items (and items of a
       dead claim) to sending under a fresh token. Whoever runs second (a task
       delivered twice, a second sweep's task) claims nothing and sends nothing.
    2. Check each claimed item is still current; cancel the stale ones.
    3. Send one email; 4. mark its items sent.

    The crash window between the mail server accepting the message (3) and the
    commit of "sent" (4) is a few milliseconds. A worker killed inside it leaves
    the items claimed; after REMINDER_CLAIM_TIMEOUT_SECONDS they go back to
    pending and are sent again. That is at-least-once, chosen on purpose: marking
    them sent before sending (at-most-once) would silently lose every reminder of
    a worker killed between the two, including escalations, which is worse than a
    rare duplicate. The Message-ID is derived from the items, so a duplicate
    carries the same id and mail systems that deduplicate by it drop it.

    If sending fails the items go back to pending for the task's retry, or to
    failed when `give_up` (the last retry); the error is raised for the caller.
    """
    delivery = Delivery(recipient_id)
    token = uuid.uuid4()
    now = timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.REMINDER_CLAIM_TIMEOUT_SECONDS)
    delivery.claimed = Reminder.objects.filter(
        Q(status=Reminder.Status.PENDING)
        | Q(status=Reminder.Status.SENDING, claimed_at__lt=cutoff),
        recipient_id=recipient_id,
        due_on__lte=day,
    ).update(
        status=Reminder.Status.SENDING,
        claim_token=token,
        claimed_at=now,
        attempts=F("attempts") + 1,
    )
    if not delivery.claimed:
        return delivery
    claimed = Reminder.objects.filter(claim_token=token, status=Reminder.Status.SENDING)
    items = list(
        claimed.select_related(
            "recipient", "action__finding", "action__owner", "finding__inspection"
        ).order_by("pk")
    )
    current, stale = check_current(items, day)
    if stale:
        for item, reason in stale:
            item.status, item.cancel_reason = Reminder.Status.CANCELLED, reason
        Reminder.objects.bulk_update(
            [item for item, _ in stale], ["status", "cancel_reason"]
        )
        delivery.cancelled = len(stale)
    if not current:
        return delivery
    message = emails.digest_message(
        items[0].recipient, current, day, ReminderPolicy.load().as_policy()
    )
    ids = [item.pk for item in current]
    try:
        message.send()
    except Exception as error:
        Reminder.objects.filter(pk__in=ids, claim_token=token).update(
            status=Reminder.Status.FAILED if give_up else Reminder.Status.PENDING,
            claim_token=None,
            claimed_at=None,
            last_error=f"{type(error).__name__}: {error}"[:1000],
        )
        raise
    delivery.sent = Reminder.objects.filter(pk__in=ids, claim_token=token).update(
        status=Reminder.Status.SENT, sent_at=timezone.now(), last_error=""
    )
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
    latest = {}
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
    if paused and not is_escalation(kind):
        return "The recipient is on leave."
    if item.finding_id:
        finding = item.finding
        if kind == CLOSURE_REQUEST_WAITING and (
            finding.status != Finding.Status.CLOSURE_REQUESTED
            or timezone.localdate(finding.status_changed_at) != item.deadline_key
        ):
            return "The closure request has been decided."
        if recipient.role != Role.INSPECTOR:
            return "The recipient is no longer an inspector."
        return ""
    action = item.action
    if action.is_closed:
        return f"The action was {action.get_status_display().lower()}."
    if action.finding_id and action.finding.status not in Finding.OPEN_STATUSES:
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
    # Still the right person to tell?
    if kind == ESCALATION_FORCE_LEAD or kind == AWAITING_SIGN_OFF:
        if not (
            recipient.role == Role.FORCE_LEAD and recipient.force_id == action.force_id
        ):
            return "The recipient is no longer the force lead."
    elif kind == ESCALATION_INSPECTOR:
        if recipient.role != Role.INSPECTOR:
            return "The recipient is no longer an inspector."
    elif kind == NO_UPDATE_NUDGE:
        if action.owner_id != recipient.pk:
            return "The recipient no longer owns the action."
    elif action.owner_id != recipient.pk and action.pk not in contributors:
        return "The recipient no longer owns or contributes to the action."
    return ""


# ---------------------------------------------------------------------- the plan


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


def _goes_to(user: User, facts: ActionFacts, kind: str) -> bool:
    """Does `kind` about this action go to `user`?"""
    if kind == NO_UPDATE_NUDGE:
        return facts.owner_id == user.pk
    if kind in (ESCALATION_FORCE_LEAD, AWAITING_SIGN_OFF):
        return user.pk in facts.force_lead_ids
    if kind == ESCALATION_INSPECTOR:
        return facts.inspector_contact_id == user.pk
    return user.pk == facts.owner_id or user.pk in facts.contributor_ids


def reminder_plan(user: User, day: datetime.date) -> list[ReminderPlan]:
    """Every reminder `user` will get from `day` on, per action or finding, soonest first.

    A fixed number of queries however many actions: the facts (three), the
    titles, the policy, the person's preference and the closure requests.
    """
    from .reminders import add_working_days, kind_label, schedule_for_action

    policy = ReminderPolicy.load().as_policy()
    preference = ReminderPreference.objects.filter(user=user).first()
    mine = owned_or_helped_by(user)
    if user.is_force_lead:
        mine |= Q(force_id=user.force_id)
    if user.is_inspector:
        mine |= Q(force__inspector_contact=user)
    actions = remindable_actions().filter(
        pk__in=visible_actions(user).filter(mine).values("pk")
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
            preference and preference.is_paused_on(on) and not is_escalation(kind)
        )
        return PlannedReminder(on=on, label=kind_label(kind, policy), paused=paused)

    plans = []
    for fact in facts:
        action = rows[fact.action_id]
        upcoming = [
            planned(on, kind)
            for on, kind in schedule_for_action(fact, policy=policy)
            if on >= day and _goes_to(user, fact, kind)
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


# ----------------------------------------------------------------------- preview


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
