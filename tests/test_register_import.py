"""Importing a register page: its status log on the finding's published timeline.

Who sees it (the force's people and inspectors, never another force), a page read
again adding nothing twice, and the finding's status following the register.
"""

import datetime
import html
import io
import re
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.test_importing import preview_form
from tracker import services
from tracker.importer import ParsedEntry, parse_report
from tracker.importing import plan_import, save_import
from tracker.models import Action, Finding, FindingEvent, Force, Inspection

REPORTS = Path(__file__).resolve().parent / "reports"
TABLE_PAGE = (REPORTS / "register-table.html").read_text()
FIELDS_PAGE = (REPORTS / "register-fields.txt").read_text()
NEW_ROW = (
    "<tr><td>01/02/2024</td><td>complete</td><td>Audit findings reviewed by HMICFRS."
    " The recommendation is complete.</td></tr>"
)


def import_page(text: str, user, name: str = "register.html") -> Inspection:
    raw = text.encode()
    data = parse_report(raw, filename=name).to_dict()
    plan = plan_import(data, Force.objects.get(code="WMP"), raw)
    return save_import(plan, user)


def register_log(finding: Finding) -> list[tuple]:
    return list(
        finding.events.filter(kind=FindingEvent.Kind.REGISTER)
        .order_by("occurred_on", "pk")
        .values_list("occurred_on", "published_status", "text")
    )


def test_the_import_page_shows_the_log_it_read_and_saves_it_on_the_finding(
    client, inspector, lead, owner, outsider, other_lead
):
    client.force_login(inspector)
    force = Force.objects.get(code="WMP")
    started = client.post(
        "/import/",
        {
            "file": SimpleUploadedFile("register-table.html", TABLE_PAGE.encode()),
            "force": force.pk,
        },
    )
    assert started.status_code == 302
    preview = client.get(started["Location"]).content.decode()
    assert "Status log from the register: 3 entries" in preview
    log = preview.split('aria-label="Status log from the register"', 1)[1]
    log = html.unescape(re.sub(r"<[^>]+>", "", log.split("</section>", 1)[0]))
    assert "14 February 2022 – Awaiting review – Recommendation published." in log
    assert "12 March 2023 – Being progressed – The force provided an update" in log
    assert "1 February 2024 – Complete – Audit findings reviewed" in log
    assert "<input" not in log and "<textarea" not in log  # read-only
    # Its own deadline is the only one; "by 30 June 2023" in the log is none.
    dates = preview_form(preview)
    dated = [name for name, value in dates.items() if name.endswith("-due") and value]
    assert [dates[name] for name in dated] == ["2023-03-31"]
    assert not Inspection.objects.exists()

    done = client.post(started["Location"], {"force": force.pk, "confirm": "1"})
    assert done.status_code == 302
    finding = Finding.objects.get()
    assert finding.kind == Finding.Kind.RECOMMENDATION
    assert register_log(finding) == [
        (datetime.date(2022, 2, 14), "awaiting_review", "Recommendation published."),
        (
            datetime.date(2023, 3, 12),
            "being_progressed",
            "The force provided an update on its crime data integrity plan: it will "
            "finish its audit by 30 June 2023.",
        ),
        (
            datetime.date(2024, 2, 1),
            "complete",
            "Audit findings reviewed by HMICFRS. The recommendation is complete.",
        ),
    ]
    assert [(a.deadline, a.deadline_wording) for a in finding.actions.all()] == [
        (datetime.date(2023, 3, 31), "By 31 March 2023")
    ]
    assert not Action.objects.filter(deadline=datetime.date(2023, 6, 30)).exists()

    for who in (owner, lead, inspector):
        client.force_login(who)
        page = client.get(finding.get_absolute_url())
        assert page.status_code == 200
        body = html.unescape(page.content.decode())
        timeline = body.split('id="timeline-title">Timeline</h2>', 1)[1]
        timeline = timeline.split("</ol>", 1)[0]
        # date first, status in words, the comment kept, in the order they happened
        assert timeline.index("14 February 2022</time>: <strong>Awaiting review") < (
            timeline.index("12 March 2023</time>: <strong>Being progressed")
        )
        assert "it will finish its audit by 30 June 2023." in timeline
        assert (
            "1 February 2024</time>: <strong>Complete</strong> in the inspectorate's"
            " register; the finding follows it, now complete." in timeline
        )
    for who in (outsider, other_lead):
        client.force_login(who)
        assert client.get(finding.get_absolute_url()).status_code == 404


