"""National reports: one national finding, a tracked copy for each addressee.

A recommendation to all chief constables is saved once and copied to every police
force (each force answers its own, and sees no other's); one to a national body
goes to that body, whose people own and answer it; inspectors follow every copy
on the national finding's roll-up.
"""

import csv
import datetime
import io
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import make_user
from tracker import services
from tracker.importer import parse_report
from tracker.importing import (
    ReportImportError,
    plan_national_import,
    save_national_import,
)
from tracker.models import (
    Action,
    Finding,
    Force,
    Inspection,
    NationalFinding,
    Role,
)
from tracker.selectors import visible_findings

REPORT = Path(__file__).parent / "reports" / "national-vetting-thematic.txt"
TITLE = "An inspection of vetting and the management of police officers' conduct"


def national_data(raw: bytes, title: str = TITLE) -> dict:
    data = parse_report(raw).to_dict()
    data["title"] = title
    return data


def import_national(user, raw: bytes | None = None, title: str = TITLE):
    raw = raw if raw is not None else REPORT.read_bytes()
    plan = plan_national_import(national_data(raw, title), raw)
    return save_national_import(plan, user)


@pytest.fixture
def imported(inspector):
    return import_national(inspector)


@pytest.fixture
def college(db):
    return Force.objects.get(name="College of Policing")


def police_count() -> int:
    return Force.objects.filter(kind=Force.Kind.POLICE_FORCE).count()


def test_the_national_bodies_ship_as_data_beside_the_43_forces(db):
    assert police_count() == 43
    assert set(Force.objects.national_bodies().values_list("name", flat=True)) == {
        "College of Policing",
        "National Police Chiefs' Council",
        "Home Office",
    }


def test_a_national_report_gives_each_addressee_its_own_copy(imported):
    assert len(imported) == NationalFinding.objects.count() == 7
    first = imported[0]
    assert first.addressees == ["all forces"]
    assert first.addressed_as == "chief constables"
    assert first.report_title == TITLE
    # one copy per police force, in an inspection of its own
    copies = first.copies.select_related("force")
    assert copies.count() == police_count() == 43
    assert {copy.force.kind for copy in copies} == {Force.Kind.POLICE_FORCE}
    kent = copies.get(force__code="KEN")
    assert kent.text == first.text and kent.kind == first.kind
    assert kent.reference == f"KEN-{first.reference}"
    assert kent.inspection.title == TITLE
    assert kent.inspection.programme == "National report"
    assert kent.inspection.published_on.isoformat() == "2023-11-02"
    # its action, with the deadline the report set
    (action,) = kent.actions.all()
    assert action.deadline.isoformat() == "2024-03-31"
    assert action.deadline_set_by == Action.DeadlineSetBy.INSPECTORATE
    # to national bodies: only to them
    college_and_npcc = imported[2]
    assert set(college_and_npcc.copies.values_list("force__code", flat=True)) == {
        "COP",
        "NPCC",
    }
    home_office = imported[4]
    assert list(home_office.copies.values_list("force__code", flat=True)) == ["HO"]
    # 43 forces and three national bodies, one inspection each; each force's
    # police and crime commissioner answers the report, a national body has none
    assert Inspection.objects.count() == 46
    pcc = Action.objects.filter(finding=None)
    assert pcc.count() == 43 and not pcc.filter(force__kind="national_body").exists()
    # recommendation 2 is one recommendation with its three sub-steps
    assert Finding.objects.count() == 4 * 43 + 2 + 2 + 1


def test_importing_the_same_national_report_again_changes_nothing(inspector, imported):
    raw = REPORT.read_bytes()
    plan = plan_national_import(national_data(raw), raw)
    assert plan.already_imported is not None
    with pytest.raises(ReportImportError, match="already imported"):
        save_national_import(plan, inspector)
    assert Finding.objects.filter(national__isnull=False).count() == 177
    assert NationalFinding.objects.count() == 7


def _all_forces_report(findings: int) -> bytes:
    lines = [
        "National report on custody",
        "",
        "Published 1 May 2024",
        "",
        "Recommendations",
        "",
    ]
    for number in range(1, findings + 1):
        lines += [
            f"    • By 31 March 2025, chief constables should review custody record {number}.",
        ]
    return "\n".join(lines).encode()


def test_saving_a_national_report_takes_the_same_queries_for_more_findings(
    inspector,
):
    counts = []
    for findings in (2, 6):
        with CaptureQueriesContext(connection) as queries:
            import_national(
                inspector, _all_forces_report(findings), f"Custody ({findings})"
            )
        counts.append(len(queries))
    # not one query per copy: 43 forces × 6 findings would be hundreds of inserts
    assert counts[0] == counts[1]
    # what grows with forces is the notice to each force's leads (two queries each)
    # and to its webhooks (one)
    assert counts[1] <= 3 * 43 + 30, counts


