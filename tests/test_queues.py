"""The work queues: each lists what waits for its reader, and nobody else's.

Personas: an owner and a colleague in West Mercia, its lead, an outsider and a
lead in West Midlands, an inspector who is West Mercia's contact, an admin.
"""

import datetime
import re

import pytest
from django.utils import timezone

from tests.conftest import make_finding, make_inspection
from tracker import services
from tracker.models import Action, DeadlineChangeRequest, Finding
from tracker.services.errors import WorkflowError

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def listed(response) -> list[str]:
    """The links of the queue's table rows, in order (the first link of each row)."""
    page = response.content.decode()
    table = re.split(r"<tbody[^>]*>", page, maxsplit=1)[1].split("</tbody>", 1)[0]
    return [
        re.search(r">([^<]+)</a>", row).group(1)
        for row in re.split(r"<tr[^>]*>", table)[1:]
        if "</a>" in row
    ]


def figure(href: str, label: str, count: int) -> str:
    """A count on the home page, as a link to its queue."""
    return (
        f'<a class="govuk-link govuk-link--no-visited-state" href="{href}">'
        f'<span class="app-figure__number">{count}</span> '
        f'<span class="app-figure__label">{label}</span></a>'
    )


def make_action(finding, owner, title, **fields):
    fields.setdefault("status", Action.Status.IN_PROGRESS)
    if fields["status"] in (Action.Status.DONE, Action.Status.SIGNED_OFF):
        fields.setdefault("percent_complete", 100)
    return Action.objects.create(
        inspection=finding.inspection,
        finding=finding,
        title=title,
        owner=owner,
        **fields,
    )


@pytest.fixture
def world(force, other_force, owner, colleague, lead, outsider, other_lead):
    """Every queue's rows in both forces, each with a row that must not be listed."""
    finding = make_finding(make_inspection(force))
    other = make_finding(make_inspection(other_force))
    w = {"finding": finding, "other": other}
    for side, f, staff in (("own", finding, owner), ("other", other, outsider)):
        w[f"{side}_done"] = make_action(
            f, staff, f"{side} done", status=Action.Status.DONE
        )
        w[f"{side}_late"] = make_action(f, staff, f"{side} late", deadline=TODAY - DAY)
        w[f"{side}_soon"] = make_action(
            f, staff, f"{side} soon", deadline=TODAY + 3 * DAY
        )
        make_action(f, staff, f"{side} far", deadline=TODAY + 30 * DAY)
    # The colleague's work: in the lead's queues, not in the owner's.
    w["colleague_done"] = make_action(
        finding, colleague, "colleague done", status=Action.Status.DONE
    )
    w["colleague_late"] = make_action(
        finding, colleague, "colleague late", deadline=TODAY - 5 * DAY
    )
    return w


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