def test_a_finding_follows_the_register_to_complete_through_the_service(db, inspector):
    inspection = import_page(TABLE_PAGE, inspector)
    finding = inspection.findings.get()
    assert finding.status == Finding.Status.COMPLETE
    moved = finding.events.get(occurred_on=datetime.date(2024, 2, 1))
    assert (moved.from_status, moved.to_status, moved.author) == (
        "awaiting_review",
        "complete",
        inspector,
    )
    others = finding.events.exclude(pk=moved.pk)
    assert {(e.from_status, e.to_status) for e in others} == {
        ("awaiting_review", "awaiting_review")
    }
    assert finding.history.first().history_change_reason == (
        "Follows the inspectorate's register."
    )


def test_the_same_page_again_changes_nothing(db, inspector):
    import_page(TABLE_PAGE, inspector)
    raw = TABLE_PAGE.encode()
    plan = plan_import(
        parse_report(raw, filename="r.html").to_dict(),
        Force.objects.get(code="WMP"),
        raw,
    )
    assert plan.already_imported is not None
    assert FindingEvent.objects.count() == 3


def test_the_page_updated_adds_only_its_new_entries(db, inspector):
    older = TABLE_PAGE.replace(NEW_ROW, "")
    assert older != TABLE_PAGE
    inspection = import_page(older, inspector)
    finding = inspection.findings.get()
    assert finding.status == Finding.Status.BEING_PROGRESSED
    assert len(register_log(finding)) == 2

    assert import_page(TABLE_PAGE, inspector) == inspection  # a revision of it
    assert Finding.objects.get() == finding
    assert [entry[1] for entry in register_log(finding)] == [
        "awaiting_review",
        "being_progressed",
        "complete",
    ]
    finding.refresh_from_db()
    assert finding.status == Finding.Status.COMPLETE


def test_another_register_page_of_the_same_report_keeps_the_first(db, inspector):
    inspection = import_page(TABLE_PAGE, inspector)
    first = inspection.findings.get()
    other = TABLE_PAGE.replace(
        "make sure that its crime records are accurate and that every reported crime"
        " is recorded within 24 hours of the report.",
        "review how it vets its officers and staff, and act on what it finds.",
    ).replace("Recommendation published.", "Recommendation 2 published.")
    assert import_page(other, inspector) == inspection
    assert inspection.findings.count() == 2
    assert len(register_log(first)) == 3  # nothing moved onto the first
    second = inspection.findings.exclude(pk=first.pk).get()
    assert register_log(second)[0][2] == "Recommendation 2 published."


def test_an_area_for_improvement_page_with_comments_and_a_word_not_in_the_list(
    db, inspector
):
    finding = import_page(FIELDS_PAGE, inspector, "register-fields.txt").findings.get()
    assert finding.kind == Finding.Kind.AREA_FOR_IMPROVEMENT
    assert finding.status == Finding.Status.BEING_PROGRESSED
    assert register_log(finding)[2:] == [
        (
            datetime.date(2021, 6, 30),
            "",
            "Carried forward – Carried forward to the next PEEL inspection.",
        ),
        (
            datetime.date(2021, 10, 5),
            "",
            "The force sent further evidence of supervision reviews.",
        ),
    ]


# The service on its own -------------------------------------------------------------


