"""PDF reports: the text layer read as the text is, headers and footers dropped."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from fpdf import FPDF
from PIL import Image
from pypdf import PdfReader

from tests.pdf_support import Breaks, broken_inside_a_list_item, report_pdf
from tracker.importer import ReportParseError, parse_report
from tracker.importer.pdf import pdf_to_lines
from tracker.importer.source import MAX_BYTES
from tracker.models import Force, Inspection

REPORTS = Path(__file__).parent / "reports"
SAMPLE = REPORTS / "west-mercia-peel-2016-effectiveness.txt"


def without_places(value):
    """to_dict() output without line and page numbers, which differ by format."""
    if isinstance(value, dict):
        return {
            k: without_places(v) for k, v in value.items() if k not in ("line", "page")
        }
    if isinstance(value, list):
        return [without_places(item) for item in value]
    return value


def one_question(body: str) -> str:
    return (
        "Wessex Police PEEL 2017\n\nPublished 1 March 2017\n\n"
        f"How effective is the force at keeping people safe?\n\nGood\n\n{body}\n"
    )


# The sample report as a PDF ---------------------------------------------------------


@pytest.fixture(scope="module")
def sample_text():
    return SAMPLE.read_text(encoding="utf-8")


def test_a_pdf_of_the_sample_reads_exactly_like_its_text(sample_text):
    breaks = Breaks()
    data = report_pdf(sample_text, breaks=breaks)
    # The drawing broke pages inside a paragraph and inside a list item.
    assert breaks.kinds == {"paragraph", "list item"}
    from_pdf = parse_report(data, filename="report.pdf").to_dict()
    from_text = parse_report(sample_text).to_dict()
    assert from_pdf["warnings"] == from_text["warnings"] == []
    assert without_places(from_pdf) == without_places(from_text)


def page_of(data: bytes, words: str) -> int:
    """The one page of the PDF whose text starts the words (pypdf's plain reading)."""
    pages = [
        " ".join(page.extract_text().split())
        for page in PdfReader(io.BytesIO(data)).pages
    ]
    (number,) = [n for n, text in enumerate(pages, 1) if words in text]
    return number


def test_each_finding_and_sub_item_has_the_page_it_starts_on(sample_text):
    data = report_pdf(sample_text)
    report = parse_report(data)
    findings = [f for q in report.questions for f in q.findings]
    places = [(f.page, page_of(data, f.text[:60])) for f in findings]
    (plan,) = [f for f in findings if f.children]
    places += [(item.page, page_of(data, item.text[:60])) for item in plan.children]
    assert [page for page, _ in places] == [page for _, page in places]
    assert len({f.line for f in findings}) == len(findings)
    assert len({page for page, _ in places}) > 2  # spread over several pages


def test_a_finding_after_pages_of_narrative_has_its_page():
    body = (
        "Areas for improvement\n\n"
        "  • The force should review its call handling.\n"
        "  • The force should train its staff in safeguarding.\n"
    )
    padding = "\n\n".join(
        f"Paragraph {n} says what the inspection found about the force’s work."
        for n in range(30)
    )
    data = report_pdf(one_question(padding + "\n\n" + body))
    first, second = parse_report(data).questions[0].findings
    assert first.text == "The force should review its call handling."
    assert first.page == page_of(data, "The force should review its call") > 1
    assert first.to_dict()["page"] == first.page


# Page breaks, numbered lists, causes of concern -------------------------------------


LONG = (
    "The force should make sure that its officers and staff understand the "
    "procedures for recording crime and that its supervisors check them, so that "
    "victims receive the service they should, and it should report its progress to "
    "the police and crime commissioner every quarter until the work is done."
)


def test_a_cause_of_concern_and_its_numbered_recommendations_across_page_breaks():
    body = (
        "Cause of concern\n\n"
        "The force does not understand the demand it faces from vulnerable victims, "
        "and it cannot show that its response to them is consistent. "
        + " ".join(["This puts victims at risk."] * 8)
        + "\n\nTo address this cause of concern, we recommend that the force:\n"
        + "\n".join(
            f"  {n}. {LONG.replace('The force', f'Step {n}: the force')}"
            for n in range(1, 6)
        )
        + "\n"
    )
    report = parse_report(broken_inside_a_list_item(one_question(body)))
    (cause,) = report.questions[0].findings
    assert cause.kind == "cause_of_concern"
    assert cause.text.startswith("The force does not understand the demand")
    # the lead-in introduces the recommendations: it is not the cause's words
    assert cause.text.endswith("This puts victims at risk.")
    assert [r.kind for r in cause.recommendations] == ["recommendation"] * 5
    assert [r.text for r in cause.recommendations] == [
        LONG.replace("The force", f"Step {n}: the force") for n in range(1, 6)
    ]
    pages = [r.page for r in cause.recommendations]
    assert pages == sorted(pages) and pages[0] < pages[-1]


def test_numbered_sub_items_and_a_lead_in_deadline_across_a_page_break():
    items = "\n".join(
        f"    ({letter}) {LONG.replace('The force', 'it')}" for letter in "abcd"
    )
    body = (
        "Areas for improvement\n\n"
        "  1. By 31 March 2018, the force should:\n" + items + "\n"
        "  2. The force should publish its plan.\n"
    )
    report = parse_report(broken_inside_a_list_item(one_question(body)))
    first, second = report.questions[0].findings
    assert first.text == "By 31 March 2018, the force should:"
    assert [c.text for c in first.children] == [LONG.replace("The force", "it")] * 4
    assert [(d.due.isoformat(), d.wording) for d in first.deadlines] == [
        ("2018-03-31", "By 31 March 2018")
    ]
    assert second.text == "The force should publish its plan."


def test_bullets_hanging_far_from_their_text_are_still_bullets(sample_text):
    report = parse_report(report_pdf(sample_text, hang=16))
    assert without_places(report.to_dict()) == without_places(
        parse_report(sample_text).to_dict()
    )


def test_bullets_drawn_as_dots_and_rings_are_bullets(sample_text):
    # A page printed to PDF from a browser draws its list bullets as shapes.
    report = parse_report(report_pdf(sample_text, drawn_bullets=True))
    assert without_places(report.to_dict()) == without_places(
        parse_report(sample_text).to_dict()
    )


@pytest.mark.slow
def test_the_sample_page_printed_to_pdf_by_a_browser_reads_like_its_text(sample_text):
    """Chromium prints as people save a page: its bullets drawn, its own header."""
    sync_api = pytest.importorskip("playwright.sync_api")
    html = (REPORTS / "west-mercia-peel-2016-effectiveness.html").read_text()
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox"]
        )
        page = browser.new_page()
        page.set_content(html.replace('<script src="/assets/site.js"></script>', ""))
        data = page.pdf(
            format="A4",
            display_header_footer=True,
            header_template='<div style="font-size:8px">OFFICIAL · HMICFRS</div>',
            footer_template=(
                '<div style="font-size:8px">Page <span class="pageNumber"></span> of '
                '<span class="totalPages"></span></div>'
            ),
            margin={"top": "20mm", "bottom": "20mm"},
        )
        browser.close()
    assert len(PdfReader(io.BytesIO(data)).pages) > 2
    report = parse_report(data, filename="west-mercia.pdf")
    assert without_places(report.to_dict()) == without_places(
        parse_report(sample_text).to_dict()
    )


