"""What importing writes, through tracker.services.inspections: who may, and what is refused."""

import datetime
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from tests.conftest import make_finding, make_inspection, make_user
from tracker import importing, permissions, services
from tracker.importer import parse_report
from tracker.models import Action, Finding, Force, Inspection, Question, Role
from tracker.views import imports as import_views

SAMPLE = (
    Path(__file__).resolve().parent.parent
    / "tracker"
    / "data"
    / "west-mercia-peel-2016-effectiveness.txt"
)


def new_finding(user, inspection, **extra):
    fields = {
        "kind": Finding.Kind.AREA_FOR_IMPROVEMENT,
        "text": "The force should improve how it records crime.",
        "reference": "WMP-2016-EFF-AFI-9",
        "order": 9,
    }
    return services.finding_create(user, inspection, **{**fields, **extra})


# Who may ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "lead", "outsider"])
def test_only_an_importer_creates_a_finding(request, inspection, who):
    with pytest.raises(PermissionDenied, match="Only inspectors import reports"):
        new_finding(request.getfixturevalue(who), inspection)
    assert not inspection.findings.exists()


@pytest.mark.parametrize("who", ["inspector", "admin_user", None])
def test_inspectors_administrators_and_the_command_line_create_findings(
    request, inspection, who
):
    user = request.getfixturevalue(who) if who else None
    finding = new_finding(user, inspection)
    assert finding.pk and finding.force_id == inspection.force_id
    # The change history names whoever imported.
    assert finding.history.get().history_user == user


def test_an_inactive_inspector_imports_nothing(inspection):
    inspector = make_user("gone@hmicfrs.test", Role.INSPECTOR, is_active=False)
    with pytest.raises(PermissionDenied):
        new_finding(inspector, inspection)


def test_every_write_of_an_import_refuses_a_force_lead(lead, inspector, inspection):
    finding = new_finding(inspector, inspection)
    action = services.report_action_create(inspector, finding=finding, title="Do it")
    question = Question.objects.create(inspection=inspection, text="How?", order=1)
    writes = [
        lambda: services.inspection_create(
            lead, force=inspection.force, programme="PEEL 2016", title="A report"
        ),
        lambda: services.inspection_revise(
            lead,
            inspection,
            published_on=None,
            overall_grade="good",
            content_hash="x",
        ),
        lambda: services.question_create(lead, inspection, order=2, text="Why?"),
        lambda: services.question_revise(lead, question, text="How so?", grade="good"),
        lambda: new_finding(lead, inspection, reference="WMP-2016-EFF-AFI-10"),
        lambda: services.finding_revise(
            lead, finding, text="Reworded.", kind=finding.kind, reference="R"
        ),
        lambda: services.finding_move(lead, finding, parent=finding),
        lambda: services.finding_remove(lead, finding),
        lambda: services.report_action_create(lead, finding=finding, title="More"),
        lambda: services.report_action_revise(lead, action, {"title": "Other"}),
    ]
    for write in writes:
        with pytest.raises(PermissionDenied):
            write()
    finding.refresh_from_db()
    action.refresh_from_db()
    question.refresh_from_db()
    assert (finding.text, action.title, question.text) == (
        "The force should improve how it records crime.",
        "Do it",
        "How?",
    )
    assert Inspection.objects.count() == 1
    assert inspection.findings.count() == 1
    assert inspection.questions.count() == 1


def test_the_import_rule_lives_in_one_place():
    # The import page, the importer and its services all ask permissions.can_import.
    assert import_views.can_import is permissions.can_import
    assert services.inspections.can_import is permissions.can_import
    assert not hasattr(importing, "_check_importer")


@pytest.mark.parametrize("role", [role for role, _ in Role.choices])
def test_the_import_page_and_the_importer_agree_on_who_imports(client, force, role):
    user = make_user(
        f"{role}@test.test",
        role,
        force if role in ("force_staff", "force_lead") else None,
    )
    allowed = permissions.can_import(user)
    assert allowed == (role in (Role.INSPECTOR, Role.ADMIN))
    client.force_login(user)
    assert client.get("/import/").status_code == (200 if allowed else 403)
    raw = SAMPLE.read_bytes()
    plan = importing.plan_import(parse_report(raw).to_dict(), force, raw)
    if allowed:
        assert importing.save_import(plan, user).findings.count() == 5
    else:
        with pytest.raises(PermissionDenied):
            importing.save_import(plan, user)
        assert not Inspection.objects.exists()


# What is refused -------------------------------------------------------------------


def test_a_finding_of_no_known_kind_or_without_words_is_refused(inspector, inspection):
    with pytest.raises(services.WorkflowError, match="not a kind of finding"):
        new_finding(inspector, inspection, kind="opinion")
    with pytest.raises(services.WorkflowError, match="text of a finding is required"):
        new_finding(inspector, inspection, text="  ")
    assert not inspection.findings.exists()


