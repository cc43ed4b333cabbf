"""Packs as Word documents: A4, the marking in the header and the footer, page
numbers, real headings (for the navigation pane and screen readers) and tables
whose header row is marked as one and repeats on each page."""

import io

from django.utils import timezone
from django.utils.text import Truncator
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from ..formats import long_date, long_datetime
from ..models import Finding


def _date(day) -> str:
    return long_date(day) if day else "None"


def _day(moment) -> str:
    """The day of a moment, as it was in London."""
    return long_date(timezone.localdate(moment))


def _clean(text: str) -> str:
    """Text Word's XML can hold: a line break pasted from Word (vertical tab), a
    page break kept from a PDF (form feed) and other control characters go."""
    return ILLEGAL_CHARACTERS_RE.sub(" ", str(text))


def _field(paragraph, instruction: str) -> None:
    """A field Word fills in as it lays out the pages, such as PAGE."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


class WordDocument:
    """A document under way, with the few things a pack is made of."""

    def __init__(self, title: str, marking: str):
        self.document = Document()
        self.document.core_properties.title = title
        self.document.core_properties.author = "PEEL action tracker"
        self.document.core_properties.language = "en-GB"
        style = self.document.styles["Normal"]
        style.font.name = "Arial"
        style.font.size = Pt(10.5)
        section = self.document.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        for side in ("left_margin", "right_margin"):
            setattr(section, side, Mm(16))
        section.top_margin = section.bottom_margin = Mm(22)
        header = section.header.paragraphs[0]
        header.alignment = WD_ALIGN_PARAGRAPH.CENTER
        header.add_run(marking).bold = True
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        footer.add_run(marking).bold = True
        numbers = section.footer.add_paragraph()
        numbers.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        numbers.add_run("Page ")
        _field(numbers, "PAGE")
        numbers.add_run(" of ")
        _field(numbers, "NUMPAGES")

    def heading(self, text: str, level: int) -> None:
        self.document.add_heading(_clean(text), level=level)

    def para(self, text: str = "", *, bold: str = "", italic: bool = False):
        paragraph = self.document.add_paragraph()
        if bold:
            paragraph.add_run(_clean(bold)).bold = True
        run = paragraph.add_run(_clean(text))
        run.italic = italic
        return paragraph

    def bullet(self, text: str) -> None:
        self.document.add_paragraph(_clean(text), style="List Bullet")

    def quote(self, text: str) -> None:
        self.document.add_paragraph(_clean(text), style="Quote")

    def table(self, headers: list[str], rows: list[list[str]], title: str) -> None:
        table = self.document.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        # The table's name for screen readers (Word's "alt text" title).
        caption = OxmlElement("w:tblCaption")
        caption.set(qn("w:val"), _clean(title))
        table._tbl.tblPr.append(caption)
        head = table.rows[0]
        properties = head._tr.get_or_add_trPr()
        for tag in ("w:tblHeader", "w:cantSplit"):
            properties.append(OxmlElement(tag))  # a header row, repeated on each page
        for cell, text in zip(head.cells, headers, strict=True):
            cell.paragraphs[0].add_run(_clean(text)).bold = True
        for values in rows:
            row = table.add_row()
            row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = _clean(value)
        self.document.add_paragraph()

    def table_or_none(
        self, headers: list[str], rows: list[list[str]], title: str, *, none: str
    ) -> None:
        """The table, or the sentence that says there is nothing to put in it."""
        if rows:
            self.table(headers, rows, title)
        else:
            self.para(none, italic=True)

    def page_break(self) -> None:
        self.document.add_page_break()

    def bytes(self) -> bytes:
        out = io.BytesIO()
        self.document.save(out)
        return out.getvalue()


def _action_cells(action) -> list[str]:
    """An action as the pack's tables name it: reference and title, finding, owner."""
    return [
        f"{action.reference} {action.title}",
        action.finding.reference if action.finding else "Whole report",
        str(action.owner or "Not assigned"),
    ]


def _short(text: str, length: int) -> str:
    return Truncator(text or "").chars(length)


