"""The action list as CSV and as an Excel workbook: the same rows, the same columns.

Each row is one action with its reference (linked to its page), and the latest
update on its work with the day it was written, read in the same one query as
the rest: 5,000 rows or 50,000, a fixed number of queries.
"""

import csv
import datetime
from collections.abc import Iterator

from django.db.models import OuterRef, Subquery
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from .models import Action, Finding, ProgressUpdate, action_reference, rag_label
from .selectors.packs import WORK_KINDS
from .spreadsheets import Column, Link, Sheet, safe_text, workbook_response

COLUMNS = [
    Column("Reference", 13, "link"),
    Column("Finding reference", 24),
    Column("Force", 24),
    Column("Inspection", 40, "wrapped"),
    Column("Programme", 14),
    Column("Finding kind", 22),
    Column("Action", 50, "wrapped"),
    Column("Parent action", 30, "wrapped"),
    Column("Owner", 24),
    Column("Deadline", 18, "date"),
    Column("Deadline set by", 14),
    Column("Deadline wording", 24, "wrapped"),
    Column("Status", 24),
    Column("Percent complete", 11, "percent"),
    Column("Rating", 26, "wrapped"),
    Column("Latest update", 60, "wrapped"),
    Column("Latest update on", 18, "date"),
    Column("Last updated", 18, "datetime"),
]
# CSV has no links: the reference's address is a column of its own after it.
HEADERS = ["Reference", "Link", *(column.title for column in COLUMNS[1:])]

_COLUMNS = [
    "pk",
    "force__code",
    "finding__reference",
    "force__name",
    "inspection__title",
    "inspection__programme",
    "finding__kind",
    "title",
    "parent__title",
    "owner__first_name",
    "owner__last_name",
    "owner__email",
    "deadline",
    "deadline_set_by",
    "deadline_wording",
    "status",
    "percent_complete",
    "rag",
    "done_on",
    "latest_text",
    "latest_at",
    "updated_at",
]
_KINDS = dict(Finding.Kind.choices)
_SET_BY = dict(Action.DeadlineSetBy.choices)
_STATUSES = dict(Action.Status.choices)
_SENTINEL = 918273645


def _latest_work(field: str) -> Subquery:
    # The last word on the work, as the closure pack reads it: the newest update
    # that reports the work and says something (a move's empty entry says nothing).
    return Subquery(
        ProgressUpdate.objects.filter(action=OuterRef("pk"), kind__in=WORK_KINDS)
        .exclude(text="")
        .order_by("-created_at", "-pk")
        .values(field)[:1]
    )


def export_queryset(queryset):
    # Plain tuples, not model instances: a 5,000-row export builds no objects.
    return (
        queryset.with_rag()
        .annotate(
            latest_text=_latest_work("text"), latest_at=_latest_work("created_at")
        )
        .values_list(*_COLUMNS)
    )


def _rows(request, queryset) -> Iterator[list]:
    # Looked up once: asking for the current time zone per row was a third of a
    # 5,000-row export.
    local = timezone.get_current_timezone()
    # An action's address, reversed once: reversing it per row was a fifth of the
    # time of a 50,000-row export.
    before, after = request.build_absolute_uri(
        reverse("tracker:action-detail", args=[_SENTINEL])
    ).split(str(_SENTINEL))
    for (
        pk,
        code,
        reference,
        force,
        inspection,
        programme,
        kind,
        title,
        parent,
        first,
        last,
        email,
        deadline,
        set_by,
        wording,
        status,
        percent,
        rag,
        done_on,
        latest_text,
        latest_at,
        updated,
    ) in export_queryset(queryset).iterator(chunk_size=2000):
        # As User.__str__ says it: the full name, else the email; empty when unassigned.
        owner = " ".join(part for part in (first, last) if part) or email or ""
        yield [
            Link(action_reference(code, pk), f"{before}{pk}{after}"),
            reference or "",
            force,
            inspection,
            programme,
            _KINDS[kind] if kind else "Whole report",
            title,
            parent or "",
            owner,
            deadline,
            _SET_BY.get(set_by, set_by),
            wording,
            _STATUSES.get(status, status),
            percent,
            rag_label(rag, deadline, done_on),
            latest_text or "",
            latest_at and latest_at.astimezone(local).date(),
            updated,
        ]


def _csv_cells(row: list) -> list:
    local = timezone.get_current_timezone()
    cells: list = []
    for value in row:
        if isinstance(value, Link):
            cells += [safe_text(value.text), value.url]
        elif isinstance(value, str):
            cells.append(safe_text(value))
        elif isinstance(value, datetime.datetime):  # London's clock, to the second
            cells.append(value.astimezone(local).replace(tzinfo=None, microsecond=0))
        else:
            cells.append(value)
    # Dates and moments as ISO 8601: what a program reading a CSV expects.
    return [v.isoformat() if isinstance(v, datetime.date) else v for v in cells]


class _Echo:
    def write(self, value):
        return value


def _filename(extension: str) -> str:
    return f"peel-actions-{timezone.localdate():%Y-%m-%d}.{extension}"


def csv_response(request, queryset) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # so that Excel opens the file as UTF-8
        yield writer.writerow(HEADERS)
        # Streamed 500 rows at a time: a chunk per row costs more than the row.
        chunk = []
        for row in _rows(request, queryset):
            chunk.append(writer.writerow(_csv_cells(row)))
            if len(chunk) == 500:
                yield "".join(chunk)
                chunk = []
        yield "".join(chunk)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


def xlsx_response(request, action_filter):
    """The workbook: the actions, then what they are and how they were chosen."""
    user = request.user
    list_address = request.build_absolute_uri(reverse("tracker:action-list"))
    if request.GET:
        list_address += "?" + request.GET.urlencode()
    about = [
        (
            "What this is",
            "Actions from the PEEL action tracker's action list: every action you "
            "may see that matches the filters below, in the list's order. Each "
            "reference opens the action's page.",
        ),
        *([("Force", str(user.force))] if user.force_id else []),
        *action_filter.in_words(),
        (
            "The same list",
            Link("Open the action list with these filters", list_address),
        ),
    ]
    sheet = Sheet("Actions", COLUMNS, _rows(request, action_filter.qs))
    return workbook_response(request, _filename("xlsx"), [sheet], about)