class TestForceQueues:
    def test_sign_off_for_the_lead_is_the_forces_done_work(self, client, world, lead):
        response = get(client, lead, "/queues/sign-off/")
        assert response.status_code == 200
        assert sorted(listed(response)) == ["colleague done", "own done"]

    def test_sign_off_for_an_officer_is_their_own_submitted_work(
        self, client, world, owner, outsider
    ):
        assert listed(get(client, owner, "/queues/sign-off/")) == ["own done"]
        assert listed(get(client, outsider, "/queues/sign-off/")) == ["other done"]

    def test_overdue_with_days_overdue_oldest_first(self, client, world, lead, owner):
        response = get(client, lead, "/queues/overdue/")
        assert listed(response) == ["colleague late", "own late"]
        page = response.content.decode()
        assert "5 days" in page and "1 day<" in page
        assert listed(get(client, lead, "/queues/overdue/", sort="newest")) == [
            "own late",
            "colleague late",
        ]
        assert listed(get(client, owner, "/queues/overdue/")) == ["own late"]

    def test_due_soon_says_who_set_the_deadline(self, client, world, owner):
        world["own_soon"].deadline_set_by = Action.DeadlineSetBy.INSPECTORATE
        world["own_soon"].save()
        response = get(client, owner, "/queues/due-soon/")
        assert listed(response) == ["own soon"]
        assert "Inspectorate</strong>" in response.content.decode()

    def test_returned_shows_the_leads_comment(self, client, world, lead, owner):
        services.action_return(lead, world["own_done"], "The annex is missing.")
        response = get(client, owner, "/queues/returned/")
        assert listed(response) == ["own done"]
        assert "The annex is missing." in response.content.decode()
        assert listed(get(client, owner, "/queues/sign-off/")) == []
        home = get(client, owner, "/").content.decode()
        assert figure("/queues/returned/", "Returned for more work", 1) in home

    def test_a_force_user_never_sees_another_forces_rows(
        self, client, world, lead, owner, other_force
    ):
        for user in (lead, owner):
            for name in ("sign-off", "overdue", "due-soon", "returned"):
                page = get(client, user, f"/queues/{name}/").content.decode()
                assert "other " not in page, (user, name)
                refused = get(client, user, f"/queues/{name}/", force=other_force.slug)
                assert refused.status_code == 400, (user, name)
                assert "not one of the forces whose work you see" in (
                    refused.content.decode()
                )
                assert listed(refused) == []

    def test_inspectors_get_403_on_force_queues_and_force_users_on_theirs(
        self, client, world, inspector, owner, lead
    ):
        for name in ("sign-off", "overdue", "due-soon", "returned"):
            assert get(client, inspector, f"/queues/{name}/").status_code == 403
        for name in ("closure-requests", "deadline-requests", "overdue-findings"):
            assert get(client, lead, f"/queues/{name}/").status_code == 403
        for name in ("ready-for-closure", "my-deadline-requests"):
            assert get(client, owner, f"/queues/{name}/").status_code == 403


class TestReadyForClosure:
    def test_lists_findings_whose_every_action_is_closed(
        self, client, force, other_force, lead, owner, other_lead, outsider
    ):
        inspection = make_inspection(force)
        ready = make_finding(inspection, number=1)
        make_action(ready, owner, "a", status=Action.Status.SIGNED_OFF)
        make_action(ready, owner, "b", status=Action.Status.WITHDRAWN)
        one_open = make_finding(inspection, number=2)
        make_action(one_open, owner, "c", status=Action.Status.SIGNED_OFF)
        make_action(one_open, owner, "d", status=Action.Status.IN_PROGRESS)
        all_withdrawn = make_finding(inspection, number=3)
        make_action(all_withdrawn, owner, "e", status=Action.Status.WITHDRAWN)
        make_finding(inspection, number=4)  # no actions at all
        theirs = make_finding(make_inspection(other_force))
        make_action(theirs, outsider, "f", status=Action.Status.SIGNED_OFF)

        assert listed(get(client, lead, "/queues/ready-for-closure/")) == [
            ready.reference
        ]
        assert listed(get(client, other_lead, "/queues/ready-for-closure/")) == [
            theirs.reference
        ]
        # The service accepts exactly what the queue lists.
        with pytest.raises(WorkflowError, match="1 action is still open"):
            services.finding_request_closure(lead, one_open, "Done.")
        with pytest.raises(WorkflowError, match="At least one action"):
            services.finding_request_closure(lead, all_withdrawn, "Done.")
        services.finding_request_closure(lead, ready, "Done.")
        assert listed(get(client, lead, "/queues/ready-for-closure/")) == []


