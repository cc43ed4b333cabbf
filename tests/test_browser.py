"""The product as people use it, in headless Chromium driven by Playwright.

A force officer records progress with a file and marks the action done; the
force lead signs it off and requests closure; an inspector declines with a
comment; the lead answers and asks again; the inspector authorises; the
national view shows the finding complete. Every page is scanned with axe-core
for WCAG 2.2 AA violations on the way.
"""

import datetime
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser_support import (
    PASSWORD,
    Person,
    date_boxes,
    expect_date,
    fill_date,
    shows,
    submit,
)
from tests.conftest import make_finding, make_inspection
from tests.pdf_support import report_pdf
from tracker import services
from tracker.models import Action, Finding, Force, Inspection, Role, User

# serialized_rollback: the forces shipped by a data migration come back after each test.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tracker" / "data" / "west-mercia-peel-2016-effectiveness.txt"


def test_from_progress_update_to_authorised_closure(
    browser, live_server, static_files, people, scenario, tmp_path, settings
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    url = live_server.url
    action, finding = scenario["action"], scenario["finding"]
    scanned: dict[str, list] = {}

    officer = Person(browser, url, "officer@westmercia.test", scanned)
    officer.check_accessibility("home (force staff)")
    officer.visit(action.get_absolute_url(), "action page")
    evidence = tmp_path / "plan.pdf"
    evidence.write_bytes(b"%PDF-1.4\n%%EOF\n")
    page = officer.page
    page.get_by_label("What has been done").fill(
        "Plan drafted with the community panel."
    )
    page.get_by_label("Percent complete").fill("80")
    page.get_by_label("Evidence files").set_input_files(str(evidence))
    submit(page, "Save update")
    shows(page, "Your progress update was saved.")
    expect(page.get_by_role("link", name="plan.pdf")).to_be_visible()
    officer.check_accessibility("action page after an update")
    officer.comment_and_click(
        "What was delivered (optional)", "Plan published on the website.", "Mark done"
    )
    shows(page, "awaits the force lead")
    officer.visit("/actions/", "action list")
    officer.visit("/calendar/", "calendar feed page")
    officer.visit("/accounts/password_change/", "password change")
    officer.visit("/reminders/", "my reminders")

    lead = Person(browser, url, "lead@westmercia.test", scanned)
    lead.check_accessibility("home (force lead)")
    shows(lead.page, "Publish the engagement plan")  # awaiting sign-off
    lead.visit(action.get_absolute_url(), "action page (lead)")
    lead.comment_and_click(
        "Sign-off comment (optional)", "Checked against the plan.", "Sign off"
    )
    lead.visit(f"/actions/{action.pk}/assign/", "assign page")
    lead.visit(finding.get_absolute_url(), "finding page (lead)")
    lead.comment_and_click(
        "Closing statement", "The plan is published and in use.", "Request closure"
    )
    shows(lead.page, "Closure requested")
    lead.visit(scenario["inspection"].get_absolute_url(), "inspection page")
    lead.visit(finding.force.get_absolute_url(), "force page")

    inspector = Person(browser, url, "inspector@hmicfrs.test", scanned)
    inspector.check_accessibility("home (inspector)")
    inspector.visit(finding.get_absolute_url(), "finding page (inspector)")
    inspector.comment_and_click(
        "Why closure is declined",
        "Show how the panel's views changed the plan.",
        "Decline with comment",
    )
    finding.refresh_from_db()
    assert finding.status == Finding.Status.BEING_PROGRESSED

    lead.visit(finding.get_absolute_url(), "finding page after decline")
    shows(lead.page, "Show how the panel")
    lead.comment_and_click(
        "Closing statement",
        "Panel minutes added: three changes made.",
        "Request closure",
    )

    inspector.visit(finding.get_absolute_url(), "finding page with second request")
    inspector.comment_and_click(
        "Comment (optional)", "Evidence accepted.", "Authorise closure"
    )
    finding.refresh_from_db()
    assert finding.status == Finding.Status.COMPLETE
    inspector.visit("/national/", "national view")
    row = inspector.page.get_by_role("row").filter(has_text="West Mercia")
    complete_column = [
        h.lower()
        for h in inspector.page.locator("table.national thead th").all_inner_texts()
    ].index("complete")
    complete = row.locator("td, th").nth(complete_column)
    expect(complete.get_by_role("link")).to_have_text("1")  # to the list of it
    expect(complete).to_contain_text("100% of the force’s findings")
    inspector.visit("/actions/?status=signed_off", "action list filtered")
    # Nationally the inspection choices follow the chosen force once filters apply.
    inspector.visit("/actions/", "action list (inspector)")
    page = inspector.page
    expect(page.locator("#id_inspection option")).to_have_count(1)  # "All inspections"
    page.get_by_label("Force").select_option(label="West Mercia Police")
    # Choosing the force already refreshes the results (htmx pushes the address),
    # so wait for the reloaded form itself, not for the address.
    with page.expect_navigation():
        page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#id_inspection option")).to_have_count(2)
    expect(page.locator("#id_inspection")).to_contain_text("West Mercia")
    inspector.visit("/import/", "import page")
    inspector.page.get_by_label("Or paste the report's text").fill(SAMPLE.read_text())
    submit(inspector.page, "Read the report")
    shows(inspector.page, "by 1 May 2017")
    inspector.check_accessibility("import preview")

    print("\naxe-core scanned", len(scanned), "pages:", ", ".join(scanned))
    assert all(not problems for problems in scanned.values())


def test_pages_work_without_javascript(
    browser, live_server, static_files, people, scenario
):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill("officer@westmercia.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")
    page.goto("/actions/")
    page.get_by_label("Search").fill("engagement")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"[?&]q=engagement"))
    expect(page.get_by_role("link", name="Publish the engagement plan")).to_be_visible()
    page.get_by_role("link", name="Publish the engagement plan").click()
    page.get_by_label("What has been done").fill("Recorded without JavaScript.")
    submit(page, "Save update")
    shows(page, "Your progress update was saved.")


