"""The figures pages show: a person's work in bands, counts by status and rating,
a force's inspections with their counts, and the national comparison.

Each takes what the visibility door lets the reader see and aggregates it in a
fixed number of queries, however much data there is.
"""

import datetime
import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Case,
    Count,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber

from .. import charts
from ..models import (
    AMBER_WITHIN_DAYS,
    Action,
    ActionQuerySet,
    Finding,
    Force,
    Inspection,
    NationalFinding,
    Theme,
    User,
    owned_or_helped_by,
)
from ..permissions import sees_every_force
from .visibility import (
    visible_actions,
    visible_findings,
    visible_forces,
    visible_inspections,
)

SOON_DAYS = 14
HOME_ROWS = 10  # per list on the home page; the action list has the rest
MY_WORK_BANDS = ("overdue", "due_soon", "later")
NATIONAL_CACHE_SECONDS = 300


def action_rows(queryset: ActionQuerySet) -> ActionQuerySet:
    """Actions as a list shows them: with their owner, finding and force, by deadline."""
    return queryset.select_related("owner", "finding", "force").order_by(
        "deadline", "pk"
    )


def my_work(user, today: datetime.date) -> dict[str, tuple[list[Action], int]]:
    """The unfinished actions a person owns or helps with, in bands by deadline.

    For each band (overdue, due within SOON_DAYS, later or undated) the first
    HOME_ROWS actions by deadline and how many there are in all, however much work
    the person has: the database numbers the rows of each band and returns the
    first few ids with the band's size, then the rows of those ids are fetched
    with what they show. (In one query the planner joins every finding of the
    force before it keeps the first few rows.)
    """
    work: dict[str, tuple[list[Action], int]] = {
        band: ([], 0) for band in MY_WORK_BANDS
    }
    if not user.is_force_user:
        return work
    soon = today + datetime.timedelta(days=SOON_DAYS)
    soonest_first = [F("deadline").asc(nulls_last=True), F("pk").asc()]
    first_of_each_band = (
        visible_actions(user)
        .filter(owned_or_helped_by(user), status__in=Action.UNFINISHED_STATUSES)
        .annotate(
            band=Case(
                When(deadline__lt=today, then=Value("overdue")),
                When(deadline__lte=soon, then=Value("due_soon")),
                default=Value("later"),
            )
        )
        .annotate(
            place=Window(RowNumber(), partition_by=F("band"), order_by=soonest_first),
            band_size=Window(Count("pk"), partition_by=F("band")),
        )
        .filter(place__lte=HOME_ROWS)
        .order_by()  # the model's default order joins inspections and findings
        .values_list("pk", "band", "band_size")
    )
    band_of = {}
    for pk, band, size in first_of_each_band:
        band_of[pk] = band
        work[band] = ([], size)
    if band_of:
        rows = (
            action_rows(Action.objects.filter(pk__in=list(band_of)))
            .with_rag(today)
            .order_by(*soonest_first)
        )
        for action in rows:
            work[band_of[action.pk]][0].append(action)
    return work


