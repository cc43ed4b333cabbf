"""What importing a report writes: the inspection, its questions, findings and the actions the report asks for.

The importer (`tracker.importing`) works out what a report, or a revision of one,
changes, and writes it through these. Only inspectors import
(`permissions.can_import`); `user=None` is the command line, run by whoever runs
the server. Each function checks who may before it writes anything, validates,
and saves with the change history naming the person importing. Each runs inside
the import's transaction without a savepoint of its own (a report saves dozens
of rows), in a transaction of its own when called outside one.
"""

import datetime
import enum

from django.db import transaction
from django.db.models import Q
from simple_history.utils import (  # type: ignore[import-untyped]
    bulk_create_with_history,
)

from ..models import (
    Action,
    Finding,
    Force,
    Grade,
    Inspection,
    NationalFinding,
    Question,
    User,
)
from ..permissions import can_import
from .common import check_force_member, deny
from .errors import WorkflowError

# What a report sets on an action; the rest (owner, status, progress) is the force's.
REPORT_FIELDS = (
    "title",
    "description",
    "deadline",
    "deadline_wording",
    "deadline_set_by",
)
# How long the words of a deadline may be, as the column allows.
WORDING_LIMIT: int = Action._meta.get_field("deadline_wording").max_length or 0


def check_importer(user: User | None) -> None:
    # None is the command line, run by whoever runs the server.
    if user is not None and not can_import(user):
        deny("Only inspectors import reports.")


def _required(value: str, what: str) -> str:
    # Saved as given: the report's words are kept as the importer passes them.
    if not (value or "").strip():
        raise WorkflowError(f"{what} is required.")
    return value


def _check_grade(grade: str) -> None:
    if grade not in Grade.values:
        raise WorkflowError(f"“{grade}” is not a grade.")


def _check_kind(kind: str) -> None:
    if kind not in Finding.Kind.values:
        raise WorkflowError(f"“{kind}” is not a kind of finding.")


def _save(instance, user: User | None, fields: list[str] | None = None) -> None:
    """One save, with its history row naming the person importing; only `fields`
    when given, so that a stale copy never writes back what others changed."""
    instance._history_user = user
    with transaction.atomic(savepoint=False):
        instance.save(update_fields=fields)


# The inspection and its questions ---------------------------------------------------


def inspection_create(
    user: User | None,
    *,
    force: Force,
    programme: str,
    title: str,
    pillar: str = "",
    published_on: datetime.date | None = None,
    source_reference: str = "",
    overall_grade: str = Grade.NOT_STATED,
    content_hash: str = "",
) -> Inspection:
    """A newly imported report's inspection (its questions and findings follow)."""
    check_importer(user)
    if force is None:
        raise WorkflowError("An inspection is about a force: name one.")
    _check_grade(overall_grade)
    return Inspection.objects.create(
        force=force,
        programme=_required(programme, "The programme"),
        pillar=pillar,
        title=_required(title, "A title"),
        published_on=published_on,
        source_reference=source_reference,
        overall_grade=overall_grade,
        content_hash=content_hash,
    )


def inspection_revise(
    user: User | None,
    inspection: Inspection,
    *,
    published_on: datetime.date | None,
    overall_grade: str,
    content_hash: str,
) -> Inspection:
    """A revised report's date, overall grade and fingerprint onto its inspection."""
    check_importer(user)
    _check_grade(overall_grade)
    inspection.published_on = published_on
    inspection.overall_grade = overall_grade
    inspection.content_hash = content_hash
    inspection.save()
    return inspection


def question_create(
    user: User | None,
    inspection: Inspection,
    *,
    order: int,
    text: str,
    grade: str = Grade.NOT_STATED,
    is_overall: bool = False,
) -> Question:
    check_importer(user)
    _check_grade(grade)
    return Question.objects.create(
        inspection=inspection,
        text=_required(text, "The question"),
        order=order,
        grade=grade,
        is_overall=is_overall,
    )


def question_revise(
    user: User | None, question: Question, *, text: str, grade: str
) -> Question:
    """A revised report's wording and grade of a question; saved only if either changed."""
    check_importer(user)
    _check_grade(grade)
    if (question.text, question.grade) != (text, grade):
        question.text, question.grade = _required(text, "The question"), grade
        question.save()
    return question


# Findings --------------------------------------------------------------------------