def test_public_and_error_pages_are_accessible(
    browser, live_server, static_files, people
):
    page = browser.new_context(base_url=live_server.url).new_page()
    scanned: dict[str, list] = {}
    checker = Person.__new__(Person)
    checker.page, checker.scanned = page, scanned
    page.goto("/accounts/password_reset/")
    checker.check_accessibility("password reset")
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill("officer@westmercia.test")
    page.get_by_label("Password").fill("not the password")
    submit(page, "Sign in")
    shows(page, "didn’t match")
    checker.check_accessibility("sign-in with an error")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")
    response = page.goto("/actions/999999/")
    assert response.status == 404
    checker.check_accessibility("not found")
    response = page.goto("/national/")
    assert response.status == 403
    checker.check_accessibility("not allowed")


def test_a_new_person_sets_a_password_from_the_welcome_link_and_signs_in_in_capitals(
    browser, live_server, static_files, people, settings
):
    settings.SITE_URL = live_server.url
    out = io.StringIO()
    call_command(
        "add_user",
        "new.officer@westmercia.test",
        "--role",
        "force-staff",
        "--force",
        "west-mercia",
        "--print-link",
        stdout=out,
    )
    link = re.search(r"http\S+/accounts/reset/\S+/", out.getvalue()).group(0)
    page = browser.new_context(base_url=live_server.url).new_page()
    checker = Person.__new__(Person)
    checker.page, checker.scanned = page, {}
    page.goto(link)
    expect(page.get_by_role("heading", name="Set your password")).to_be_visible()
    checker.check_accessibility("set your password")
    page.locator("#id_new_password1").fill("a brand new passphrase")
    page.get_by_label("New password confirmation").fill("a brand new passphrase")
    page.get_by_role("button", name="Set my password").click()
    expect(page.get_by_role("heading", name="Password set")).to_be_visible()

    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill("NEW.OFFICER@WESTMERCIA.TEST")
    page.get_by_label("Password").fill("a brand new passphrase")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")

    page.goto(link)  # used once: it works no more
    expect(page.get_by_role("heading", name="This link has expired")).to_be_visible()

    lead = browser.new_context(base_url=live_server.url).new_page()
    lead.goto("/accounts/login/")
    lead.get_by_label("Email address").fill("LEAD@WESTMERCIA.TEST")
    lead.get_by_label("Password").fill(PASSWORD)
    lead.get_by_role("button", name="Sign in").click()
    lead.wait_for_url(live_server.url + "/")
    shows(lead, "Jo Morgan")