def cached_nationally(name: str, today: datetime.date, compute):
    """Figures over every force's data, the same for every reader, computed once per change.

    The key carries the time of the newest change to any action or finding, of
    the newest entry in their change history (which records deletions too) and
    the newest inspection (five index lookups), so every process sees a change at
    once without invalidation; entries for older stamps simply expire.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT "
            + ", ".join(
                f"(SELECT MAX({column}) FROM {table})"
                for table, column in (
                    (Action._meta.db_table, "updated_at"),
                    (Finding._meta.db_table, "updated_at"),
                    (Inspection._meta.db_table, "id"),  # a new inspection
                    (Action.history.model._meta.db_table, "history_date"),
                    (Finding.history.model._meta.db_table, "history_date"),
                )
            )
        )
        stamps = cursor.fetchone()
    # Hashed: the timestamps' text holds spaces, which some cache servers refuse in keys.
    version = hashlib.sha1(repr(stamps).encode()).hexdigest()[:16]
    key = f"peel:national:{name}:{today.isoformat()}:{version}"
    return cache.get_or_set(key, compute, NATIONAL_CACHE_SECONDS)


def action_summary(actions: ActionQuerySet, today: datetime.date) -> dict:
    """Counts by status and by red/amber/green, in two queries that stay cheap as the
    closed history grows: the number in each status off the (force, status) index
    alone, and red, amber and done late over the open actions only.
    """
    amber_until = today + datetime.timedelta(days=AMBER_WITHIN_DAYS)
    unfinished = Q(status__in=Action.UNFINISHED_STATUSES)
    by_status = dict(
        actions.order_by()
        .values("status")
        .annotate(n=Count("*"))  # not of a column: the index alone answers it
        .values_list("status", "n")
    )
    counts = {status: by_status.get(status, 0) for status in Action.Status.values}
    counts["total"] = sum(counts.values())
    counts |= (
        actions.order_by()
        .open()
        .aggregate(
            red=Count("pk", filter=unfinished & Q(deadline__lt=today)),
            amber=Count(
                "pk",
                filter=unfinished & Q(deadline__gte=today, deadline__lte=amber_until),
            ),
            done_late=Count(
                "pk", filter=Q(status=Action.Status.DONE, done_on__gt=F("deadline"))
            ),
        )
    )
    counts["green"] = (
        counts["total"]
        - counts["red"]
        - counts["amber"]
        - counts["done_late"]
        - sum(counts[status] for status in Action.CLOSED_STATUSES)
    )
    counts["closed"] = sum(counts[status] for status in Action.CLOSED_STATUSES)
    counts["by_status"] = [
        (label, counts[value]) for value, label in Action.Status.choices
    ]
    return counts


def action_charts(
    actions: QuerySet[Action], today: datetime.date, *, signed_off: int | None = None
) -> list:
    """The two charts over a set of actions: open against completed, deadlines ahead.

    `signed_off`: how many of them are signed off, when the caller has counted them."""
    return [
        charts.open_and_completed(actions, today, signed_off=signed_off),
        charts.deadlines_ahead(actions, today),
    ]


def home_figures(user, today: datetime.date) -> tuple[dict, list, list | None]:
    """The home page's summary and charts over what the reader sees, and for a
    reader of every force the forces with their number of inspections (cached
    nationally: the same for every such reader)."""
    actions = visible_actions(user)

    def figures():
        summary = action_summary(actions, today)
        return summary, action_charts(
            actions, today, signed_off=summary[Action.Status.SIGNED_OFF]
        )

    if not sees_every_force(user):
        return (*figures(), None)

    def national_figures():
        # order_by again: a GROUP BY query leaves out the model's ordering.
        forces = (
            visible_forces(user)
            .police()
            .annotate(inspection_count=Count("inspections", distinct=True))
            .order_by("name")
        )
        return (*figures(), list(forces))

    return cached_nationally("home", today, national_figures)


def force_inspections(user, force: Force) -> QuerySet[Inspection]:
    """The force's inspections with their numbers of actions, closed actions and
    findings of each kind."""

    def per_inspection(queryset):
        # A correlated count per row: joining actions and findings at once would
        # multiply them and need DISTINCT over the product.
        counts = (
            queryset.filter(inspection=OuterRef("pk"))
            .order_by()
            .values("inspection")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(counts), 0)

    return (
        visible_inspections(user)
        .filter(force=force)
        .annotate(
            action_count=per_inspection(Action.objects.all()),
            closed_count=per_inspection(
                Action.objects.filter(status__in=Action.CLOSED_STATUSES)
            ),
            **{
                f"{kind}_count": per_inspection(Finding.objects.filter(kind=kind))
                for kind in Finding.Kind.values
            },
        )
    )


def finding_ages(today: datetime.date) -> dict[str, Q]:
    """The age bands of an open finding, by its report's publication date."""
    return {
        "under_6_months": Q(
            inspection__published_on__gt=today - datetime.timedelta(days=183)
        ),
        "6_to_12_months": Q(
            inspection__published_on__lte=today - datetime.timedelta(days=183),
            inspection__published_on__gt=today - datetime.timedelta(days=365),
        ),
        "1_to_2_years": Q(
            inspection__published_on__lte=today - datetime.timedelta(days=365),
            inspection__published_on__gt=today - datetime.timedelta(days=730),
        ),
        "over_2_years": Q(
            inspection__published_on__lte=today - datetime.timedelta(days=730)
        ),
    }


