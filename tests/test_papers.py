"""The papers people take to meetings: committee packs, inspection packs and the
national brief, opened as a reader would open them (the PDF's text, the Word
file through python-docx) and checked against the database."""

import datetime
import io
import re

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from bench import generator
from tests.conftest import make_finding, make_inspection
from tracker import services
from tracker.models import (
    Action,
    Finding,
    Force,
    Paper,
    Role,
    Theme,
    User,
)
from tracker.selectors.papers import Period, committee_pack

TODAY = datetime.date(2026, 12, 3)


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    # Words a table cell wraps at a hyphen come back together.
    return "\n".join(page.extract_text() for page in reader.pages)


def joined(text: str) -> str:
    """The PDF's text as one line: a cell's words wrapped at a hyphen or a space
    come back together."""
    return re.sub(r"-\n", "-", re.sub(r"[ \t]+", " ", text)).replace("\n", " ")


def docx_text(content: bytes) -> str:
    lines = []
    for block in Document(io.BytesIO(content)).iter_inner_content():
        if hasattr(block, "rows"):
            lines.extend(" | ".join(c.text for c in row.cells) for row in block.rows)
        else:
            lines.append(block.text)
    return "\n".join(lines)


def structure(reader: PdfReader) -> list[tuple[str, object]]:
    """The tagged PDF's structure elements, as (tag, alternative text)."""
    found = []

    def walk(node):
        node = node.get_object()
        if isinstance(node, list):
            for child in node:
                walk(child)
        elif isinstance(node, dict):
            if "/S" in node:
                found.append((str(node["/S"]), node.get("/Alt")))
            if "/K" in node:
                walk(node["/K"])

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


def figure(text: str, label: str) -> int:
    """The number a pack gives beside `label`, in a table row or after it."""
    match = re.search(rf"{re.escape(label)}\s*\|?\s*([\d,]+)", text)
    assert match, f"{label!r} not found"
    return int(match.group(1).replace(",", ""))


def make_pack(client, user, force, fmt, start, end, inspection=None, marking=None):
    client.force_login(user)
    path = (
        f"/inspections/{inspection.pk}/pack/"
        if inspection
        else f"/forces/{force.slug}/pack/"
    )
    return client.post(
        path,
        {
            "start_day": start.day,
            "start_month": start.month,
            "start_year": start.year,
            "end_day": end.day,
            "end_month": end.month,
            "end_year": end.year,
            "marking": marking or force.protective_marking,
            "format": fmt,
        },
    )


def xlsx_text(content: bytes) -> str:
    workbook = load_workbook(io.BytesIO(content))
    return "\n".join(
        " | ".join("" if value is None else str(value) for value in row)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
    )


def text_of(response, fmt) -> str:
    assert response.status_code == 200, response.content[:500]
    if fmt == "xlsx":
        assert "spreadsheetml" in response["Content-Type"]
        return xlsx_text(response.content)
    if fmt == "pdf":
        assert response["Content-Type"] == "application/pdf"
        return joined(pdf_text(response.content))
    assert "wordprocessingml" in response["Content-Type"]
    return docx_text(response.content)


# The national data set: 43 forces' inspections, findings and actions from the
# benchmark's generator, with one force whose work is all closed.


@pytest.fixture
def nation(db, settings, time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 3, 12, tzinfo=datetime.UTC))
    generator.generate(400, seed=11, today=TODAY)
    quiet = Force.objects.police().get(code="DPP")
    # Test data: every one of this force's actions closed, every finding complete.
    Action.objects.filter(force=quiet).update(status=Action.Status.SIGNED_OFF)
    Finding.objects.filter(force=quiet).update(status=Finding.Status.COMPLETE)
    return quiet


def busiest_force() -> Force:
    from django.db.models import Count

    return (
        Force.objects.police()
        .annotate(
            n=Count(
                "inspections__actions",
                filter=~Q(inspections__actions__status__in=Action.CLOSED_STATUSES),
            )
        )
        .order_by("-n")
        .first()
    )