def test_assigning_in_the_browser_keeps_the_deadline(
    browser, live_server, static_files, people, scenario
):
    action = scenario["action"]
    set_by_inspectorate = services.action_create(
        people["lead"],
        finding=scenario["finding"],
        title="Report the plan to the inspectorate",
        deadline=datetime.date(2030, 11, 12),
        deadline_set_by=Action.DeadlineSetBy.INSPECTORATE,
    )
    lead = Person(browser, live_server.url, "lead@westmercia.test", {})
    page = lead.page

    lead.visit(f"/actions/{action.pk}/assign/", "assign page")
    expect_date(page, "Deadline", action.deadline)
    page.get_by_label(str(people["lead"])).check()
    submit(page, "Save")
    shows(page, "Owner, contributors and deadline saved.")
    action.refresh_from_db()
    assert action.deadline == scenario["action"].deadline
    assert list(action.contributors.all()) == [people["lead"]]

    # The inspectorate's deadline cannot be changed here, but it is shown, and kept.
    lead.visit(f"/actions/{set_by_inspectorate.pk}/assign/", "assign page (set)")
    for box in date_boxes(page, "Deadline"):
        expect(box).to_be_disabled()
    expect_date(page, "Deadline", datetime.date(2030, 11, 12))
    page.get_by_label(str(people["officer"]), exact=True).check()
    submit(page, "Save")
    set_by_inspectorate.refresh_from_db()
    assert set_by_inspectorate.deadline == datetime.date(2030, 11, 12)
    assert set_by_inspectorate.owner is None
    assert list(set_by_inspectorate.contributors.all()) == [people["officer"]]


def test_a_lead_builds_an_action_plan_in_the_browser(
    browser, live_server, static_files, people, scenario
):
    finding = scenario["finding"]
    lead = Person(browser, live_server.url, "lead@westmercia.test", {})
    page = lead.page
    lead.visit(finding.get_absolute_url(), "finding, to plan")
    plan = [
        ("Train the neighbourhood teams", people["officer"], "2030-06-30"),
        ("Report progress to the board", people["lead"], "2030-09-15"),
    ]
    for title, owner, due in plan:
        page.get_by_role("button", name="Add an action").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(
            f"Add an action to {finding.reference}"
        )
        lead.check_accessibility("new action")
        page.get_by_label("Title").fill(title)
        page.get_by_label("Deliverable").fill(f"{title}: done")
        page.get_by_label("Owner").select_option(label=str(owner))
        fill_date(page, "Deadline", due)
        submit(page, "Add the action")
        shows(page, f"“{title}” is added to the plan.")

    # A sub-step under the first new action.
    page.get_by_role("link", name="Train the neighbourhood teams").click()
    page.get_by_role("button", name="Add a sub-step").click()  # a link, as a button
    page.get_by_label("Title").fill("Book the trainers")
    page.get_by_label(str(people["officer"]), exact=True).check()
    submit(page, "Add the sub-step")
    shows(page, "“Book the trainers” is added as a sub-step.")

    # The board report goes first.
    lead.visit(finding.get_absolute_url(), "finding, planned")
    submit(page, "Move up: Report progress to the board")
    submit(page, "Move up: Report progress to the board")
    shows(page, "“Report progress to the board” moved up.")
    lead.check_accessibility("finding, reordered")

    top = list(
        finding.actions.filter(parent=None)
        .order_by("order")
        .values_list("title", "owner__email", "deadline", "deliverable")
    )
    assert top == [
        (
            "Report progress to the board",
            "lead@westmercia.test",
            datetime.date(2030, 9, 15),
            "Report progress to the board: done",
        ),
        (
            "Publish the engagement plan",
            "officer@westmercia.test",
            scenario["action"].deadline,
            "",
        ),
        (
            "Train the neighbourhood teams",
            "officer@westmercia.test",
            datetime.date(2030, 6, 30),
            "Train the neighbourhood teams: done",
        ),
    ]
    step = Action.objects.get(title="Book the trainers")
    assert step.parent.title == "Train the neighbourhood teams"
    assert list(step.contributors.all()) == [people["officer"]]