def test_a_finding_with_no_addressee_is_refused_with_its_words(inspector):
    raw = (
        b"National report\n\nPublished 1 May 2024\n\nRecommendations\n\n"
        b"    \xe2\x80\xa2 Chief constables should review their custody suites.\n"
        b"    \xe2\x80\xa2 Custody staff should be trained in first aid.\n"
    )
    plan = plan_national_import(national_data(raw), raw)
    with pytest.raises(ReportImportError, match="does not say whom"):
        save_national_import(plan, inspector)
    assert not NationalFinding.objects.exists() and not Inspection.objects.exists()


# Who sees what ----------------------------------------------------------------------


def csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_a_force_sees_and_answers_only_its_own_copy(client, imported, owner, outsider):
    national = imported[0]
    mine = national.copies.get(force=owner.force)
    theirs = national.copies.get(force=outsider.force)
    assert set(visible_findings(owner).filter(national=national)) == {mine}
    client.force_login(owner)
    page = client.get(mine.get_absolute_url())
    assert page.status_code == 200
    body = page.content.decode()
    assert "A national recommendation to chief constables" in body
    assert theirs.reference not in body
    assert national.get_absolute_url() not in body  # no link to the roll-up
    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert client.get(national.get_absolute_url()).status_code == 403
    assert client.get("/national/findings/").status_code == 403
    exported = {
        row["Finding reference"] for row in csv_rows(client.get("/actions/export.csv"))
    }
    assert mine.reference in exported
    assert not [ref for ref in exported if ref.startswith("WMD-")]
    listed = client.get("/actions/?q=vetting").content.decode()
    assert theirs.reference not in listed


def test_inspectors_see_every_copys_progress_on_the_roll_up(
    client, inspector, imported, lead, owner
):
    national = imported[0]
    mine = national.copies.get(force=owner.force)
    action = mine.actions.get()
    action = services.action_assign(
        lead,
        action,
        expected_version=action.version,
        owner=owner,
        contributors=[],
        deadline=action.deadline,
    )
    services.action_record_progress(owner, action, text="Vetting unit briefed.")
    client.force_login(inspector)
    listing = client.get("/national/findings/")
    assert listing.status_code == 200
    assert national.reference in listing.content.decode()
    assert "/national/findings/" in client.get("/national/").content.decode()
    page = client.get(national.get_absolute_url())
    assert page.status_code == 200
    copies = page.context["copies"]
    assert len(copies) == 43
    row = {copy.force.code: (copy, who) for copy, who in copies}
    copy, who = row["WMP"]
    assert who == owner and copy.open_count == 1 and copy.closed_count == 0
    assert copy.next_deadline.isoformat() == "2024-03-31"
    assert row["KEN"][1] is None
    assert mine.get_absolute_url() in page.content.decode()
    # from a copy, the inspector reaches the roll-up
    assert (
        national.get_absolute_url()
        in client.get(mine.get_absolute_url()).content.decode()
    )


