"""A force lead makes the committee pack from the force page in a browser (issue 16):
the dates typed as day, month and year, a wrong period refused with the boxes kept,
then the Word file and the PDF downloaded and opened."""

import io

import pytest
from docx import Document
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser_support import Person, submit
from tracker.models import Paper, Theme

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def type_date(page, legend, day, month, year):
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(day)
    group.get_by_label("Month").fill(month)
    group.get_by_label("Year").fill(year)


@pytest.mark.parametrize("width", [1280, 390])
def test_a_lead_makes_the_committee_pack_from_the_force_page(
    browser, live_server, static_files, scenario, width
):
    action = scenario["action"]
    lead = Person(browser, live_server.url, "lead@westmercia.test", {})
    page = lead.page
    page.set_viewport_size({"width": width, "height": 900})
    lead.visit(action.force.get_absolute_url(), "force page")
    with page.expect_navigation():
        page.get_by_role("link", name="Make a committee pack").click()
    lead.check_accessibility("pack form")
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # An end before the start: refused, the boxes as typed, the focus on the summary.
    type_date(page, "Start of the period", "1", "Nov", "2026")
    type_date(page, "End of the period", "1", "10", "2026")
    submit(page, "Make the pack")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(
        "The end of the period must be the same as or after its start"
    )
    assert page.title().startswith("Error: ")
    start = page.get_by_role("group", name="Start of the period")
    expect(start.get_by_label("Month")).to_have_value("Nov")
    lead.check_accessibility("pack form with an error")
    assert not Paper.objects.exists()

    type_date(page, "End of the period", "30", "11", "2026")
    page.get_by_label("Word (.docx), to write the committee's paper in").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Make the pack").click()
    document = Document(io.BytesIO(open(download.value.path(), "rb").read()))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Period: 1 November 2026 to 30 November 2026" in text
    cells = {c.text for t in document.tables for r in t.rows for c in r.cells}
    assert any(action.title in cell for cell in cells)
    assert download.value.suggested_filename.endswith(".docx")

    # The page is still there; the PDF from the same form.
    page.get_by_label("PDF, to print or attach").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Make the pack").click()
    reader = PdfReader(download.value.path())
    assert "Committee pack" in reader.pages[0].extract_text()
    assert Paper.objects.count() == 2


def test_an_inspector_makes_the_national_brief_on_a_theme(
    browser, live_server, static_files, scenario
):
    finding = scenario["action"].finding
    theme = Theme.objects.create(name="Neighbourhood policing", slug="neighbourhood")
    finding.themes.add(theme)
    inspector = Person(browser, live_server.url, "inspector@hmicfrs.test", {})
    page = inspector.page
    inspector.visit("/national/", "national view")
    with page.expect_navigation():
        page.get_by_role("link", name="Make a national brief").click()
    inspector.check_accessibility("national brief form")
    expect(page.get_by_label("Protective marking")).to_have_value("OFFICIAL")
    page.get_by_label("Compare the forces on one theme").select_option(
        label="Neighbourhood policing"
    )
    with page.expect_download() as download:
        page.get_by_role("button", name="Make the brief").click()
    reader = PdfReader(download.value.path())
    text = " ".join(p.extract_text() for p in reader.pages)
    text = text.replace("-\n", "-").replace("\n", " ")  # a cell's wrapped words
    assert "One theme across forces: Neighbourhood policing" in text
    assert finding.reference in text
    without = text.split("Forces with no finding on this theme", 1)[1]
    assert "West Midlands Police" in without
    assert "West Mercia Police" not in without
    assert Paper.objects.get().theme == theme