def test_the_closure_evidence_pack_prints_alone(
    browser, live_server, static_files, people, scenario
):
    action, finding = scenario["action"], scenario["finding"]
    services.action_record_progress(people["officer"], action, text="Plan drafted.")
    services.action_mark_done(people["officer"], action, "Plan published.")
    services.action_sign_off(people["lead"], action, "Read and agreed.")
    services.finding_request_closure(people["lead"], finding, "The plan is out.")
    inspector = Person(browser, live_server.url, "inspector@hmicfrs.test", {})
    page = inspector.page
    inspector.visit(finding.get_absolute_url(), "finding with its closure pack")
    pack = page.locator("#closure-pack")
    expect(pack).to_contain_text("Plan published.")
    expect(pack).to_contain_text("by Jo Morgan")
    # With JavaScript the pack has its print button; on paper, only the pack.
    expect(page.get_by_role("button", name="Print the pack")).to_be_visible()
    page.emulate_media(media="print")
    expect(pack).to_be_visible()
    expect(page.get_by_role("heading", name="Timeline")).to_be_hidden()
    expect(page.get_by_role("button", name="Authorise closure")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("button", name="Print the pack")).to_be_hidden()
    page.emulate_media(media="screen")
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()


def test_an_inspector_types_in_a_report_and_its_findings(
    browser, live_server, static_files, people
):
    west_mercia = Force.objects.get(code="WMP")
    inspector = Person(browser, live_server.url, "inspector@hmicfrs.test", {})
    page = inspector.page

    inspector.visit(west_mercia.get_absolute_url(), "force page (inspector)")
    with page.expect_navigation():
        page.get_by_role("link", name="Add an inspection by hand").click()
    inspector.check_accessibility("add an inspection")
    expect(page.get_by_label("Force")).to_have_value(str(west_mercia.pk))
    page.get_by_label("Programme").fill("PEEL 2014")
    page.get_by_label("Title").fill("PEEL: Police legitimacy 2014 – West Mercia")
    fill_date(page, "Published on", "2015-02-12")
    page.get_by_label("Its questions").fill("How fair is the force?")
    submit(page, "Add the inspection")
    shows(page, "add its findings under its questions")

    with page.expect_navigation():
        page.get_by_role("link", name="Add a finding").click()
    inspector.check_accessibility("add a finding")
    page.get_by_label("Cause of concern", exact=True).check()
    page.get_by_label("Reference").fill("WMP-2014-LEG-COC-1")
    page.get_by_label("Text of the finding").fill("Too few stop and search records.")
    submit(page, "Add the finding")
    shows(page, "WMP-2014-LEG-COC-1 is added.")

    inspection = Finding.objects.get(reference="WMP-2014-LEG-COC-1").inspection
    inspector.visit(
        f"/inspections/{inspection.pk}/findings/new/", "add a recommendation"
    )
    page.get_by_label("Recommendation", exact=True).check()
    page.get_by_label("Under the cause of concern").select_option(
        label="WMP-2014-LEG-COC-1: Too few stop and search records."
    )
    page.get_by_label("Reference").fill("WMP-2014-LEG-REC-1")
    page.get_by_label("Text of the finding").fill("Record every stop.")
    submit(page, "Add the finding")
    shows(page, "A recommendation under the cause of concern WMP-2014-LEG-COC-1")

    with page.expect_navigation():
        page.get_by_role("link", name="Edit this finding").click()
    inspector.check_accessibility("edit a finding")
    page.get_by_label("Text of the finding").fill("Record every stop and search.")
    submit(page, "Save the finding")
    shows(page, "Record every stop and search.")

    with page.expect_navigation():
        page.get_by_role("link", name="Remove this finding").click()
    inspector.check_accessibility("remove a finding")
    submit(page, "Remove WMP-2014-LEG-REC-1")
    shows(page, "WMP-2014-LEG-REC-1 is removed")
    assert not Finding.objects.filter(reference="WMP-2014-LEG-REC-1").exists()
    record = Finding.history.filter(reference="WMP-2014-LEG-REC-1").order_by(
        "history_id"
    )
    assert [r.history_type for r in record] == ["+", "~", "-"]
    assert {r.history_user for r in record} == {people["inspector"]}

    # The question's grade and the inspection's details, corrected from its page.
    with page.expect_navigation():
        page.get_by_role("link", name="Edit the question").click()
    inspector.check_accessibility("edit a question")
    page.get_by_label("Grade").select_option(label="Requires improvement")
    submit(page, "Save the question")
    shows(page, "The question is saved.")
    with page.expect_navigation():
        page.get_by_role("link", name="Edit the inspection").click()
    inspector.check_accessibility("edit an inspection")
    page.get_by_label("Overall grade").select_option(label="Good")
    submit(page, "Save the inspection")
    shows(page, "The inspection is saved.")
    assert Inspection.objects.get(pk=inspection.pk).overall_grade == "good"

    # The same report typed in again: a warning, and only once confirmed, added.
    inspector.visit(f"/inspections/new/?force={west_mercia.slug}", "add it again")
    page.get_by_label("Programme").fill("PEEL 2014")
    page.get_by_label("Title").fill("peel: police legitimacy 2014 – west mercia")
    submit(page, "Add the inspection")
    expect(page.get_by_text("This report may be here already")).to_be_visible()
    inspector.check_accessibility("a likely duplicate")
    page.get_by_label("Add it anyway").check()
    submit(page, "Add the inspection")
    shows(page, "is added: add its findings")
    # Added twice by mistake after all: it has no findings, so it goes.
    with page.expect_navigation():
        page.get_by_role("link", name="Remove the inspection").click()
    inspector.check_accessibility("remove an inspection")
    submit(page, "Remove the inspection")
    shows(page, "is removed.")
    assert list(
        Inspection.objects.filter(programme="PEEL 2014").values_list("pk", flat=True)
    ) == [inspection.pk]


