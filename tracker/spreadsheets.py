"""Excel workbooks people can work in, from sheets of typed columns.

Each data sheet gets its columns' widths, a bold header row that stays in view,
an auto-filter over its rows, real date cells in UK formats (moments in the time
of Europe/London), links that show a reference and open its page, and text that
can never run as a formula. A last sheet, "About this export", says what the
workbook is, how it was chosen, who made it and when, and how many rows it has.
Written in openpyxl's write-only mode: 50,000 rows stream through in little memory.

    workbook_response(request, "peel-actions.xlsx", [Sheet("Actions", columns, rows)],
                      about=[("What this is", "..."), ("Force", "Kent Police")])
"""

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any, Literal, NamedTuple

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from .formats import long_date, long_datetime

# text and wrapped: a string; date: a date; datetime: an aware datetime; integer;
# percent: a whole number of percent (40 for 40%), as the app keeps them; link: a Link.
Kind = Literal["text", "wrapped", "date", "datetime", "integer", "percent", "link"]

NUMBER_FORMATS = {
    "date": "d mmmm yyyy",  # 1 May 2017, as the pages write dates
    "datetime": "dd/mm/yyyy hh:mm",
    "integer": "#,##0",
    "percent": "0%",
}
MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The most a cell holds: Excel calls a workbook with a longer one damaged.
CELL_LIMIT = 32_767


@dataclass(frozen=True)
class Column:
    title: str
    width: float = 15  # in characters of the default font
    kind: Kind = "text"


class Link(NamedTuple):
    text: str  # what the cell shows, e.g. the action's reference
    url: str  # absolute: a link in a file has no page to be relative to


@dataclass
class Sheet:
    title: str  # at most 31 characters, Excel's limit
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]  # one value per column, None for an empty cell
    # The first cell that scrolls: "B2" keeps the first column in view as well.
    freeze: str = "A2"


def safe_text(value: str) -> str:
    """Text as a spreadsheet shows it and never runs: a leading =, +, -, @, tab or
    carriage return would make a title typed by a user a formula."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value)[:CELL_LIMIT]
    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value[: CELL_LIMIT - 1]
    return value


def write_workbook(
    target: IO[bytes] | HttpResponse,
    sheets: Sequence[Sheet],
    about: Sequence[tuple[str, Any]] = (),
) -> None:
    """Write the sheets, then "About this export" with `about` and the row counts."""
    workbook = Workbook(write_only=True)
    counts = [_write_sheet(workbook.create_sheet(s.title), s) for s in sheets]
    if len(sheets) == 1:
        rows = [("Rows", counts[0])]
    else:
        rows = [(f"Rows in {s.title}", n) for s, n in zip(sheets, counts, strict=True)]
    _write_about(workbook.create_sheet("About this export"), [*about, *rows])
    workbook.save(target)


def workbook_response(
    request: HttpRequest,
    filename: str,
    sheets: Sequence[Sheet],
    about: Sequence[tuple[str, Any]] = (),
) -> HttpResponse:
    """The workbook as a download, its About sheet saying who made it and when."""
    made = [
        *about,
        ("Made by", str(request.user)),
        ("Made on", long_datetime(timezone.now())),
    ]
    response = HttpResponse(content_type=MIMETYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    write_workbook(response, sheets, made)
    return response


def _write_sheet(sheet: WriteOnlyWorksheet, data: Sheet) -> int:
    makers = [_cell_maker(sheet, column.kind) for column in data.columns]
    # Widths and the frozen header are set before the first row: a write-only
    # sheet writes its columns' settings ahead of its rows.
    for number, column in enumerate(data.columns, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = column.width
    sheet.freeze_panes = data.freeze
    header = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    titles = []
    for column in data.columns:
        cell = WriteOnlyCell(sheet, column.title)
        cell.font, cell.alignment = header, wrap
        titles.append(cell)
    sheet.append(titles)
    count = 0
    for row in data.rows:
        sheet.append([make(value) for make, value in zip(makers, row, strict=True)])
        count += 1
    last = get_column_letter(len(data.columns))
    sheet.auto_filter.ref = f"A1:{last}{count + 1}"
    return count


def _cell_maker(sheet: WriteOnlyWorksheet, kind: Kind) -> Callable[[Any], Any]:
    """How a value of this kind becomes a cell: a plain value where the sheet's
    default style will do, else a styled cell (the style's lookup done once)."""
    local = timezone.get_current_timezone()

    def styled(**style: Any) -> Callable[[Any], Any]:
        template = WriteOnlyCell(sheet)
        for name, value in style.items():
            setattr(template, name, value)

        def make(value: Any) -> Any:
            if value is None:
                return None
            cell = WriteOnlyCell(sheet, value)
            cell._style = template._style  # the same style, looked up once
            return cell

        return make

    if kind == "text":
        return lambda value: safe_text(value) if isinstance(value, str) else value
    if kind == "wrapped":
        make_wrapped = styled(alignment=Alignment(wrap_text=True, vertical="top"))
        return lambda value: make_wrapped(safe_text(value) if value else None)
    if kind == "date":
        return styled(number_format=NUMBER_FORMATS["date"])
    if kind == "datetime":
        make_moment = styled(number_format=NUMBER_FORMATS["datetime"])
        # Excel has no time zones: a moment is written as London's clock read it.
        return lambda value: make_moment(
            value and value.astimezone(local).replace(tzinfo=None, microsecond=0)
        )
    if kind == "integer":
        return styled(number_format=NUMBER_FORMATS["integer"])
    if kind == "percent":
        make_percent = styled(number_format=NUMBER_FORMATS["percent"])
        return lambda value: make_percent(None if value is None else value / 100)
    if kind == "link":
        return _link_maker(sheet)
    raise ValueError(f"No such kind of column: {kind}")


def _link_maker(sheet: WriteOnlyWorksheet) -> Callable[[Link | None], Any]:
    template = WriteOnlyCell(sheet)
    template.style = "Hyperlink"  # Excel's own: blue and underlined

    def make(link: Link | None) -> Any:
        if link is None:
            return None
        cell = WriteOnlyCell(sheet, safe_text(link.text))
        cell._style = template._style
        cell.hyperlink = link.url
        return cell

    return make


def _write_about(sheet: WriteOnlyWorksheet, rows: Sequence[tuple[str, Any]]) -> None:
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 80
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for label, value in rows:
        key = WriteOnlyCell(sheet, safe_text(label))
        key.font, key.alignment = bold, wrap
        if isinstance(value, Link):
            shown = _link_maker(sheet)(value)
        else:
            if isinstance(value, datetime.datetime):
                value = long_datetime(value)
            elif isinstance(value, datetime.date):
                value = long_date(value)
            shown = WriteOnlyCell(
                sheet, safe_text(value) if isinstance(value, str) else value
            )
            shown.alignment = Alignment(
                wrap_text=True, vertical="top", horizontal="left"
            )
        sheet.append([key, shown])
