"""The admin keeps the app's rules: no stale overwrite, no other force's people, no
inspectorate deadline moved, no timeline rewritten by hand."""

import datetime

import pytest
from django.contrib.admin import site
from django.contrib.auth.models import Permission
from django.test import RequestFactory

from tests.admin_support import change_url, errors_of, form_data, load
from tests.conftest import make_user
from tracker import services
from tracker.admin import ActionAdmin
from tracker.forms import IdChoiceField, IdMultipleChoiceField
from tracker.models import (
    Action,
    DeadlineChangeRequest,
    Evidence,
    FindingEvent,
    ProgressUpdate,
    Reminder,
    ReminderPreference,
    Role,
)

BIG = str(2**64)

# Item 2: a stale save is refused ---------------------------------------------------


def test_a_stale_admin_save_is_refused_naming_what_changed_and_saves_nothing(
    admin_client, action, lead, colleague
):
    stale = load(admin_client, action)
    # Meanwhile the force lead gives the action to someone else, on the app's page.
    services.action_assign(
        lead,
        action,
        expected_version=action.version,
        owner=colleague,
        contributors=[],
        deadline=action.deadline,
    )
    stale["title"] = ["Publish the plan (corrected)"]
    page = errors_of(admin_client.post(change_url(action), stale))
    assert "Someone else changed this action while you were editing it" in page
    assert "(owner)" in page
    action.refresh_from_db()
    assert (action.title, action.owner) == (
        "Publish the community engagement plan",
        colleague,
    )
    assert not action.contributors.exists()


def test_a_fresh_admin_form_posted_back_unchanged_saves_and_changes_nothing(
    admin_client, action, owner, contributor, lead, colleague
):
    before = Action.objects.values().get(pk=action.pk)
    records = action.history.count()
    # A force lead opens the assign page before the administrator saves.
    seen = action.version
    response = admin_client.post(
        change_url(action), load(admin_client, action), follow=True
    )
    assert response.redirect_chain, errors_of(response)
    page = response.content.decode()
    assert "No changes were made" in page
    assert "changed successfully" not in page
    assert Action.objects.values().get(pk=action.pk) == before
    assert action.history.count() == records
    assert list(action.contributors.all()) == [contributor]
    # Nothing changed, so the lead's page is not out of date.
    services.action_assign(
        lead,
        action,
        expected_version=seen,
        owner=colleague,
        contributors=[],
        deadline=action.deadline,
    )


def test_an_unchanged_admin_save_asked_of_the_service_saves_nothing(
    admin_user, action, owner, contributor
):
    records = action.history.count()
    saved = services.action_admin_update(
        admin_user,
        action,
        expected_version=action.version,
        title=action.title,
        description=action.description,
        owner=owner,
        contributors=[contributor],
        deadline=action.deadline,
        order=action.order,
    )
    assert saved.version == action.version
    assert action.history.count() == records


def test_reloading_after_a_refusal_lets_the_administrator_save(
    admin_client, action, lead, colleague
):
    stale = load(admin_client, action)
    services.action_assign(
        lead,
        action,
        expected_version=action.version,
        owner=colleague,
        contributors=[],
        deadline=action.deadline,
    )
    admin_client.post(change_url(action), stale)
    fresh = load(admin_client, action)
    fresh["title"] = ["Publish the plan (corrected)"]
    assert admin_client.post(change_url(action), fresh).status_code == 302
    action.refresh_from_db()
    assert (action.title, action.owner) == ("Publish the plan (corrected)", colleague)


def test_a_stale_finding_form_does_not_revert_the_import_or_the_workflow(
    admin_client, action, finding, owner
):
    stale = load(admin_client, finding)
    # Meanwhile a revised report corrects the words, and work starts on the action.
    finding.text = "The force should improve thing 1, as revised."
    finding.save()
    services.action_start(owner, action)
    stale["text"] = ["The force should improve thing 1."]
    stale["order"] = ["7"]
    admin_client.post(change_url(finding), stale)
    finding.refresh_from_db()
    assert finding.text == "The force should improve thing 1, as revised."
    assert finding.status == finding.Status.BEING_PROGRESSED


# Item 3: the admin keeps the business rules ----------------------------------------


def test_the_owner_and_contributor_choices_are_the_forces_active_staff(
    admin_client, action, owner, colleague, lead, outsider, inspector
):
    make_user("gone@westmercia.test", Role.FORCE_STAFF, action.force, is_active=False)
    page = admin_client.get(change_url(action)).content.decode()
    for person in (owner, colleague, lead):
        assert f'value="{person.pk}"' in page
    for person in (outsider, inspector):
        assert f'value="{person.pk}"' not in page
    assert "gone@westmercia.test" not in page


@pytest.mark.parametrize("field", ["owner", "contributors"])
def test_a_person_of_another_force_cannot_be_made_owner_or_contributor(
    admin_client, action, owner, outsider, field
):
    data = load(admin_client, action)
    data[field] = [str(outsider.pk)]
    page = errors_of(admin_client.post(change_url(action), data))
    assert "Select a valid choice" in page
    action.refresh_from_db()
    assert action.owner == owner
    assert outsider not in action.contributors.all()