def pack_docx(pack, request) -> bytes:
    site = request.build_absolute_uri("/").rstrip("/")
    paper = WordDocument(f"{pack.title}", pack.marking)
    paper.para(bold=pack.marking)
    paper.document.add_heading(
        "Inspection pack" if pack.inspection else "Committee pack", level=0
    )
    paper.para(
        bold=pack.force.name,
        text=f": {pack.inspection.title}" if pack.inspection else "",
    )
    paper.para(
        f"Period: {long_date(pack.period.start)} to {long_date(pack.period.end)}"
    )
    paper.para(
        f"Made on {long_datetime(pack.made_at)} by {pack.made_by} "
        f"({pack.made_by.get_role_display().lower()}). The figures are as they stood "
        "then; the period says which changes are reported."
    )
    paper.heading("At a glance", 1)
    for line in (
        f"{pack.open_count:,} open action{'s' if pack.open_count != 1 else ''} on "
        f"{pack.open_findings:,} open finding{'s' if pack.open_findings != 1 else ''}",
        f"{pack.summary['red']:,} overdue (red), {pack.summary['amber']:,} due within "
        "14 days (amber)",
        f"In the period: {len(pack.closed):,} closed, {len(pack.newly_overdue):,} newly "
        f"overdue, {len(pack.new_findings):,} new finding"
        f"{'s' if len(pack.new_findings) != 1 else ''}",
    ):
        paper.bullet(line)
    if pack.previous:
        paper.para(
            f"The last pack was made on {long_datetime(pack.previous.made_at)}, for "
            f"{long_date(pack.previous.period_start)} to {long_date(pack.previous.period_end)}."
        )
    else:
        paper.para("This is the first pack made for it in the tracker.")
    paper.page_break()

    paper.heading("Where the actions stand", 1)
    paper.para(
        bold=f"{pack.open_count:,} open action{'s' if pack.open_count != 1 else ''}",
        text=f" of {pack.summary['total']:,}, on {pack.open_findings:,} open "
        f"finding{'s' if pack.open_findings != 1 else ''}.",
    )
    paper.table(
        ["Where the action is", "Actions"],
        [[label, f"{count:,}"] for label, count in pack.terms],
        "The actions in the committee's terms",
    )
    summary = pack.summary
    paper.table(
        ["Rating", "Actions"],
        [
            ["Red: overdue", f"{summary['red']:,}"],
            ["Amber: due within 14 days", f"{summary['amber']:,}"],
            ["Green: on track", f"{summary['green']:,}"],
            ["Done late, awaiting sign-off", f"{summary['done_late']:,}"],
            ["Closed (signed off or withdrawn)", f"{summary['closed']:,}"],
        ],
        "Red, amber and green",
    )

    paper.heading("What changed in the period", 1)
    if pack.nothing_changed:
        paper.para(
            "Nothing changed in this period: no action was closed, none became overdue, "
            "no finding was published or added, no closure was asked for or decided and no "
            "deadline moved.",
            italic=True,
        )
    paper.heading("Closed", 2)
    paper.table_or_none(
        ["Action", "Finding", "Owner", "Now"],
        [[*_action_cells(a), a.get_status_display()] for a in pack.closed],
        "Actions closed in the period",
        none="No action was closed in the period.",
    )
    paper.heading("Newly overdue", 2)
    paper.table_or_none(
        ["Action", "Finding", "Owner", "Deadline", "Status"],
        [
            [*_action_cells(a), _date(a.deadline), a.get_status_display()]
            for a in pack.newly_overdue
        ],
        "Actions that became overdue in the period",
        none="No action became overdue in the period.",
    )
    paper.heading("New findings", 2)
    paper.table_or_none(
        ["Reference", "Kind", "Report", "Published"],
        [
            [
                f.reference,
                f.get_kind_display(),
                f.inspection.title,
                long_date(f.inspection.published_on)
                if f.inspection.published_on
                else "Not stated",
            ]
            for f in pack.new_findings
        ],
        "Findings published or added to the tracker in the period",
        none="No finding was published or added to the tracker in the period.",
    )

    paper.heading("Open findings and their actions", 1)
    for section in pack.sections:
        inspection = section.inspection
        paper.heading(inspection.title, 2)
        about = inspection.programme
        if inspection.published_on:
            about += f", published {long_date(inspection.published_on)}"
        paper.para(about + ".")
        for item in section.findings:
            finding: Finding = item.finding
            paper.heading(
                f"{finding.reference}: {finding.get_kind_display()} "
                f"({finding.get_status_display().lower()})",
                3,
            )
            paper.quote(_short(finding.text, 600))
            if item.actions:
                paper.table(
                    ["Action", "Owner", "Deadline", "Rating", "Latest update"],
                    [
                        [
                            ("    " * line.depth)
                            + f"{line.action.reference} {line.action.title} "
                            f"({line.action.get_status_display()})",
                            str(line.action.owner or "Not assigned"),
                            _date(line.action.deadline),
                            line.rating,
                            f"{_day(line.action.latest_at)}: "
                            f"{_short(line.action.latest_text, 300)}"
                            if line.action.latest_at
                            else "No update yet",
                        ]
                        for line in item.actions
                    ],
                    f"Actions on {finding.reference}",
                )
            else:
                paper.para("No action is planned for this finding yet.", italic=True)
    if not pack.sections:
        paper.para("There are no open findings.", italic=True)

    paper.heading("Closure requests and their outcomes", 1)
    paper.table_or_none(
        ["Day", "Finding", "What happened", "By", "Words"],
        [
            [
                _day(e.created_at),
                e.finding.reference,
                e.get_kind_display(),
                str(e.author or ""),
                _short(e.text, 300),
            ]
            for e in pack.closure_events
        ],
        "Closure requests and decisions in the period",
        none="No closure was asked for or decided in the period.",
    )

    paper.heading("Deadline changes", 1)
    paper.table_or_none(
        ["Day", "Action", "From", "To", "By"],
        [
            [
                _day(m.moved_at),
                f"{m.action.reference} {m.action.title}",
                _date(m.old),
                _date(m.new),
                m.by,
            ]
            for m in pack.deadline_moves
        ],
        "Deadlines moved in the period",
        none="No deadline moved in the period.",
    )
    if pack.deadline_requests:
        paper.heading("Requests to the inspectorate to move a deadline", 2)
        paper.table(
            ["Asked", "Action", "From", "To", "Outcome"],
            [
                [
                    f"{_day(c.created_at)} by {c.requested_by}",
                    f"{c.action.reference} {c.action.title}",
                    _date(c.current_deadline),
                    _date(c.new_deadline),
                    c.get_status_display()
                    + (f" on {_day(c.decided_at)}" if c.decided_at else ""),
                ]
                for c in pack.deadline_requests
            ],
            "Deadline change requests in the period",
        )

    paper.heading("The police and crime commissioner's response", 1)
    paper.para(
        "The commissioner publishes comments on each report within 56 days of its "
        f"publication. Reports published in the year to {long_date(pack.period.end)}:"
    )
    paper.table_or_none(
        ["Report", "Published", "Response due", "Where it stands"],
        [
            [
                c.inspection.title,
                _date(c.inspection.published_on),
                _date(c.due),
                c.state,
            ]
            for c in pack.pcc
        ],
        "The commissioner's response to recent reports",
        none="No report was published in that year.",
    )
    paper.para(f"Made with the PEEL action tracker: {site}")
    return paper.bytes()