def test_running_headers_footers_and_page_numbers_are_dropped(sample_text):
    for footer in ("page of", "bare number"):
        report = parse_report(report_pdf(sample_text, footer=footer, height=120))
        texts = [
            text for text in all_strings(report.to_dict()) if isinstance(text, str)
        ]
        joined = "\n".join(texts)
        assert "OFFICIAL" not in joined
        assert "PEEL 2016: West Mercia Police effectiveness" not in joined
        assert not re.search(r"\bPage \d+ of \d+", joined)
        assert report.force_name == "West Mercia"
        assert without_places(report.to_dict()) == without_places(
            parse_report(sample_text).to_dict()
        )


def test_a_date_that_does_not_exist_is_reported_with_its_page(sample_text):
    data = report_pdf(sample_text.replace("by 1 May 2017", "by 31 April 2017"))
    with pytest.raises(ReportParseError) as raised:
        parse_report(data)
    page = page_of(data, "31 April 2017")
    assert raised.value.message == "31 April 2017 is not a real date"
    assert raised.value.page == page
    assert str(raised.value) == (
        f"page {page}, line {raised.value.line}: 31 April 2017 is not a real date"
    )


def test_a_table_of_recommendations_with_due_dates_reads_like_its_text():
    body = (
        "Recommendations\n\n"
        "Recommendation | Due by\n"
        "The force should review its stop and search policy. | 31/12/2022\n"
        "The force should train its staff in safeguarding. | 1 March 2023\n"
    )
    text = one_question(body)
    # One page has no running header to tell from its title.
    from_pdf = parse_report(report_pdf(text, header_text=""))
    first, second = from_pdf.questions[0].findings
    assert first.text == "The force should review its stop and search policy."
    assert [d.due.isoformat() for d in first.deadlines] == ["2022-12-31"]
    assert [d.due.isoformat() for d in second.deadlines] == ["2023-03-01"]
    assert without_places(from_pdf.to_dict()) == without_places(
        parse_report(text).to_dict()
    )