def test_the_national_findings_are_paged_newest_report_first(client, inspector):
    """The inspectorate publishes more every year: the list pages them, 50 a page."""
    NationalFinding.objects.bulk_create(
        NationalFinding(
            kind=Finding.Kind.RECOMMENDATION,
            text=f"Chief constables should review {n}.",
            reference=f"NAT-{2000 + n // 10}-REC-{n % 10 + 1}",
            order=n % 10 + 1,
            report_title=f"Thematic report {2000 + n // 10}",
            programme="National report",
            published_on=datetime.date(2000 + n // 10, 6, 1),
        )
        for n in range(51)
    )
    client.force_login(inspector)
    first = client.get("/national/findings/")
    text = first.content.decode()
    assert len(first.context["nationals"]) == 50
    assert "51 national findings, newest report first: 1 to 50 shown" in text
    # The oldest report's last finding (its tenth) is the 51st.
    assert ">NAT-2005-REC-1<" in text and ">NAT-2000-REC-10<" not in text
    assert 'aria-label="Pages of national findings"' in text
    last = client.get("/national/findings/?page=2").content.decode()
    assert ">NAT-2000-REC-10<" in last and ">NAT-2005-REC-1<" not in last
    # A page that is not there gives the last, not an error.
    beyond = client.get("/national/findings/?page=9").content.decode()
    assert ">NAT-2000-REC-10<" in beyond


def test_a_national_bodys_people_own_and_answer_what_is_addressed_to_it(
    client, imported, college
):
    lead = make_user("lead@college.test", Role.FORCE_LEAD, college)
    staff = make_user("staff@college.test", Role.FORCE_STAFF, college)
    copy = imported[2].copies.get(force=college)
    assert set(visible_findings(staff)) == set(Finding.objects.filter(force=college))
    action = copy.actions.get()
    action = services.action_assign(
        lead,
        action,
        expected_version=action.version,
        owner=staff,
        contributors=[],
        deadline=action.deadline,
    )
    services.action_record_progress(staff, action, text="Draft guidance written.")
    action.refresh_from_db()
    assert action.owner == staff and action.status == Action.Status.IN_PROGRESS
    client.force_login(staff)
    assert client.get(copy.get_absolute_url()).status_code == 200
    other = imported[0].copies.get(force__code="WMP")
    assert client.get(other.get_absolute_url()).status_code == 404


def test_the_preview_offers_all_forces_and_saves_a_copy_for_each(client, inspector):
    client.force_login(inspector)
    start = client.post(
        "/import/",
        {"text": REPORT.read_text(), "force": "", "source_reference": ""},
    )
    assert start.status_code == 302
    preview = client.get(start["Location"])
    body = preview.content.decode()
    assert '<option value="national" selected>All forces (national report)' in body
    assert "the report says “chief constables”" in body
    # no title yet: nothing is saved
    refused = client.post(start["Location"], {"force": "national", "confirm": "1"})
    assert refused.status_code == 400
    assert "Give the national report" in refused.content.decode()
    assert not Inspection.objects.exists()
    done = client.post(
        start["Location"], {"force": "national", "title": TITLE, "confirm": "1"}
    )
    assert done.status_code == 302 and done["Location"] == "/national/findings/"
    assert Inspection.objects.count() == 46
    assert NationalFinding.objects.get(order=1).copies.count() == 43


def test_the_roll_up_takes_the_same_queries_for_one_copy_and_43(
    client, inspector, imported
):
    client.force_login(inspector)
    counts = []
    for national in (imported[6], imported[0]):  # the Home Office's; every force's
        with CaptureQueriesContext(connection) as queries:
            assert client.get(national.get_absolute_url()).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_changed_national_report_of_the_same_title_is_refused(inspector, imported):
    raw = REPORT.read_bytes().replace(b"seven years", b"five years")
    plan = plan_national_import(national_data(raw), raw)
    assert plan.already_imported is None
    with pytest.raises(ReportImportError, match="Revising a national report"):
        save_national_import(plan, inspector)
    assert NationalFinding.objects.count() == 7


def test_a_force_reports_finding_keeps_whom_it_was_addressed_to(inspector):
    from tracker.importing import plan_import, save_import

    raw = (
        Path(__file__).parent / "reports" / "accelerated-cause-of-concern.txt"
    ).read_bytes()
    plan = plan_import(parse_report(raw).to_dict(), Force.objects.get(code="KEN"), raw)
    inspection = save_import(plan, inspector)
    recommendations = inspection.findings.filter(kind=Finding.Kind.RECOMMENDATION)
    assert set(recommendations.values_list("addressed_as", flat=True)) == {"the force"}
    assert not inspection.findings.filter(national__isnull=False).exists()


def test_the_import_command_saves_a_national_report_under_its_title(db, capsys):
    from django.core.management import call_command

    call_command("import_report", str(REPORT), "--national", TITLE)
    out, err = capsys.readouterr()
    assert "(to all forces)" in out and "(to College of Policing, National" in out
    assert "7 national findings, 177 copies" in err
    call_command("import_report", str(REPORT), "--national", TITLE)
    assert "Already imported" in capsys.readouterr().out
    assert NationalFinding.objects.count() == 7


@pytest.mark.parametrize(
    ("sentence", "message"),
    [
        (
            "All fire and rescue services should review their risk plans.",
            "is addressed to all fire and rescue services, which the tracker does "
            "not hold",
        ),
        (
            "The force should review its custody suites.",
            "is addressed to “the force”, but a report for all forces is about no "
            "one force",
        ),
        (
            "Northvale Police should review its custody suites.",
            "is addressed to “Northvale Police”, which is no force the tracker holds",
        ),
    ],
)
def test_an_addressee_the_tracker_does_not_hold_is_refused(
    inspector, sentence, message
):
    raw = (
        "National report\n\nPublished 1 May 2024\n\nRecommendations\n\n"
        "    • Chief constables should review their vetting decisions.\n"
        f"    • {sentence}\n"
    ).encode()
    plan = plan_national_import(national_data(raw), raw)
    with pytest.raises(ReportImportError, match=message):
        save_national_import(plan, inspector)
    assert not NationalFinding.objects.exists() and not Inspection.objects.exists()


def test_the_inspector_says_in_the_preview_whom_a_finding_is_addressed_to(
    client, inspector, college
):
    client.force_login(inspector)
    text = (
        "National report on custody\n\nPublished 1 May 2024\n\nRecommendations\n\n"
        "    • Chief constables should review their custody suites.\n"
        "    • Custody staff should be trained in first aid.\n"
    )
    start = client.post("/import/", {"text": text, "force": "", "source_reference": ""})
    preview = start["Location"]
    form = {"force": "national", "title": "Custody", "confirm": "1"}
    refused = client.post(preview, form)
    assert refused.status_code == 400
    assert "“Custody staff should be trained in first aid” does not say whom" in (
        refused.content.decode()
    )
    assert not Inspection.objects.exists()
    done = client.post(
        preview,
        {**form, "x.2-to-shown": "1", "x.2-to": ["College of Policing", "Nobody"]},
    )
    assert done.status_code == 302
    trained = NationalFinding.objects.get(order=2)
    assert trained.addressees == ["College of Policing"]
    assert [copy.force for copy in trained.copies.all()] == [college]
    assert NationalFinding.objects.get(order=1).copies.count() == 43