class TestDeadlineRequests:
    def test_the_lead_sees_their_requests_and_answers_the_inspector_the_pending(
        self, client, world, lead, other_lead, inspector
    ):
        own, other = world["own_late"], world["other_late"]
        for action in (own, other, world["own_soon"]):
            action.deadline_set_by = Action.DeadlineSetBy.INSPECTORATE
            action.save()
        asked = services.deadline_change_request(
            lead,
            own,
            new_deadline=TODAY + 60 * DAY,
            reason="The national guidance it depends on is late.",
        )
        services.deadline_change_request(
            other_lead,
            other,
            new_deadline=TODAY + 60 * DAY,
            reason="Waiting for the new system to go live.",
        )
        refused = services.deadline_change_request(
            lead,
            world["own_soon"],
            new_deadline=TODAY + 90 * DAY,
            reason="More time is needed for the training.",
        )
        services.deadline_change_decide(
            inspector, refused, approve=False, comment="Keep to it."
        )
        mine = get(client, lead, "/queues/my-deadline-requests/")
        assert listed(mine) == ["own late", "own soon"]
        assert "Keep to it." in mine.content.decode()
        waiting = get(client, inspector, "/queues/deadline-requests/")
        assert listed(waiting) == ["own late", "other late"]
        assert asked.status == DeadlineChangeRequest.Status.PENDING


class TestInspectorQueues:
    @pytest.fixture
    def requests(self, force, other_force, inspector):
        """51 closure requests in West Mercia (inspector's force), 2 in West Midlands."""
        force.inspector_contact = inspector
        force.save()
        now = timezone.now()
        made = {}
        for f, count in ((force, 51), (other_force, 2)):
            inspection = make_inspection(f)
            for n in range(count):
                finding = make_finding(
                    inspection,
                    number=n + 1,
                    status=Finding.Status.CLOSURE_REQUESTED,
                )
                # Oldest first: West Mercia's 1st waited longest.
                finding.status_changed_at = now - datetime.timedelta(
                    hours=1000 - n - (0 if f == force else 500)
                )
                finding.save()
                made.setdefault(f.code, []).append(finding.reference)
        return made

    def test_paged_50_a_page_oldest_first(self, client, requests, inspector):
        first = get(client, inspector, "/queues/closure-requests/")
        assert first.status_code == 200
        order = requests["WMP"] + requests["WMD"]
        assert listed(first) == order[:50]
        assert "Page 1 of 2" in first.content.decode()
        second = get(client, inspector, "/queues/closure-requests/", page=2)
        assert listed(second) == order[50:]
        # A page past the end shows the last; nonsense shows the first.
        assert (
            listed(get(client, inspector, "/queues/closure-requests/", page=9))
            == (order[50:])
        )
        assert (
            listed(get(client, inspector, "/queues/closure-requests/", page="x"))
            == (order[:50])
        )

    def test_newest_first(self, client, requests, inspector):
        response = get(client, inspector, "/queues/closure-requests/", sort="newest")
        order = requests["WMP"] + requests["WMD"]
        assert listed(response) == list(reversed(order))[:50]

    def test_my_forces_and_force_filters(
        self, client, requests, inspector, other_force
    ):
        mine = get(client, inspector, "/queues/closure-requests/", mine="on", page=2)
        assert listed(mine) == requests["WMP"][50:]
        theirs = get(
            client, inspector, "/queues/closure-requests/", force=other_force.slug
        )
        assert listed(theirs) == requests["WMD"]
        unknown = get(client, inspector, "/queues/closure-requests/", force="atlantis")
        assert unknown.status_code == 400
        assert "“atlantis” is not one of the forces" in unknown.content.decode()
        assert listed(unknown) == []

    def test_overdue_findings_by_force(
        self, client, world, inspector, force, other_force
    ):
        response = get(client, inspector, "/queues/overdue-findings/")
        assert sorted(listed(response)) == sorted(
            [world["finding"].reference, world["other"].reference]
        )
        page = response.content.decode()
        assert f'href="?force={force.slug}"' in page
        only = get(client, inspector, "/queues/overdue-findings/", force=force.slug)
        assert listed(only) == [world["finding"].reference]

    def test_home_counts_link_to_the_queues(self, client, requests, inspector):
        page = get(client, inspector, "/").content.decode()
        assert 'href="/queues/closure-requests/"' in page
        assert "See all 53 closure requests waiting" in page
        assert 'href="/queues/deadline-requests/"' in page
        assert 'href="/queues/overdue-findings/"' in page