def test_a_plan_from_first_action_to_authorised_closure_through_the_queues(
    browser, live_server, static_files, people, scenario
):
    """The lead plans and assigns, two officers do the work, the lead signs it all off
    at once and asks for closure from the ready queue, and the inspector finds the
    request on the second page of the closure queue and authorises it from the pack."""
    west_mercia = Force.objects.get(code="WMP")
    second = User.objects.create_user(
        "second@westmercia.test",
        PASSWORD,
        role=Role.FORCE_STAFF,
        force=west_mercia,
        first_name="Ravi",
        last_name="Shah",
    )
    finding = make_finding(scenario["inspection"], number=2)
    # 55 earlier closure requests of other reports wait before this one.
    waiting = make_inspection(Force.objects.get(code="KEN"), year=2014)
    for n in range(55):
        older = make_finding(waiting, number=n + 10)
        Finding.objects.filter(pk=older.pk).update(
            status=Finding.Status.CLOSURE_REQUESTED,
            status_changed_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
            + datetime.timedelta(hours=n),
        )

    lead = Person(browser, live_server.url, "lead@westmercia.test", {})
    page = lead.page
    plan = [
        ("Map the partners", people["officer"]),
        ("Agree the sharing protocol", second),
        ("Brief the senior team", people["officer"]),
    ]
    for title, owner in plan:
        lead.visit(finding.get_absolute_url(), "finding, planning")
        page.get_by_role("button", name="Add an action").click()
        page.get_by_label("Title").fill(title)
        page.get_by_label("Owner").select_option(label=str(owner))
        fill_date(page, "Deadline", "2030-12-31")
        submit(page, "Add the action")
        shows(page, f"“{title}” is added to the plan.")
    page.get_by_role("link", name="Map the partners").click()
    page.get_by_role("button", name="Add a sub-step").click()  # a link, as a button
    page.get_by_label("Title").fill("List the data each partner holds")
    page.get_by_label("Owner").select_option(label=str(people["officer"]))
    submit(page, "Add the sub-step")
    shows(page, "is added as a sub-step.")

    for email, titles in [
        (
            "officer@westmercia.test",
            [
                "Map the partners",
                "Brief the senior team",
                "List the data each partner holds",
            ],
        ),
        ("second@westmercia.test", ["Agree the sharing protocol"]),
    ]:
        officer = Person(browser, live_server.url, email, {})
        for title in titles:
            action = Action.objects.get(title=title)
            officer.visit(action.get_absolute_url(), "action, to do")
            officer.page.get_by_label("What has been done").fill(f"{title}: done.")
            submit(officer.page, "Save update")
            shows(officer.page, "Your progress update was saved.")
            submit(officer.page, "Mark done")
            shows(officer.page, "awaits the force lead's sign-off")

    # The lead signs off all four from the list, at once.
    lead.visit("/actions/?status=done", "done actions, to sign off")
    for action in finding.actions.all():
        page.get_by_label(f"Tick {action.title}").check()
    page.get_by_label("Sign them off").check()
    submit(page, "Apply to the ticked actions")
    shows(page, "4 actions signed off")
    lead.visit("/", "lead's home")
    page.get_by_role("link", name="Ready to request closure").click()
    page.get_by_role("link", name=finding.reference).click()
    page.get_by_label("Closing statement").fill("The protocol is signed and in use.")
    submit(page, "Request closure")
    shows(page, "Closure requested: an inspector will review it.")

    inspector = Person(browser, live_server.url, "inspector@hmicfrs.test", {})
    desk = inspector.page
    inspector.visit("/", "inspector's home")
    # The home's figure: its count and its words are one link.
    desk.get_by_role(
        "link", name=re.compile(r"^[\d,]+ Closure requests waiting$")
    ).click()
    shows(desk, "56 waiting.")
    expect(desk.get_by_role("link", name=finding.reference)).to_have_count(0)
    desk.get_by_role("link", name="Next").click()
    desk.get_by_role("link", name=finding.reference).click()
    pack = desk.locator("#closure-pack")
    for title, _owner in plan:
        expect(pack).to_contain_text(title)
    expect(pack).to_contain_text("Agree the sharing protocol: done.")
    inspector.check_accessibility("finding with the pack")
    submit(desk, "Authorise closure")
    shows(desk, "Closure authorised: the finding is complete.")
    assert Finding.objects.get(pk=finding.pk).status == Finding.Status.COMPLETE
    assert set(finding.actions.values_list("status", flat=True)) == {
        Action.Status.SIGNED_OFF
    }


