"""Reports drawn as PDFs for the tests, from their text, as the inspectorate lays them out.

Headings in bigger bold type, bullets hanging in from their text, a running header
("OFFICIAL" and the report's title), a footer with the page number ("Page 3 of 9" or a
bare "3"), and pages short enough that breaks fall inside paragraphs and list items.
Optionally a contents page, a footnote at the foot of each page, and in the text
"**...**" for a bold line of body type, "> ..." for a paragraph in bigger type, and
"a | b" for a table's row; bullets may be drawn as shapes, as browsers print them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from fpdf import FPDF

_MARKER_RE = re.compile(r"^(?P<indent>\s*)(?P<marker>[•\-]|\d{1,2}\.|\([a-z]\))\s+")
_QUESTION_RE = re.compile(r"^(?:How|To what extent)\b.*\?$")
_FINDINGS_RE = re.compile(
    r"^(?:Areas? for improvement|Causes? of concern|Recommendations?)$"
)


@dataclass
class Breaks:
    """Which kinds of block a page break fell inside, as the PDF was drawn."""

    kinds: set[str] = field(default_factory=set)


class ReportPdf(FPDF):
    """A report drawn as the inspectorate's PDFs are: running header, footer, page numbers."""

    def __init__(
        self,
        *,
        header_text: str,
        footer: str,
        height: float,
        footnotes: list[str] | None = None,
    ) -> None:
        super().__init__(format=(148, height))
        self.core_fonts_encoding = "windows-1252"  # ’, – and • in the core fonts
        self.header_text, self.footer_style = header_text, footer
        self.footnotes = footnotes or []
        self.set_margins(12, 14)
        self.set_auto_page_break(True, margin=16)

    def header(self) -> None:
        self.set_font("Helvetica", "", 7)
        self.set_y(5)
        self.cell(0, 3, "OFFICIAL", align="C", new_x="LMARGIN", new_y="NEXT")
        if self.header_text:
            self.cell(0, 3, self.header_text, new_x="LMARGIN", new_y="NEXT")
        self.set_y(14)

    def footer(self) -> None:
        self.set_font("Helvetica", "", 7)
        if self.footnotes:
            self.set_y(-15)
            footnote = self.footnotes[self.page_no() % len(self.footnotes)]
            self.cell(0, 3, f"{self.page_no()} {footnote}")
        self.set_y(-11)
        if self.footer_style == "page of":
            self.cell(0, 3, f"Page {self.page_no()} of {{nb}}", align="C")
        else:
            self.cell(0, 3, str(self.page_no()), align="R")


def report_pdf(
    text: str,
    *,
    header_text: str = "PEEL 2016: West Mercia Police effectiveness",
    footer: str = "page of",
    height: float = 150,
    breaks: Breaks | None = None,
    contents: list[str] | None = None,
    footnotes: list[str] | None = None,
    hang: float = 6,
    drawn_bullets: bool = False,
) -> bytes:
    """Draw a report's text as a PDF: headings in bigger bold type, bullets hanging."""
    pdf = ReportPdf(
        header_text=header_text, footer=footer, height=height, footnotes=footnotes
    )
    pdf.add_page()
    if contents:
        _heading(pdf, "Contents", 14)
        pdf.set_font("Helvetica", "", 10)
        for number, entry in enumerate(contents, 2):
            # the page number at the right, after dots or after a gap
            leader = f" {'.' * 20}" if number % 2 else ""
            pdf.cell(pdf.epw - 10, 6, entry + leader)
            pdf.cell(10, 6, str(number), align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.add_page()
    rows: list[list[str]] = []
    for raw in text.split("\n"):
        line = raw.rstrip()
        if " | " in line:  # a table's row, drawn when the table ends
            rows.append([cell.strip() for cell in line.split(" | ")])
            continue
        if rows:
            _table(pdf, rows)
            rows = []
        if not line.strip():
            pdf.ln(2.5)
            continue
        stripped = line.strip()
        if re.search(r"\bPEEL \d{4}$", stripped):
            _heading(pdf, stripped, 18)
        elif _QUESTION_RE.match(stripped) or stripped.startswith("Questions for"):
            _heading(pdf, stripped, 14)
        elif _FINDINGS_RE.match(stripped):
            _heading(pdf, stripped, 12)
        elif stripped.startswith("> "):
            pdf.set_font("Helvetica", "", 13)
            pdf.multi_cell(0, 6.5, stripped[2:], new_x="LMARGIN", new_y="NEXT")
        elif stripped.startswith("**") and stripped.endswith("**"):
            pdf.set_font("Helvetica", "B", 10)
            pdf.multi_cell(0, 5, stripped[2:-2], new_x="LMARGIN", new_y="NEXT")
        else:
            _body(pdf, line, breaks, hang, drawn_bullets)
    if rows:
        _table(pdf, rows)
    return bytes(pdf.output())


def _table(pdf: FPDF, rows: list[list[str]]) -> None:
    pdf.set_font("Helvetica", "", 10)
    columns = max(len(cells) for cells in rows)
    widths = (3,) + (1,) * (columns - 1)
    with pdf.table(col_widths=widths, first_row_as_headings=False) as table:
        for cells in rows:
            row = table.row()
            for cell in cells + [""] * (columns - len(cells)):
                row.cell(cell)


def broken_inside_a_list_item(text: str) -> bytes:
    """The text as a PDF whose page height puts a page break inside a list item."""
    for height in range(90, 200, 4):
        breaks = Breaks()
        data = report_pdf(text, height=height, breaks=breaks)
        if "list item" in breaks.kinds:
            return data
    raise AssertionError("no page height breaks a list item")


def _heading(pdf: FPDF, text: str, size: int) -> None:
    if pdf.get_y() + 30 > pdf.page_break_trigger:  # keep a heading with its text
        pdf.add_page()
    pdf.set_font("Helvetica", "B", size)
    pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5)


def _body(
    pdf: FPDF, line: str, breaks: Breaks | None, hang: float, drawn_bullets: bool
) -> None:
    pdf.set_font("Helvetica", "", 10)
    marker = _MARKER_RE.match(line)
    spaces = len(line) - len(line.lstrip())
    x = pdf.l_margin + 5 * min(spaces // 2, 6)
    text = line.strip()
    kind = "paragraph"
    if marker:
        kind = "list item"
        if pdf.get_y() + 5 > pdf.page_break_trigger:
            pdf.add_page()
        y = pdf.get_y()
        pdf.set_x(x)
        if drawn_bullets and marker.group("marker") == "•":
            # as a browser prints a list: a disc, and a ring for the next level
            pdf.circle(x + 0.3, y + 1.8, 0.7, style="F" if spaces <= 2 else "D")
        else:
            pdf.cell(hang - 1, 5, marker.group("marker"))
        pdf.set_xy(x + hang, y)
        text = line[marker.end() :]
        x += hang
    else:
        pdf.set_x(x)
    page = pdf.page_no()
    # multi_cell goes on at its x on the next page; the margin puts it back after.
    pdf.set_left_margin(x)
    pdf.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_left_margin(12)
    if breaks is not None and pdf.page_no() != page:
        breaks.kinds.add(kind)