def open_terms(force: Force) -> dict[str, int]:
    actions = Action.objects.filter(force=force)
    unfinished = actions.filter(status__in=Action.UNFINISHED_STATUSES)
    return {
        "Awaiting allocation": unfinished.filter(owner__isnull=True).count(),
        "In progress": unfinished.filter(owner__isnull=False).count(),
        "Pending sign-off": actions.filter(status=Action.Status.DONE).count(),
        "Closed": actions.filter(status=Action.Status.SIGNED_OFF).count(),
        "Withdrawn": actions.filter(status=Action.Status.WITHDRAWN).count(),
    }


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_a_force_pack_gives_the_databases_figures_and_only_its_force(
    client, nation, fmt
):
    force = busiest_force()
    lead = User.objects.get(force=force, role=Role.FORCE_LEAD)
    text = text_of(
        make_pack(client, lead, force, fmt, datetime.date(2026, 9, 1), TODAY), fmt
    )

    actions = Action.objects.filter(force=force)
    open_count = actions.exclude(status__in=Action.CLOSED_STATUSES).count()
    assert open_count > 0
    assert f"{open_count:,} open action" in text
    for label, count in open_terms(force).items():
        assert figure(text, label) == count, label
    overdue = actions.filter(
        status__in=Action.UNFINISHED_STATUSES, deadline__lt=TODAY
    ).count()
    assert figure(text, "Red: overdue") == overdue
    # Every open finding is there by its reference, and no other force's is.
    open_findings = Finding.objects.filter(
        force=force, status__in=Finding.OPEN_STATUSES
    )
    for reference in open_findings.values_list("reference", flat=True):
        assert reference in text, reference
    others = Finding.objects.exclude(force=force).values_list("reference", flat=True)
    assert not [ref for ref in others if ref in text]
    other_owners = (
        User.objects.filter(role=Role.FORCE_STAFF)
        .exclude(force=force)
        .values_list("email", flat=True)
    )
    assert not [email for email in other_owners if email in text]
    assert force.name in text
    assert "OFFICIAL" in text
    assert Paper.objects.filter(force=force, made_by=lead, format=fmt).count() == 1


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_a_force_with_no_open_work_gets_an_honest_pack(client, nation, fmt):
    quiet = nation
    inspector = User.objects.filter(role=Role.INSPECTOR).first()
    text = text_of(
        make_pack(client, inspector, quiet, fmt, datetime.date(2026, 9, 1), TODAY),
        fmt,
    )
    assert "0 open actions" in text
    assert f"{quiet.name} has no open findings" in text or (
        "There are no open findings" in text
    )
    assert figure(text, "In progress") == 0
    assert figure(text, "Closed") == Action.objects.filter(force=quiet).count()


