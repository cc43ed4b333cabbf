"""The action list, its filters, and the CSV and Excel exports with the same filters."""

import csv
import datetime
import io

import pytest
import time_machine
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from tracker import services
from tracker.exports import COLUMNS, HEADERS
from tracker.models import Action, Force
from tracker.spreadsheets import MIMETYPE


def csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def three_actions(finding, lead, owner, colleague):
    today = datetime.date.today()
    late = services.action_create(
        lead,
        finding=finding,
        title="Late review",
        owner=owner,
        deadline=today - datetime.timedelta(days=3),
    )
    soon = services.action_create(
        lead,
        finding=finding,
        title="=SUM(A1) soon",
        owner=colleague,
        deadline=today + datetime.timedelta(days=5),
    )
    later = services.action_create(
        lead,
        finding=finding,
        title="Later plan",
        owner=owner,
        deadline=today + datetime.timedelta(days=90),
    )
    return late, soon, later


def titles(response):
    return [action.title for action in response.context["page"].object_list]


def test_list_filters_by_overdue_owner_status_and_text(
    client, owner, three_actions, other_action
):
    late, soon, later = three_actions
    client.force_login(owner)
    assert titles(client.get("/actions/")) == [
        "Late review",
        "=SUM(A1) soon",
        "Later plan",
    ]
    assert titles(client.get("/actions/?overdue=on")) == ["Late review"]
    assert titles(client.get(f"/actions/?owner={soon.owner_id}")) == ["=SUM(A1) soon"]
    assert titles(client.get("/actions/?q=plan")) == ["Later plan"]
    # An export's reference finds its action, and only in the reader's own force.
    assert titles(client.get(f"/actions/?q={later.reference.lower()}")) == [
        "Later plan"
    ]
    assert not titles(client.get(f"/actions/?q={other_action.reference}"))
    page = client.get(later.get_absolute_url()).content.decode()
    assert f"Action {later.reference}" in page
    assert titles(client.get("/actions/?sort=-deadline")) == [
        "Later plan",
        "=SUM(A1) soon",
        "Late review",
    ]
    due = (datetime.date.today() + datetime.timedelta(days=10)).isoformat()
    assert titles(client.get(f"/actions/?due_before={due}")) == [
        "Late review",
        "=SUM(A1) soon",
    ]
    services.action_record_progress(owner, later, text="Begun")
    assert titles(client.get("/actions/?status=in_progress")) == ["Later plan"]


def test_a_force_user_cannot_widen_the_list_to_another_force(
    client, owner, three_actions, other_action
):
    client.force_login(owner)
    response = client.get(f"/actions/?force={other_action.force_id}")
    assert other_action.title not in response.content.decode()
    response = client.get(f"/actions/?inspection={other_action.inspection_id}")
    assert (
        "Select a valid choice" in response.content.decode()
        or not response.context["page"].object_list
    )
    assert other_action.title not in response.content.decode()


def test_inspector_sees_every_force_and_can_filter_by_force(
    client, inspector, three_actions, other_action
):
    client.force_login(inspector)
    assert len(titles(client.get("/actions/"))) == 4
    assert titles(client.get(f"/actions/?force={other_action.force_id}")) == [
        other_action.title
    ]