def national_comparison(user, today: datetime.date) -> dict:
    """Every force against finding and action status, overdue work and ageing,
    with the totals and the national charts (cached nationally)."""
    findings = visible_findings(user)
    actions = visible_actions(user)
    ages = finding_ages(today)
    open_finding = Q(status__in=Finding.OPEN_STATUSES)

    def figures():
        finding_rows = {
            row["force"]: row
            for row in findings.order_by()
            .values("force")
            .annotate(
                total=Count("pk"),
                **{
                    status: Count("pk", filter=Q(status=status))
                    for status in Finding.Status.values
                },
                **{
                    age: Count("pk", filter=open_finding & condition)
                    for age, condition in ages.items()
                },
            )
        }
        action_rows = {
            row["force"]: row
            for row in actions.order_by()
            .values("force")
            .annotate(
                total=Count("pk"),
                closed=Count("pk", filter=Q(status__in=Action.CLOSED_STATUSES)),
                signed_off=Count("pk", filter=Q(status=Action.Status.SIGNED_OFF)),
                overdue=Count(
                    "pk",
                    filter=Q(status__in=Action.UNFINISHED_STATUSES, deadline__lt=today),
                ),
                overdue_inspectorate=Count(
                    "pk",
                    filter=Q(
                        status__in=Action.UNFINISHED_STATUSES,
                        deadline__lt=today,
                        deadline_set_by=Action.DeadlineSetBy.INSPECTORATE,
                    ),
                ),
            )
        }
        signed_off = sum(row["signed_off"] for row in action_rows.values())
        return (
            finding_rows,
            action_rows,
            action_charts(actions, today, signed_off=signed_off),
        )

    finding_rows, action_rows, national_charts = cached_nationally(
        "figures", today, figures
    )
    forces = [
        _force_row(force, finding_rows.get(force.pk, {}), action_rows.get(force.pk, {}))
        # The forces compared: a national body answers what is addressed to it,
        # and its findings have their roll-up on each national finding's page.
        for force in visible_forces(user).police()
    ]
    totals = {
        "findings": {
            key: sum(row["findings"].get(key, 0) for row in forces)
            for key in ["total", *Finding.Status.values, *ages]
        },
        "actions": {
            key: sum(row["actions"].get(key, 0) for row in forces)
            for key in ["total", "closed", "open", "overdue", "overdue_inspectorate"]
        },
    }
    totals["shares"] = {
        "complete": share(
            totals["findings"][Finding.Status.COMPLETE], totals["findings"]["total"]
        ),
        "closed": share(totals["actions"]["closed"], totals["actions"]["total"]),
        "overdue": share(totals["actions"]["overdue"], totals["actions"]["open"]),
    }
    return {"forces": forces, "totals": totals, "charts": national_charts}


def share(part: int, whole: int) -> int:
    """Part of a whole in whole percent: 0 of nothing, and never 0 or 100 for a
    part that is neither none nor all of it."""
    if not whole:
        return 0
    percent = round(100 * part / whole)
    if 0 < part < whole:  # 1 of 1,000 is not none of it, 999 not all of it
        return min(max(percent, 1), 99)
    return percent


def _force_row(force: Force, findings: dict, actions: dict) -> dict:
    """A force's counts, with the shares the national table shows beside them."""
    open_actions = actions.get("total", 0) - actions.get("closed", 0)
    return {
        "force": force,
        "findings": findings,
        "actions": {**actions, "open": open_actions},
        "shares": {
            "complete": share(
                findings.get(Finding.Status.COMPLETE, 0), findings.get("total", 0)
            ),
            "closed": share(actions.get("closed", 0), actions.get("total", 0)),
            "overdue": share(actions.get("overdue", 0), open_actions),
        },
    }


def _findings_with(status: str) -> Callable[[dict], int]:
    return lambda row: row["findings"].get(status, 0)


