"""Several actions at once from the action list: a force lead gives the ticked actions
an owner or a deadline, or signs them off; all of them, or none."""

import datetime

import pytest

from tests.conftest import make_finding, make_inspection
from tracker import services
from tracker.models import Action

DUE = datetime.date(2031, 2, 28)


@pytest.fixture
def three(lead, owner, finding):
    return [
        services.action_create(lead, finding=finding, title=title, owner=owner)
        for title in ("Draft the plan", "Consult partners", "Train the teams")
    ]


def done(owner, lead, action):
    services.action_record_progress(owner, action, text="Work done.")
    services.action_mark_done(owner, action, "Delivered.")
    return Action.objects.get(pk=action.pk)


def ticked(*actions):
    return [f"{a.pk}:{Action.objects.get(pk=a.pk).version}" for a in actions]


def post(client, data):
    response = client.post("/actions/bulk/", {"next": "/actions/?status=", **data})
    assert response.status_code == 302 and response.url == "/actions/?status="
    return client.get(response.url).content.decode()


def test_the_lead_gives_ticked_actions_an_owner_and_a_deadline(
    client, lead, contributor, three
):
    client.force_login(lead)
    page = client.get("/actions/").content.decode()
    assert 'id="bulk"' in page and 'name="selected"' in page
    page = post(
        client,
        {
            "selected": ticked(*three[:2]),
            "do": "assign",
            "owner": contributor.pk,
            "deadline": DUE.isoformat(),
        },
    )
    assert "2 actions changed: “Draft the plan”, “Consult partners”." in page
    changed = Action.objects.filter(pk__in=[a.pk for a in three[:2]])
    assert {(a.owner, a.deadline) for a in changed} == {(contributor, DUE)}
    assert all(a.history.first().history_user == lead for a in changed)
    assert Action.objects.get(pk=three[2].pk).deadline is None  # not ticked


def test_the_lead_signs_off_the_ticked_done_actions(client, lead, owner, three):
    for action in three[:2]:
        done(owner, lead, action)
    client.force_login(lead)
    page = post(client, {"selected": ticked(*three[:2]), "do": "sign-off"})
    assert "2 actions signed off" in page
    assert set(
        Action.objects.filter(pk__in=[a.pk for a in three[:2]]).values_list(
            "status", flat=True
        )
    ) == {Action.Status.SIGNED_OFF}


def test_one_action_not_ready_changes_nothing_at_all(client, lead, owner, three):
    done(owner, lead, three[0])
    client.force_login(lead)
    page = post(client, {"selected": ticked(three[0], three[1]), "do": "sign-off"})
    assert (
        "Nothing was changed. “Consult partners”: Only an action that is done" in page
    )
    assert Action.objects.get(pk=three[0].pk).status == Action.Status.DONE


def test_another_forces_action_in_the_selection_changes_nothing(
    client, lead, owner, three, other_force, other_lead
):
    theirs = services.action_create(
        other_lead,
        finding=make_finding(make_inspection(other_force)),
        title="Their action",
    )
    client.force_login(lead)
    page = post(
        client,
        {
            "selected": ticked(three[0], theirs),
            "do": "assign",
            "deadline": DUE.isoformat(),
        },
    )
    assert "Some of the chosen actions are not in your list any more" in page
    assert "Their action" not in page
    assert not Action.objects.filter(deadline=DUE).exists()


def test_a_stale_list_changes_nothing(client, lead, owner, three):
    stale = ticked(*three)
    services.action_assign(
        lead,
        three[1],
        expected_version=Action.objects.get(pk=three[1].pk).version,
        owner=owner,
        contributors=[],
        deadline=datetime.date(2030, 1, 1),
    )
    client.force_login(lead)
    page = post(
        client, {"selected": stale, "do": "assign", "deadline": DUE.isoformat()}
    )
    assert (
        "Nothing was changed. “Consult partners”: Someone else changed this action"
        in page
    )
    assert not Action.objects.filter(deadline=DUE).exists()


def test_an_inspectorate_deadline_is_not_moved_in_bulk(
    client, lead, inspector, finding
):
    set_by_them = services.action_create(
        inspector,
        finding=finding,
        title="Report to the inspectorate",
        deadline=datetime.date(2030, 11, 12),
        deadline_set_by=Action.DeadlineSetBy.INSPECTORATE,
    )
    client.force_login(lead)
    page = post(
        client,
        {"selected": ticked(set_by_them), "do": "assign", "deadline": DUE.isoformat()},
    )
    assert "Nothing was changed. “Report to the inspectorate”" in page
    assert Action.objects.get(pk=set_by_them.pk).deadline == datetime.date(2030, 11, 12)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"do": "assign", "deadline": DUE.isoformat()}, "Tick at least one action."),
        ({"do": "assign"}, "Choose an owner or a deadline to give them."),
        (
            {"do": "assign", "deadline": DUE.isoformat(), "selected": ["1:x"]},
            "could not be read",
        ),
        ({"do": "delete", "selected": ["1:1"]}, "Select a valid choice."),
    ],
)
def test_a_bad_bulk_form_says_why_and_changes_nothing(
    client, lead, three, data, message
):
    if data.get("do") == "assign" and "selected" not in data and "deadline" not in data:
        data = {**data, "selected": ticked(three[0])}
    client.force_login(lead)
    before = list(Action.objects.values_list("pk", "version", "owner", "deadline"))
    page = post(client, data)
    assert "Nothing was changed" in page and message in page
    assert (
        list(Action.objects.values_list("pk", "version", "owner", "deadline")) == before
    )


def test_only_a_force_lead_changes_in_bulk(client, owner, inspector, three):
    for person in (owner, inspector):
        client.force_login(person)
        page = client.get("/actions/").content.decode()
        assert 'id="bulk"' not in page
        response = client.post(
            "/actions/bulk/", {"selected": ticked(three[0]), "do": "sign-off"}
        )
        assert response.status_code == 403


def test_the_bulk_form_is_only_above_actions_it_can_change(client, lead, owner, three):
    done(owner, lead, three[0])
    services.action_sign_off(lead, three[0], "Checked.")
    services.action_withdraw(lead, three[1], "Not needed.")
    client.force_login(lead)
    # Only closed actions listed (signed off, withdrawn): no form, no ticks.
    page = client.get("/actions/?status=signed_off&status=withdrawn").content.decode()
    assert "Draft the plan" in page and "Consult partners" in page
    assert 'id="bulk"' not in page and 'name="selected"' not in page
    # With an open one among them, the form, and a tick on the open one only.
    page = client.get("/actions/").content.decode()
    assert 'id="bulk"' in page
    assert f'id="pick-{three[2].pk}"' in page
    assert f'id="pick-{three[0].pk}"' not in page
    assert f'id="pick-{three[1].pk}"' not in page


@pytest.mark.parametrize("who", ["lead", "owner", "inspector"])
def test_the_empty_list_row_spans_every_column(client, who, request, three):
    client.force_login(request.getfixturevalue(who))
    page = client.get("/actions/?q=nothing-matches-this").content.decode()
    head = page.split('<thead class="govuk-table__head">', 1)[1].split("</thead>", 1)[0]
    assert f'colspan="{head.count("<th ")}">No actions match.' in page
