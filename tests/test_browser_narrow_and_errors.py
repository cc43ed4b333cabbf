"""Found walking the importer's pages at 1280 and 390 px (issue 14): a force lead's home
fits a phone's width, and an upload refused for bad input is told in words every
reader can see (axe finds nothing), at both widths, with nothing saved."""

import pytest
from fpdf import FPDF

from tests.browser_support import Person, shows, submit
from tracker.models import Inspection

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_force_leads_home_fits_a_phone(browser, live_server, static_files, people):
    lead = Person(browser, live_server.url, "lead@westmercia.test", {})
    page = lead.page
    page.set_viewport_size({"width": 390, "height": 844})
    lead.visit("/", "lead's home at 390 px")
    shows(page, "Done late, awaiting sign-off")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.parametrize("width", [1280, 390])
def test_a_scanned_pdf_is_refused_in_words_axe_passes(
    browser, live_server, static_files, people, tmp_path, width
):
    drawing = FPDF()
    drawing.add_page()
    drawing.rect(10, 10, 50, 50, style="F")  # a page with no text layer
    scanned = tmp_path / "scanned.pdf"
    scanned.write_bytes(bytes(drawing.output()))
    inspector = Person(browser, live_server.url, "inspector@hmicfrs.test", {})
    page = inspector.page
    page.set_viewport_size({"width": width, "height": 900})
    inspector.visit("/import/", "import page")
    page.get_by_label("Report file").set_input_files(str(scanned))
    submit(page, "Read the report")
    shows(page, "This PDF has no text layer: it looks like scanned pages.")
    inspector.check_accessibility("import page refusing a scanned PDF")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert not Inspection.objects.exists()
