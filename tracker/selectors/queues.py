"""The work queues: what waits for each person, with how long it has waited.

Each queue is a queryset through the visibility door with `waiting_since`
annotated (the moment or date its waiting is counted from), so that a page can
sort any of them oldest or newest first, filter them by force and count them.
A force lead's action queues cover their force; a force officer's, the work they
own or help with.
"""

import datetime

from django.db.models import (
    Count,
    DateField,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Coalesce

from ..models import (
    Action,
    ActionQuerySet,
    DeadlineChangeRequest,
    Finding,
    FindingEvent,
    ProgressUpdate,
    Role,
    owned_or_helped_by,
)
from ..permissions import CLOSURE_REQUESTABLE_FROM, sees_every_force
from .dashboards import cached_nationally
from .visibility import visible_actions, visible_deadline_requests, visible_findings

QUEUE_PAGE_SIZE = 50
DUE_SOON_DAYS = 14


def closable_findings(findings: QuerySet[Finding]) -> QuerySet[Finding]:
    """The findings whose lead may now request closure: open and not yet requested,
    every action signed off or withdrawn, and at least one signed off.

    The one statement of the rule: the ready queue lists these, and
    `services.finding_request_closure` accepts only these.
    """
    actions = Action.objects.filter(finding=OuterRef("pk"))
    return findings.filter(
        Exists(actions.filter(status=Action.Status.SIGNED_OFF)),
        ~Exists(actions.exclude(status__in=Action.CLOSED_STATUSES)),
        status__in=CLOSURE_REQUESTABLE_FROM,
    )


def _scope(user) -> ActionQuerySet:
    """A force user's actions for their queues: the force's for a lead, else their own."""
    actions = visible_actions(user)
    if user.role == Role.FORCE_LEAD:
        return actions
    return actions.filter(owned_or_helped_by(user))


def _action_rows(actions: QuerySet[Action]) -> QuerySet[Action]:
    return actions.select_related("owner", "finding", "force")


# The inspectorate's queues.


def closure_requests_waiting(user) -> QuerySet[Finding]:
    return (
        visible_findings(user)
        .filter(status=Finding.Status.CLOSURE_REQUESTED)
        .annotate(waiting_since=F("status_changed_at"))
        .select_related("force", "inspection")
    )


def deadline_requests_waiting(user) -> QuerySet[DeadlineChangeRequest]:
    return (
        visible_deadline_requests(user)
        .filter(status=DeadlineChangeRequest.Status.PENDING)
        .annotate(waiting_since=F("created_at"))
        .select_related(
            "action",
            "action__force",
            "action__finding",
            "action__owner",
            "requested_by",
        )
    )


def overdue_findings(user, today: datetime.date) -> QuerySet[Finding]:
    """Open findings with an unfinished action past its deadline, waiting since the
    earliest such deadline, with how many of their actions are overdue."""
    overdue = (
        Action.objects.filter(finding=OuterRef("pk"))
        .overdue(today)
        .order_by()
        .values("finding")
    )
    return (
        visible_findings(user)
        .filter(status__in=Finding.OPEN_STATUSES)
        .annotate(
            waiting_since=Subquery(
                overdue.annotate(first=Min("deadline")).values("first"),
                output_field=DateField(),
            ),
            overdue_count=Subquery(
                overdue.annotate(n=Count("pk")).values("n"),
                output_field=IntegerField(),
            ),
        )
        .filter(waiting_since__isnull=False)
        .select_related("force", "inspection")
    )


def overdue_findings_count(user, today: datetime.date) -> int:
    """How many findings `overdue_findings` lists, from the overdue actions up: an
    index range of unfinished work past its deadline, not a look at each open finding."""
    return (
        visible_findings(user)
        .filter(
            status__in=Finding.OPEN_STATUSES,
            pk__in=Action.objects.overdue(today).order_by().values("finding"),
        )
        .count()
    )


def overdue_findings_by_force(findings: QuerySet[Finding]) -> list[dict]:
    """How many of these findings each force has, for links to the force's queue."""
    return list(
        findings.order_by()
        .values("force__slug", "force__name")
        .annotate(n=Count("pk"))
        .order_by("force__name")
    )


# A force's queues.


def awaiting_sign_off(user) -> QuerySet[Action]:
    """Work marked done: for a lead, waiting for them; for an officer, their own."""
    return _action_rows(
        _scope(user)
        .filter(status=Action.Status.DONE)
        .annotate(waiting_since=F("status_changed_at"))
    )


def overdue_actions(user, today: datetime.date) -> QuerySet[Action]:
    return _action_rows(
        _scope(user).overdue(today).annotate(waiting_since=F("deadline"))
    )


def due_soon(user, today: datetime.date) -> QuerySet[Action]:
    """Unfinished work due today or within DUE_SOON_DAYS."""
    return _action_rows(
        _scope(user)
        .filter(
            status__in=Action.UNFINISHED_STATUSES,
            deadline__gte=today,
            deadline__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
        )
        .annotate(waiting_since=F("deadline"))
    )


def _returns():
    return ProgressUpdate.objects.filter(
        action=OuterRef("pk"), kind=ProgressUpdate.Kind.RETURNED
    )


def returned(user) -> QuerySet[Action]:
    """Unfinished work the lead returned, with the lead's last return and its comment."""
    last_return = _returns().order_by("-created_at", "-pk")
    return _action_rows(
        _scope(user)
        .filter(status__in=Action.UNFINISHED_STATUSES)
        .annotate(
            waiting_since=Subquery(
                last_return.values("created_at")[:1], output_field=DateTimeField()
            ),
            returned_comment=Coalesce(
                Subquery(last_return.values("text")[:1], output_field=TextField()),
                Value(""),
                output_field=TextField(),
            ),
        )
        .filter(waiting_since__isnull=False)
    )


def ready_for_closure(user) -> QuerySet[Finding]:
    """The force's findings a closure request may be made for, ready since their
    last action was closed."""
    closed = (
        Action.objects.filter(finding=OuterRef("pk"))
        .order_by()
        .values("finding")
        .annotate(last=Max("status_changed_at"))
        .values("last")
    )
    return (
        closable_findings(visible_findings(user))
        .annotate(
            waiting_since=Subquery(closed, output_field=DateTimeField()),
            action_count=Subquery(
                Action.objects.filter(finding=OuterRef("pk"))
                .order_by()
                .values("finding")
                .annotate(n=Count("pk"))
                .values("n"),
                output_field=IntegerField(),
            ),
        )
        .select_related("force", "inspection")
    )


def closure_declined(user) -> QuerySet[Finding]:
    """The force's findings whose closure request an inspector declined, still to answer:
    their latest event is the decline, with the inspector's comment."""
    # The register's entries are its history, imported at any time: not an answer.
    last_event = (
        FindingEvent.objects.filter(finding=OuterRef("pk"))
        .exclude(kind=FindingEvent.Kind.REGISTER)
        .order_by("-created_at", "-pk")
    )
    return (
        visible_findings(user)
        .filter(status=Finding.Status.BEING_PROGRESSED)
        .annotate(
            last_kind=Subquery(last_event.values("kind")[:1]),
            waiting_since=Subquery(
                last_event.values("created_at")[:1], output_field=DateTimeField()
            ),
            declined_comment=Coalesce(
                Subquery(last_event.values("text")[:1], output_field=TextField()),
                Value(""),
                output_field=TextField(),
            ),
        )
        .filter(last_kind=FindingEvent.Kind.CLOSURE_DECLINED)
        .select_related("force", "inspection")
    )


def my_deadline_requests(user) -> QuerySet[DeadlineChangeRequest]:
    """The deadline changes a lead asked for, waiting or answered."""
    return (
        visible_deadline_requests(user)
        .filter(requested_by=user)
        .annotate(waiting_since=F("created_at"))
        .select_related("action", "action__force", "action__finding", "decided_by")
    )


def queue_counts(user, today: datetime.date) -> dict[str, int]:
    """The size of each of the reader's queues, for the home page's links to them."""
    if sees_every_force(user):
        return {
            "closure_requests": closure_requests_waiting(user).count(),
            "deadline_requests": deadline_requests_waiting(user).count(),
            # The same for every reader of every force: counted once per change.
            "overdue_findings": cached_nationally(
                "overdue-findings", today, lambda: overdue_findings_count(user, today)
            ),
        }
    if not user.is_force_user:
        return {}
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    unfinished = Q(status__in=Action.UNFINISHED_STATUSES)
    counts = (
        _scope(user)
        .order_by()
        # Each count is of open work: read it alone, not the closed history.
        .open()
        .aggregate(
            sign_off=Count("pk", filter=Q(status=Action.Status.DONE)),
            overdue=Count("pk", filter=unfinished & Q(deadline__lt=today)),
            due_soon=Count(
                "pk", filter=unfinished & Q(deadline__gte=today, deadline__lte=soon)
            ),
            returned=Count("pk", filter=unfinished & Q(Exists(_returns()))),
        )
    )
    if user.role == Role.FORCE_LEAD:
        counts["ready_for_closure"] = closable_findings(visible_findings(user)).count()
        counts["closure_declined"] = closure_declined(user).count()
        counts["my_deadline_requests"] = (
            my_deadline_requests(user)
            .filter(status=DeadlineChangeRequest.Status.PENDING)
            .count()
        )
    return counts
