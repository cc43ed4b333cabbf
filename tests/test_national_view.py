"""The national view inspectors work from (issue 16, part 5): sorted by any column
without JavaScript, percentages beside counts, every count a link to the list it
counts, one theme across forces with each finding's progress and the forces with
none, and the table as an Excel workbook."""

import datetime
import html
import io
import re

import pytest
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.html import strip_tags
from openpyxl import load_workbook

from bench import generator
from tests.conftest import make_finding, make_inspection
from tracker import services
from tracker.models import Action, Finding, Force, Theme
from tracker.selectors.dashboards import share


@pytest.fixture
def national_data(db):
    """A generated national data set: every police force with findings and actions."""
    generator.generate(300, seed=7)


@pytest.fixture
def reader(client, inspector):
    client.force_login(inspector)
    return client


def names(response):
    return [row["force"].name for row in response.context["forces"]]


def header(page: str, label: str) -> str:
    """The <th> of the national table's column headed `label`."""
    match = re.search(rf'<th scope="col"[^>]*>(?:(?!</th>).)*>{label}</a>', page, re.S)
    assert match, label
    return match.group(0)


def test_shares_are_whole_percents_and_never_round_to_none_or_all():
    assert share(0, 0) == 0
    assert share(3, 0) == 0  # nothing to share: 0, not a division by zero
    assert share(1, 4) == 25
    assert share(5, 5) == 100
    assert share(199, 200) == 99  # not yet all of it
    assert share(1, 1000) == 1  # some of it


def test_the_table_sorts_by_a_column_either_way_and_says_which(national_data, reader):
    by_name = names(reader.get("/national/"))
    assert by_name == sorted(by_name)
    rows = reader.get("/national/?sort=-actions").context["forces"]
    totals = [row["actions"].get("total", 0) for row in rows]
    assert totals == sorted(totals, reverse=True) and totals[0] > totals[-1]
    # Equal figures stay A to Z.
    for first, second in zip(rows, rows[1:], strict=False):
        if first["actions"].get("total", 0) == second["actions"].get("total", 0):
            assert first["force"].name < second["force"].name
    ascending = reader.get("/national/?sort=actions")
    totals = [row["actions"].get("total", 0) for row in ascending.context["forces"]]
    assert totals == sorted(totals)
    page = ascending.content.decode()
    assert 'aria-sort="ascending"' in header(page, "Actions")
    # The sorted column's link turns the order round; another's sorts largest first.
    assert 'href="?sort=-actions#forces-title"' in header(page, "Actions")
    assert 'href="?sort=-closed#forces-title"' in header(page, "Actions closed")
    assert page.count("aria-sort=") == 1
    assert "Sorted by actions, smallest first." in page

    closed = reader.get("/national/?sort=-closed").context["forces"]
    shares = [row["shares"]["closed"] for row in closed]
    assert shares == sorted(shares, reverse=True), "sorted by the share closed"


@pytest.mark.parametrize("sort", ["nonsense", "-", "--force", "force__name", ""])
def test_an_unknown_order_is_by_force_name(national_data, reader, sort):
    response = reader.get("/national/", {"sort": sort})
    assert response.status_code == 200
    assert names(response) == sorted(names(response))
    assert 'aria-sort="ascending"' in header(response.content.decode(), "Force")


