"""Findings by hand: what an inspector adds, corrects and removes from a page.

The importer's services (`services.inspections`) write the rows; these add what
a page needs on top: a signed-in inspector (`permissions.can_import`; the
command line's `user=None` is not a page's), the checks a person's typing needs
(a reference already used, a parent that is not a cause of concern, a question
of another inspection), each refusal keyed by the form field it is about, and a
check that the finding is still as the person's page showed it. Every change is
saved with the change history naming the inspector.
"""

import datetime

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from ..models import (
    Action,
    Finding,
    FindingEvent,
    Force,
    Grade,
    Inspection,
    Question,
    User,
)
from ..permissions import can_import
from .common import changed_by, deny
from .errors import WorkflowError
from .inspections import (
    finding_create,
    finding_remove,
    finding_revise,
    inspection_create,
    question_create,
)

STALE_FINDING = (
    "This finding changed since your page showed it: nothing was saved. "
    "Reload the page, check it and make your change again."
)
REFERENCE_LIMIT: int = Finding._meta.get_field("reference").max_length or 0


def check_author(user: User | None) -> None:
    """A page's author: a signed-in inspector (or administrator)."""
    if user is None or not can_import(user):
        deny("Only inspectors add, change or remove findings and inspections.")


def _text(value: str, what: str, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise WorkflowError(f"{what} cannot be empty.", field=field)
    if "\x00" in text:
        raise WorkflowError(f"{what} contains a NUL character: remove it.", field=field)
    return text


def _reference(value: str, inspection: Inspection, exclude: Finding | None = None):
    reference = " ".join((value or "").split()).upper()
    if not reference:
        raise WorkflowError("A finding needs a reference.", field="reference")
    if len(reference) > REFERENCE_LIMIT:
        raise WorkflowError(
            f"A reference can be at most {REFERENCE_LIMIT} characters.",
            field="reference",
        )
    taken = Finding.objects.filter(reference=reference)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    other = taken.select_related("inspection").first()
    if other is not None:
        where = (
            "in this inspection"
            if other.inspection_id == inspection.pk
            else f"by “{other.inspection.title}”"
        )
        raise WorkflowError(
            f"{reference} is already used {where}: give this finding its own reference.",
            field="reference",
        )
    return reference


def next_reference(inspection: Inspection, kind: str) -> str:
    """A reference in the inspection's own pattern for a new finding of `kind`, or ""."""
    code = Finding.KIND_CODES.get(kind)  # type: ignore[call-overload]
    references = list(
        Finding.objects.filter(inspection=inspection).values_list(
            "reference", flat=True
        )
    )
    stems = [r.rsplit("-", 2)[0] for r in references if r.count("-") >= 2]
    if not code or not stems:
        return ""
    stem = stems[0]
    numbers = [
        int(r.rsplit("-", 1)[1])
        for r in references
        if r.startswith(f"{stem}-{code}-") and r.rsplit("-", 1)[1].isdigit()
    ]
    candidate = f"{stem}-{code}-{max(numbers, default=0) + 1}"
    return candidate if len(candidate) <= REFERENCE_LIMIT else ""


def _check_seen(finding: Finding, seen: datetime.datetime | None) -> Finding:
    """The finding under a row lock, refused if it changed since the person's page."""
    current = Finding.objects.select_for_update(of=("self",)).get(pk=finding.pk)
    if seen is None or current.updated_at != seen:
        raise WorkflowError(STALE_FINDING)
    return current


# Findings --------------------------------------------------------------------------


@transaction.atomic
def finding_add(
    user: User,
    inspection: Inspection,
    *,
    question: Question | None,
    kind: str,
    text: str,
    reference: str,
    parent: Finding | None = None,
) -> Finding:
    """A finding the importer missed, under a question of its inspection.

    A recommendation may go under a cause of concern of the same inspection (and
    then answers that cause's question); no other kind goes under one.
    """
    check_author(user)
    if kind not in Finding.Kind.values:
        raise WorkflowError("Choose the kind of finding.", field="kind")
    if question is None or question.inspection_id != inspection.pk:
        raise WorkflowError(
            "Choose one of this inspection's questions.", field="question"
        )
    if parent is not None:
        if kind != Finding.Kind.RECOMMENDATION:
            raise WorkflowError(
                "Only a recommendation goes under a cause of concern.", field="parent"
            )
        if (
            parent.inspection_id != inspection.pk
            or parent.kind != Finding.Kind.CAUSE_OF_CONCERN
        ):
            raise WorkflowError(
                "A recommendation goes under a cause of concern of this inspection.",
                field="parent",
            )
        if parent.question_id != question.pk:
            raise WorkflowError(
                f"{parent.reference} answers another question: choose its question,"
                " or another cause of concern.",
                field="parent",
            )
    text = _text(text, "The text of the finding", "text")
    reference = _reference(reference, inspection)
    # Locks the inspection, so two findings added at once take different places.
    Inspection.objects.select_for_update().filter(pk=inspection.pk).exists()
    last = Finding.objects.filter(inspection=inspection).aggregate(n=Max("order"))["n"]
    return finding_create(
        user,
        inspection,
        kind=kind,
        text=text,
        reference=reference,
        order=(last or 0) + 1,
        question=question,
        parent=parent,
    )


@transaction.atomic
def finding_edit(
    user: User,
    finding: Finding,
    *,
    text: str,
    reference: str,
    seen: datetime.datetime | None,
) -> Finding:
    """The inspector's correction of a finding's words or reference, onto the finding
    as their page showed it (`seen`: its `updated_at` then); the history keeps the old."""
    check_author(user)
    current = _check_seen(finding, seen)
    # A browser sends a text box's lines ending \r\n: the same words are no change.
    text = _text((text or "").replace("\r\n", "\n"), "The text of the finding", "text")
    if text == current.text.strip():
        text = current.text
    reference = _reference(reference, current.inspection, exclude=current)
    return finding_revise(
        user, current, text=text, kind=current.kind, reference=reference
    )


def removal_blockers(finding: Finding) -> list[str]:
    """Why the finding cannot go, in sentences; empty when it can."""
    reasons = []
    family = Q(pk=finding.pk) | Q(parent=finding)
    actions = Action.objects.filter(Q(finding=finding) | Q(finding__parent=finding))
    if (
        actions.filter(updates__isnull=False).exists()
        or actions.filter(deadline_requests__isnull=False).exists()
        or FindingEvent.objects.filter(
            finding__in=Finding.objects.filter(family)
        ).exists()
    ):
        reasons.append(
            f"{finding.reference} stays: work is recorded on it (progress, a deadline"
            " request or a closure request, on it or on one of its recommendations)."
            " Withdraw its actions instead, or mark it superseded."
        )
    successors = Finding.objects.filter(
        supersedes__in=Finding.objects.filter(family)
    ).distinct()
    if (
        successors.exists()
        or Finding.objects.filter(family, superseded_by__isnull=False).exists()
    ):
        reasons.append(
            f"{finding.reference} stays: it, or one of its recommendations, is part of"
            " a supersession, which the timeline of both findings records."
        )
    return reasons


@transaction.atomic
def finding_delete(
    user: User, finding: Finding, *, seen: datetime.datetime | None
) -> None:
    """A finding the inspector added by mistake, or that the report does not have,
    with its recommendations and their actions; refused while work is recorded."""
    check_author(user)
    current = _check_seen(finding, seen)
    reasons = removal_blockers(current)
    if reasons:
        raise WorkflowError(" ".join(reasons))
    # Each row's history names the inspector (a cascade alone would not say who).
    # (Sub-steps go with their action, named by the request's user on a page.)
    for recommendation in current.recommendations.all():
        for action in recommendation.actions.filter(parent__isnull=True):
            changed_by(action, user)
            action.delete()
        changed_by(recommendation, user)
        recommendation.delete()
    for action in current.actions.filter(parent__isnull=True):
        changed_by(action, user)
        action.delete()
    changed_by(current, user)
    finding_remove(user, current)


# Questions and inspections ------------------------------------------------------------


@transaction.atomic
def question_add(
    user: User, inspection: Inspection, *, text: str, grade: str = Grade.NOT_STATED
) -> Question:
    """A question of the report, after the inspection's others."""
    check_author(user)
    if grade not in Grade.values:
        raise WorkflowError("Choose a grade from the list.", field="grade")
    text = _text(text, "The question", "text")
    Inspection.objects.select_for_update().filter(pk=inspection.pk).exists()
    last = Question.objects.filter(inspection=inspection).aggregate(n=Max("order"))["n"]
    return question_create(
        user, inspection, order=(last or 0) + 1, text=text, grade=grade
    )


@transaction.atomic
def inspection_add(
    user: User,
    *,
    force: Force | None,
    programme: str,
    title: str,
    pillar: str = "",
    published_on: datetime.date | None = None,
    source_reference: str = "",
    overall_grade: str = Grade.NOT_STATED,
    questions: list[str] | tuple[str, ...] = (),
) -> Inspection:
    """An inspection typed in by hand, for a report the importer cannot read,
    with its questions in the order given."""
    check_author(user)
    if force is None:
        raise WorkflowError("Choose the force the report is about.", field="force")
    programme = _text(programme, "The programme", "programme")
    title = _text(title, "The title", "title")
    if published_on is not None and published_on > timezone.localdate():
        raise WorkflowError(
            "That date is still to come: give the date the report was published.",
            field="published_on",
        )
    if overall_grade not in Grade.values:
        raise WorkflowError("Choose a grade from the list.", field="overall_grade")
    inspection = inspection_create(
        user,
        force=force,
        programme=programme,
        title=title,
        pillar=(pillar or "").strip(),
        published_on=published_on,
        source_reference=(source_reference or "").strip(),
        overall_grade=overall_grade,
    )
    for order, text in enumerate((q.strip() for q in questions if q.strip()), 1):
        question_create(user, inspection, order=order, text=text)
    return inspection