def test_a_finding_answers_only_its_own_inspection(inspector, inspection, other_force):
    elsewhere = make_finding(make_inspection(other_force, year=2017))
    with pytest.raises(services.WorkflowError, match="its own inspection"):
        new_finding(inspector, inspection, parent=elsewhere)
    with pytest.raises(services.WorkflowError, match="its own inspection"):
        new_finding(inspector, inspection, question=elsewhere.question)
    finding = new_finding(inspector, inspection)
    with pytest.raises(
        services.WorkflowError, match="another finding of its inspection"
    ):
        services.finding_move(inspector, finding, parent=elsewhere)
    with pytest.raises(services.WorkflowError):
        services.finding_move(inspector, finding, parent=finding)


def test_a_finding_of_another_kind_takes_a_reference_of_its_kind(inspector, finding):
    with pytest.raises(services.WorkflowError, match="reference of its kind"):
        services.finding_revise(
            inspector,
            finding,
            text=finding.text,
            kind=Finding.Kind.RECOMMENDATION,
            reference=finding.reference,
        )
    services.finding_revise(
        inspector,
        finding,
        text="Reworded.",
        kind=Finding.Kind.RECOMMENDATION,
        reference="WMP-2016-EFF-REC-1",
    )
    finding.refresh_from_db()
    assert (finding.kind, finding.reference, finding.text) == (
        "recommendation",
        "WMP-2016-EFF-REC-1",
        "Reworded.",
    )
    # The history keeps the old words.
    assert finding.history.count() == 2
    assert finding.history.earliest().text == "The force should improve thing 1."


def test_a_finding_with_work_recorded_is_not_removed(inspector, lead, finding):
    action = services.report_action_create(inspector, finding=finding, title="Do it")
    services.action_start(lead, action, "Begun.")
    with pytest.raises(services.WorkflowError, match="work is recorded"):
        services.finding_remove(inspector, finding)
    assert Finding.objects.filter(pk=finding.pk).exists()
    untouched = make_finding(finding.inspection, number=2)
    services.finding_remove(inspector, untouched)
    assert not Finding.objects.filter(pk=untouched.pk).exists()


def test_a_report_action_answers_a_finding_or_an_inspection(inspector, finding):
    with pytest.raises(services.WorkflowError, match="finding or an inspection"):
        services.report_action_create(inspector, title="Adrift")
    other = make_finding(finding.inspection, number=2)
    step_of_other = services.report_action_create(inspector, finding=other, title="A")
    with pytest.raises(services.WorkflowError, match="same finding as its parent"):
        services.report_action_create(
            inspector, finding=finding, parent=step_of_other, title="B"
        )
    with pytest.raises(services.WorkflowError, match="did not set deadlines"):
        services.report_action_create(
            inspector, finding=finding, title="C", deadline_set_by="the press"
        )
    with pytest.raises(services.WorkflowError, match="at most 120 characters"):
        services.report_action_create(
            inspector, finding=finding, title="D", deadline_wording="w" * 121
        )
    assert not finding.actions.exists()


def test_a_report_action_owner_belongs_to_the_force(inspector, finding, outsider):
    with pytest.raises(services.WorkflowError, match="another force"):
        services.report_action_create(
            inspector, inspection=finding.inspection, title="PCC", owner=outsider
        )


def test_a_revision_changes_only_what_the_report_sets_and_never_closed_work(
    inspector, lead, finding
):
    action = services.report_action_create(
        inspector,
        finding=finding,
        title="Do it",
        deadline=datetime.date(2030, 5, 1),
        deadline_set_by=Action.DeadlineSetBy.INSPECTORATE,
    )
    with pytest.raises(ValueError, match="does not set owner"):
        services.report_action_revise(inspector, action, {"owner": lead})
    revised = services.report_action_revise(
        inspector, action, {"deadline": datetime.date(2030, 6, 1)}
    )
    assert (revised.deadline, revised.version) == (datetime.date(2030, 6, 1), 2)
    services.action_withdraw(lead, revised, "Not needed any more.")
    with pytest.raises(services.WorkflowError, match="stays as it was"):
        services.report_action_revise(inspector, action, {"title": "Other"})
    action.refresh_from_db()
    assert action.title == "Do it"


def test_the_command_line_imports_without_a_user(db):
    force = Force.objects.get(code="WMP")
    raw = SAMPLE.read_bytes()
    plan = importing.plan_import(parse_report(raw).to_dict(), force, raw)
    inspection = importing.save_import(plan, None)
    assert {f.history.get().history_user for f in inspection.findings.all()} == {None}