FOOTNOTES = [
    "HMIC, PEEL: Police effectiveness 2015 – West Mercia Police.",
    "The Strategic Policing Requirement, Home Office, March 2015.",
    "THRIVE: threat, harm, risk, investigation, vulnerability and engagement.",
]
CONTENTS = [
    "Questions for Effectiveness",
    "How effective is the force at investigating crime?",
    "Areas for improvement",
    "Cause of concern",
    "Annex A",
]


def test_a_contents_page_and_footnotes_are_left_out(sample_text):
    data = report_pdf(sample_text, contents=CONTENTS, footnotes=FOOTNOTES)
    report = parse_report(data)
    assert without_places(report.to_dict()) == without_places(
        parse_report(sample_text).to_dict()
    )
    texts = "\n".join(str(text) for text in all_strings(report.to_dict()))
    assert "Home Office" not in texts and "Annex A" not in texts


def test_bold_body_type_is_a_heading_only_where_it_stands_alone():
    body = (
        "**Our findings**\n\n"
        "The force has made progress since 2015.\n\n"
        "Cause of concern\n\n"
        "The force does not understand the demand it faces from vulnerable victims.\n\n"
        "**To address this cause of concern, we recommend that the force:**\n"
        "  1. reviews how it assesses risk;\n"
        "  2. trains its call handlers.\n\n"
        "Areas for improvement\n\n"
        "**The force should, by 1 June 2017, make sure that all of its officers "
        "understand how to record crimes, and that their supervisors check the "
        "records every week.**\n"
    )
    data = report_pdf(one_question(body))
    lines, _ = pdf_to_lines(data)
    headings = [line.text for line in lines if line.heading]
    assert "Our findings" in headings
    assert not any(
        text.startswith(("To address", "The force should")) for text in headings
    )
    cause, area = parse_report(data).questions[0].findings
    assert [r.text for r in cause.recommendations] == [
        "reviews how it assesses risk;",
        "trains its call handlers.",
    ]
    assert area.text.startswith("The force should, by 1 June 2017, make sure")
    assert area.text.endswith("check the records every week.")
    assert [d.wording for d in area.deadlines] == ["by 1 June 2017"]


def test_a_line_running_on_in_lower_case_joins_even_where_it_reads_like_a_grade():
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(
        0,
        5,
        "The way the force prevents crime and keeps people safe\nrequires improvement.",
    )
    lines, _ = pdf_to_lines(bytes(pdf.output()))
    assert [line.text for line in lines if line.text] == [
        "The way the force prevents crime and keeps people safe requires improvement."
    ]


def test_a_bullet_glyph_set_close_to_its_text_is_a_bullet():
    body = "Areas for improvement\n\n•The force should act.\n•The force should report."
    report = parse_report(report_pdf(one_question(body)))
    assert [f.text for f in report.questions[0].findings] == [
        "The force should act.",
        "The force should report.",
    ]


def test_a_paragraph_in_bigger_type_is_no_heading():
    summary = (
        "West Mercia Police is good at keeping people safe and reducing crime, and it "
        "has improved since last year in most of the areas that we inspected."
    )
    narrative = "\n\n".join(["The force has improved how it records crime."] * 6)
    lines, _ = pdf_to_lines(report_pdf(one_question(f"> {summary}\n\n{narrative}")))
    (line,) = [line for line in lines if line.text == summary]
    assert line.heading is None