@pytest.mark.parametrize("width", [1280, 390])
def test_a_mention_typed_with_the_keyboard_reaches_the_notifications_page(
    browser, live_server, static_files, people, scenario, width, tmp_path
):
    """The officer types "@jo", picks the lead from the list with the keyboard and
    saves; the lead sees the header count, opens the notification and lands on the
    action; the page fits a phone's width."""
    action = scenario["action"]
    officer = Person(browser, live_server.url, "officer@westmercia.test", {})
    page = officer.page
    page.set_viewport_size({"width": width, "height": 900})
    officer.visit(action.get_absolute_url(), "action page")
    box = page.get_by_label("What has been done")
    box.click()
    box.press_sequentially("Draft sent to @jo")
    option = page.get_by_role("option", name="Jo Morgan (@lead)")
    expect(option).to_be_visible()
    expect(option).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(box).to_have_value("Draft sent to @lead ")
    box.press_sequentially("for checking.")
    submit(page, "Save update")
    shows(page, "Draft sent to @lead for checking.")

    lead = Person(browser, live_server.url, "lead@westmercia.test", {})
    page = lead.page
    page.set_viewport_size({"width": width, "height": 900})
    expect(page.locator("#unread-count")).to_have_text("1 unread")
    lead.visit("/notifications/", "notifications")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(tmp_path / f"notifications-{width}.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role(
            "button", name=re.compile("^Sam Patel mentioned you on “Publish")
        ).click()
    assert page.url.endswith(action.get_absolute_url())
    expect(page.locator("#unread-count")).to_have_count(0)