def test_htmx_gets_only_the_results(client, owner, three_actions):
    client.force_login(owner)
    response = client.get("/actions/?overdue=on", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Late review" in body and "<html" not in body
    assert "HX-Request" in response["Vary"]


def test_csv_export_has_the_same_filters_and_defuses_formulas(
    client, owner, three_actions, other_action
):
    client.force_login(owner)
    response = client.get("/actions/export.csv?q=soon")
    assert response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    assert [row["Action"] for row in rows] == ["'=SUM(A1) soon"]
    everything = csv_rows(client.get("/actions/export.csv"))
    assert len(everything) == 3
    assert other_action.title not in {row["Action"] for row in everything}
    assert {row["Rating"] for row in everything} == {
        "Red: overdue",
        "Amber: due soon",
        "Green: on track",
    }


def sheet_rows(sheet):
    rows = list(sheet.values)
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_excel_export_is_a_real_workbook_with_the_same_rows(
    client, owner, three_actions
):
    client.force_login(owner)
    response = client.get("/actions/export.xlsx?overdue=on")
    (row,) = sheet_rows(load_workbook(io.BytesIO(response.content))["Actions"])
    assert row["Action"] == "Late review"
    assert isinstance(row["Deadline"], datetime.datetime)  # a real date, not text


def test_excel_export_is_a_workbook_people_can_work_in(
    client, owner, outsider, three_actions, other_action
):
    """Widths, a frozen bold header, a filter over every row, UK dates on date
    cells, each reference linked to its action, and the newest update that says
    something, with its day in London."""
    late, soon, later = three_actions
    with time_machine.travel(datetime.datetime(2026, 3, 1, 10, tzinfo=datetime.UTC)):
        services.action_record_progress(owner, late, text="Data asked for.", percent=20)
    # 23:30 in London's summer is the next day there.
    with time_machine.travel(
        datetime.datetime(2026, 6, 15, 23, 30, tzinfo=datetime.UTC)
    ):
        services.action_record_progress(owner, late, text="Panel met.", percent=40)
    with time_machine.travel(datetime.datetime(2026, 7, 1, 9, tzinfo=datetime.UTC)):
        services.action_mark_done(owner, late)  # says nothing new
    services.action_record_progress(outsider, other_action, text="Not theirs to read.")
    client.force_login(owner)
    response = client.get("/actions/export.xlsx")
    assert response["Content-Type"] == MIMETYPE
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Actions", "About this export"]
    sheet = workbook["Actions"]
    widths = [sheet.column_dimensions[get_column_letter(n)].width for n in range(1, 19)]
    assert widths == [column.width for column in COLUMNS]
    assert sheet.max_column == 18 and widths[9] >= 17  # "30 September 2026" fits
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:R4"  # the header and the three rows
    assert all(cell.font.b for cell in sheet[1])
    rows = sheet_rows(sheet)
    assert [row["Action"] for row in rows] == [
        "Late review",
        "'=SUM(A1) soon",  # never run as a formula
        "Later plan",
    ]
    first = sheet[2]
    column = {cell.value: n for n, cell in enumerate(sheet[1])}
    reference = first[column["Reference"]]
    assert reference.value == f"WMP-A{late.pk}" == late.reference
    assert reference.hyperlink.target == f"http://testserver/actions/{late.pk}/"
    deadline = first[column["Deadline"]]
    assert deadline.is_date and deadline.value.date() == late.deadline
    assert deadline.number_format == "d mmmm yyyy"
    updated = first[column["Last updated"]]
    assert updated.is_date and updated.number_format == "dd/mm/yyyy hh:mm"
    assert first[column["Latest update"]].value == "Panel met."
    on = first[column["Latest update on"]]
    assert on.value == datetime.datetime(2026, 6, 16)
    assert on.number_format == "d mmmm yyyy"
    percent = first[column["Percent complete"]]
    assert (percent.value, percent.number_format) == (1, "0%")
    assert rows[1]["Latest update"] is None and rows[1]["Latest update on"] is None
    assert "Not theirs to read." not in {row["Latest update"] for row in rows}
    assert other_action.title not in {row["Action"] for row in rows}


def about(response) -> dict:
    sheet = load_workbook(io.BytesIO(response.content))["About this export"]
    return {label: value for label, value in sheet.values}


def test_the_about_sheet_says_how_the_rows_were_chosen_by_whom_and_when(
    client, owner, three_actions
):
    late, soon, later = three_actions
    services.action_record_progress(owner, later, text="Begun")
    client.force_login(owner)
    made = datetime.datetime(2026, 12, 3, 11, 39, tzinfo=datetime.UTC)
    with time_machine.travel(made, tick=False):
        response = client.get(
            f"/actions/export.xlsx?status=in_progress&status=not_started"
            f"&owner={owner.pk}&q=plan&sort=-deadline"
        )
    words = about(response)
    assert words["Force"] == "West Mercia Police"
    assert words["Search"] == "plan"
    assert words["Status"] == "Not started, In progress"
    assert words["Owner"] == str(owner)
    assert words["Sort by"] == "Deadline (latest first)"
    assert "Filters" not in words
    assert words["Made by"] == str(owner)
    assert words["Made on"] == "3 December 2026 at 11:39am"
    assert words["Rows"] == 1
    assert words["The same list"] == "Open the action list with these filters"
    assert "What this is" in words

    words = about(client.get("/actions/export.xlsx"))
    assert (words["Filters"], words["Sort by"]) == ("None", "Deadline (soonest first)")
    assert words["Rows"] == 3
    due = datetime.date(2030, 5, 1).isoformat()
    words = about(client.get(f"/actions/export.xlsx?overdue=on&due_before={due}"))
    assert (words["Overdue only"], words["Due on or before"]) == ("Yes", "1 May 2030")
    assert words["Rows"] == 1


def test_an_inspector_exports_every_force_and_a_force_user_only_their_own(
    client, owner, inspector, three_actions, other_action
):
    client.force_login(inspector)
    sheet = load_workbook(io.BytesIO(client.get("/actions/export.xlsx").content))
    assert {row["Force"] for row in sheet_rows(sheet["Actions"])} == {
        "West Mercia Police",
        "West Midlands Police",
    }
    assert "Force" not in about(client.get("/actions/export.xlsx"))
    client.force_login(owner)
    for query in ("", f"force={other_action.force_id}", f"q={other_action.title}"):
        response = client.get(f"/actions/export.xlsx?{query}")
        rows = sheet_rows(load_workbook(io.BytesIO(response.content))["Actions"])
        assert {row["Force"] for row in rows} <= {"West Mercia Police"}, query
        assert other_action.reference not in {row["Reference"] for row in rows}
    # Another force's inspection is not a choice: refused, not widened.
    query = f"inspection={other_action.inspection_id}"
    assert client.get(f"/actions/export.xlsx?{query}").status_code == 400


def test_csv_has_the_workbook_columns_with_the_link_as_an_address(
    client, owner, three_actions
):
    late, soon, later = three_actions
    with time_machine.travel(
        datetime.datetime(2026, 6, 15, 23, 30, tzinfo=datetime.UTC)
    ):
        services.action_record_progress(owner, late, text="Panel met.", percent=40)
    client.force_login(owner)
    row = csv_rows(client.get("/actions/export.csv"))[0]
    assert list(row) == HEADERS
    assert row["Reference"] == late.reference
    assert row["Link"] == f"http://testserver/actions/{late.pk}/"
    assert (row["Latest update"], row["Latest update on"]) == (
        "Panel met.",
        "2026-06-16",
    )
    assert (row["Deadline"], row["Percent complete"]) == (
        late.deadline.isoformat(),
        "40",
    )


def test_unknown_export_format_is_not_found(client, owner):
    client.force_login(owner)
    assert client.get("/actions/export.pdf").status_code == 404


@pytest.mark.parametrize("size", [10, 60])
def test_list_query_count_does_not_grow(
    client, owner, finding, lead, size, django_assert_max_num_queries
):
    Action.objects.bulk_create(
        [
            Action(
                inspection=finding.inspection,
                finding=finding,
                force=finding.force,
                title=f"A{i}",
                owner=owner,
                deadline=datetime.date(2030, 1, 1 + i % 28),
            )
            for i in range(size)
        ]
    )
    client.force_login(owner)
    with django_assert_max_num_queries(12):
        response = client.get("/actions/")
    assert response.status_code == 200


def test_calendar_feed_lists_my_deadlines_and_revoking_stops_it(
    client, owner, three_actions, other_action
):
    client.force_login(owner)
    client.post("/calendar/", {"do": "reset"})
    owner.refresh_from_db()
    token = owner.calendar_token
    assert token and len(token) >= 40
    client.logout()
    feed = client.get(f"/calendar/{token}.ics")
    assert feed.status_code == 200
    body = feed.content.decode()
    assert (
        body.count("BEGIN:VEVENT") == 2
    )  # Late review and Later plan are owned; Soon is a colleague's
    assert "Late review" in body and other_action.title not in body
    client.force_login(owner)
    client.post("/calendar/", {"do": "reset"})
    client.logout()
    assert client.get(f"/calendar/{token}.ics").status_code == 404
    owner.refresh_from_db()
    assert client.get(f"/calendar/{owner.calendar_token}.ics").status_code == 200
    client.force_login(owner)
    client.post("/calendar/", {"do": "revoke"})
    owner.refresh_from_db()
    assert owner.calendar_token is None


def test_force_lead_calendar_has_the_whole_force_but_no_other(
    client, lead, three_actions, other_action
):
    token = services.calendar_token_reset(lead)
    body = client.get(f"/calendar/{token}.ics").content.decode()
    assert body.count("BEGIN:VEVENT") == 3
    assert other_action.title not in body


def test_national_view_counts_forces(client, inspector, three_actions, other_action):
    client.force_login(inspector)
    response = client.get("/national/")
    assert response.status_code == 200
    rows = {row["force"].code: row for row in response.context["forces"]}
    assert len(rows) == 43
    assert (rows["WMP"]["actions"]["total"], rows["WMP"]["actions"]["overdue"]) == (
        3,
        1,
    )
    assert rows["WMP"]["findings"]["awaiting_review"] == 1
    assert rows["WMD"]["actions"]["total"] == 1
    assert rows["KEN"]["actions"].get("total", 0) == 0
    # Nothing to share out: 0 rather than a division by zero.
    assert rows["KEN"]["shares"] == {"complete": 0, "closed": 0, "overdue": 0}


def test_national_view_compares_forces_on_one_theme(
    client, inspector, finding, other_finding
):
    from tracker.models import Theme

    theme = Theme.objects.create(name="Outcome 16", slug="outcome-16")
    finding.themes.add(theme)
    other_finding.themes.add(theme)
    client.force_login(inspector)
    response = client.get("/national/?theme=outcome-16")
    # Sorted by force name: West Mercia, then West Midlands.
    assert [f.reference for f in response.context["theme_rows"]] == [
        finding.reference,
        other_finding.reference,
    ]
    assert client.get("/national/?theme=nope").status_code == 404


@pytest.mark.parametrize("who", ["owner", "lead", "outsider"])
def test_national_view_is_for_inspectors(client, db, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/national/").status_code == 403


def test_exports_name_owners_as_the_pages_do_and_leave_unassigned_empty(
    client, lead, finding
):
    services.action_create(lead, finding=finding, title="Nobody yet")
    services.action_create(lead, finding=finding, title="Named", owner=lead)
    client.force_login(lead)
    rows = {
        row["Action"]: row["Owner"]
        for row in csv_rows(client.get("/actions/export.csv"))
    }
    assert rows == {"Nobody yet": "", "Named": str(lead)}


def test_exports_give_last_updated_in_london_time_to_the_second(client, lead, finding):
    action = services.action_create(lead, finding=finding, title="=HYPERLINK(1)")
    summer = datetime.datetime(2026, 7, 1, 11, 30, 15, 123456, tzinfo=datetime.UTC)
    Action.objects.filter(pk=action.pk).update(updated_at=summer)
    client.force_login(lead)
    (row,) = csv_rows(client.get("/actions/export.csv"))
    assert row["Last updated"] == "2026-07-01T12:30:15"  # BST, one hour ahead
    assert row["Action"] == "'=HYPERLINK(1)"


def test_cached_national_figures_follow_every_change_including_deletions(
    client, settings, inspector, lead, three_actions, other_action
):
    """Cached as in production: an edit, an addition and a deletion each show at once."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    client.force_login(inspector)

    def west_mercia_total():
        rows = client.get("/national/").context["forces"]
        row = next(r for r in rows if r["force"].code == "WMP")
        return row["actions"].get("total", 0)  # empty when the force has none

    assert west_mercia_total() == 3
    added = services.action_create(
        lead, finding=three_actions[0].finding, title="One more"
    )
    assert west_mercia_total() == 4
    added.delete()  # as the admin deletes: no other row changes
    assert west_mercia_total() == 3
    three_actions[0].finding.delete()  # cascades to its actions
    assert west_mercia_total() == 0


def test_mine_lists_what_i_own_and_what_i_help_with_as_home_counts_it(
    client, owner, colleague, lead, finding, other_action
):
    mine = services.action_create(lead, finding=finding, title="Mine", owner=owner)
    helping = services.action_create(
        lead, finding=finding, title="Helping", owner=colleague
    )
    helping.contributors.add(owner)
    services.action_create(lead, finding=finding, title="Not mine", owner=colleague)
    client.force_login(owner)
    home = client.get("/")
    shown = home.context["overdue_count"] + home.context["due_soon_count"]
    shown += home.context["later_count"]
    query = "mine=on&status=not_started&status=in_progress"
    listed = client.get(f"/actions/?{query}").context["page"].object_list
    assert sorted(a.title for a in listed) == [helping.title, mine.title]
    assert shown == len(listed) == 2
    rows = csv_rows(client.get(f"/actions/export.csv?{query}"))
    assert sorted(row["Action"] for row in rows) == ["Helping", "Mine"]


def test_mine_is_offered_to_force_users_only(client, owner, inspector):
    client.force_login(owner)
    assert "mine" in client.get("/actions/").context["filter"].form.fields
    client.force_login(inspector)
    response = client.get("/actions/?mine=on")
    assert "mine" not in response.context["filter"].form.fields
    assert response.status_code == 200


def test_inspector_home_force_list_follows_a_new_inspection_through_the_cache(
    client, settings, inspector, finding
):
    from tests.conftest import make_inspection

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    client.force_login(inspector)

    def west_mercia_inspections():
        forces = client.get("/").context["forces"]
        return next(f for f in forces if f.code == "WMP").inspection_count

    assert west_mercia_inspections() == 1
    make_inspection(finding.force, year=2017)  # no findings yet, as an admin adds one
    assert west_mercia_inspections() == 2


def test_the_list_shows_no_template_comment(client, owner, three_actions):
    client.force_login(owner)
    page = client.get("/actions/").content.decode()
    assert "{#" not in page and "htmx refreshes" not in page


def test_page_last_shows_the_last_page(client, owner, finding, lead):
    Action.objects.bulk_create(
        Action(
            inspection=finding.inspection,
            finding=finding,
            force=finding.force,
            title=f"Step {i:03}",
            deadline=datetime.date(2030, 1, 1) + datetime.timedelta(days=i),
        )
        for i in range(60)
    )
    client.force_login(owner)
    response = client.get("/actions/?page=last")
    assert response.context["page"].number == 2
    assert titles(response)[-1] == "Step 059"
    assert "Page 2 of 2" in response.content.decode()


@pytest.mark.parametrize("sort", ["deadline", "-deadline", "title", "-percent"])
def test_every_page_from_either_end_holds_the_rows_a_plain_pager_gives(
    client, owner, finding, sort
):
    """Pages past the middle are read reversed from the end: the same rows, in the
    same order, on every page, ties (same deadline, same title) included."""
    from django.core.paginator import Paginator

    from tracker.filters import ActionFilter
    from tracker.paging import FromEitherEnd
    from tracker.selectors import visible_actions

    Action.objects.bulk_create(
        Action(
            inspection=finding.inspection,
            finding=finding,
            force=finding.force,
            title=f"Step {i % 7}",
            percent_complete=i % 3 * 10,
            deadline=None
            if i % 5 == 0
            else datetime.date(2030, 1, 1) + datetime.timedelta(days=i % 4),
        )
        for i in range(53)
    )
    ids = ActionFilter(
        {"sort": sort}, queryset=visible_actions(owner), user=owner
    ).qs.values_list("pk", flat=True)
    plain, either = Paginator(ids, 10), FromEitherEnd(ids, 10)
    assert either.num_pages == plain.num_pages == 6
    for number in plain.page_range:
        assert list(either.page(number)) == list(plain.page(number)), number
    # The list's last page (50 a page: the second) holds the last three, in order.
    client.force_login(owner)
    last = client.get(f"/actions/?sort={sort}&page=last")
    assert [a.pk for a in last.context["page"]] == list(Paginator(ids, 50).page(2))
    assert len(last.context["page"]) == 3


def test_the_last_page_of_every_forces_list_is_read_from_the_end(
    client, settings, inspector, finding, lead
):
    """The inspector's list counts once per change (cached), and its last page asks
    for rows from the end, not past every row before them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    Action.objects.bulk_create(
        Action(
            inspection=finding.inspection,
            finding=finding,
            force=finding.force,
            title=f"Step {i:03}",
            deadline=datetime.date(2030, 1, 1) + datetime.timedelta(days=i),
        )
        for i in range(120)
    )
    client.force_login(inspector)
    client.get("/actions/?page=last")
    with CaptureQueriesContext(connection) as queries:
        last = client.get("/actions/?page=last")
    assert [a.title for a in last.context["page"]][-1] == "Step 119"
    assert "Page 3 of 3" in last.content.decode()
    statements = [q["sql"] for q in queries.captured_queries]
    counts = [
        q
        for q in statements
        if q.startswith('SELECT COUNT(*) AS "__count" FROM "tracker_action"')
    ]
    assert not counts, counts
    assert not [q for q in statements if "OFFSET 100" in q], statements
    assert last.context["page"].paginator.count == 120
    # A change shows at once: the count follows it.
    services.action_create(lead, finding=finding, title="Step 120")
    assert client.get("/actions/").context["page"].paginator.count == 121


@pytest.mark.parametrize(
    "sort, dated",
    [
        ("", ["Late review", "=SUM(A1) soon", "Later plan"]),
        ("deadline", ["Late review", "=SUM(A1) soon", "Later plan"]),
        ("-deadline", ["Later plan", "=SUM(A1) soon", "Late review"]),
    ],
)
def test_undated_actions_sort_after_the_dated_both_ways(
    client, owner, lead, finding, three_actions, sort, dated
):
    services.action_create(lead, finding=finding, title="No date yet", owner=owner)
    client.force_login(owner)
    response = client.get(f"/actions/?sort={sort}")
    assert titles(response) == [*dated, "No date yet"]
    rows = csv_rows(client.get(f"/actions/export.csv?sort={sort}"))
    assert [row["Action"] for row in rows][-1] == "No date yet"


def test_sort_choices_are_each_offered_once_with_their_own_words(client, owner):
    client.force_login(owner)
    choices = client.get("/actions/").context["filter"].form.fields["sort"].choices
    labels = [label for _, label in choices]
    assert len(labels) == len(set(labels)), labels
    assert not [label for label in labels if "descending" in label], labels
    assert labels[0] == "Deadline (soonest first)"
    assert "Force (Z to A)" in labels and "Most complete" in labels


def test_inspector_home_lists_forces_alphabetically(client, inspector, force):
    # A force renamed after it was added: its place in the list is its name's.
    Force.objects.filter(pk=force.pk).update(name="Aardvark Constabulary")
    client.force_login(inspector)
    names = [force.name for force in client.get("/").context["forces"]]
    assert len(names) == 43
    assert names == sorted(names)


def test_the_first_calendar_address_does_not_mention_an_old_one(client, owner):
    client.force_login(owner)
    first = client.post("/calendar/", {"do": "reset"}, follow=True).content.decode()
    assert "no longer works" not in first
    assert "You have a calendar address" in first
    second = client.post("/calendar/", {"do": "reset"}, follow=True).content.decode()
    assert "the old one no longer works" in second


@pytest.mark.parametrize("sort", ["deadline", "-deadline"])
@pytest.mark.parametrize("status", ["", "in_progress"])
def test_the_list_pages_are_read_off_an_index_in_either_order(
    owner, three_actions, sort, status
):
    from django.db import connection

    from tracker.filters import ActionFilter
    from tracker.selectors import visible_actions

    if connection.vendor != "postgresql":
        pytest.skip("the plan is PostgreSQL's")
    ids = ActionFilter(
        {"sort": sort, "status": [status] if status else []},
        queryset=visible_actions(owner),
        user=owner,
    ).qs.values_list("pk", flat=True)[1000:1050]
    with connection.cursor() as cursor:
        # Forbidden to sort or scan the table, the planner shows whether an index
        # gives the rows in the list's order.
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = ids.explain()
    assert "Sort" not in plan, plan


def test_work_done_late_says_so_everywhere_its_rating_appears(
    client, owner, lead, finding
):
    from django.utils import timezone

    today = timezone.localdate()
    action = services.action_create(
        lead,
        finding=finding,
        title="Late but delivered",
        owner=owner,
        deadline=today - datetime.timedelta(days=10),
    )
    services.action_record_progress(owner, action, text="Nearly.", percent=90)
    services.action_mark_done(owner, action)
    late = "Done late: 10 days after the deadline"
    client.force_login(lead)
    assert late in client.get(action.get_absolute_url()).content.decode()
    assert late in client.get("/actions/").content.decode()
    assert late in client.get(finding.get_absolute_url()).content.decode()
    assert [row["Rating"] for row in csv_rows(client.get("/actions/export.csv"))] == [
        late
    ]
    sheet = load_workbook(io.BytesIO(client.get("/actions/export.xlsx").content))
    assert [row["Rating"] for row in sheet_rows(sheet["Actions"])] == [late]
    summary = client.get("/").context["summary"]
    assert (summary["done_late"], summary["green"], summary["red"]) == (1, 0, 0)
    services.action_sign_off(lead, action)
    closed = "Closed: done 10 days after the deadline"
    assert closed in client.get(action.get_absolute_url()).content.decode()
    assert [row["Rating"] for row in csv_rows(client.get("/actions/export.csv"))] == [
        closed
    ]
