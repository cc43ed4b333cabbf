"""The pages the benchmark measures, who asks for them, and how a request is counted.

Importable wherever Django is set up (the benchmark's process, the test suite): it
only reads the database to choose the people and the rows to ask about.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench import ADMIN
from tracker.models import Action, Force, Inspection, Role, User

EXPORT_ROWS = 5000


@dataclass(frozen=True)
class Page:
    name: str
    who: str  # a key of World.people
    url: str
    rows: int | None = None  # for exports: how many rows the response carries


@dataclass
class World:
    """The people and rows the pages are asked about: the busiest of each, for a worst case."""

    people: dict[str, User]
    force: Force
    inspection: Inspection
    action: Action
    export_before: str  # ISO date: actions due by then number about EXPORT_ROWS
    export_rows: int

    @classmethod
    def choose(cls) -> World:
        force_id = (
            Action.objects.values("force")
            .annotate(n=Count("pk"))
            .order_by("-n", "force")
            .values_list("force", flat=True)
            .first()
        )
        force = Force.objects.get(pk=force_id)
        lead = (
            User.objects.filter(force=force, role=Role.FORCE_LEAD, is_active=True)
            .order_by("pk")
            .first()
        )
        staff = (
            User.objects.filter(force=force, role=Role.FORCE_STAFF, is_active=True)
            .annotate(
                open_owned=Count(
                    "owned_actions",
                    filter=Q(owned_actions__status__in=Action.UNFINISHED_STATUSES),
                )
            )
            .order_by("-open_owned", "pk")
            .first()
        )
        inspector = (
            User.objects.filter(role=Role.INSPECTOR, is_active=True)
            .order_by("pk")
            .first()
        )
        admin = (
            User.objects.filter(is_superuser=True, is_active=True)
            .order_by("pk")
            .first()
        )
        inspection = (
            Inspection.objects.annotate(n=Count("actions")).order_by("-n", "pk").first()
        )
        action = (
            Action.objects.filter(parent=None, finding__isnull=False)
            .annotate(n=Count("children"))
            .order_by("-n", "pk")
            .first()
        )
        people = {
            "force staff": staff,
            "force lead": lead,
            "inspector": inspector,
            "admin": admin,
            "inspection lead": _lead_of(inspection.force_id),
            "action lead": _lead_of(action.force_id),
        }
        dated = Action.objects.filter(deadline__isnull=False).order_by("deadline", "pk")
        before = dated.values_list("deadline", flat=True)[
            EXPORT_ROWS - 1 : EXPORT_ROWS
        ].first()
        if before is None:
            before = dated.values_list("deadline", flat=True).last()
        return cls(
            people=people,
            force=force,
            inspection=inspection,
            action=action,
            export_before=before.isoformat(),
            export_rows=dated.filter(deadline__lte=before).count(),
        )

    def pages(self) -> list[Page]:
        return [
            Page("home: force staff", "force staff", "/"),
            Page("home: force lead", "force lead", "/"),
            Page("home: inspector", "inspector", "/"),
            Page("force", "force lead", self.force.get_absolute_url()),
            Page("inspection", "inspection lead", self.inspection.get_absolute_url()),
            Page("action list", "inspector", "/actions/"),
            Page(
                "action list: filtered",
                "inspector",
                "/actions/?status=in_progress&overdue=on",
            ),
            Page("action list: last page", "inspector", "/actions/?page=last"),
            Page("action", "action lead", self.action.get_absolute_url()),
            Page("national", "inspector", "/national/"),
            Page(
                "csv export",
                "inspector",
                f"/actions/export.csv?due_before={self.export_before}",
                rows=self.export_rows,
            ),
            Page(
                "xlsx export",
                "inspector",
                f"/actions/export.xlsx?due_before={self.export_before}",
                rows=self.export_rows,
            ),
            Page(ADMIN, "admin", "/admin/tracker/action/"),
        ]

    def clients(self) -> dict[str, Client]:
        clients = {}
        for who, person in self.people.items():
            client = Client()
            client.force_login(person)
            clients[who] = client
        return clients


def _lead_of(force_id: int) -> User:
    return (
        User.objects.filter(force_id=force_id, role=Role.FORCE_LEAD, is_active=True)
        .order_by("pk")
        .first()
    )


def get(client: Client, url: str) -> int:
    """Ask for a page and read all of it (a streamed export too); return its size in bytes."""
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    if response.streaming:
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def count_queries(client: Client, url: str) -> tuple[int, list[str]]:
    """The queries of one request with nothing cached: the most a request costs."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        get(client, url)
    return len(queries), [query["sql"] for query in queries.captured_queries]


def list_rows_sql(statements: list[str]) -> str:
    """Of the list page's queries, the one that fetches the page's actions with their columns."""
    candidates = [
        sql
        for sql in statements
        if sql.startswith("SELECT")
        and 'FROM "tracker_action"' in sql
        and '"tracker_action"."title"' in sql
    ]
    if len(candidates) != 1:
        raise RuntimeError(
            f"Expected one row query on the list page, found {len(candidates)}."
        )
    return candidates[0]


def time_raw_sql(sql: str) -> float:
    """Seconds to run one statement and fetch every row, through Django's connection."""
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(sql)
        cursor.fetchall()
        return time.perf_counter() - started