def test_percentages_beside_counts_are_the_databases(national_data, reader):
    today = timezone.localdate()
    response = reader.get("/national/")
    page = response.content.decode()
    findings = {
        row["force"]: row
        for row in Finding.objects.values("force").annotate(
            total=Count("pk"), complete=Count("pk", filter=Q(status="complete"))
        )
    }
    actions = {
        row["force"]: row
        for row in Action.objects.values("force").annotate(
            total=Count("pk"),
            closed=Count("pk", filter=Q(status__in=Action.CLOSED_STATUSES)),
            overdue=Count(
                "pk",
                filter=Q(status__in=Action.UNFINISHED_STATUSES, deadline__lt=today),
            ),
        )
    }
    checked = 0
    for row in response.context["forces"]:
        f = findings.get(row["force"].pk, {"total": 0, "complete": 0})
        a = actions.get(row["force"].pk, {"total": 0, "closed": 0, "overdue": 0})
        open_actions = a["total"] - a["closed"]
        expected = {
            "complete": round(100 * f["complete"] / f["total"]) if f["total"] else 0,
            "closed": round(100 * a["closed"] / a["total"]) if a["total"] else 0,
            "overdue": round(100 * a["overdue"] / open_actions) if open_actions else 0,
        }
        for key, value in row["shares"].items():
            # Rounded, except that some is never 0% and not all never 100%.
            assert abs(value - expected[key]) <= 1, (row["force"], key)
        assert row["actions"]["open"] == open_actions
        shown = row_text(page, row["force"])
        assert f"{row['shares']['complete']}% of the force’s findings" in shown
        assert f"{row['shares']['closed']}% of the force’s actions" in shown
        if open_actions:
            assert f"{row['shares']['overdue']}% of {open_actions} open" in shown
        else:
            assert "0%, none open" in shown
        checked += bool(a["total"])
    assert checked >= 3, "several forces have actions"
    assert checked < len(response.context["forces"]), "and some have none: 0%"


def row_text(page: str, force) -> str:
    """The words of the national table's row for `force`."""
    (row,) = [
        tr
        for tr in page.split("<tr ")
        if f'scope="row" class="govuk-table__header"><a class="govuk-link" href="{force.get_absolute_url()}"'
        in tr
    ]
    return html.unescape(strip_tags("<tr " + row))


def count_rows(client, href: str) -> int:
    """The number a list says it holds, checked against the rows it shows."""
    response = client.get(html.unescape(href))
    assert response.status_code == 200, href
    page = response.context["page"]
    if page.paginator.num_pages == 1:
        assert len(page.object_list) == page.paginator.count
        rows = response.content.decode().count('<tr class="govuk-table__row')
        # Less the heading's row; an empty list has no table.
        assert max(rows - 1, 0) == page.paginator.count, href
    return page.paginator.count


def test_every_count_links_to_a_list_of_as_many(national_data, reader, settings):
    response = reader.get("/national/?sort=-actions")
    page = response.content.decode()
    busiest = response.context["forces"][:3]
    for row in busiest:
        links = row["links"]
        figures = {
            "findings": row["findings"].get("total", 0),
            **{s: row["findings"].get(s, 0) for s in Finding.Status.values},
            "actions": row["actions"].get("total", 0),
            "closed": row["actions"].get("closed", 0),
            "overdue": row["actions"].get("overdue", 0),
            "overdue_inspectorate": row["actions"].get("overdue_inspectorate", 0),
        }
        assert figures["actions"] and figures["findings"]
        for key, figure in figures.items():
            href = html.escape(links[key])
            if figure:
                assert f'href="{href}">{figure}</a>' in page, key
            assert count_rows(reader, links[key]) == figure, (row["force"], key)


def test_an_overdue_inspectorate_deadline_is_a_filter_of_the_action_list(
    client, lead, inspector, finding
):
    late = datetime.date.today() - datetime.timedelta(days=2)
    for title, set_by in [
        ("Set by the inspectorate", Action.DeadlineSetBy.INSPECTORATE),
        ("Set by the force", Action.DeadlineSetBy.FORCE),
    ]:
        services.action_create(
            inspector,
            finding=finding,
            title=title,
            deadline=late,
            deadline_set_by=set_by,
        )
    client.force_login(lead)
    response = client.get("/actions/?overdue=on&set_by=inspectorate")
    assert [a.title for a in response.context["page"].object_list] == [
        "Set by the inspectorate"
    ]


def test_the_findings_list_shows_a_force_user_their_own_force_only(
    client, owner, finding, other_finding
):
    client.force_login(owner)
    response = client.get(f"/findings/?force={other_finding.force_id}")
    assert response.status_code == 200
    assert [f.reference for f in response.context["page"].object_list] == [
        finding.reference
    ]
    assert other_finding.reference not in response.content.decode()


