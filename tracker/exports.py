"""The action list as CSV and as an Excel workbook: the same rows, streamed."""

import csv
import datetime
from collections.abc import Iterator

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .models import Action, Finding, rag_label

HEADERS = [
    "Finding reference",
    "Force",
    "Inspection",
    "Programme",
    "Finding kind",
    "Action",
    "Parent action",
    "Owner",
    "Deadline",
    "Deadline set by",
    "Deadline wording",
    "Status",
    "Percent complete",
    "Rating",
    "Last updated",
]


_COLUMNS = [
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
    "updated_at",
]
_KINDS = dict(Finding.Kind.choices)
_SET_BY = dict(Action.DeadlineSetBy.choices)
_STATUSES = dict(Action.Status.choices)


def export_queryset(queryset):
    # Plain tuples, not model instances: a 5,000-row export builds no objects.
    return queryset.with_rag().values_list(*_COLUMNS)


def _rows(rows) -> Iterator[list]:
    # Looked up once: asking for the current time zone per row was a third of a
    # 5,000-row export.
    local = timezone.get_current_timezone()
    for (
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
        updated,
    ) in rows:
        # As User.__str__ says it: the full name, else the email; empty when unassigned.
        owner = " ".join(part for part in (first, last) if part) or email or ""
        yield [
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
            updated.astimezone(local).replace(tzinfo=None, microsecond=0),
        ]


def _safe_cell(value):
    # A spreadsheet runs text that starts with these as a formula: never let
    # a title typed by a user become one.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _csv_cell(value):
    if isinstance(value, str):
        return _safe_cell(value)
    if isinstance(value, datetime.date):  # dates and datetimes, as ISO 8601
        return value.isoformat()
    return value


class _Echo:
    def write(self, value):
        return value


def _filename(extension: str) -> str:
    return f"peel-actions-{timezone.localdate():%Y-%m-%d}.{extension}"


def csv_response(queryset) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # so that Excel opens the file as UTF-8
        yield writer.writerow(HEADERS)
        # Streamed 500 rows at a time: a chunk per row costs more than the row.
        chunk = []
        for row in _rows(export_queryset(queryset).iterator(chunk_size=2000)):
            chunk.append(writer.writerow([_csv_cell(value) for value in row]))
            if len(chunk) == 500:
                yield "".join(chunk)
                chunk = []
        yield "".join(chunk)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


def xlsx_response(queryset) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Actions")
    bold = Font(bold=True)
    header = []
    for title in HEADERS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in _rows(export_queryset(queryset).iterator(chunk_size=2000)):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=_safe_cell(value))
            if isinstance(value, datetime.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        sheet.append(cells)
    response = HttpResponse(
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("xlsx")}"'
    workbook.save(response)
    return response