def entry(day: str, status: str | None, text: str = "") -> ParsedEntry:
    return ParsedEntry(datetime.date.fromisoformat(day), status, text, 1)


def test_only_an_importer_records_register_entries(finding, lead, owner):
    for who in (lead, owner):
        with pytest.raises(PermissionDenied):
            services.record_register_entries(
                who, finding, [entry("2023-03-12", "complete")]
            )
    assert not FindingEvent.objects.exists()


@pytest.mark.parametrize(
    "before, entries, after",
    [
        # forward: the latest status with a date wins
        ("awaiting_review", [("2023-01-01", "being_progressed")], "being_progressed"),
        ("closure_requested", [("2023-01-01", "complete")], "complete"),
        # newest first on the page: the latest by date still wins
        (
            "awaiting_review",
            [("2024-01-01", "complete"), ("2023-01-01", "being_progressed")],
            "complete",
        ),
        # never back: the tracker's own work since stays
        (
            "closure_requested",
            [("2023-01-01", "being_progressed")],
            "closure_requested",
        ),
        ("being_progressed", [("2023-01-01", "awaiting_review")], "being_progressed"),
        # a comment moves nothing, nor does an entry after the latest status
        ("awaiting_review", [("2023-01-01", None)], "awaiting_review"),
    ],
)
def test_the_status_follows_the_latest_register_status_forward_only(
    finding, inspector, before, entries, after
):
    Finding.objects.filter(pk=finding.pk).update(status=before)
    finding.refresh_from_db()
    services.record_register_entries(
        inspector, finding, [entry(day, status) for day, status in entries]
    )
    finding.refresh_from_db()
    assert finding.status == after
    assert finding.events.count() == len(entries)


def test_a_superseded_finding_stays_superseded(finding, inspector):
    later = Finding.objects.create(
        inspection=finding.inspection,
        kind=finding.kind,
        text="A later finding.",
        reference="WMP-2017-EFF-AFI-9",
    )
    Finding.objects.filter(pk=finding.pk).update(
        status="superseded", superseded_by=later
    )
    finding.refresh_from_db()
    services.record_register_entries(
        inspector, finding, [entry("2023-01-01", "complete")]
    )
    finding.refresh_from_db()
    assert finding.status == Finding.Status.SUPERSEDED


def test_the_same_entries_again_add_nothing(finding, inspector):
    entries = [
        entry("2023-01-01", "being_progressed", "Update."),
        entry("2023-02-01", None, "Note."),
    ]
    services.record_register_entries(inspector, finding, entries)
    again = services.record_register_entries(inspector, finding, entries)
    assert again == []
    assert finding.events.count() == 2
    # the same day and status in other words is another entry
    services.record_register_entries(
        inspector,
        finding,
        [entry("2023-01-01", "being_progressed", "Update, revised.")],
    )
    assert finding.events.count() == 3


def test_a_register_entry_needs_its_day_in_the_database(finding, inspector):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        FindingEvent.objects.create(
            finding=finding,
            kind=FindingEvent.Kind.REGISTER,
            from_status="awaiting_review",
            to_status="awaiting_review",
        )


def test_an_entry_imported_after_a_declined_closure_leaves_it_to_answer(
    finding, inspector, lead
):
    from tracker.selectors.queues import closure_declined

    Finding.objects.filter(pk=finding.pk).update(status="being_progressed")
    FindingEvent.objects.create(
        finding=finding,
        kind=FindingEvent.Kind.CLOSURE_DECLINED,
        from_status="closure_requested",
        to_status="being_progressed",
        author=inspector,
        text="The evidence does not show the change.",
    )
    assert list(closure_declined(lead)) == [finding]
    services.record_register_entries(
        inspector, finding, [entry("2023-01-01", None, "Older note.")]
    )
    assert list(closure_declined(lead)) == [finding]


