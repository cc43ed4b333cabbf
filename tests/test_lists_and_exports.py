"""The action list, its filters, and the CSV and Excel exports with the same filters."""

import csv
import datetime
import io

import pytest
from openpyxl import load_workbook

from tracker import services
from tracker.models import Action, Force


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


def test_excel_export_is_a_real_workbook_with_the_same_rows(
    client, owner, three_actions
):
    client.force_login(owner)
    response = client.get("/actions/export.xlsx?overdue=on")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][0] == "Finding reference"
    assert len(rows) == 2
    assert rows[1][5] == "Late review"
    assert isinstance(rows[1][8], datetime.datetime)  # a real date cell, not text


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
    sheet = load_workbook(io.BytesIO(client.get("/actions/export.xlsx").content)).active
    rows = list(sheet.values)
    assert rows[1][rows[0].index("Rating")] == late
    summary = client.get("/").context["summary"]
    assert (summary["done_late"], summary["green"], summary["red"]) == (1, 0, 0)
    services.action_sign_off(lead, action)
    closed = "Closed: done 10 days after the deadline"
    assert closed in client.get(action.get_absolute_url()).content.decode()
    assert [row["Rating"] for row in csv_rows(client.get("/actions/export.csv"))] == [
        closed
    ]
