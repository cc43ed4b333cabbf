"""The finding, action, inspection and force pages on paper (issue 16, part 6): the
navigation, account line, skip link, breadcrumbs, buttons and forms are left off,
the text is black, a link within the service prints no address and one to another
site prints its address; the page is A4."""

import io
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser_support import Person
from tracker import services

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# PRINT_PDF_DIR=/some/dir keeps each page's PDF there, to look at.
KEEP = os.environ.get("PRINT_PDF_DIR")

HIDDEN_ON_PAPER = [
    ".govuk-skip-link",
    ".govuk-service-navigation",
    ".app-account",
    ".govuk-breadcrumbs",
    "main button",
    "main form",
    "main .govuk-button",
]


def pages_of(scenario):
    action, finding = scenario["action"], scenario["finding"]
    return {
        "finding": finding.get_absolute_url(),
        "action": action.get_absolute_url(),
        "inspection": scenario["inspection"].get_absolute_url(),
        "force": finding.force.get_absolute_url(),
    }


def test_printed_pages_leave_off_what_is_for_the_screen(
    browser, live_server, static_files, people, scenario
):
    action = scenario["action"]
    services.action_record_progress(
        people["officer"],
        action,
        text="Plan drafted",
        links=["https://www.example.org/plan"],
    )
    lead = Person(browser, live_server.url, "lead@westmercia.test", {})
    page = lead.page
    for name, path in pages_of(scenario).items():
        page.emulate_media(media="screen")
        page.goto(path)
        # On screen the page has its navigation and something to press.
        expect(page.locator(".govuk-service-navigation")).to_be_visible()
        if name in ("action", "force"):  # the lead's moves, and staff planning
            expect(page.locator("main button").first).to_be_visible()
        page.emulate_media(media="print")
        for selector in HIDDEN_ON_PAPER:
            for element in page.locator(selector).all():
                expect(element).to_be_hidden()
        expect(page.locator("h1")).to_be_visible()
        colour = page.evaluate("getComputedStyle(document.querySelector('h1')).color")
        assert colour == "rgb(0, 0, 0)", (name, colour)
        internal = page.evaluate(
            """() => [...document.querySelectorAll("main a[href^='/']")].map(
                 a => getComputedStyle(a, '::after').content)"""
        )
        assert set(internal) <= {"none", "normal"}, (name, set(internal))
        if name == "action":
            external = page.evaluate(
                """getComputedStyle(document.querySelector(
                     "main a[href='https://www.example.org/plan']"), '::after').content"""
            )
            assert "https://www.example.org/plan" in external
        pdf = page.pdf(prefer_css_page_size=True)
        assert pdf.startswith(b"%PDF")
        first = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
        # A4 (210 x 297 mm, in points), as @page asks.
        assert (round(first.width), round(first.height)) == (595, 842), name
        if KEEP:
            Path(KEEP, f"{name}.pdf").write_bytes(pdf)
