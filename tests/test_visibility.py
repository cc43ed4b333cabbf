"""One door for visibility: force users see their own force, inspectors see all."""

import pytest
from django.contrib.auth.models import AnonymousUser

from tracker.permissions import can_change_action
from tracker.selectors import (
    visible_actions,
    visible_findings,
    visible_forces,
    visible_inspections,
)

FORCE_ROLES = ["owner", "colleague", "lead"]
EVERY_FORCE = ["inspector", "admin_user"]


@pytest.fixture
def world(action, other_action):
    return {"own": action, "other": other_action}


def seen(user, world):
    return {
        "actions": set(visible_actions(user).values_list("pk", flat=True)),
        "findings": set(visible_findings(user).values_list("pk", flat=True)),
        "inspections": set(visible_inspections(user).values_list("pk", flat=True)),
    }


def ids(action):
    return {
        "actions": {action.pk},
        "findings": {action.finding_id},
        "inspections": {action.inspection_id},
    }


@pytest.mark.parametrize("who", FORCE_ROLES)
def test_force_users_see_only_their_own_force(request, who, world):
    user = request.getfixturevalue(who)
    assert seen(user, world) == ids(world["own"])
    assert list(visible_forces(user)) == [user.force]


def test_the_other_forces_people_see_only_theirs(outsider, other_lead, world):
    for user in (outsider, other_lead):
        assert seen(user, world) == ids(world["other"])


@pytest.mark.parametrize("who", EVERY_FORCE)
def test_inspectors_and_administrators_see_every_force(request, who, world):
    user = request.getfixturevalue(who)
    everything = seen(user, world)
    for action in world.values():
        for kind, wanted in ids(action).items():
            assert wanted <= everything[kind]
    # the 43 forces and the national bodies findings are addressed to
    assert visible_forces(user).police().count() == 43
    assert visible_forces(user).national_bodies().count() == 3


def test_anonymous_and_deactivated_users_see_nothing(owner, world):
    assert seen(AnonymousUser(), world) == {
        "actions": set(),
        "findings": set(),
        "inspections": set(),
    }
    owner.is_active = False
    owner.save()
    assert seen(owner, world) == {
        "actions": set(),
        "findings": set(),
        "inspections": set(),
    }


@pytest.mark.parametrize(
    "who, own, other",
    [
        ("owner", True, False),
        ("contributor", True, False),
        ("colleague", False, False),
        ("lead", True, False),
        ("outsider", False, True),
        ("other_lead", False, True),
        ("inspector", False, False),
        ("admin_user", False, False),
    ],
)
def test_who_may_change_an_action(request, who, own, other, world):
    user = request.getfixturevalue(who)
    assert can_change_action(user, world["own"]) is own
    assert can_change_action(user, world["other"]) is other


def test_a_colleague_added_as_contributor_may_change_it(colleague, world):
    world["own"].contributors.add(colleague)
    assert can_change_action(colleague, world["own"])


PAGES = [
    ("force", lambda a: a.force.get_absolute_url()),
    ("inspection", lambda a: a.inspection.get_absolute_url()),
    ("finding", lambda a: a.finding.get_absolute_url()),
    ("action", lambda a: a.get_absolute_url()),
]


@pytest.mark.parametrize("page, url_of", PAGES, ids=[p for p, _ in PAGES])
@pytest.mark.parametrize(
    "who, own_status, other_status",
    [
        ("owner", 200, 404),
        ("colleague", 200, 404),
        ("lead", 200, 404),
        ("outsider", 404, 200),
        ("inspector", 200, 200),
        ("admin_user", 200, 200),
    ],
)
def test_pages_answer_by_visibility(
    client, request, world, page, url_of, who, own_status, other_status
):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url_of(world["own"])).status_code == own_status
    assert client.get(url_of(world["other"])).status_code == other_status


@pytest.mark.parametrize("page, url_of", PAGES, ids=[p for p, _ in PAGES])
def test_pages_send_anonymous_visitors_to_sign_in(client, world, page, url_of):
    response = client.get(url_of(world["own"]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("page, url_of", PAGES, ids=[p for p, _ in PAGES])
def test_pages_refuse_other_methods(client, owner, world, page, url_of):
    client.force_login(owner)
    assert client.post(url_of(world["own"])).status_code == 405


def test_another_forces_text_never_appears_on_a_page(client, owner, world):
    client.force_login(owner)
    other = world["other"]
    for url in [owner.force.get_absolute_url(), world["own"].get_absolute_url(), "/"]:
        body = client.get(url).content.decode()
        assert other.title not in body
        assert other.finding.reference not in body
