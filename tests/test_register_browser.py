"""An inspector imports a register page in the browser; a force officer reads its history."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser_support import (
    Person,
    shows,
    submit,
)
from tracker.models import Finding

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PAGE = Path(__file__).resolve().parent / "reports" / "register-table.html"


def test_a_register_page_arrives_with_its_history(
    browser,  # noqa: F811
    live_server,
    static_files,  # noqa: F811
    people,  # noqa: F811
):
    scanned: dict[str, list[str]] = {}
    inspector = Person(browser, live_server.url, "inspector@hmicfrs.test", scanned)
    inspector.visit("/import/", "import page")
    page = inspector.page
    page.get_by_label("Report file").set_input_files(str(PAGE))
    page.get_by_label("Force").select_option(label="West Mercia Police")
    submit(page, "Read the report")
    log = page.get_by_role("region", name="Status log from the register")
    expect(log).to_contain_text("Status log from the register: 3 entries")
    expect(log.locator("li")).to_have_text(
        [
            "14 February 2022 – Awaiting review – Recommendation published.",
            "12 March 2023 – Being progressed – The force provided an update on its"
            " crime data integrity plan: it will finish its audit by 30 June 2023.",
            "1 February 2024 – Complete – Audit findings reviewed by HMICFRS. The"
            " recommendation is complete.",
        ]
    )
    inspector.check_accessibility("import preview of a register page")
    submit(page, "Confirm and import")
    shows(page, "Imported")

    finding = Finding.objects.get()
    officer = Person(browser, live_server.url, "officer@westmercia.test", scanned)
    officer.visit(finding.get_absolute_url(), "finding with its register history")
    entries = officer.page.locator(".timeline li.register-entry")
    expect(entries).to_have_count(3)
    expect(entries.first).to_contain_text("14 February 2022: Awaiting review")
    expect(entries.nth(2)).to_contain_text(
        "1 February 2024: Complete in the inspectorate's register; the finding"
        " follows it, now complete."
    )
    expect(
        officer.page.locator(".govuk-summary-list__row").filter(has_text="Status")
    ).to_contain_text("Complete")
    officer.page.screenshot(path="/tmp/h2/finding.png", full_page=True)
    assert all(not problems for problems in scanned.values())