def test_the_findings_list_filters_by_force_and_status(
    client, inspector, finding, other_finding
):
    complete = make_finding(finding.inspection, number=2, status="complete")
    client.force_login(inspector)
    listed = client.get(f"/findings/?force={finding.force_id}&status=complete")
    assert [f.reference for f in listed.context["page"].object_list] == [
        complete.reference
    ]
    assert client.get("/findings/?force=nope").status_code == 400


def test_one_theme_shows_each_findings_words_and_progress_and_the_forces_with_none(
    reader, lead, finding, other_finding
):
    theme = Theme.objects.create(name="Outcome 16", slug="outcome-16")
    finding.text = "The force should " + " ".join(f"word{n}" for n in range(60))
    finding.save()
    finding.themes.add(theme)
    other_finding.themes.add(theme)
    soon = datetime.date(2031, 3, 4)
    services.action_create(lead, finding=finding, title="First", deadline=soon)
    services.action_create(
        lead, finding=finding, title="Later", deadline=datetime.date(2032, 1, 1)
    )
    response = reader.get("/national/?theme=outcome-16")
    page = response.content.decode()
    assert "The force should word0" in page and "word26 …" in page
    assert "word40" not in page, "the text is shortened"
    assert "0 of 2" in page and "4 March 2031" in page
    assert "No actions yet" in page  # the West Midlands finding has none
    missing = [force.code for force in response.context["theme_missing"]]
    assert len(missing) == Force.objects.police().count() - 2
    assert "WMP" not in missing and "WMD" not in missing and "KEN" in missing
    assert "41 forces with no finding on “Outcome 16”" in page
    assert Force.objects.get(code="KEN").short_name in page.split("with no finding")[1]


def test_the_export_is_the_table_in_its_order_for_police_forces(national_data, reader):
    rows = reader.get("/national/?sort=-overdue").context["forces"]
    response = reader.get("/national/export.xlsx?sort=-overdue")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content))["Forces"]
    table = list(sheet.iter_rows(values_only=True))
    heading, body = table[0], table[1:]
    assert heading[:2] == ("Force", "Findings")
    assert sheet.freeze_panes == "B2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(heading)).column_letter}44"
    assert sheet.column_dimensions["A"].width >= 20
    # Only police forces: a national body's answers are on the national findings' pages.
    assert [line[0] for line in body] == [row["force"].name for row in rows]
    assert len(body) == Force.objects.police().count()
    column = {title: number for number, title in enumerate(heading)}
    for line, row in zip(body, rows, strict=True):
        assert line[column["Findings"]] == row["findings"].get("total", 0)
        assert line[column["Complete"]] == row["findings"].get("complete", 0)
        assert line[column["Actions closed"]] == row["actions"].get("closed", 0)
        assert line[column["Overdue actions"]] == row["actions"].get("overdue", 0)
        assert (
            line[column["Open actions overdue (%)"]] == row["shares"]["overdue"] / 100
        )
    assert sheet.cell(2, column["Actions closed (%)"] + 1).number_format == "0%"


def test_the_export_shows_no_force_it_does_not_compare(reader, finding, other_finding):
    national_body = Force.objects.exclude(kind=Force.Kind.POLICE_FORCE).first()
    if national_body is not None:
        make_finding(make_inspection(national_body), number=9)
    response = reader.get("/national/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.content))["Forces"]
    listed = [line[0] for line in sheet.iter_rows(min_row=2, values_only=True)]
    assert listed == sorted(force.name for force in Force.objects.police())


@pytest.mark.parametrize("who", ["owner", "lead", "outsider"])
@pytest.mark.parametrize("path", ["/national/", "/national/export.xlsx"])
def test_the_national_view_and_its_export_are_for_inspectors(
    client, db, request, who, path
):
    client.force_login(request.getfixturevalue(who))
    assert client.get(path).status_code == 403
