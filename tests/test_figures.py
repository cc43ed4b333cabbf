"""The force's figures (summary and charts) read only what they must, and say what
counting every action would say: checked against a plain count of every row, on
generated data with years of closed history."""

import datetime

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from bench import generator
from tracker import charts
from tracker.charts import _end_of_day, _month_ends
from tracker.models import Action, Force
from tracker.selectors.dashboards import (
    AMBER_WITHIN_DAYS,
    action_charts,
    action_summary,
)

TODAY = datetime.date(2014, 12, 1)


@pytest.fixture
def history(db):
    """PEEL's first round open, and the thematic and national history before it closed."""
    generator.generate(4500, seed=5, today=TODAY)
    most_closed = (
        Action.objects.filter(status__in=Action.CLOSED_STATUSES)
        .values("force")
        .annotate(n=Count("pk"))
        .order_by("-n", "force")
        .first()
    )
    force = Force.objects.get(pk=most_closed["force"])
    # An action closed before it was added (a report imported with its register's
    # dates): the plain count has it closed at a month's end it did not yet exist.
    odd = Action.objects.filter(force=force, status=Action.Status.SIGNED_OFF).first()
    Action.objects.filter(pk=odd.pk).update(
        created_at=_end_of_day(TODAY - datetime.timedelta(days=20)),
        status_changed_at=_end_of_day(datetime.date(2010, 1, 1)),
    )
    return force


def plain_chart(rows, today):
    opened, completed = [], []
    for end in _month_ends(today, 12):
        moment = _end_of_day(end)
        created = sum(1 for r in rows if r.created_at <= moment)
        signed = sum(
            1
            for r in rows
            if r.status == Action.Status.SIGNED_OFF and r.status_changed_at <= moment
        )
        withdrawn = sum(
            1
            for r in rows
            if r.status == Action.Status.WITHDRAWN and r.status_changed_at <= moment
        )
        opened.append(created - signed - withdrawn)
        completed.append(signed)
    return [("Open", opened), ("Completed", completed)]


def test_the_figures_are_those_a_count_of_every_action_gives(history):
    actions = Action.objects.filter(force=history)
    rows = list(actions)
    assert sum(1 for r in rows if r.status in Action.CLOSED_STATUSES) > 50

    chart = charts.open_and_completed(actions, TODAY)
    assert chart.series == plain_chart(rows, TODAY)
    summary = action_summary(actions, TODAY)
    again = charts.open_and_completed(
        actions, TODAY, signed_off=summary[Action.Status.SIGNED_OFF]
    )
    assert again.series == chart.series

    unfinished = [r for r in rows if r.status in Action.UNFINISHED_STATUSES]
    amber_until = TODAY + datetime.timedelta(days=AMBER_WITHIN_DAYS)
    red = sum(1 for r in unfinished if r.deadline and r.deadline < TODAY)
    amber = sum(
        1 for r in unfinished if r.deadline and TODAY <= r.deadline <= amber_until
    )
    late = sum(
        1
        for r in rows
        if r.status == Action.Status.DONE
        and r.deadline
        and r.done_on
        and r.done_on > r.deadline
    )
    closed = sum(1 for r in rows if r.status in Action.CLOSED_STATUSES)
    assert (summary["total"], summary["red"], summary["amber"]) == (
        len(rows),
        red,
        amber,
    )
    assert (summary["done_late"], summary["closed"]) == (late, closed)
    assert summary["green"] == len(rows) - red - amber - late - closed
    for status in Action.Status.values:
        assert summary[status] == sum(1 for r in rows if r.status == status)

    ahead = charts.deadlines_ahead(actions, TODAY)
    monday = TODAY - datetime.timedelta(days=TODAY.weekday())
    weeks = [
        sum(
            1
            for r in rows
            if r.status in Action.OPEN_STATUSES
            and r.deadline
            and monday + datetime.timedelta(weeks=w)
            <= r.deadline
            < monday + datetime.timedelta(weeks=w + 1)
        )
        for w in range(8)
    ]
    assert ahead.series == [("Due", weeks)]


def test_the_figures_read_open_work_and_the_chart_year_not_the_history(history):
    """Each query over actions names the open statuses or the chart's year, or is the
    count by status (read off the index alone): none reads the closed rows one by one."""
    if connection.vendor != "postgresql":
        pytest.skip("the plans are PostgreSQL's")
    actions = Action.objects.filter(force=history)
    with CaptureQueriesContext(connection) as queries:
        summary = action_summary(actions, TODAY)
        action_charts(actions, TODAY, signed_off=summary[Action.Status.SIGNED_OFF])
    statements = [q["sql"] for q in queries.captured_queries]
    assert len(statements) == 4
    for sql in statements:
        by_status = sql.startswith(
            'SELECT "tracker_action"."status" AS "status", COUNT('
        )
        signed = sql.startswith('SELECT COUNT(*) AS "__count"') and sql.endswith(
            "\"status\" = 'signed_off')"
        )
        grouped = (by_status and sql.endswith("GROUP BY 1")) or signed
        assert grouped or "'not_started', 'in_progress', 'done'" in sql, sql


def test_the_overdue_findings_counted_are_those_listed(history, inspector, lead):
    from tracker.selectors.queues import overdue_findings, overdue_findings_count

    today = TODAY + datetime.timedelta(
        days=200
    )  # much of the open work is late by then
    for reader in (inspector, lead):
        listed = overdue_findings(reader, today)
        assert overdue_findings_count(reader, today) == listed.count()
    assert overdue_findings(inspector, today).count() > 20