def test_the_pdf_is_tagged_a4_and_marked_on_every_page(client, nation):
    force = busiest_force()
    lead = User.objects.get(force=force, role=Role.FORCE_LEAD)
    response = make_pack(
        client,
        lead,
        force,
        "pdf",
        datetime.date(2026, 9, 1),
        TODAY,
        marking="OFFICIAL-SENSITIVE",
    )
    reader = PdfReader(io.BytesIO(response.content))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en-GB"
    tags = structure(reader)
    kinds = {tag for tag, _ in tags}
    assert {"/H1", "/H2", "/H3", "/Table", "/TH", "/TD"} <= kinds
    (chart_alt,) = [alt for tag, alt in tags if tag == "/Figure"]
    total = Action.objects.filter(force=force).count()
    assert chart_alt.startswith(f"Bar chart of the {total:,} actions: ")
    assert reader.metadata.title.startswith(f"Committee pack: {force.name}")
    pages = reader.pages
    assert len(pages) > 2
    for number, page in enumerate(pages, start=1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == (595, 842)  # A4 in points
        text = page.extract_text()
        assert text.count("OFFICIAL-SENSITIVE") >= 2, number  # header and footer
        assert f"Page {number} of {len(pages)}" in text


def test_the_word_file_is_a4_with_headings_header_rows_and_the_marking(client, nation):
    force = busiest_force()
    lead = User.objects.get(force=force, role=Role.FORCE_LEAD)
    response = make_pack(client, lead, force, "docx", datetime.date(2026, 9, 1), TODAY)
    document = Document(io.BytesIO(response.content))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert "OFFICIAL" in section.header.paragraphs[0].text
    assert "OFFICIAL" in section.footer.paragraphs[0].text
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml and "NUMPAGES" in footer_xml
    headings = [
        p.text for p in document.paragraphs if p.style.name.startswith("Heading")
    ]
    assert "Where the actions stand" in headings
    assert "Open findings and their actions" in headings
    assert document.tables
    for table in document.tables:
        assert "w:tblHeader" in table.rows[0]._tr.xml


def test_the_pack_as_excel_has_its_tables_as_sheets_with_real_dates_and_links(
    client, nation
):
    force = busiest_force()
    lead = User.objects.get(force=force, role=Role.FORCE_LEAD)
    response = make_pack(client, lead, force, "xlsx", datetime.date(2026, 9, 1), TODAY)
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[:3] == [
        "Where the actions stand",
        "Open findings and actions",
        "Closed in the period",
    ]
    assert workbook.sheetnames[-1] == "About this export"
    terms = {
        row[0]: row[1]
        for row in workbook["Where the actions stand"].iter_rows(
            min_row=2, values_only=True
        )
    }
    for label, count in open_terms(force).items():
        assert terms[label] == count, label
    sheet = workbook["Open findings and actions"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref.startswith("A1:")
    rows = list(sheet.iter_rows(min_row=2))
    references = {row[0].value for row in rows}
    open_findings = Finding.objects.filter(
        force=force, status__in=Finding.OPEN_STATUSES
    )
    assert references == set(open_findings.values_list("reference", flat=True))
    dated = [row for row in rows if row[8].value is not None]
    assert dated and all(isinstance(row[8].value, datetime.datetime) for row in dated)
    assert dated[0][8].number_format == "d mmmm yyyy"
    action = Action.objects.get(pk=int(rows[0][5].value.split("-A")[1]))
    assert action.force == force
    assert rows[0][5].hyperlink.target == f"http://testserver/actions/{action.pk}/"
    about = {
        row[0]: row[1]
        for row in workbook["About this export"].iter_rows(values_only=True)
    }
    assert about["Force"] == force.name
    assert about["Period"] == "1 September 2026 to 3 December 2026"


# What changed in the period, on a small force made through the services.


@pytest.fixture
def period_story(db, force, lead, owner, inspector, time_machine):
    """An action closed in the period, one overdue in it, one overdue before it,
    one finding published in it and one before."""
    time_machine.move_to(datetime.datetime(2026, 6, 1, 9, tzinfo=datetime.UTC))
    old = make_inspection(force, 2024)  # published 2 March 2025
    new = make_inspection(force, 2025)
    new.published_on = datetime.date(2026, 7, 1)
    new.save()
    old_finding = make_finding(old, 1)
    new_finding = make_finding(new, 2)
    closed = services.action_create(
        lead, finding=old_finding, title="Train the call handlers", owner=owner
    )
    late_in_period = services.action_create(
        lead,
        finding=old_finding,
        title="Audit the crime records",
        owner=owner,
        deadline=datetime.date(2026, 10, 15),
    )
    late_before = services.action_create(
        lead,
        finding=new_finding,
        title="Publish the new policy",
        deadline=datetime.date(2026, 8, 1),
    )
    time_machine.move_to(datetime.datetime(2026, 10, 20, 9, tzinfo=datetime.UTC))
    services.action_record_progress(owner, closed, text="Forty call handlers trained.")
    services.action_mark_done(owner, closed, "All trained.")
    services.action_sign_off(lead, closed, "Checked the register.")
    time_machine.move_to(datetime.datetime(2026, 12, 3, 9, tzinfo=datetime.UTC))
    return {
        "closed": closed,
        "late_in_period": late_in_period,
        "late_before": late_before,
        "new_finding": new_finding,
        "old_finding": old_finding,
    }


def test_the_period_chooses_what_changed(period_story, force, lead):
    story = period_story
    pack = committee_pack(
        lead, force, Period(datetime.date(2026, 9, 1), datetime.date(2026, 11, 30))
    )
    assert [a.pk for a in pack.closed] == [story["closed"].pk]
    assert [a.pk for a in pack.newly_overdue] == [story["late_in_period"].pk]
    assert pack.new_findings == []  # published 1 July 2026, before the period
    # The closed action's finding still has open work; its latest word is the
    # last update that said something (marking it done), not the sign-off.
    lines = {
        line.action.pk: line
        for section in pack.sections
        for item in section.findings
        for line in item.actions
    }
    assert lines[story["closed"].pk].action.latest_text == "All trained."
    assert lines[story["late_in_period"].pk].rating == "Red: overdue"
    assert lines[story["late_in_period"].pk].action.latest_at is None

    summer = committee_pack(
        lead, force, Period(datetime.date(2026, 6, 1), datetime.date(2026, 8, 31))
    )
    assert summer.closed == []
    assert [a.pk for a in summer.newly_overdue] == [story["late_before"].pk]
    # New to the committee: the report of March 2025 was added to the tracker on
    # 1 June 2026, and the report of 1 July 2026 was published in the summer.
    assert [f.pk for f in summer.new_findings] == [
        story["old_finding"].pk,
        story["new_finding"].pk,
    ]
    # The commissioner's clock: the report of 1 July 2026 was due 26 August 2026.
    (clock,) = summer.pcc
    assert clock.due == datetime.date(2026, 8, 26)


def test_an_action_due_on_a_packs_last_day_is_newly_overdue_in_the_next(
    period_story, force, lead
):
    late = period_story["late_in_period"]  # due 15 October 2026, red from the 16th
    up_to = Period(datetime.date(2026, 9, 1), datetime.date(2026, 10, 15))
    after = Period(datetime.date(2026, 10, 16), datetime.date(2026, 11, 30))
    assert late.pk not in [
        a.pk for a in committee_pack(lead, force, up_to).newly_overdue
    ]
    assert late.pk in [a.pk for a in committee_pack(lead, force, after).newly_overdue]


def test_deadline_moves_are_the_moves_made_in_the_period(
    period_story, force, lead, time_machine
):
    action = period_story["late_in_period"]  # made on 1 June 2026, due 15 October
    time_machine.move_to(datetime.datetime(2026, 9, 10, 9, tzinfo=datetime.UTC))
    action = services.action_edit(
        lead,
        action,
        expected_version=action.version,
        title="Audit every crime record",
        description="",
        deliverable="",
    )
    time_machine.move_to(datetime.datetime(2026, 9, 20, 9, tzinfo=datetime.UTC))
    services.action_assign(
        lead,
        action,
        expected_version=action.version,
        owner=action.owner,
        contributors=[],
        deadline=datetime.date(2026, 12, 31),
    )
    time_machine.move_to(datetime.datetime(2026, 12, 3, 9, tzinfo=datetime.UTC))
    pack = committee_pack(
        lead, force, Period(datetime.date(2026, 9, 1), datetime.date(2026, 11, 30))
    )
    moves = [(m.action.pk, m.old, m.new, m.by) for m in pack.deadline_moves]
    # Neither the title's change nor the actions made with their deadlines.
    assert moves == [
        (action.pk, datetime.date(2026, 10, 15), datetime.date(2026, 12, 31), str(lead))
    ]
    before = committee_pack(
        lead, force, Period(datetime.date(2026, 6, 1), datetime.date(2026, 8, 31))
    )
    assert before.deadline_moves == []


def test_an_inspectors_pack_does_not_move_the_forces_since(
    client, period_story, force, lead, inspector
):
    make_pack(client, inspector, force, "pdf", datetime.date(2026, 9, 1), TODAY)
    client.force_login(lead)
    page = client.get(f"/forces/{force.slug}/pack/").content.decode()
    assert "The last pack was made on" not in page
    make_pack(client, lead, force, "pdf", datetime.date(2026, 9, 1), TODAY)
    client.force_login(inspector)
    page = client.get(f"/forces/{force.slug}/pack/").content.decode()
    assert f"by {inspector}" in page


def test_text_word_cannot_hold_is_left_out_not_a_failure(
    client, period_story, force, lead
):
    finding = period_story["old_finding"]
    Finding.objects.filter(pk=finding.pk).update(
        text="The force should\x0bimprove\x0cthis.\x1b"
    )
    text = text_of(
        make_pack(client, lead, force, "docx", datetime.date(2026, 9, 1), TODAY),
        "docx",
    )
    assert "The force should improve this." in text


def test_a_second_pack_starts_the_day_after_the_last(client, period_story, force, lead):
    first = make_pack(
        client,
        lead,
        force,
        "pdf",
        datetime.date(2026, 9, 1),
        datetime.date(2026, 11, 1),
    )
    assert first.status_code == 200
    page = client.get(f"/forces/{force.slug}/pack/").content.decode()
    assert 'name="start_day" value="2"' in page
    assert 'name="start_month" value="11"' in page
    assert "The last pack was made on" in page
    text = text_of(
        make_pack(client, lead, force, "docx", datetime.date(2026, 11, 2), TODAY),
        "docx",
    )
    assert "The last pack was made on" in text
    assert "for 1 September 2026 to 1 November 2026" in text


def test_an_empty_period_says_so(client, period_story, force, lead):
    text = text_of(
        make_pack(
            client,
            lead,
            force,
            "pdf",
            datetime.date(2026, 11, 20),
            datetime.date(2026, 11, 25),
        ),
        "pdf",
    )
    assert "Nothing changed in this period" in joined(text).replace("\n", " ")


@pytest.mark.parametrize(
    "start, end, message",
    [
        (
            datetime.date(2026, 11, 1),
            datetime.date(2026, 10, 1),
            "The end of the period must be the same as or after its start",
        ),
        (
            datetime.date(2026, 11, 1),
            datetime.date(2027, 1, 1),
            "The end of the period must be today or in the past",
        ),
    ],
)
def test_a_period_that_cannot_be_is_refused_with_what_was_typed_kept(
    client, period_story, force, lead, start, end, message
):
    response = make_pack(client, lead, force, "pdf", start, end)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert message in page
    assert "<title>Error: " in page
    assert f'name="end_year" value="{end.year}"' in page
    assert not Paper.objects.exists()


def test_a_missing_date_is_refused(client, period_story, force, lead):
    client.force_login(lead)
    response = client.post(
        f"/forces/{force.slug}/pack/",
        {
            "start_day": "1",
            "start_month": "9",
            "start_year": "",
            "marking": "OFFICIAL",
            "format": "pdf",
        },
    )
    page = response.content.decode()
    assert "Start of the period must include a year" in page
    assert "Enter the date" in page or "End of the period" in page
    assert not Paper.objects.exists()


def test_an_inspection_pack_holds_that_report_only(client, period_story, force, lead):
    story = period_story
    inspection = story["new_finding"].inspection
    text = text_of(
        make_pack(
            client,
            lead,
            force,
            "docx",
            datetime.date(2026, 6, 1),
            TODAY,
            inspection=inspection,
        ),
        "docx",
    )
    assert story["new_finding"].reference in text
    assert story["old_finding"].reference not in text
    assert "Publish the new policy" in text
    assert "Train the call handlers" not in text
    assert Paper.objects.get().inspection == inspection


# Who may make which pack: every role, for their own force and another.


@pytest.fixture
def two_forces(db, force, other_force, lead, owner, other_lead, outsider, inspector):
    for each, its_lead, its_owner in (
        (force, lead, owner),
        (other_force, other_lead, outsider),
    ):
        finding = make_finding(make_inspection(each))
        services.action_create(
            its_lead, finding=finding, title=f"Work of {each.name}", owner=its_owner
        )
    return force, other_force


PACKS = ["committee", "inspection"]


@pytest.mark.parametrize("kind", PACKS)
@pytest.mark.parametrize("fmt", ["pdf", "docx", "xlsx"])
@pytest.mark.parametrize(
    "who", ["owner", "lead", "outsider", "other_lead", "inspector", "admin_user"]
)
def test_every_pack_for_every_role_and_force_shows_only_that_force(
    client, two_forces, request, who, kind, fmt
):
    user = request.getfixturevalue(who)
    for target in two_forces:
        inspection = target.inspections.get()
        other = next(f for f in two_forces if f != target)
        response = make_pack(
            client,
            user,
            target,
            fmt,
            datetime.date(2026, 1, 1),
            timezone.localdate(),
            inspection=inspection if kind == "inspection" else None,
        )
        reads_every_force = user.role in (Role.INSPECTOR, Role.ADMIN)
        if not reads_every_force and user.force_id != target.pk:
            assert response.status_code == 404, (who, target)
        elif user.role == Role.FORCE_STAFF:
            assert response.status_code == 403, (who, target)
        else:
            text = text_of(response, fmt)
            assert f"Work of {target.name}" in text
            assert f"Work of {other.name}" not in text
            assert other.code + "-" not in text
            continue
        assert not Paper.objects.filter(force=target, made_by=user).exists()


# The national brief, for inspectors.


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_the_national_brief_gives_every_force_with_percentages_and_a_theme(
    client, nation, fmt
):
    inspector = User.objects.filter(role=Role.INSPECTOR).first()
    theme = Theme.objects.filter(findings__isnull=False).distinct().first()
    client.force_login(inspector)
    response = client.post(
        "/national/brief/", {"theme": theme.slug, "marking": "OFFICIAL", "format": fmt}
    )
    text = text_of(response, fmt)
    flat = text.replace("\n", " ")
    for force in Force.objects.police():
        assert force.name in text, force.name
    force = busiest_force()
    actions = Action.objects.filter(force=force)
    closed = actions.filter(status__in=Action.CLOSED_STATUSES).count()
    share = round(100 * closed / actions.count())
    assert f"{closed:,} ({share}%)" in flat
    # The totals row: every police force's actions.
    police = Action.objects.filter(force__kind=Force.Kind.POLICE_FORCE)
    all_closed = police.filter(status__in=Action.CLOSED_STATUSES).count()
    all_share = round(100 * all_closed / police.count())
    totals = flat.split("All forces", 1)[1]
    assert f"{police.count():,}" in totals
    assert f"{all_closed:,} ({all_share}%)" in totals
    # Ageing: the busiest force's open findings of reports over two years old.
    old = Finding.objects.filter(
        force=force,
        status__in=Finding.OPEN_STATUSES,
        inspection__published_on__lte=TODAY - datetime.timedelta(days=730),
    ).count()
    ageing = flat.split("How long open findings have been open", 1)[1]
    row = re.search(
        rf"{re.escape(force.name)}\W+([\d,]+)\W+([\d,]+)\W+([\d,]+)\W+([\d,]+)", ageing
    )
    assert row and int(row.group(4).replace(",", "")) == old
    # The theme: each force's findings on it, and the forces with none.
    on_theme = Finding.objects.filter(themes=theme)
    for reference in on_theme.values_list("reference", flat=True):
        assert reference in text, reference
    without = Force.objects.police().exclude(pk__in=on_theme.values("force"))
    section = flat.split("Forces with no finding on this theme", 1)[1]
    for name in without.values_list("name", flat=True):
        assert name in section, name
    for name in Force.objects.filter(pk__in=on_theme.values("force")).values_list(
        "name", flat=True
    ):
        assert name not in section, name
    assert Paper.objects.get().kind == Paper.Kind.NATIONAL


@pytest.mark.parametrize("who", ["owner", "lead"])
def test_force_users_may_not_make_the_national_brief(client, two_forces, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/national/brief/").status_code == 403
    assert client.post("/national/brief/", {"format": "pdf"}).status_code == 403
    assert not Paper.objects.exists()


def test_the_pack_links_are_offered_to_those_who_may(client, two_forces, lead, owner):
    force = two_forces[0]
    client.force_login(lead)
    assert (
        f"/forces/{force.slug}/pack/"
        in client.get(f"/forces/{force.slug}/").content.decode()
    )
    client.force_login(owner)
    assert (
        f"/forces/{force.slug}/pack/"
        not in client.get(f"/forces/{force.slug}/").content.decode()
    )


def test_a_pack_takes_the_same_queries_however_much_work_the_force_has(
    period_story, force, lead
):
    period = Period(datetime.date(2026, 1, 1), TODAY)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            committee_pack(lead, force, period)
        return len(captured)

    small = queries()
    for year in (2018, 2019):
        inspection = make_inspection(force, year)
        for number in range(3, 9):
            finding = make_finding(inspection, number)
            for step in range(3):
                action = services.action_create(
                    lead, finding=finding, title=f"Step {step}", owner=lead
                )
                services.action_record_progress(lead, action, text="Under way.")
    assert queries() == small <= 15


def test_the_leads_marking_becomes_the_forces_and_an_inspectors_marks_one_pack(
    client, period_story, force, lead, inspector
):
    period = (datetime.date(2026, 9, 1), TODAY)
    make_pack(client, inspector, force, "pdf", *period, marking="OFFICIAL: DRAFT")
    force.refresh_from_db()
    assert force.protective_marking == "OFFICIAL"
    assert Paper.objects.get().marking == "OFFICIAL: DRAFT"

    response = make_pack(
        client, lead, force, "pdf", *period, marking="OFFICIAL-SENSITIVE"
    )
    reader = PdfReader(io.BytesIO(response.content))
    assert all(
        page.extract_text().count("OFFICIAL-SENSITIVE") >= 2 for page in reader.pages
    )
    force.refresh_from_db()
    assert force.protective_marking == "OFFICIAL-SENSITIVE"
    page = client.get(f"/forces/{force.slug}/pack/").content.decode()
    assert 'value="OFFICIAL-SENSITIVE"' in page


@pytest.mark.parametrize(
    "marking, message",
    [
        ("", "Enter the marking for the header and footer, for example OFFICIAL"),
        ("<b>SECRET</b>", "The marking may hold only letters, numbers"),
        ("X" * 61, "The marking must be 60 characters or fewer"),
    ],
)
def test_a_marking_that_cannot_be_printed_is_refused(
    client, period_story, force, lead, marking, message
):
    client.force_login(lead)
    response = client.post(
        f"/forces/{force.slug}/pack/",
        {
            **{f"start_{k}": v for k, v in (("day", 1), ("month", 9), ("year", 2026))},
            **{f"end_{k}": v for k, v in (("day", 1), ("month", 11), ("year", 2026))},
            "marking": marking,
            "format": "pdf",
        },
    )
    assert message in response.content.decode()
    assert not Paper.objects.exists()
    force.refresh_from_db()
    assert force.protective_marking == "OFFICIAL"


def test_the_national_brief_as_excel(client, nation):
    inspector = User.objects.filter(role=Role.INSPECTOR).first()
    theme = Theme.objects.filter(findings__isnull=False).distinct().first()
    client.force_login(inspector)
    response = client.post(
        "/national/brief/",
        {"theme": theme.slug, "marking": "OFFICIAL", "format": "xlsx"},
    )
    workbook = load_workbook(io.BytesIO(response.content))
    forces = {
        row[0]: row for row in workbook["Forces"].iter_rows(min_row=2, values_only=True)
    }
    totals = forces.pop("All forces")
    assert set(forces) == set(Force.objects.police().values_list("name", flat=True))
    force = busiest_force()
    actions = Action.objects.filter(force=force)
    closed = actions.filter(status__in=Action.CLOSED_STATUSES).count()
    header = [c.value for c in workbook["Forces"][1]]
    row = dict(zip(header, forces[force.name], strict=True))
    assert row["Actions"] == actions.count() and row["Closed"] == closed
    assert row["Closed share"] == pytest.approx(
        round(100 * closed / actions.count()) / 100
    )
    police = Action.objects.filter(force__kind=Force.Kind.POLICE_FORCE)
    assert dict(zip(header, totals, strict=True))["Actions"] == police.count()
    on_theme = Finding.objects.filter(themes=theme)
    themed = list(workbook["Theme"].iter_rows(min_row=2, values_only=True))
    assert {r[1] for r in themed if r[1]} == set(
        on_theme.values_list("reference", flat=True)
    )
    without = set(
        Force.objects.police()
        .exclude(pk__in=on_theme.values("force"))
        .values_list("name", flat=True)
    )
    assert {r[0] for r in themed if r[2] == "No finding on this theme"} == without


def test_the_admin_lists_the_packs_made_and_changes_none(
    client, period_story, force, lead, admin_user
):
    make_pack(client, lead, force, "pdf", datetime.date(2026, 9, 1), TODAY)
    client.force_login(admin_user)
    listing = client.get("/admin/tracker/paper/")
    assert listing.status_code == 200
    assert "Committee pack" in listing.content.decode()
    assert client.get("/admin/tracker/paper/add/").status_code == 403
    paper = Paper.objects.get()
    change = client.post(f"/admin/tracker/paper/{paper.pk}/change/", {"marking": "X"})
    assert change.status_code in (200, 403)
    paper.refresh_from_db()
    assert paper.marking == "OFFICIAL"


def test_the_pdf_fetches_nothing_but_its_own_data():
    from tracker.papers.pdf import ONLY_DATA

    assert ONLY_DATA.fetch("data:text/plain;base64,aGk=")
    for url in ("file:///etc/hostname", "http://127.0.0.1:6379/"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            ONLY_DATA.fetch(url)
