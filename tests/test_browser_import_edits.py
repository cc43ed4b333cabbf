"""An inspector fixes the structure the reading got wrong, in the import preview, in
headless Chromium: adds a finding it missed, deletes one, splits one, merges two, moves
one to another question, confirms, and the inspection page shows exactly that."""

import pytest
from playwright.sync_api import expect

from tests.browser_support import (
    PASSWORD,
    Person,
    fill_date,
    shows,
    submit,
)
from tracker.models import Inspection

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SAMPLE = "tests/reports/west-mercia-peel-2016-effectiveness.txt"
MISSED = "The force should make sure that every investigation is supervised."


def item(page, path):
    return page.locator(f'[id="item-{path}"]')


def press(page, path, button):
    """An item's own button; the page comes back at the item changed."""
    submit_in(page, item(page, path).get_by_role("button", name=button))


def submit_in(page, button):
    with page.expect_navigation():
        button.click()


def status(page, text):
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()


def test_an_inspector_fixes_the_structure_and_the_inspection_shows_it(
    browser,
    live_server,
    static_files,
    people,
):
    scanned: dict[str, list] = {}
    inspector = Person(browser, live_server.url, "inspector@hmicfrs.test", scanned)
    page = inspector.page
    inspector.visit("/import/", "import page")
    page.get_by_label("Report file").set_input_files(SAMPLE)
    submit(page, "Read the report")
    shows(page, "Area for improvement · line 72")
    expect(item(page, "q4.1.c.1")).to_contain_text("Sub-step · line 73")
    page.get_by_label("Force").select_option(label="West Mercia Police")

    # 1. A finding the reading missed, in question 3, with its deadline.
    page.get_by_label("Its text (paste it from the report)").fill(MISSED)
    page.get_by_label("Kind of finding").last.select_option("Area for improvement")
    page.locator("#new-question").select_option("3")
    fill_date(page, "Deadline (optional)", "2017-09-30")
    page.locator("#new-wording").fill("by 30 September 2017")
    submit(page, "Add the finding")
    expect(item(page, "q3.1").get_by_role("status")).to_contain_text(
        "Added the area for improvement “The force should make sure"
    )
    expect(item(page, "q3.1")).to_be_focused()
    expect(item(page, "q3.1")).to_contain_text("added in this preview")

    # 2. Delete question 2's second finding.
    press(page, "q2.2", "Delete")
    status(page, "Removed the area for improvement “The force should evaluate")
    expect(item(page, "q2.1")).to_be_focused()
    expect(item(page, "q2.2")).to_have_count(0)

    # 3. Split the dated finding where its second paragraph begins.
    box = item(page, "q4.1").get_by_label("Text of the finding")
    text = box.input_value()
    cut = text.index("West Mercia Police is one of")
    box.fill(text[:cut] + "\n\n" + text[cut:])
    press(page, "q4.1", "Split")
    status(page, "into 2 parts")
    expect(item(page, "q4.1")).to_be_focused()
    expect(
        item(page, "q4.2").get_by_label("As the report words it").first
    ).to_have_value("by 1 May 2017")

    # 4. Merge question 5's second finding into its first.
    press(page, "q5.2", "Merge into the one before")
    status(page, "Merged the area for improvement “The force should take steps")
    expect(item(page, "q5.2")).to_have_count(0)

    # 5. Move question 2's remaining finding to question 6.
    moved = item(page, "q2.1")
    moved.locator("summary").click()
    moved.get_by_label("Question").select_option("6")
    press(page, "q2.1", "Move")
    status(page, "to question 6")
    expect(item(page, "q6.1")).to_be_focused()
    inspector.check_accessibility("import preview after edits")

    # Nothing sideways on a phone; screenshots to look at.
    page.screenshot(path="/tmp/h3-preview-1280.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path="/tmp/h3-preview-390.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    submit(page, "Confirm and import")
    shows(page, "Imported “PEEL 2016: Effectiveness")
    inspection = Inspection.objects.get()
    sections = page.locator("section.app-question")
    expected = {
        1: [],
        2: [],
        3: [MISSED],
        4: ["The force should take immediate steps", "West Mercia Police is one of"],
        5: ["The force should engage routinely"],
        6: ["The force should work with local people"],
    }
    for order, starts in expected.items():
        texts = sections.nth(order - 1).locator("p.app-verbatim").all_inner_texts()
        assert len(texts) == len(starts), (order, texts)
        for shown, start in zip(texts, starts, strict=True):
            assert shown.startswith(start), (order, shown)
    merged = sections.nth(4).locator("p.app-verbatim").inner_text()
    assert "The force should take steps to identify those at risk" in merged
    assert [
        (f.question.order, f.text[:20]) for f in inspection.findings.order_by("order")
    ] == [
        (3, MISSED[:20]),
        (4, "The force should tak"),
        (4, "West Mercia Police i"),
        (5, "The force should eng"),
        (6, "The force should wor"),
    ]
    added = inspection.findings.get(text=MISSED).actions.get()
    assert added.deadline_wording == "by 30 September 2017"
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path="/tmp/h3-inspection-390.png", full_page=True)


def test_the_edits_work_without_javascript(browser, live_server, static_files, people):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill("inspector@hmicfrs.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")
    page.goto("/import/")
    page.get_by_label("Report file").set_input_files(SAMPLE)
    submit(page, "Read the report")
    press(page, "q5.2", "Delete")
    assert page.url.endswith("#item-q5.1")
    expect(item(page, "q5.1").get_by_role("status")).to_contain_text(
        "Removed the area for improvement “The force should take steps"
    )
    moved = item(page, "q2.2")
    moved.locator("summary").click()  # details open without script
    moved.get_by_label("Question").select_option("3")
    press(page, "q2.2", "Move")
    assert page.url.endswith("#item-q3.1")
    expect(item(page, "q3.1").get_by_role("status")).to_contain_text("to question 3")
