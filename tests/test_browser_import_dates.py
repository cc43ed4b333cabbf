"""In a real browser: an import whose deadlines count from a publication date it does not give."""

import datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser_support import Person, fill_date, shows, submit
from tracker.models import Action, Inspection

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WORDINGS = ("Within three months", "immediately")
LETTER = Path(__file__).parent / "reports" / "corpus" / "letter-no-publication-date.txt"


def test_the_inspector_gives_the_publication_date_and_the_deadlines_count_from_it(
    browser,
    live_server,
    static_files,
    people,
):
    inspector = Person(browser, live_server.url, "inspector@hmicfrs.test", {})
    page = inspector.page
    inspector.visit("/import/", "import page")
    page.get_by_label("Or paste the report's text").fill(LETTER.read_text())
    submit(page, "Read the report")
    shows(page, "counts from the publication date, which the report does not give")
    days = page.locator("input[name$='-due_day']:not([name^='new'])")
    expect(days).to_have_count(3)
    for n in range(3):
        expect(days.nth(n)).to_have_value("")
    page.get_by_label("Force", exact=True).select_option(label="West Mercia Police")

    # Confirming before the date is given is refused, with what to do.
    submit(page, "Confirm and import")
    shows(page, "enter the publication date, or the deadline's own date")
    assert not Inspection.objects.exists()

    fill_date(page, "Publication date", "2024-06-12")
    submit(page, "Save corrections and check again")
    for n, shown in enumerate(["12 9 2024", "12 9 2024", "12 6 2024"]):
        boxes = [
            page.locator(f"input[name$='-due_{part}']:not([name^='new'])").nth(n)
            for part in ("day", "month", "year")
        ]
        for box, value in zip(boxes, shown.split(), strict=True):
            expect(box).to_have_value(value)
    shows(page, "counted from the publication date you gave, 12 June 2024")
    inspector.check_accessibility("import preview with a publication date")

    submit(page, "Confirm and import")
    shows(page, "Imported")
    inspection = Inspection.objects.get()
    assert inspection.published_on == datetime.date(2024, 6, 12)
    saved = Action.objects.filter(
        finding__inspection=inspection, deadline_wording__in=WORDINGS
    ).values_list("deadline_wording", "deadline")
    assert sorted(saved) == [
        ("Within three months", datetime.date(2024, 9, 12)),
        ("Within three months", datetime.date(2024, 9, 12)),
        ("immediately", datetime.date(2024, 6, 12)),
    ]