def finding_create(
    user: User | None,
    inspection: Inspection,
    *,
    kind: str,
    text: str,
    reference: str,
    order: int,
    question: Question | None = None,
    parent: Finding | None = None,
    addressed_as: str = "",
) -> Finding:
    """A finding in the report's words; a recommendation under the cause of concern it answers."""
    check_importer(user)
    _check_kind(kind)
    if question is not None and question.inspection_id != inspection.pk:
        raise WorkflowError("A finding answers a question of its own inspection.")
    if parent is not None and parent.inspection_id != inspection.pk:
        raise WorkflowError("A recommendation answers a finding of its own inspection.")
    finding = Finding(
        inspection=inspection,
        question=question,
        kind=kind,
        parent=parent,
        text=_required(text, "The text of a finding"),
        reference=_required(reference, "A reference"),
        order=order,
        addressed_as=addressed_as,
    )
    _save(finding, user)
    return finding


class Unchanged(enum.Enum):
    """The type of UNCHANGED."""

    UNCHANGED = "unchanged"


# A finding's question or parent as it is (None is a value: no question, no parent).
UNCHANGED = Unchanged.UNCHANGED


def finding_revise(
    user: User | None,
    finding: Finding,
    *,
    text: str,
    kind: str,
    reference: str,
    question: Question | None | Unchanged = UNCHANGED,
    parent: Finding | None | Unchanged = UNCHANGED,
) -> Finding:
    """A revised report's wording (or corrected kind) of a finding, and on a page its
    question and parent too, in one save; the history keeps the old.

    The reference names the kind, so a finding of another kind takes a new one.
    """
    check_importer(user)
    _check_kind(kind)
    if kind != finding.kind and reference == finding.reference:
        raise WorkflowError("A finding of another kind takes a reference of its kind.")
    if question is not UNCHANGED and question is not None:
        if question.inspection_id != finding.inspection_id:
            raise WorkflowError("A finding answers a question of its own inspection.")
    if parent is not UNCHANGED and parent is not None:
        _check_parent(finding, parent)
    before = (finding.text, finding.kind, finding.reference)
    place = (finding.question_id, finding.parent_id)
    finding.text = _required(text, "The text of a finding")
    finding.kind, finding.reference = kind, _required(reference, "A reference")
    if question is not UNCHANGED:
        finding.question = question
    if parent is not UNCHANGED:
        finding.parent = parent
    if before != (finding.text, finding.kind, finding.reference) or place != (
        finding.question_id,
        finding.parent_id,
    ):
        # the words and place only: its status is the workflow's
        fields = ["text", "kind", "reference", "question", "parent", "updated_at"]
        _save(finding, user, fields)
    return finding


def _check_parent(finding: Finding, parent: Finding) -> None:
    if parent.pk == finding.pk or parent.inspection_id != finding.inspection_id:
        raise WorkflowError(
            "A recommendation moves only under another finding of its inspection."
        )


def finding_move(user: User | None, finding: Finding, *, parent: Finding) -> Finding:
    """A kept recommendation, with its work, under the cause of concern a revision puts
    it under (or kept under its cause when the cause answers another question)."""
    check_importer(user)
    _check_parent(finding, parent)
    finding.parent, finding.question = parent, parent.question
    _save(finding, user)
    return finding


def finding_remove(user: User | None, finding: Finding) -> None:
    """A finding a revised report no longer has, with its recommendations and their actions.

    Refused while work is recorded on it or on one of its recommendations: that
    finding stays (a revision lists it as gone).
    """
    check_importer(user)
    work = Action.objects.filter(
        Q(finding=finding) | Q(finding__parent=finding), updates__isnull=False
    )
    if work.exists():
        raise WorkflowError(
            f"{finding.reference} stays: work is recorded on it or its recommendations."
        )
    with transaction.atomic(savepoint=False):
        finding.delete()


# The actions a report asks for ------------------------------------------------------


def _check_report_fields(action: Action) -> None:
    if action.deadline_set_by not in Action.DeadlineSetBy.values:
        raise WorkflowError(f"“{action.deadline_set_by}” did not set deadlines.")
    if len(action.deadline_wording) > WORDING_LIMIT:
        raise WorkflowError(
            f"A deadline's wording can be at most {WORDING_LIMIT} characters."
        )


