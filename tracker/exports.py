"""The action list as CSV and as an Excel workbook: the same rows, streamed."""

import csv
import datetime
from collections.abc import Iterable, Iterator

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .models import Action, Rag

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


def export_queryset(queryset):
    return queryset.select_related(
        "force", "inspection", "finding", "owner", "parent"
    ).with_rag()


def _rows(actions: Iterable[Action]) -> Iterator[list]:
    for action in actions:
        yield [
            action.finding.reference if action.finding else "",
            action.force.name,
            action.inspection.title,
            action.inspection.programme,
            action.finding.get_kind_display() if action.finding else "Whole report",
            action.title,
            action.parent.title if action.parent else "",
            str(action.owner) if action.owner else "",
            action.deadline,
            action.get_deadline_set_by_display(),
            action.deadline_wording,
            action.get_status_display(),
            action.percent_complete,
            Rag(action.rag).label,
            timezone.localtime(action.updated_at).replace(tzinfo=None, microsecond=0),
        ]


def _safe_cell(value):
    # A spreadsheet runs text that starts with these as a formula: never let
    # a title typed by a user become one.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
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
        for row in _rows(export_queryset(queryset).iterator(chunk_size=2000)):
            yield writer.writerow(
                [
                    value.isoformat()
                    if isinstance(value, datetime.date)
                    else _safe_cell(value)
                    for value in row
                ]
            )

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