def brief_docx(brief, request) -> bytes:
    paper = WordDocument(brief.title, brief.marking)
    paper.para(bold=brief.marking)
    paper.document.add_heading("National brief", level=0)
    paper.para(f"Made on {long_datetime(brief.made_at)}.")
    paper.heading("Every force against finding and action status", 1)
    paper.table(*_brief_table(brief), "Every force's findings and actions")
    paper.heading("How long open findings have been open", 1)
    paper.para("By the date of the report that made each finding.")
    ages = ["under_6_months", "6_to_12_months", "1_to_2_years", "over_2_years"]
    paper.table(
        ["Force", "Under 6 months", "6 to 12 months", "1 to 2 years", "Over 2 years"],
        [
            [row["force"].name, *(f"{row['findings'].get(age, 0):,}" for age in ages)]
            for row in brief.forces
        ]
        + [["All forces", *(f"{brief.totals['findings'][age]:,}" for age in ages)]],
        "Open findings by age",
    )
    if brief.theme is not None:
        _theme_docx(paper, brief)
    return paper.bytes()


BRIEF_HEADERS = [
    "Force",
    "Findings",
    "Open",
    "Complete",
    "Open over 2 years",
    "Actions",
    "Closed",
    "Overdue (share of open)",
]


def _brief_table(brief) -> tuple[list[str], list[list[str]]]:
    rows = []
    for row in brief.forces:
        found, done = row["findings"], row["actions"]
        rows.append(
            [
                row["force"].name,
                f"{found.get('total', 0):,}",
                f"{row['open_findings']:,}",
                f"{found.get(Finding.Status.COMPLETE, 0):,} ({row['complete_percent']}%)",
                f"{found.get('over_2_years', 0):,}",
                f"{done.get('total', 0):,}",
                f"{done.get('closed', 0):,} ({row['closed_percent']}%)",
                f"{done.get('overdue', 0):,} ({row['overdue_percent']}%)",
            ]
        )
    found, done = brief.totals["findings"], brief.totals["actions"]
    rows.append(
        [
            "All forces",
            f"{found['total']:,}",
            f"{brief.open_findings:,}",
            f"{found[Finding.Status.COMPLETE]:,} ({brief.complete_percent}%)",
            f"{found['over_2_years']:,}",
            f"{done['total']:,}",
            f"{done['closed']:,} ({brief.closed_percent}%)",
            f"{done['overdue']:,} ({brief.overdue_percent}%)",
        ]
    )
    return BRIEF_HEADERS, rows


def _theme_docx(paper: WordDocument, brief) -> None:
    paper.heading(f"One theme across forces: {brief.theme.name}", 1)
    rows = []
    for row in brief.theme_rows:
        for finding in row.findings:
            rows.append(
                [
                    row.force.name,
                    finding.reference,
                    _short(finding.text, 200),
                    finding.get_status_display(),
                    f"{finding.closed_count:,} of {finding.action_count:,} closed",
                ]
            )
    if rows:
        paper.table(
            ["Force", "Finding", "Words", "Status", "Actions"],
            rows,
            f"Findings on {brief.theme.name}",
        )
    without = brief.forces_without_theme
    paper.heading("Forces with no finding on this theme", 2)
    paper.para(
        ", ".join(force.name for force in without)
        if without
        else "Every force has a finding on it."
    )
