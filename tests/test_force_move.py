"""A person who moves to another force leaves its work behind: their roles in it end,
and nothing about it reaches them afterwards, on the reminders page or by email."""

# Fixtures imported from tests.reminders_support are, as pytest intends, test arguments.
# ruff: noqa: F811

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from tests.admin_support import change_url, load
from tests.reminders_support import (
    TUESDAY,
    make_action,
    smtp_server,  # noqa: F401 (fixtures)
    text_body,
)
from tracker import services
from tracker.models import Action, Reminder, Role, User
from tracker.reminders.delivery import deliver_digest
from tracker.reminders.outbox import run_sweep

LONDON = ZoneInfo("Europe/London")


def on(day, hour=9):
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, hour, tzinfo=LONDON), tick=False
    )


@pytest.fixture
def work(finding, lead, owner, colleague, other_finding, other_lead):
    """Olive owns one West Mercia action, helps with another; both due in May 2017."""
    with on(datetime.date(2017, 4, 3)):
        return {
            "plan": make_action(
                finding, lead, owner, datetime.date(2017, 5, 9), "Publish the plan"
            ),
            "brief": make_action(
                finding,
                lead,
                colleague,
                datetime.date(2017, 5, 3),
                "Brief the chief officers",
                contributors=[owner],
            ),
        }


def move_in_the_admin(admin_client, person, force):
    data = load(admin_client, person)
    data["force"] = [str(force.pk)]
    response = admin_client.post(change_url(person), data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    person.refresh_from_db()
    assert person.force == force


def west_midlands_work(other_finding, other_lead, person):
    with on(datetime.date(2017, 4, 3)):
        return make_action(
            other_finding,
            other_lead,
            person,
            datetime.date(2017, 5, 9),
            "West Midlands work",
        )


def test_moving_a_person_in_the_admin_ends_their_roles_in_the_old_force(
    admin_client, admin_user, work, owner, colleague, other_force
):
    plan, brief = work["plan"], work["brief"]
    move_in_the_admin(admin_client, owner, other_force)
    plan.refresh_from_db()
    assert plan.owner is None  # back to the force lead to reassign
    assert list(brief.contributors.all()) == []
    assert Action.objects.get(pk=brief.pk).owner == colleague
    for action in (plan, brief):
        latest = action.history.order_by("-history_date", "-history_id").first()
        assert latest.history_user == admin_user
    records = plan.history.order_by("history_date", "history_id")
    assert [r.owner_id for r in records][-2:] == [owner.pk, None]


def test_the_action_page_history_says_why_the_owner_was_cleared(
    client, admin_client, work, owner, lead, other_force
):
    move_in_the_admin(admin_client, owner, other_force)
    client.force_login(lead)
    page = client.get(work["plan"].get_absolute_url()).content.decode()
    history = page.split("Change history")[1].split("</ul>\n</div>")[0]
    assert f"{owner} left West Mercia Police" in history
    assert f"Owner: “{owner}” → “not assigned”" in history


def test_the_reminders_page_of_a_moved_person_names_only_their_new_forces_work(
    client, admin_client, work, owner, finding, other_force, other_finding, other_lead
):
    move_in_the_admin(admin_client, owner, other_force)
    west_midlands_work(other_finding, other_lead, owner)
    client.force_login(owner)
    with on(TUESDAY):
        page = client.get("/reminders/").content.decode()
    assert "West Midlands work" in page
    for leak in ("Publish the plan", "Brief the chief officers", finding.reference):
        assert leak not in page


def test_an_owner_from_another_force_sees_none_of_its_work_on_the_reminders_page(
    client, work, outsider, finding
):
    # As the admin allowed before: a West Midlands officer made owner of the plan.
    Action.objects.filter(pk=work["plan"].pk).update(owner=outsider)
    work["brief"].contributors.add(outsider)
    client.force_login(outsider)
    with on(TUESDAY):
        page = client.get("/reminders/").content.decode()
    assert "No reminders are planned for you." in page
    assert "Publish the plan" not in page and finding.reference not in page


def test_a_digest_after_a_move_in_the_admin_names_only_the_new_forces_work(
    admin_client,
    work,
    owner,
    finding,
    other_force,
    other_finding,
    other_lead,
    smtp_server,
):
    move_in_the_admin(admin_client, owner, other_force)
    west_midlands_work(other_finding, other_lead, owner)
    result = run_sweep(TUESDAY)
    for recipient in result.recipients:
        deliver_digest(recipient, TUESDAY)
    [message] = smtp_server.to(owner.email)
    body = text_body(message)
    assert "West Midlands work" in body
    for leak in ("Publish the plan", "Brief the chief officers", finding.reference):
        assert leak not in body


def test_a_waiting_reminder_about_work_the_person_can_no_longer_see_is_not_sent(
    client, work, owner, other_force, smtp_server
):
    run_sweep(TUESDAY)
    assert Reminder.objects.filter(recipient=owner).count() == 2
    # Moved after the sweep by a way that left their roles in place (the admin
    # did so before): still the owner and a contributor, but of another force.
    User.objects.filter(pk=owner.pk).update(force=other_force)
    client.force_login(owner)
    with on(TUESDAY):
        page = client.get("/reminders/").content.decode()
    assert "waiting to be sent" not in page
    delivery = deliver_digest(owner.pk, TUESDAY)
    assert (delivery.sent, delivery.cancelled) == (0, 2)
    assert smtp_server.to(owner.email) == []
    assert set(
        Reminder.objects.filter(recipient=owner).values_list("status", "cancel_reason")
    ) == {(Reminder.Status.CANCELLED, "The recipient can no longer see this action.")}


def test_the_sweep_records_nothing_for_an_owner_from_another_force(
    work, outsider, colleague
):
    Action.objects.filter(pk=work["plan"].pk).update(owner=outsider)
    work["brief"].contributors.add(outsider)
    run_sweep(TUESDAY)
    assert not Reminder.objects.filter(recipient=outsider).exists()
    assert Reminder.objects.filter(recipient=colleague).exists()


def test_leaving_the_force_roles_ends_the_open_roles_and_keeps_closed_work(
    admin_user, work, owner, lead, finding
):
    with on(datetime.date(2017, 4, 3)):
        done = make_action(finding, lead, owner, datetime.date(2017, 4, 20), "Done")
        services.action_record_progress(owner, done, text="Did it.", percent=50)
        services.action_mark_done(owner, done)
        services.action_sign_off(lead, done)
    ended = services.user_change_force(
        admin_user, owner, force=None, role=Role.INSPECTOR
    )
    assert {action.title for action in ended} == {
        "Publish the plan",
        "Brief the chief officers",
    }
    assert Action.objects.get(pk=done.pk).owner == owner  # the record of who did it
    assert not Action.objects.filter(owner=owner).exclude(pk=done.pk).exists()


def test_a_move_within_the_force_changes_no_work(admin_user, work, owner):
    ended = services.user_change_force(
        admin_user, owner, force=owner.force, role=Role.FORCE_LEAD
    )
    assert ended == []
    assert Action.objects.get(pk=work["plan"].pk).owner == owner


def test_only_an_administrator_moves_people(lead, owner, other_force):
    with pytest.raises(PermissionDenied):
        services.user_change_force(
            lead, owner, force=other_force, role=Role.FORCE_STAFF
        )
    owner.refresh_from_db()
    assert owner.force.code == "WMP"