def test_an_inspectorate_deadline_is_shown_read_only_not_as_a_date_box(
    admin_client, action
):
    Action.objects.filter(pk=action.pk).update(
        deadline_set_by=Action.DeadlineSetBy.INSPECTORATE, deadline_wording="by 1 May"
    )
    page = admin_client.get(change_url(action)).content.decode()
    # The admin's calendar script adds "Today" and a calendar to every vDateField.
    assert 'name="deadline"' not in page and "vDateField" not in page
    assert "1 May 2030" in page
    data = load(admin_client, action)
    data["title"] = ["Publish the plan (corrected)"]
    response = admin_client.post(change_url(action), data)
    assert response.status_code == 302, errors_of(response)
    action.refresh_from_db()
    assert (action.title, action.deadline) == (
        "Publish the plan (corrected)",
        datetime.date(2030, 5, 1),
    )


def test_an_inspectorate_deadline_cannot_be_moved_in_the_admin(admin_client, action):
    Action.objects.filter(pk=action.pk).update(
        deadline_set_by=Action.DeadlineSetBy.INSPECTORATE, deadline_wording="by 1 May"
    )
    data = load(admin_client, action)
    assert "deadline" not in data and "deadline_set_by" not in data
    data["deadline"] = ["2031-01-01"]
    data["deadline_set_by"] = [Action.DeadlineSetBy.FORCE]
    admin_client.post(change_url(action), data)
    action.refresh_from_db()
    assert action.deadline == datetime.date(2030, 5, 1)
    assert action.deadline_set_by == Action.DeadlineSetBy.INSPECTORATE


def test_workflow_fields_are_not_the_admins_to_change(
    admin_client, action, other_finding
):
    data = load(admin_client, action)
    # Moving the action to another force's finding, or setting its progress, by hand.
    data.update(finding=[str(other_finding.pk)], percent_complete=["90"])
    admin_client.post(change_url(action), data)
    action.refresh_from_db()
    assert (action.finding_id, action.force_id, action.percent_complete) == (
        action.finding_id,
        action.finding.force_id,
        0,
    )
    assert action.finding.force.code == "WMP"


def test_a_valid_admin_change_goes_through_the_rules_and_keeps_the_history(
    admin_client, admin_user, action, colleague, owner
):
    data = load(admin_client, action)
    data.update(owner=[str(colleague.pk)], contributors=[str(owner.pk)])
    data["deadline"] = ["2030-06-01"]
    assert admin_client.post(change_url(action), data).status_code == 302
    action.refresh_from_db()
    assert (action.owner, list(action.contributors.all()), action.deadline) == (
        colleague,
        [owner],
        datetime.date(2030, 6, 1),
    )
    latest = action.history.order_by("-history_date", "-history_id").first()
    assert latest.history_user == admin_user
    assert (latest.owner_id, latest.deadline) == (colleague.pk, action.deadline)


def test_an_inspections_force_is_not_changed_in_the_admin(
    admin_client, inspection, other_force
):
    data = load(admin_client, inspection)
    assert "force" not in data
    data["force"] = [str(other_force.pk)]
    admin_client.post(change_url(inspection), data)
    inspection.refresh_from_db()
    assert inspection.force.code == "WMP"


def test_records_cannot_be_deleted_from_the_admin(
    admin_client, action, owner, lead, finding
):
    update = services.action_record_progress(
        owner, action, text="Drafted.", links=["https://example.org/plan"]
    )
    Action.objects.filter(pk=action.pk).update(
        deadline_set_by=Action.DeadlineSetBy.INSPECTORATE
    )
    request = services.deadline_change_request(
        lead,
        action,
        new_deadline=datetime.date(2030, 9, 1),
        reason="The budget cycle moves the work to September.",
    )
    reminder = Reminder.objects.create(
        recipient=owner,
        action=action,
        kind="due_in_7_days",
        deadline_key=action.deadline,
        send_on=action.deadline,
        due_on=action.deadline,
    )
    event = FindingEvent.objects.get(finding=finding)
    for obj in (update.evidence.get(), request, reminder, event, update):
        meta = obj._meta
        url = f"/admin/{meta.app_label}/{meta.model_name}/{obj.pk}/delete/"
        assert admin_client.post(url, {"post": "yes"}).status_code == 403, url
    assert Evidence.objects.count() == 1
    assert DeadlineChangeRequest.objects.count() == 1
    assert Reminder.objects.count() == 1
    assert FindingEvent.objects.count() == 1
    assert ProgressUpdate.objects.count() == 2