def test_an_inspector_imports_a_report_published_as_a_pdf(
    browser, live_server, static_files, people, tmp_path
):
    report = tmp_path / "west-mercia-peel-2016.pdf"
    report.write_bytes(report_pdf(SAMPLE.read_text()))
    inspector = Person(browser, live_server.url, "inspector@hmicfrs.test", {})
    page = inspector.page
    inspector.visit("/import/", "import page")
    shows(page, "Upload the report's PDF")
    page.get_by_label("Report file").set_input_files(str(report))
    submit(page, "Read the report")
    shows(page, "by 1 May 2017")
    inspector.check_accessibility("import preview of a PDF")
    expect(page.locator("body")).not_to_contain_text("OFFICIAL")
    page.screenshot(path=str(tmp_path / "pdf-preview.png"), full_page=True)
    submit(page, "Confirm and import")
    shows(page, "Imported “")
    assert Inspection.objects.get().findings.count() == 5


def test_an_inspector_imports_a_national_report_and_follows_every_forces_copy(
    browser, live_server, static_files, people
):
    report = ROOT / "tests" / "reports" / "national-vetting-thematic.txt"
    inspector = Person(browser, live_server.url, "inspector@hmicfrs.test", {})
    page = inspector.page
    inspector.visit("/import/", "import a report")
    page.get_by_label("Or paste the report's text").fill(report.read_text())
    submit(page, "Read the report")
    inspector.check_accessibility("national import preview")
    expect(page.get_by_label("Force", exact=True)).to_have_value("national")
    page.get_by_label("Title of the national report").fill(
        "Vetting and the management of conduct"
    )
    submit(page, "Confirm and import")
    shows(page, "7 national findings, 177 copies for their addressees")
    inspector.check_accessibility("national findings")
    first = Finding.objects.filter(national__order=1).first().national
    with page.expect_navigation():
        page.get_by_role("link", name=first.reference, exact=True).click()
    inspector.check_accessibility("a national finding's roll-up")
    expect(page.get_by_role("row")).to_have_count(44)  # the header and 43 forces

    lead = Person(browser, live_server.url, "lead@westmercia.test", {})
    copy = first.copies.get(force__code="WMP")
    lead.visit(copy.get_absolute_url(), "a force's copy of a national finding")
    shows(lead.page, "A national recommendation to chief constables (all forces)")
    expect(lead.page.get_by_text("Every addressee's progress")).to_have_count(0)