def test_lead_home_counts_link_to_the_queues(client, world, lead):
    page = get(client, lead, "/").content.decode()
    for name in (
        "sign-off",
        "overdue",
        "due-soon",
        "returned",
        "ready-for-closure",
        "my-deadline-requests",
    ):
        assert f'href="/queues/{name}/"' in page, name
    assert (
        '<li class="app-figure app-figure--alert">'
        + figure("/queues/overdue/", "Overdue", 2)
    ) in page
    assert figure("/queues/sign-off/", "Awaiting my sign-off", 2) in page
    assert "See all 2 awaiting your sign-off" in page


def declined_finding(finding, lead, owner, inspector, comment):
    action = services.action_create(
        lead, finding=finding, title="Close it", owner=owner
    )
    services.action_record_progress(owner, action, text="Done.")
    services.action_mark_done(owner, action, "")
    services.action_sign_off(lead, action, "")
    services.finding_request_closure(lead, finding, "Every action is signed off.")
    services.finding_decline_closure(inspector, finding, comment)
    return Finding.objects.get(pk=finding.pk)


def test_the_lead_sees_closures_the_inspector_declined_with_the_comment(
    client, force, other_force, lead, owner, inspector, other_lead, outsider
):
    ours = declined_finding(
        make_finding(make_inspection(force)), lead, owner, inspector, "Show the audit."
    )
    theirs = declined_finding(
        make_finding(make_inspection(other_force)),
        other_lead,
        outsider,
        inspector,
        "Theirs.",
    )
    # Asked again: no longer waiting for the lead.
    answered = declined_finding(
        make_finding(make_inspection(force, year=2018)), lead, owner, inspector, "Once."
    )
    services.finding_request_closure(lead, answered, "The audit is attached.")
    response = get(client, lead, "/queues/closure-declined/")
    assert response.status_code == 200
    assert listed(response) == [ours.reference]
    page = response.content.decode()
    assert "The inspector: “Show the audit.”" in page and "Theirs." not in page
    assert theirs.reference not in page
    home = get(client, lead, "/").content.decode()
    assert (
        'href="/queues/closure-declined/"><span class="app-figure__number">1</span> '
        '<span class="app-figure__label">Closure declined by the inspector</span>'
    ) in home
    assert get(client, owner, "/queues/closure-declined/").status_code == 403


def test_every_page_of_a_queue_is_one_click_away(client, inspector, force):
    inspection = make_inspection(force)
    for n in range(260):  # six pages of 50
        finding = make_finding(inspection, number=n + 1)
        Finding.objects.filter(pk=finding.pk).update(
            status=Finding.Status.CLOSURE_REQUESTED
        )
    page = get(client, inspector, "/queues/closure-requests/", page=3).content.decode()
    for number in (1, 2, 4, 5, 6):
        assert f'aria-label="Page {number}">{number}</a>' in page
    assert 'aria-label="Page 3 of 6" aria-current="page">3</a>' in page


def test_the_inspectors_count_of_overdue_findings_follows_each_change(
    client, settings, world, inspector, lead
):
    """Counted once per change for every reader of every force (cached as in
    production): work done late, or a new overdue action, shows at once."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }

    def overdue_count():
        return get(client, inspector, "/").context["queues"]["overdue_findings"]

    assert overdue_count() == 2
    assert overdue_count() == 2  # from the cache
    for late in (world["own_late"], world["colleague_late"]):
        late.status = Action.Status.DONE
        late.percent_complete = 100
        late.save()
    assert overdue_count() == 1
    make_action(world["finding"], lead, "late again", deadline=TODAY - DAY)
    assert overdue_count() == 2
