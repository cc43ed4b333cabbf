"""The workbook writer on its own: each kind of column as a spreadsheet reads it back."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from tracker.spreadsheets import CELL_LIMIT, Column, Link, Sheet, write_workbook

COLUMNS = [
    Column("Name", 20),
    Column("Notes", 40, "wrapped"),
    Column("Due", 18, "date"),
    Column("Changed", 18, "datetime"),
    Column("Count", 8, "integer"),
    Column("Done", 8, "percent"),
    Column("Page", 12, "link"),
]


def written(*sheets, about=()):
    target = io.BytesIO()
    write_workbook(target, sheets, about)
    return load_workbook(io.BytesIO(target.getvalue()))


def test_each_kind_of_cell_reads_back_as_written():
    summer = datetime.datetime(2026, 7, 1, 11, 30, 15, 500, tzinfo=datetime.UTC)
    row = [
        "Plan",
        "Line one\nline two",
        datetime.date(2017, 5, 1),
        summer,
        1234,
        40,
        Link("WMP-A7", "https://peel.example/actions/7/"),
    ]
    sheet = written(Sheet("Work", COLUMNS, [row, [None] * 7]))["Work"]
    name, notes, due, changed, count, done, page = sheet[2]
    assert notes.value == "Line one\nline two" and notes.alignment.wrap_text
    assert (due.value, due.number_format) == (
        datetime.datetime(2017, 5, 1),
        "d mmmm yyyy",
    )
    # London's clock in summer, to the minute as shown and the second as kept.
    assert changed.value == datetime.datetime(2026, 7, 1, 12, 30, 15)
    assert changed.number_format == "dd/mm/yyyy hh:mm"
    assert (count.value, count.number_format) == (1234, "#,##0")
    assert (done.value, done.number_format) == (0.4, "0%")
    assert (page.value, page.hyperlink.target) == (
        "WMP-A7",
        "https://peel.example/actions/7/",
    )
    assert [cell.value for cell in sheet[3]] == [None] * 7
    assert sheet[3][6].hyperlink is None
    assert sheet.auto_filter.ref == "A1:G3"


@pytest.mark.parametrize("typed", ["=1+1", "+44 1234", "-2", "@SUM(A1)", "\tx"])
def test_text_never_runs_as_a_formula_in_any_kind_of_text_cell(typed):
    sheet = written(
        Sheet(
            "T",
            [Column("A"), Column("B", kind="wrapped"), Column("C", kind="link")],
            [[typed, typed, Link(typed, "https://peel.example/")]],
        ),
        about=[("Search", typed)],
    )
    assert [cell.value for cell in sheet["T"][2]] == ["'" + typed] * 3
    assert sheet["About this export"]["B1"].value == "'" + typed


def test_text_a_spreadsheet_cannot_hold_is_made_safe_not_refused():
    pasted = "Minutes\x0b of the panel" + "x" * CELL_LIMIT
    sheet = written(Sheet("T", [Column("A")], [[pasted]]))["T"]
    value = sheet["A2"].value
    assert value.startswith("Minutes of the panel") and len(value) == CELL_LIMIT


def test_the_about_sheet_comes_last_and_counts_each_sheets_rows():
    workbook = written(
        Sheet("Forces", [Column("Force")], [["Kent"], ["Essex"]]),
        Sheet("Themes", [Column("Theme")], []),
        about=[("What this is", "A test")],
    )
    assert workbook.sheetnames == ["Forces", "Themes", "About this export"]
    assert list(workbook["About this export"].values) == [
        ("What this is", "A test"),
        ("Rows in Forces", 2),
        ("Rows in Themes", 0),
    ]
    # An empty sheet keeps its header, its filter and its frozen row.
    themes = workbook["Themes"]
    assert (themes.auto_filter.ref, themes.freeze_panes) == ("A1:A1", "A2")


def test_an_unknown_kind_of_column_is_refused_before_anything_is_written():
    with pytest.raises(ValueError, match="money"):
        written(Sheet("T", [Column("A", kind="money")], [[1]]))  # type: ignore[arg-type]
