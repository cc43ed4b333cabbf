"""What the database itself guarantees, whoever writes to it."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from tests.conftest import make_finding
from tracker.models import (
    Action,
    Evidence,
    Finding,
    ProgressUpdate,
    Rag,
    Role,
    User,
    rag_for,
    rag_label,
)

TODAY = datetime.date(2026, 11, 28)


def test_the_43_forces_ship_as_data(db):
    from tracker.models import Force

    assert Force.objects.police().count() == 43
    west_mercia = Force.objects.get(slug="west-mercia")
    assert (west_mercia.name, west_mercia.code) == ("West Mercia Police", "WMP")


@pytest.mark.parametrize("percent", [-1, 101])
def test_percent_complete_is_0_to_100_in_the_database(action, percent):
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.filter(pk=action.pk).update(percent_complete=percent)


def test_a_done_action_is_100_percent(action):
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.filter(pk=action.pk).update(
            status=Action.Status.DONE, percent_complete=80
        )


def test_a_superseded_finding_names_its_successor(finding):
    with pytest.raises(IntegrityError), transaction.atomic():
        Finding.objects.filter(pk=finding.pk).update(status=Finding.Status.SUPERSEDED)


def test_finding_references_are_unique(finding):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_finding(finding.inspection, number=1)


def test_force_users_must_belong_to_a_force(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(email="x@example.org", role=Role.FORCE_STAFF)])


def test_evidence_is_a_file_or_a_link_not_both_or_neither(action, owner):
    update = ProgressUpdate.objects.create(action=action, author=owner, text="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Evidence.objects.create(update=update)
    with pytest.raises(IntegrityError), transaction.atomic():
        Evidence.objects.create(
            update=update, file="evidence/a.pdf", link="https://example.org"
        )


def test_progress_updates_are_append_only(action, owner):
    update = ProgressUpdate.objects.create(action=action, author=owner, text="First")
    update.text = "Rewritten"
    with pytest.raises(TypeError):
        update.save()
    with pytest.raises(TypeError):
        update.delete()
    with pytest.raises(TypeError):
        ProgressUpdate.objects.filter(pk=update.pk).update(text="Rewritten")
    with pytest.raises(TypeError):
        ProgressUpdate.objects.all().delete()
    update.refresh_from_db()
    assert update.text == "First"


def test_actions_and_findings_carry_their_inspections_force(action, finding, force):
    assert finding.force == force
    assert action.force == force
    assert action.inspection == finding.inspection


@pytest.mark.parametrize(
    "status, deadline, expected",
    [
        ("not_started", TODAY - datetime.timedelta(days=1), Rag.RED),
        ("in_progress", TODAY, Rag.AMBER),
        ("in_progress", TODAY + datetime.timedelta(days=14), Rag.AMBER),
        ("in_progress", TODAY + datetime.timedelta(days=15), Rag.GREEN),
        ("in_progress", None, Rag.GREEN),
        ("done", TODAY - datetime.timedelta(days=30), Rag.GREEN),
        ("signed_off", TODAY - datetime.timedelta(days=30), Rag.CLOSED),
        ("withdrawn", None, Rag.CLOSED),
    ],
)
def test_rag_is_derived_the_same_in_python_and_in_sql(
    action, status, deadline, expected
):
    percent = 100 if status in ("done", "signed_off") else 0
    Action.objects.filter(pk=action.pk).update(
        status=status, deadline=deadline, percent_complete=percent
    )
    action.refresh_from_db()
    assert rag_for(action, TODAY) == expected
    assert Action.objects.with_rag(TODAY).get(pk=action.pk).rag == expected
    assert action.is_overdue(TODAY) == (expected == Rag.RED)
    assert Action.objects.overdue(TODAY).filter(pk=action.pk).exists() == (
        expected == Rag.RED
    )


@pytest.mark.parametrize(
    "status, done_days_after, expected, label",
    [
        ("done", 10, Rag.DONE_LATE, "Done late: 10 days after the deadline"),
        ("done", 1, Rag.DONE_LATE, "Done late: 1 day after the deadline"),
        ("done", 0, Rag.GREEN, "Green: on track"),  # on the day is on time
        ("done", -5, Rag.GREEN, "Green: on track"),
        ("signed_off", 10, Rag.CLOSED, "Closed: done 10 days after the deadline"),
        ("signed_off", 0, Rag.CLOSED, "Closed"),
    ],
)
def test_work_done_after_its_deadline_is_rated_done_late(
    action, status, done_days_after, expected, label
):
    deadline = TODAY - datetime.timedelta(days=30)
    Action.objects.filter(pk=action.pk).update(
        status=status,
        deadline=deadline,
        percent_complete=100,
        done_on=deadline + datetime.timedelta(days=done_days_after),
    )
    action.refresh_from_db()
    assert rag_for(action, TODAY) == expected
    annotated = Action.objects.with_rag(TODAY).get(pk=action.pk)
    assert annotated.rag == expected
    assert rag_label(annotated.rag, annotated.deadline, annotated.done_on) == label