def test_the_history_cannot_be_used_to_revert_past_the_rules(
    admin_client, action, finding, owner
):
    first = finding.history.earliest("history_date")
    services.action_start(owner, action)  # the finding is now being progressed
    url = f"/admin/tracker/finding/{finding.pk}/history/{first.history_id}/"
    page = admin_client.get(url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    data = {"kind": finding.kind, "reference": finding.reference, "order": "1"}
    assert admin_client.post(url, data).status_code == 403
    finding.refresh_from_db()
    assert finding.status == finding.Status.BEING_PROGRESSED
    version = action.history.earliest("history_date")
    url = f"/admin/tracker/action/{action.pk}/history/{version.history_id}/"
    assert admin_client.post(url, {"title": "Old"}).status_code == 403


# Follow-ups: choices by id, preferences, who moves people, the history's words ---


@pytest.mark.parametrize("field", ["owner", "contributors"])
def test_an_admin_choice_no_id_can_be_is_a_form_error_asked_of_no_database(
    admin_user, action, field
):
    request = RequestFactory().get("/")
    request.user = admin_user
    form_class = ActionAdmin(Action, site).get_form(request, action)
    data = {
        "title": action.title,
        "order": "1",
        "expected_version": str(action.version),
        field: [BIG] if field == "contributors" else BIG,
    }
    form = form_class(data, instance=action)
    # SQLite cannot be asked about an id beyond 64 bits: it raises OverflowError.
    assert isinstance(form.fields[field], (IdChoiceField, IdMultipleChoiceField))
    assert not form.is_valid()
    assert "Select a valid choice" in str(form.errors[field])


def test_adding_a_reminder_preference_of_the_defaults_says_there_is_nothing_to_save(
    admin_client, owner
):
    url = "/admin/tracker/reminderpreference/add/"
    data = {"user": str(owner.pk), "digest": "daily", "weekly_on": "0"}
    page = errors_of(admin_client.post(url, data))
    assert "everyone&#x27;s defaults" in page or "everyone's defaults" in page
    assert not ReminderPreference.objects.exists()


def test_adding_a_reminder_preference_saves_it_and_links_to_it(admin_client, owner):
    url = "/admin/tracker/reminderpreference/add/"
    data = {"user": str(owner.pk), "digest": "weekly", "weekly_on": "2"}
    response = admin_client.post(url, data, follow=True)
    saved = ReminderPreference.objects.get(user=owner)
    assert saved.digest == "weekly"
    assert f"/reminderpreference/{saved.pk}/change/" in response.content.decode()
    assert "/None/" not in response.content.decode()


@pytest.fixture
def staff_lead(force):
    """A force lead given the admin, and the right to change people there."""
    person = make_user("stafflead@westmercia.test", Role.FORCE_LEAD, force)
    person.is_staff = True
    person.save()
    person.user_permissions.add(
        Permission.objects.get(codename="change_user"),
        Permission.objects.get(codename="view_user"),
    )
    return person


def test_staff_who_are_not_administrators_cannot_move_people_in_the_admin(
    client, staff_lead, owner, other_force
):
    client.force_login(staff_lead)
    page = client.get(change_url(owner))
    text = page.content.decode()
    assert "Only an administrator changes a person" in text
    data = form_data(page, "user_form")
    assert not {"force", "role", "is_superuser"} & set(data)
    data.update(
        force=[str(other_force.pk)],
        role=[Role.ADMIN],
        is_superuser=["on"],
        first_name=["Olivia"],
    )
    response = client.post(change_url(owner), data)
    assert response.status_code == 302, response.status_code
    owner.refresh_from_db()
    assert (owner.first_name, owner.force.code, owner.role) == (
        "Olivia",
        "WMP",
        Role.FORCE_STAFF,
    )
    assert not owner.is_superuser


def test_staff_who_are_not_administrators_cannot_change_an_administrators_account(
    client, staff_lead, admin_user
):
    client.force_login(staff_lead)
    url = f"/admin/tracker/user/{admin_user.pk}/password/"
    data = {"password1": "taken-over-9876", "password2": "taken-over-9876"}
    assert client.post(url, data).status_code == 403
    assert client.post(change_url(admin_user), {"email": "x@y.test"}).status_code == 403
    admin_user.refresh_from_db()
    assert admin_user.check_password("a-long-test-password")
    assert admin_user.email == "admin@hmicfrs.test"


def test_an_administrator_still_moves_people_in_the_admin(
    admin_client, owner, other_force
):
    page = admin_client.get(change_url(owner))
    data = form_data(page, "user_form")
    data["force"] = [str(other_force.pk)]
    assert admin_client.post(change_url(owner), data).status_code == 302
    owner.refresh_from_db()
    assert owner.force == other_force


def test_the_admin_history_says_a_cleared_owner_is_not_assigned(
    admin_client, action, owner, other_force, admin_user
):
    services.user_change_force(
        admin_user, owner, force=other_force, role=Role.FORCE_STAFF
    )
    url = f"/admin/tracker/action/{action.pk}/history/"
    page = admin_client.get(url).content.decode()
    assert "Deleted user" not in page
    assert "not assigned" in page