def all_strings(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from all_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from all_strings(item)
    else:
        yield value


@pytest.mark.parametrize("method", ["RC4", "AES_128", "AES_256"])
def test_a_pdf_locked_only_against_editing_is_read(method):
    pdf = FPDF()
    pdf.set_encryption(owner_password="owner", encryption_method=method)
    pdf.add_page()
    pdf.set_font("Helvetica", "", 10)
    text = one_question("Area for improvement\n\nThe force should act.")
    for line in text.split("\n"):
        pdf.multi_cell(0, 5, line or " ", new_x="LMARGIN", new_y="NEXT")
    report = parse_report(bytes(pdf.output()))
    assert [f.text for f in report.questions[0].findings] == ["The force should act."]


# Bad input --------------------------------------------------------------------------


def scanned_pdf(numbered: bool = False) -> bytes:
    """Pages that are pictures, with their number and marking as text if `numbered`."""
    picture = io.BytesIO()
    Image.new("RGB", (120, 160), "white").save(picture, format="PNG")
    pdf = FPDF()
    pdf.set_font("Helvetica", "", 8)
    for number in range(1, 4):
        pdf.add_page()
        pdf.image(picture, x=10, y=20, w=150)
        if numbered:
            pdf.text(100, 10, "OFFICIAL")
            stamp = ["Scanned in the records office", "Received", "Filed"][number - 1]
            pdf.text(20, 290, f"{stamp}, page {number}")
    return bytes(pdf.output())


def password_pdf(method: str = "RC4") -> bytes:
    pdf = FPDF()
    pdf.set_encryption(
        owner_password="owner", user_password="secret", encryption_method=method
    )
    pdf.add_page()
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(0, 5, one_question("Good"))
    return bytes(pdf.output())


def oversize_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    data = bytes(pdf.output())
    return data + b"%" + b"x" * (MAX_BYTES - len(data)) + b"\n"


def truncated_pdf() -> bytes:
    data = report_pdf(one_question("Good"))
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            scanned_pdf,
            "This PDF has no text layer: it looks like scanned pages. Ask for the "
            "report as a PDF with text (the published one has it), or paste the "
            "report's text.",
        ),
        (
            lambda: scanned_pdf(numbered=True),
            "This PDF has no text layer: it looks like scanned pages. Ask for the "
            "report as a PDF with text (the published one has it), or paste the "
            "report's text.",
        ),
        (
            password_pdf,
            "This PDF is password protected, so its text cannot be read: save it "
            "again without a password, or paste the report's text.",
        ),
        (
            lambda: password_pdf("AES_256"),
            "This PDF is password protected, so its text cannot be read: save it "
            "again without a password, or paste the report's text.",
        ),
        (oversize_pdf, "The file is larger than 5 MB."),
        (
            truncated_pdf,
            "This PDF could not be read: it seems damaged or cut off. Download it "
            "again, or paste the report's text.",
        ),
        (
            lambda: b"%PDF-1.7\n%\xe2\xe3",
            "This PDF could not be read: it seems damaged or cut off. Download it "
            "again, or paste the report's text.",
        ),
        (
            lambda: report_pdf("A guidance page.\n\nIt explains how we inspect."),
            "No inspection questions or findings were found: is this the text or HTML "
            "of a PEEL report?",
        ),
    ],
    ids=[
        "scanned",
        "scanned with page numbers",
        "password",
        "AES password",
        "oversize",
        "truncated",
        "header only",
        "not a report",
    ],
)
def test_a_pdf_that_cannot_be_read_is_refused_with_a_reason(make, message):
    with pytest.raises(ReportParseError) as raised:
        parse_report(make(), filename="report.pdf")
    assert raised.value.message == message


# The import page ----------------------------------------------------------------------


def test_a_pdf_uploaded_on_the_import_page_is_previewed_then_saved(
    client, inspector, lead, sample_text
):
    client.force_login(inspector)
    upload = SimpleUploadedFile(
        "west-mercia.pdf", report_pdf(sample_text), content_type="application/pdf"
    )
    response = client.post("/import/", {"file": upload})
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "by 1 May 2017" in body and "Question 6" in body
    assert "OFFICIAL" not in body.split("</head>", 1)[1]
    assert not Inspection.objects.exists()  # nothing saved before confirmation
    done = client.post(
        response["Location"],
        {"force": Force.objects.get(code="WMP").pk, "confirm": "1"},
    )
    assert done.status_code == 302
    inspection = Inspection.objects.get()
    assert [f.reference for f in inspection.findings.order_by("order")] == [
        f"WMP-2016-EFF-AFI-{n}" for n in range(1, 6)
    ]


def test_the_import_command_reads_and_saves_a_pdf(db, tmp_path, sample_text):
    path = tmp_path / "west-mercia.pdf"
    path.write_bytes(report_pdf(sample_text))
    out = io.StringIO()
    call_command("import_report", str(path), "--dry-run", stdout=out)
    assert (
        "6 questions; 0 causes of concern, 0 recommendations, 5 areas for improvement"
        in out.getvalue()
    )
    assert not Inspection.objects.exists()
    call_command("import_report", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert Inspection.objects.get().findings.count() == 5
    path.write_bytes(password_pdf())
    with pytest.raises(CommandError, match="This PDF is password protected"):
        call_command("import_report", str(path), stdout=io.StringIO())


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (scanned_pdf, "This PDF has no text layer: it looks like scanned pages."),
        (password_pdf, "This PDF is password protected"),
        (truncated_pdf, "This PDF could not be read: it seems damaged or cut off."),
    ],
    ids=["scanned", "password", "truncated"],
)
def test_the_import_page_says_why_a_pdf_cannot_be_read(
    client, inspector, make, message
):
    client.force_login(inspector)
    upload = SimpleUploadedFile("report.pdf", make(), content_type="application/pdf")
    response = client.post("/import/", {"file": upload})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Inspection.objects.exists()