# The national table's columns by their ?sort= name, each with what it sorts by: a
# column showing a share sorts by it (the figure that compares forces of any size),
# then by its count.
NATIONAL_SORTS: dict[str, Callable[[dict], Any]] = {
    "force": lambda row: row["force"].name,
    "findings": lambda row: row["findings"].get("total", 0),
    **{status: _findings_with(status) for status in Finding.Status.values},
    Finding.Status.COMPLETE.value: lambda row: (
        row["shares"]["complete"],
        row["findings"].get(Finding.Status.COMPLETE, 0),
    ),
    "actions": lambda row: row["actions"].get("total", 0),
    "closed": lambda row: (row["shares"]["closed"], row["actions"].get("closed", 0)),
    "overdue": lambda row: (row["shares"]["overdue"], row["actions"].get("overdue", 0)),
    "overdue_inspectorate": lambda row: row["actions"].get("overdue_inspectorate", 0),
}


def sort_forces(forces: list[dict], sort: str) -> tuple[list[dict], str, bool]:
    """The national table's rows in the order `sort` asks for ("closed", "-closed"),
    forces A to Z among equals; an order it does not know is by force name.
    Returns the rows, the column sorted by and whether it runs downwards."""
    descending = sort.startswith("-")
    column = sort.removeprefix("-")
    if column not in NATIONAL_SORTS:
        column, descending = "force", False
    by_name = sorted(forces, key=NATIONAL_SORTS["force"])
    # A stable sort, reversed or not, keeps equal rows A to Z.
    rows = sorted(by_name, key=NATIONAL_SORTS[column], reverse=descending)
    return rows, column, descending


def theme_findings(user, theme: Theme) -> QuerySet[Finding]:
    """One theme across forces: each force's findings on it with their action
    counts and the next deadline of their unfinished actions."""
    return (
        visible_findings(user)
        .filter(themes=theme)
        .select_related("force", "inspection")
        .annotate(
            action_count=Count("actions"),
            closed_count=Count(
                "actions", filter=Q(actions__status__in=Action.CLOSED_STATUSES)
            ),
            next_deadline=Min(
                "actions__deadline",
                filter=Q(actions__status__in=Action.UNFINISHED_STATUSES),
            ),
        )
        .order_by("force__name", "reference")
    )


def national_findings(user) -> QuerySet[NationalFinding]:
    """The national reports' findings, each with how many of its copies are open
    and complete (for readers of every force: the copies are every force's)."""
    if not sees_every_force(user):
        return NationalFinding.objects.none()
    copies = visible_findings(user).filter(national=OuterRef("pk")).order_by()

    def count(queryset):
        return Coalesce(
            Subquery(queryset.values("national").annotate(n=Count("pk")).values("n")),
            0,
        )

    return NationalFinding.objects.annotate(
        copy_count=count(copies),
        open_count=count(copies.filter(status__in=Finding.OPEN_STATUSES)),
        complete_count=count(copies.filter(status=Finding.Status.COMPLETE)),
    )


def national_roll_up(
    user, national: NationalFinding
) -> list[tuple[Finding, User | None]]:
    """Each addressee's copy of a national finding, with its actions open and done,
    its next deadline and its main action's owner, police forces before bodies."""
    unfinished = Q(actions__status__in=Action.UNFINISHED_STATUSES)
    main_owner = (
        Action.objects.filter(finding=OuterRef("pk"), parent__isnull=True)
        .order_by("order", "pk")
        .values("owner")[:1]
    )
    copies = list(
        visible_findings(user)
        .filter(national=national)
        .select_related("force")
        .annotate(
            action_count=Count("actions"),
            open_count=Count(
                "actions", filter=~Q(actions__status__in=Action.CLOSED_STATUSES)
            ),
            closed_count=Count(
                "actions", filter=Q(actions__status__in=Action.CLOSED_STATUSES)
            ),
            next_deadline=Min("actions__deadline", filter=unfinished),
            owner_id=Subquery(main_owner),
        )
        .order_by("force__kind", "force__name")
    )
    owners = User.objects.in_bulk({c.owner_id for c in copies if c.owner_id})
    return [(copy, owners.get(copy.owner_id)) for copy in copies]