def test_the_command_line_imports_a_register_page_with_its_log(db):
    from django.core.management import call_command

    call_command(
        "import_report",
        str(REPORTS / "register-fields.txt"),
        "--force",
        "West Mercia",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    finding = Finding.objects.get()
    assert len(register_log(finding)) == 4
    assert set(finding.events.values_list("author", flat=True)) == {None}


def test_a_register_page_of_an_imported_report_puts_its_log_on_that_finding(
    db, inspector
):
    sample = (
        Path(__file__).resolve().parent.parent
        / "tracker/data/west-mercia-peel-2016-effectiveness.txt"
    ).read_bytes()
    plan = plan_import(
        parse_report(sample).to_dict(), Force.objects.get(code="WMP"), sample
    )
    inspection = save_import(plan, inspector)
    first = inspection.findings.get(reference="WMP-2016-EFF-AFI-1")
    page = (
        "Area for improvement\n\n"
        f"{first.text}\n\n"
        "From: West Mercia PEEL 2016: Effectiveness\n"
        "Date published: 14/03/2017\n\n"
        "Recommendation status history\n\n"
        "2 March 2017 – awaiting-review\n"
        "14 November 2017 – being-progressed – The force has set up a community"
        " engagement board.\n"
    )
    assert import_page(page, inspector, "register.txt") == inspection
    assert inspection.findings.count() == 5  # none gone, none added
    inspection.refresh_from_db()
    assert inspection.published_on == datetime.date(2017, 3, 2)  # the report's
    assert [entry[1] for entry in register_log(first)] == [
        "awaiting_review",
        "being_progressed",
    ]
    first.refresh_from_db()
    assert first.status == Finding.Status.BEING_PROGRESSED
    assert not FindingEvent.objects.exclude(finding=first).exists()


def test_the_preview_of_a_page_of_an_imported_report_says_where_its_log_goes(
    client, inspector
):
    first = import_page(TABLE_PAGE.replace(NEW_ROW, ""), inspector).findings.get()
    client.force_login(inspector)
    started = client.post(
        "/import/",
        {
            "file": SimpleUploadedFile("register-table.html", TABLE_PAGE.encode()),
            "force": Force.objects.get(code="WMP").pk,
        },
    )
    preview = html.unescape(client.get(started["Location"]).content.decode())
    text = re.sub(r"<[^>]+>", "", preview)
    assert (
        f"Confirming puts its status log on {first.reference}, adding only the entries"
        " not recorded yet; the report's other findings stay as they are." in text
    )
    assert "no longer in the report" not in text


def test_a_register_page_confirmed_in_the_preview_keeps_the_reports_overall_grade(
    client, inspector
):
    """The preview's overall grade box shows "Not stated" for a register page (the page
    grades nothing); confirming it must not wipe the grade the report gave."""
    sample = (
        Path(__file__).resolve().parent.parent
        / "tracker/data/west-mercia-peel-2016-effectiveness.txt"
    ).read_bytes()
    force = Force.objects.get(code="WMP")
    inspection = save_import(
        plan_import(parse_report(sample).to_dict(), force, sample), inspector
    )
    assert inspection.overall_grade == "good"
    first = inspection.findings.get(reference="WMP-2016-EFF-AFI-1")
    page = (
        "Area for improvement\n\n"
        f"{first.text}\n\n"
        "From: West Mercia PEEL 2016: Effectiveness\n"
        "Date published: 14/03/2017\n\n"
        "Recommendation status history\n\n"
        "2 March 2017 – awaiting-review\n"
    )
    client.force_login(inspector)
    started = client.post(
        "/import/",
        {
            "file": SimpleUploadedFile("register.txt", page.encode()),
            "force": force.pk,
        },
    )
    preview = client.get(started["Location"]).content.decode()
    assert "This register page is a finding of" in preview
    done = client.post(
        started["Location"],
        {"force": force.pk, "overall_grade": "not_stated", "confirm": "1"},
    )
    assert done.status_code == 302
    inspection.refresh_from_db()
    assert inspection.overall_grade == "good"
    assert len(register_log(first)) == 1
