"""Every workflow move, legal and illegal, for every role."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from tests.conftest import make_finding, make_inspection
from tracker import services
from tracker.models import Action, Finding, FindingEvent, ProgressUpdate
from tracker.services import ConflictError, WorkflowError

PERSONAS = [
    "owner",
    "contributor",
    "colleague",
    "lead",
    "outsider",
    "other_lead",
    "inspector",
    "admin_user",
]


def persona(request, name):
    return request.getfixturevalue(name)


def snapshot(action: Action):
    action.refresh_from_db()
    return (
        action.status,
        action.percent_complete,
        action.version,
        action.updates.count(),
    )


def start(action, owner):
    services.action_record_progress(owner, action, text="Started the work.", percent=10)
    action.refresh_from_db()


def finish(action, owner):
    start(action, owner)
    services.action_mark_done(owner, action, text="All done.")
    action.refresh_from_db()


def sign_off(action, owner, lead):
    finish(action, owner)
    services.action_sign_off(lead, action)
    action.refresh_from_db()


# Actions ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", PERSONAS)
def test_record_progress_is_for_owner_contributors_and_the_force_lead(
    request, who, action
):
    user = persona(request, who)
    if who in {"owner", "contributor", "lead"}:
        update = services.action_record_progress(
            user, action, text="Met partners.", percent=25
        )
        action.refresh_from_db()
        assert action.status == Action.Status.IN_PROGRESS
        assert action.percent_complete == 25
        assert update.kind == ProgressUpdate.Kind.STARTED
        assert (update.from_status, update.to_status) == ("not_started", "in_progress")
        assert action.last_progress_at == update.created_at
    else:
        before = snapshot(action)
        with pytest.raises(PermissionDenied):
            services.action_record_progress(user, action, text="Not mine.", percent=25)
        assert snapshot(action) == before


def test_later_progress_keeps_status_and_appends(action, owner):
    start(action, owner)
    update = services.action_record_progress(
        owner, action, text="Half way.", percent=50
    )
    action.refresh_from_db()
    assert update.kind == ProgressUpdate.Kind.PROGRESS
    assert action.status == Action.Status.IN_PROGRESS
    assert action.percent_complete == 50
    assert list(action.updates.values_list("percent_complete", flat=True)) == [10, 50]


@pytest.mark.parametrize("percent", [-1, 101, 250])
def test_percent_outside_0_to_100_is_refused_and_changes_nothing(
    action, owner, percent
):
    before = snapshot(action)
    with pytest.raises(WorkflowError, match="between 0 and 100"):
        services.action_record_progress(owner, action, text="Odd.", percent=percent)
    assert snapshot(action) == before


def test_progress_needs_words(action, owner):
    with pytest.raises(WorkflowError, match="required"):
        services.action_record_progress(owner, action, text="   ", percent=10)


def test_links_must_be_web_addresses(action, owner):
    before = snapshot(action)
    with pytest.raises(WorkflowError, match="not a web address"):
        services.action_record_progress(
            owner, action, text="See link", links=["javascript:alert(1)"]
        )
    assert snapshot(action) == before


@pytest.mark.parametrize("who", PERSONAS)
def test_mark_done_is_for_owner_and_contributors(request, who, action, owner):
    start(action, owner)
    user = persona(request, who)
    if who in {"owner", "contributor"}:
        update = services.action_mark_done(user, action, text="Plan published.")
        action.refresh_from_db()
        assert action.status == Action.Status.DONE
        assert action.percent_complete == 100
        assert update.kind == ProgressUpdate.Kind.MARKED_DONE
    else:
        before = snapshot(action)
        with pytest.raises(PermissionDenied):
            services.action_mark_done(user, action)
        assert snapshot(action) == before


def test_mark_done_before_any_progress_is_refused(action, owner):
    with pytest.raises(WorkflowError, match="Record progress"):
        services.action_mark_done(owner, action)


@pytest.mark.parametrize("who", PERSONAS)
def test_sign_off_is_for_the_force_lead_only(request, who, action, owner):
    finish(action, owner)
    user = persona(request, who)
    if who == "lead":
        update = services.action_sign_off(user, action, text="Evidence checked.")
        action.refresh_from_db()
        assert action.status == Action.Status.SIGNED_OFF
        assert update.kind == ProgressUpdate.Kind.SIGNED_OFF
    else:
        before = snapshot(action)
        with pytest.raises(PermissionDenied):
            services.action_sign_off(user, action)
        assert snapshot(action) == before


@pytest.mark.parametrize("who", PERSONAS)
def test_return_is_for_the_force_lead_only(request, who, action, owner):
    finish(action, owner)
    user = persona(request, who)
    if who == "lead":
        update = services.action_return(user, action, "The plan lacks dates.")
        action.refresh_from_db()
        assert action.status == Action.Status.IN_PROGRESS
        assert update.kind == ProgressUpdate.Kind.RETURNED
        assert update.text == "The plan lacks dates."
    else:
        before = snapshot(action)
        with pytest.raises(PermissionDenied):
            services.action_return(user, action, "No.")
        assert snapshot(action) == before


def test_return_needs_a_comment(action, owner, lead):
    finish(action, owner)
    before = snapshot(action)
    with pytest.raises(WorkflowError, match="comment"):
        services.action_return(lead, action, "  ")
    assert snapshot(action) == before


@pytest.mark.parametrize("move", ["sign_off", "return"])
def test_sign_off_and_return_need_work_that_is_done(action, owner, lead, move):
    start(action, owner)
    before = snapshot(action)
    with pytest.raises(WorkflowError, match="awaiting sign-off"):
        if move == "sign_off":
            services.action_sign_off(lead, action)
        else:
            services.action_return(lead, action, "More please.")
    assert snapshot(action) == before


@pytest.mark.parametrize("who", PERSONAS)
def test_withdraw_is_for_the_force_lead_with_a_reason(request, who, action):
    user = persona(request, who)
    if who == "lead":
        update = services.action_withdraw(user, action, "Merged into the force plan.")
        action.refresh_from_db()
        assert action.status == Action.Status.WITHDRAWN
        assert update.text == "Merged into the force plan."
    else:
        before = snapshot(action)
        with pytest.raises(PermissionDenied):
            services.action_withdraw(user, action, "Because.")
        assert snapshot(action) == before


def test_withdraw_needs_a_reason(action, lead):
    with pytest.raises(WorkflowError, match="reason"):
        services.action_withdraw(lead, action, "")


def test_closed_actions_stay_closed(action, owner, lead):
    sign_off(action, owner, lead)
    before = snapshot(action)
    with pytest.raises(WorkflowError):
        services.action_withdraw(lead, action, "Too late.")
    with pytest.raises(WorkflowError):
        services.action_record_progress(owner, action, text="More.", percent=100)
    with pytest.raises(WorkflowError):
        services.action_mark_done(owner, action)
    assert snapshot(action) == before


def test_starting_an_action_moves_its_finding_to_being_progressed(
    action, owner, finding
):
    start(action, owner)
    finding.refresh_from_db()
    assert finding.status == Finding.Status.BEING_PROGRESSED
    event = finding.events.get()
    assert event.kind == FindingEvent.Kind.PROGRESSING
    assert event.author == owner
    # A second action starting does not write the event again.
    second = services.action_create(
        owner.force.users.get(role="force_lead"),
        finding=finding,
        title="Second",
        owner=owner,
    )
    start(second, owner)
    assert finding.events.count() == 1


# Assignment ------------------------------------------------------------------------


def test_force_lead_assigns_owner_contributors_and_deadline(
    action, lead, colleague, contributor
):
    changed = services.action_assign(
        lead,
        action,
        expected_version=action.version,
        owner=colleague,
        contributors=[contributor],
        deadline=datetime.date(2031, 1, 31),
    )
    assert changed.owner == colleague
    assert list(changed.contributors.all()) == [contributor]
    assert changed.deadline == datetime.date(2031, 1, 31)
    assert changed.version == action.version + 1


@pytest.mark.parametrize(
    "who", ["owner", "contributor", "colleague", "outsider", "other_lead", "inspector"]
)
def test_only_the_force_lead_assigns(request, who, action, colleague):
    with pytest.raises(PermissionDenied):
        services.action_assign(
            persona(request, who),
            action,
            expected_version=action.version,
            owner=colleague,
            contributors=[],
            deadline=None,
        )


@pytest.mark.parametrize("field", ["owner", "contributor"])
def test_people_from_another_force_cannot_be_owner_or_contributor(
    action, lead, outsider, field
):
    before = snapshot(action)
    with pytest.raises(WorkflowError, match="another force"):
        services.action_assign(
            lead,
            action,
            expected_version=action.version,
            owner=outsider if field == "owner" else action.owner,
            contributors=[outsider] if field == "contributor" else [],
            deadline=action.deadline,
        )
    assert snapshot(action) == before
    assert action.owner.force == action.force


def test_inspectors_cannot_be_owners(action, lead, inspector):
    with pytest.raises(WorkflowError, match="only force staff"):
        services.action_assign(
            lead,
            action,
            expected_version=action.version,
            owner=inspector,
            contributors=[],
            deadline=None,
        )


def test_a_stale_edit_is_refused_with_what_changed(
    action, lead, colleague, contributor
):
    seen_version = action.version
    services.action_assign(
        lead,
        action,
        expected_version=seen_version,
        owner=colleague,
        contributors=[],
        deadline=action.deadline,
    )
    with pytest.raises(ConflictError) as raised:
        services.action_assign(
            lead,
            action,
            expected_version=seen_version,
            owner=contributor,
            contributors=[],
            deadline=None,
        )
    assert "owner" in raised.value.changed_fields
    action.refresh_from_db()
    assert action.owner == colleague  # the first save stands


def test_a_deadline_set_by_the_inspectorate_is_not_the_forces_to_move(
    finding, lead, inspector, owner
):
    action = services.action_create(
        inspector,
        finding=finding,
        title="Action plan",
        owner=owner,
        deadline=datetime.date(2017, 5, 1),
        deadline_set_by=Action.DeadlineSetBy.INSPECTORATE,
    )
    with pytest.raises(WorkflowError, match="set by the inspectorate"):
        services.action_assign(
            lead,
            action,
            expected_version=action.version,
            owner=owner,
            contributors=[],
            deadline=datetime.date(2017, 9, 1),
        )
    action.refresh_from_db()
    assert action.deadline == datetime.date(2017, 5, 1)


def test_actions_are_not_added_by_force_staff_or_other_forces(
    finding, owner, outsider, other_lead
):
    for user in (owner, outsider, other_lead):
        with pytest.raises(PermissionDenied):
            services.action_create(user, finding=finding, title="Mine")


# Findings --------------------------------------------------------------------------


@pytest.fixture
def finished_finding(finding, action, owner, lead):
    sign_off(action, owner, lead)
    finding.refresh_from_db()
    return finding


@pytest.mark.parametrize("who", PERSONAS)
def test_closure_request_is_for_the_force_lead(request, who, finished_finding):
    user = persona(request, who)
    if who == "lead":
        event = services.finding_request_closure(
            user, finished_finding, "All actions delivered."
        )
        finished_finding.refresh_from_db()
        assert finished_finding.status == Finding.Status.CLOSURE_REQUESTED
        assert event.text == "All actions delivered."
        assert (event.from_status, event.to_status) == (
            "being_progressed",
            "closure_requested",
        )
    else:
        with pytest.raises(PermissionDenied):
            services.finding_request_closure(user, finished_finding, "Please close.")
        finished_finding.refresh_from_db()
        assert finished_finding.status == Finding.Status.BEING_PROGRESSED


def test_closure_request_with_an_action_still_open_is_refused(
    finding, action, owner, lead
):
    sign_off(action, owner, lead)
    services.action_create(lead, finding=finding, title="Follow-up", owner=owner)
    with pytest.raises(WorkflowError, match="1 action is still open"):
        services.finding_request_closure(lead, finding, "Done.")
    finding.refresh_from_db()
    assert finding.status == Finding.Status.BEING_PROGRESSED
    assert not finding.events.filter(kind=FindingEvent.Kind.CLOSURE_REQUESTED).exists()


def test_closure_request_needs_a_signed_off_action(finding, action, lead):
    services.action_withdraw(lead, action, "Not needed.")
    with pytest.raises(WorkflowError, match="signed off"):
        services.finding_request_closure(lead, finding, "Done.")


def test_closure_request_needs_a_statement(finished_finding, lead):
    with pytest.raises(WorkflowError, match="closing statement"):
        services.finding_request_closure(lead, finished_finding, "")


@pytest.fixture
def requested_finding(finished_finding, lead):
    services.finding_request_closure(lead, finished_finding, "All delivered.")
    finished_finding.refresh_from_db()
    return finished_finding


@pytest.mark.parametrize("who", PERSONAS)
def test_only_an_inspector_authorises_closure(request, who, requested_finding):
    user = persona(request, who)
    if who == "inspector":
        services.finding_authorise_closure(user, requested_finding, "Evidence seen.")
        requested_finding.refresh_from_db()
        assert requested_finding.status == Finding.Status.COMPLETE
    else:
        with pytest.raises(PermissionDenied):
            services.finding_authorise_closure(user, requested_finding)
        requested_finding.refresh_from_db()
        assert requested_finding.status == Finding.Status.CLOSURE_REQUESTED


@pytest.mark.parametrize("who", PERSONAS)
def test_only_an_inspector_declines_closure_with_a_comment(
    request, who, requested_finding
):
    user = persona(request, who)
    if who == "inspector":
        with pytest.raises(WorkflowError, match="comment"):
            services.finding_decline_closure(user, requested_finding, "")
        services.finding_decline_closure(
            user, requested_finding, "No evidence of impact yet."
        )
        requested_finding.refresh_from_db()
        assert requested_finding.status == Finding.Status.BEING_PROGRESSED
        assert requested_finding.events.last().text == "No evidence of impact yet."
    else:
        with pytest.raises(PermissionDenied):
            services.finding_decline_closure(user, requested_finding, "No.")


def test_authorise_without_a_request_is_refused(finished_finding, inspector):
    with pytest.raises(WorkflowError, match="no closure request"):
        services.finding_authorise_closure(inspector, finished_finding)


def test_declined_closure_can_be_requested_again(requested_finding, lead, inspector):
    services.finding_decline_closure(inspector, requested_finding, "Show the audit.")
    services.finding_request_closure(lead, requested_finding, "Audit attached.")
    services.finding_authorise_closure(inspector, requested_finding, "Thank you.")
    requested_finding.refresh_from_db()
    kinds = list(requested_finding.events.values_list("kind", flat=True))
    assert kinds == [
        "progressing",
        "closure_requested",
        "closure_declined",
        "closure_requested",
        "closure_authorised",
    ]
    assert requested_finding.status == Finding.Status.COMPLETE


@pytest.fixture
def later_finding(force):
    return make_finding(make_inspection(force, year=2018), number=1)


@pytest.mark.parametrize("who", PERSONAS)
def test_only_an_inspector_marks_a_finding_superseded(
    request, who, finding, later_finding
):
    user = persona(request, who)
    if who == "inspector":
        services.finding_supersede(user, finding, later_finding)
        finding.refresh_from_db()
        assert finding.status == Finding.Status.SUPERSEDED
        assert finding.superseded_by == later_finding
        assert later_finding.reference in finding.events.get().text
    else:
        with pytest.raises(PermissionDenied):
            services.finding_supersede(user, finding, later_finding)


def test_supersede_needs_a_later_inspection_of_the_same_force(
    finding, later_finding, other_finding, inspector
):
    with pytest.raises(WorkflowError, match="same force"):
        services.finding_supersede(inspector, finding, other_finding)
    with pytest.raises(WorkflowError, match="later inspection"):
        services.finding_supersede(inspector, later_finding, finding)
    sibling = make_finding(finding.inspection, number=2)
    with pytest.raises(WorkflowError, match="later inspection"):
        services.finding_supersede(inspector, finding, sibling)
    finding.refresh_from_db()
    assert finding.status == Finding.Status.AWAITING_REVIEW


def test_a_complete_finding_cannot_be_superseded(
    requested_finding, inspector, later_finding
):
    services.finding_authorise_closure(inspector, requested_finding)
    with pytest.raises(WorkflowError, match="complete"):
        services.finding_supersede(inspector, requested_finding, later_finding)


def test_no_actions_are_added_to_a_finding_awaiting_closure(requested_finding, lead):
    with pytest.raises(WorkflowError, match="closure requested"):
        services.action_create(lead, finding=requested_finding, title="Late idea")


@pytest.mark.parametrize("who", PERSONAS)
def test_starting_without_an_update_is_for_those_who_may_change_it(
    request, who, action
):
    user = persona(request, who)
    if who in {"owner", "contributor", "lead"}:
        update = services.action_start(user, action, "Kick-off meeting held.")
        action.refresh_from_db()
        assert action.status == Action.Status.IN_PROGRESS
        assert update.kind == ProgressUpdate.Kind.STARTED
        with pytest.raises(WorkflowError, match="already started"):
            services.action_start(user, action)
    else:
        before = snapshot(action)
        with pytest.raises(PermissionDenied):
            services.action_start(user, action)
        assert snapshot(action) == before


# Pages opened before someone else's change (issue 10, item 5) ----------------------


def test_a_percent_from_a_stale_page_is_refused_and_the_newer_figure_stands(
    action, owner, lead
):
    seen = action.version
    services.action_record_progress(
        owner, action, text="Draft consulted on.", percent=80, expected_version=seen
    )
    before = snapshot(action)
    with pytest.raises(ConflictError) as raised:
        services.action_record_progress(
            lead, action, text="Chased the owner.", percent=30, expected_version=seen
        )
    assert raised.value.current.percent_complete == 80
    assert "percent complete" in raised.value.changed_fields
    assert snapshot(action) == before


def test_words_from_a_stale_page_are_kept_and_leave_the_percent_alone(
    action, owner, lead
):
    seen = action.version
    services.action_record_progress(
        owner, action, text="Draft consulted on.", percent=80, expected_version=seen
    )
    services.action_record_progress(
        lead, action, text="Briefed the board.", expected_version=seen
    )
    action.refresh_from_db()
    assert action.percent_complete == 80
    assert action.updates.last().text == "Briefed the board."


def _someone_else_changes(action, owner, lead):
    """Another person's change between this person's page and their move."""
    action.refresh_from_db()
    if action.status == Action.Status.DONE:
        services.action_return(lead, action, "Add the survey results.")
        services.action_mark_done(owner, action, "Survey added.")
    else:
        services.action_record_progress(owner, action, text="Nearly.", percent=90)


@pytest.mark.parametrize(
    "move, who, state",
    [
        (services.action_mark_done, "contributor", start),
        (services.action_sign_off, "lead", finish),
        (services.action_return, "lead", finish),
        (services.action_withdraw, "lead", start),
    ],
)
def test_a_move_from_a_stale_page_is_refused(
    request, action, owner, lead, move, who, state
):
    state(action, owner)
    seen = action.version
    _someone_else_changes(action, owner, lead)
    before = snapshot(action)
    with pytest.raises(ConflictError):
        move(persona(request, who), action, "Moving on.", expected_version=seen)
    assert snapshot(action) == before


# What a returned or withdrawn action says (issue 10, item 6) -----------------------


def test_a_returned_action_goes_back_to_its_percent_before_it_was_done(
    action, owner, lead
):
    services.action_record_progress(owner, action, text="Most of it.", percent=60)
    services.action_mark_done(owner, action)
    action.refresh_from_db()
    assert action.percent_complete == 100
    returned = services.action_return(lead, action, "Add the survey results.")
    action.refresh_from_db()
    assert (action.status, action.percent_complete) == ("in_progress", 60)
    assert returned.percent_complete == 60  # the timeline says so
    # A second round goes back to the figure of the second round.
    services.action_record_progress(owner, action, text="Survey in.", percent=85)
    services.action_mark_done(owner, action)
    services.action_return(lead, action, "And the minutes.")
    action.refresh_from_db()
    assert action.percent_complete == 85


def test_a_returned_action_never_stays_at_100_percent(action, owner, lead):
    services.action_record_progress(owner, action, text="Half way.", percent=50)
    services.action_record_progress(owner, action, text="All of it.", percent=100)
    services.action_mark_done(owner, action)
    services.action_return(lead, action, "The survey results are missing.")
    action.refresh_from_db()
    # In progress again, so not complete: the last figure below 100 stands.
    assert (action.status, action.percent_complete) == ("in_progress", 50)


def test_withdrawing_an_action_does_not_write_work_started_on_its_finding(
    action, lead, finding
):
    services.action_withdraw(lead, action, "Overtaken by the force-wide programme.")
    finding.refresh_from_db()
    assert finding.status == Finding.Status.AWAITING_REVIEW
    assert not finding.events.exists()


@pytest.fixture
def inspectorate_action(finding, inspector, owner):
    from django.utils import timezone

    return services.action_create(
        inspector,
        finding=finding,
        title="Action plan",
        owner=owner,
        deadline=timezone.localdate() + datetime.timedelta(days=30),
        deadline_set_by=Action.DeadlineSetBy.INSPECTORATE,
    )


GOOD_REASON = "The national guidance it depends on is delayed to spring."


@pytest.mark.parametrize(
    "days, reason, field, message",
    [
        (-1, GOOD_REASON, "new_deadline", "after today"),
        (0, GOOD_REASON, "new_deadline", "after today"),
        ("1900-01-01", GOOD_REASON, "new_deadline", "after today"),
        (5 * 366 + 2, GOOD_REASON, "new_deadline", "within 5 years"),
        (30, GOOD_REASON, "new_deadline", "same as the current"),
        (60, "x", "reason", "at least 20 characters"),
        (60, "   because        ", "reason", "at least 20 characters"),
    ],
)
def test_a_deadline_change_needs_a_sensible_date_and_a_real_reason(
    inspectorate_action, lead, days, reason, field, message
):
    from django.utils import timezone

    today = timezone.localdate()
    new = (
        datetime.date.fromisoformat(days)
        if isinstance(days, str)
        else today + datetime.timedelta(days=days)
    )
    with pytest.raises(WorkflowError, match=message) as raised:
        services.deadline_change_request(
            lead, inspectorate_action, new_deadline=new, reason=reason
        )
    assert raised.value.field == field
    assert not inspectorate_action.deadline_requests.exists()
    assert not inspectorate_action.updates.exists()


def test_a_deadline_change_up_to_5_years_ahead_with_a_reason_is_sent(
    inspectorate_action, lead
):
    from django.utils import timezone

    new = timezone.localdate() + datetime.timedelta(days=5 * 365)
    change = services.deadline_change_request(
        lead, inspectorate_action, new_deadline=new, reason=GOOD_REASON
    )
    assert change.new_deadline == new


# Self sign-off (issue 10, item 15) --------------------------------------------------


def _done_by(lead_role_action, doer):
    services.action_record_progress(doer, lead_role_action, text="Did it.", percent=50)
    services.action_mark_done(doer, lead_role_action)


def test_a_lead_signing_off_their_own_action_is_recorded_as_a_self_sign_off(
    finding, lead
):
    own = services.action_create(lead, finding=finding, title="PCC brief", owner=lead)
    _done_by(own, lead)
    update = services.action_sign_off(lead, own, "Checked.")
    own.refresh_from_db()
    assert own.status == Action.Status.SIGNED_OFF  # still possible: small forces
    assert update.kind == ProgressUpdate.Kind.SELF_SIGNED_OFF


def test_a_lead_signing_off_work_they_helped_with_is_a_self_sign_off(
    action, owner, lead
):
    action.contributors.add(lead)
    _done_by(action, owner)
    assert services.action_sign_off(lead, action).kind == (
        ProgressUpdate.Kind.SELF_SIGNED_OFF
    )


def test_a_lead_signing_off_someone_elses_work_is_an_ordinary_sign_off(
    action, owner, lead
):
    _done_by(action, owner)
    assert services.action_sign_off(lead, action).kind == ProgressUpdate.Kind.SIGNED_OFF
