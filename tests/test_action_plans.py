"""Action plans: a force lead (and force staff, where the lead allows it) adds actions
and sub-steps to a finding, edits what they say and puts them in order."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from tests.conftest import make_finding
from tracker import services
from tracker.models import Action, Finding
from tracker.services import ConflictError, WorkflowError

DUE = datetime.date(2030, 6, 30)


def plan(user, finding, title="Publish the plan", **extra):
    return services.action_create(user, finding=finding, title=title, **extra)


# The services ----------------------------------------------------------------------


def test_a_lead_adds_an_action_with_its_people_deliverable_and_deadline(
    lead, owner, contributor, finding
):
    action = plan(
        lead,
        finding,
        description="Agree it with partners first.",
        deliverable="A published plan",
        owner=owner,
        contributors=[contributor],
        deadline=DUE,
    )
    action.refresh_from_db()
    assert (action.owner, action.deadline, action.deliverable) == (
        owner,
        DUE,
        "A published plan",
    )
    assert list(action.contributors.all()) == [contributor]
    assert action.deadline_set_by == Action.DeadlineSetBy.FORCE
    assert action.force == finding.force
    assert action.history.get(history_type="+").history_user == lead


def test_force_staff_plan_only_where_their_lead_allows_it(lead, owner, finding):
    with pytest.raises(PermissionDenied, match="Only the force lead"):
        plan(owner, finding)
    services.force_planning_set(lead, finding.force, staff_may_plan=True)
    finding = Finding.objects.get(pk=finding.pk)  # as the next page loads it
    assert plan(owner, finding, "Their own step").title == "Their own step"
    with pytest.raises(PermissionDenied, match="Only the force lead decides"):
        services.force_planning_set(owner, finding.force, staff_may_plan=False)


def test_another_forces_lead_cannot_plan_here(other_lead, finding):
    with pytest.raises(PermissionDenied, match="Only the force lead"):
        plan(other_lead, finding)
    assert not Action.objects.exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"title": "  "}, "A title"),
        ({"title": "x" * 301}, "at most 300 characters"),
        ({"deliverable": "x" * 301}, "at most 300 characters"),
    ],
)
def test_bad_words_are_refused_and_nothing_is_added(lead, finding, extra, message):
    with pytest.raises(WorkflowError, match=message):
        plan(lead, finding, **{"title": "Plan", **extra})
    assert not Action.objects.exists()


def test_an_owner_or_contributor_of_another_force_is_refused(
    lead, owner, outsider, finding
):
    with pytest.raises(WorkflowError, match="belong to another force"):
        plan(lead, finding, owner=outsider)
    with pytest.raises(WorkflowError, match="belong to another force"):
        plan(lead, finding, owner=owner, contributors=[outsider])
    assert not Action.objects.exists()


def test_a_sub_step_must_answer_its_parents_finding(lead, finding, inspection):
    parent = plan(lead, finding)
    other = make_finding(inspection, number=2)
    with pytest.raises(WorkflowError, match="same finding as its parent"):
        plan(lead, other, "Misplaced", parent=parent)
    step = plan(lead, finding, "Draft it", parent=parent)
    assert step.parent == parent and step.order == 1
    assert Action.objects.count() == 2


def test_a_closed_finding_takes_no_new_actions(lead, finding):
    Finding.objects.filter(pk=finding.pk).update(status=Finding.Status.COMPLETE)
    finding.refresh_from_db()
    with pytest.raises(WorkflowError, match="finding that is complete"):
        plan(lead, finding)


def test_editing_changes_the_words_keeps_the_version_check_and_the_history(
    lead, finding
):
    action = plan(lead, finding)
    edited = services.action_edit(
        lead,
        action,
        expected_version=action.version,
        title="Publish the revised plan",
        description="With the partners' comments.",
        deliverable="A revised plan",
    )
    assert edited.version == action.version + 1
    assert edited.history.first().history_user == lead
    # The same words again save nothing and keep the version.
    again = services.action_edit(
        lead,
        edited,
        expected_version=edited.version,
        title="Publish the revised plan",
        description="With the partners' comments.",
        deliverable="A revised plan",
    )
    assert again.version == edited.version
    # A page opened before the edit is refused, saying what changed.
    with pytest.raises(ConflictError, match="title"):
        services.action_edit(
            lead,
            action,
            expected_version=action.version,
            title="Something else",
            description="",
            deliverable="",
        )
    assert Action.objects.get(pk=action.pk).title == "Publish the revised plan"


def test_a_closed_action_cannot_be_edited(lead, finding):
    action = plan(lead, finding)
    services.action_withdraw(lead, action, "Folded into another action.")
    action.refresh_from_db()
    with pytest.raises(WorkflowError, match="withdrawn and can no longer be changed"):
        services.action_edit(
            lead,
            action,
            expected_version=action.version,
            title="New title",
            description="",
            deliverable="",
        )


def test_reordering_names_each_action_once_and_no_other(lead, finding, inspection):
    first, second, third = (plan(lead, finding, f"Step {n}") for n in (1, 2, 3))
    other = plan(lead, make_finding(inspection, number=2), "Elsewhere")
    for bad in (
        [third.pk, first.pk],  # one left out
        [third.pk, first.pk, second.pk, other.pk],  # another finding's
        [third.pk, first.pk, first.pk],  # twice
    ):
        with pytest.raises(WorkflowError, match="name each of these actions once"):
            services.action_reorder(lead, finding, bad)
    assert [a.title for a in finding.actions.order_by("order")] == [
        "Step 1",
        "Step 2",
        "Step 3",
    ]
    moved = services.action_reorder(lead, finding, [third.pk, first.pk, second.pk])
    assert {a.pk for a in moved} == {first.pk, second.pk, third.pk}
    assert [a.title for a in finding.actions.order_by("order")] == [
        "Step 3",
        "Step 1",
        "Step 2",
    ]


def test_only_a_planner_reorders(owner, lead, finding):
    first, second = plan(lead, finding, "A"), plan(lead, finding, "B")
    with pytest.raises(PermissionDenied, match="Only the force lead"):
        services.action_reorder(owner, finding, [second.pk, first.pk])


# The pages -------------------------------------------------------------------------


def test_the_lead_adds_an_action_from_the_finding_page(client, lead, owner, finding):
    client.force_login(lead)
    page = client.get(finding.get_absolute_url()).content.decode()
    assert f"/findings/{finding.pk}/actions/new/" in page
    response = client.post(
        f"/findings/{finding.pk}/actions/new/",
        {
            "title": "Train the neighbourhood teams",
            "description": "",
            "deliverable": "Every team trained",
            "owner": owner.pk,
            "deadline": DUE.isoformat(),
        },
    )
    assert response.status_code == 302 and response.url == finding.get_absolute_url()
    page = client.get(response.url).content.decode()
    assert "“Train the neighbourhood teams” is added to the plan." in page
    assert "Train the neighbourhood teams" in page


def test_a_bad_plan_form_says_what_is_wrong_and_adds_nothing(
    client, lead, outsider, finding
):
    client.force_login(lead)
    response = client.post(
        f"/findings/{finding.pk}/actions/new/",
        {"title": "", "owner": outsider.pk, "deadline": "31/02/2030"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required." in page  # the title
    assert "Select a valid choice." in page  # a person of another force
    assert "Deadline must be a real date" in page
    assert not Action.objects.exists()


def test_force_staff_see_no_planning_until_their_lead_allows_it(
    client, lead, owner, finding
):
    action = plan(lead, finding, owner=owner)
    client.force_login(owner)
    assert (
        "Add an action" not in client.get(finding.get_absolute_url()).content.decode()
    )
    assert client.get(f"/findings/{finding.pk}/actions/new/").status_code == 403
    client.force_login(lead)
    response = client.post(
        f"/forces/{finding.force.slug}/planning/", {"staff_may_plan": "yes"}
    )
    assert response.status_code == 302
    assert "Force staff may now add, edit and reorder actions." in (
        client.get(response.url).content.decode()
    )
    client.force_login(owner)
    assert "Add an action" in client.get(finding.get_absolute_url()).content.decode()
    page = client.get(action.get_absolute_url()).content.decode()
    assert "Edit the action" in page and "Add a sub-step" in page


def test_moving_an_action_up_and_down_from_the_finding_page(client, lead, finding):
    plan(lead, finding, "First")
    second = plan(lead, finding, "Second")
    client.force_login(lead)
    response = client.post(f"/actions/{second.pk}/reorder/", {"direction": "up"})
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "“Second” moved up." in page
    assert page.index(">Second<") < page.index(">First<")
    response = client.post(f"/actions/{second.pk}/reorder/", {"direction": "up"})
    assert "“Second” is already first." in client.get(response.url).content.decode()
    response = client.post(f"/actions/{second.pk}/reorder/", {"direction": "sideways"})
    assert "Choose whether to move the action up or down." in (
        client.get(response.url).content.decode()
    )


def test_a_stale_edit_page_keeps_the_words_and_says_what_changed(client, lead, finding):
    action = plan(lead, finding)
    services.action_edit(
        lead,
        action,
        expected_version=action.version,
        title="Renamed by someone else",
        description="",
        deliverable="",
    )
    client.force_login(lead)
    response = client.post(
        f"/actions/{action.pk}/edit/",
        {
            "title": "My own title",
            "description": "",
            "deliverable": "",
            "version": action.version,
        },
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed this action while you were editing it (title)" in page
    assert 'value="My own title"' in page
    assert Action.objects.get(pk=action.pk).title == "Renamed by someone else"


def test_the_action_page_shows_its_deliverable(client, lead, owner, finding):
    action = plan(lead, finding, deliverable="A signed data-sharing agreement")
    client.force_login(owner)
    page = client.get(action.get_absolute_url()).content.decode()
    assert "Deliverable" in page and "A signed data-sharing agreement" in page
    assert "Edit the action" not in page  # staff may not plan here