def report_action_create(
    user: User | None,
    *,
    finding: Finding | None = None,
    inspection: Inspection | None = None,
    parent: Action | None = None,
    owner: User | None = None,
    title: str,
    description: str = "",
    order: int = 0,
    deadline: datetime.date | None = None,
    deadline_wording: str = "",
    deadline_set_by: str = Action.DeadlineSetBy.FORCE,
) -> Action:
    """An action the report asks for: of a finding (a sub-step under `parent`), or of
    the whole inspection for a report-wide deliverable.

    Unlike `action_create` (the force lead adding work), its deadline is the
    inspectorate's as the report sets it, and a revision adds steps to findings
    whatever their status.
    """
    check_importer(user)
    inspection = finding.inspection if finding is not None else inspection
    if inspection is None:
        raise WorkflowError("An action answers a finding or an inspection: name one.")
    if parent is not None and parent.finding_id != getattr(finding, "pk", None):
        raise WorkflowError(
            "A sub-step must answer the same finding as its parent action."
        )
    action = Action(
        inspection=inspection,
        finding=finding,
        parent=parent,
        owner=owner,
        title=title,
        description=description,
        order=order,
        deadline=deadline,
        deadline_wording=deadline_wording,
        deadline_set_by=deadline_set_by,
    )
    action.force_id = inspection.force_id
    _check_report_fields(action)
    check_force_member(owner, action, "the owner")
    _save(action, user)
    return action


@transaction.atomic
def report_action_revise(user: User | None, action: Action, changes: dict) -> Action:
    """A revised report's texts and deadlines onto an action; its work stays.

    Only what the report sets changes (REPORT_FIELDS), and never on closed work: it is
    judged against the deadline it had. A page opened before the revision then no
    longer saves over it. (Revisions change few actions: this one takes a savepoint,
    so that a refusal leaves the import's transaction as it was.)
    """
    check_importer(user)
    unknown = set(changes) - set(REPORT_FIELDS)
    if unknown:
        raise ValueError(f"A report does not set {', '.join(sorted(unknown))}.")
    current = Action.objects.select_for_update().get(pk=action.pk)
    if current.is_closed:
        raise WorkflowError(
            f"“{current.title}” is {current.get_status_display().lower()}:"
            " it stays as it was when it closed."
        )
    for name, value in changes.items():
        setattr(current, name, value)
    _check_report_fields(current)
    current.version += 1
    _save(current, user)
    return current


# National reports ------------------------------------------------------------------
# A national report is saved for every addressee at once: forty-odd inspections
# with a copy of each finding, written in a few bulk inserts (with their history
# rows) rather than one save per row.


def national_findings_create(
    user: User | None, findings: list[NationalFinding]
) -> list[NationalFinding]:
    """A national report's findings, each published once."""
    check_importer(user)
    for finding in findings:
        _check_kind(finding.kind)
        _required(finding.text, "The text of a finding")
        _required(finding.reference, "A reference")
    with transaction.atomic(savepoint=False):
        return NationalFinding.objects.bulk_create(findings)


def inspections_create(
    user: User | None, inspections: list[Inspection]
) -> list[Inspection]:
    """One inspection per addressee of a national report (their findings follow)."""
    check_importer(user)
    for inspection in inspections:
        if inspection.force_id is None:
            raise WorkflowError("An inspection is about a force: name one.")
        _check_grade(inspection.overall_grade)
        _required(inspection.programme, "The programme")
        _required(inspection.title, "A title")
    return bulk_create_with_history(inspections, Inspection, default_user=user)


def finding_copies_create(user: User | None, findings: list[Finding]) -> list[Finding]:
    """Each addressee's copy of national findings, in its own inspection.

    A recommendation's parent is its cause's copy in the same inspection, saved
    before it (in an earlier call).
    """
    check_importer(user)
    for finding in findings:
        _check_kind(finding.kind)
        _required(finding.text, "The text of a finding")
        if finding.parent is not None and (
            finding.parent.inspection_id != finding.inspection_id
        ):
            raise WorkflowError(
                "A recommendation answers a finding of its own inspection."
            )
        finding.force_id = finding.inspection.force_id
    return bulk_create_with_history(findings, Finding, default_user=user)


def report_actions_create(user: User | None, actions: list[Action]) -> list[Action]:
    """The actions a national report asks of each copy (a sub-step after its parent).

    As `report_action_create`, one by one: the deadline is the inspectorate's as the
    report sets it, and an owner must belong to the action's force.
    """
    check_importer(user)
    for action in actions:
        if action.finding is not None:
            action.inspection_id = action.finding.inspection_id
        action.force_id = action.inspection.force_id
        if action.parent is not None and action.parent.finding_id != action.finding_id:
            raise WorkflowError(
                "A sub-step must answer the same finding as its parent action."
            )
        _check_report_fields(action)
        check_force_member(action.owner, action, "the owner")
    return bulk_create_with_history(actions, Action, default_user=user)


def questions_create(user: User | None, questions: list[Question]) -> list[Question]:
    """A national report's questions, in each addressee's inspection."""
    check_importer(user)
    for question in questions:
        _check_grade(question.grade)
        _required(question.text, "The question")
    return bulk_create_with_history(questions, Question, default_user=user)
