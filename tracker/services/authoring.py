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
    UNCHANGED,
    Unchanged,
    finding_create,
    finding_move,
    finding_remove,
    finding_revise,
    inspection_create,
    question_create,
    question_revise,
)

STALE_FINDING = (
    "This finding changed since your page showed it: nothing was saved. "
    "Reload the page, check it and make your change again."
)
STALE_QUESTION = (
    "This question changed since your page showed it: nothing was saved. "
    "Reload the page, check it and make your change again."
)
STALE_INSPECTION = (
    "This inspection changed since your page showed it: nothing was saved. "
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
    return _locked_as_seen(finding, seen, STALE_FINDING)


def _locked_as_seen(row, seen: datetime.datetime | None, stale: str):
    """The row (a finding, question or inspection) under a row lock, refused if it
    changed since the person's page showed it (`seen`: its `updated_at` then)."""
    current = type(row).objects.select_for_update(of=("self",)).get(pk=row.pk)
    if seen is None or current.updated_at != seen:
        raise WorkflowError(stale)
    return current


def _a(kind: str) -> str:
    """ "a recommendation", "an area for improvement"."""
    name = Finding.KIND_NAMES[kind][0]  # type: ignore[index]
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


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
        _check_parent(inspection, kind, question, parent)
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
    kind: str | Unchanged = UNCHANGED,
    question: Question | None | Unchanged = UNCHANGED,
    parent: Finding | None | Unchanged = UNCHANGED,
) -> Finding:
    """The inspector's correction of a finding (its words, reference, kind, question,
    and a recommendation's cause of concern) onto the finding as their page showed it
    (`seen`: its `updated_at` then); the history keeps the old.

    1. A finding of another kind takes a reference of that kind; a cause of concern
       becomes another kind only once no recommendation is under it.
    2. Only a recommendation goes under a cause of concern, one of its inspection,
       and then answers that cause's question.
    3. A cause of concern moved to another question takes its recommendations with it.
    """
    check_author(user)
    current = _check_seen(finding, seen)
    inspection = current.inspection
    kind = current.kind if kind is UNCHANGED else kind
    question = current.question if question is UNCHANGED else question
    parent = current.parent if parent is UNCHANGED else parent
    if kind not in Finding.Kind.values:
        raise WorkflowError("Choose the kind of finding.", field="kind")
    if kind != current.kind and current.kind == Finding.Kind.CAUSE_OF_CONCERN:
        under = list(
            current.recommendations.order_by("order", "pk").values_list(
                "reference", flat=True
            )
        )
        if under:
            raise WorkflowError(
                f"{current.reference} cannot become {_a(kind)}: "
                f"{_count(len(under), 'recommendation')} under it ({', '.join(under)})."
                " Move them under another cause of concern, or remove them, first.",
                field="kind",
            )
    if question is None:
        if current.question_id is not None:
            raise WorkflowError(
                "Choose one of this inspection's questions.", field="question"
            )
    elif question.inspection_id != inspection.pk:
        raise WorkflowError(
            "Choose one of this inspection's questions.", field="question"
        )
    if parent is not None:
        _check_parent(inspection, kind, question, parent, finding=current)
    # A browser sends a text box's lines ending \r\n: the same words are no change.
    text = _text((text or "").replace("\r\n", "\n"), "The text of the finding", "text")
    if text == current.text.strip():
        text = current.text
    reference = _reference(reference, inspection, exclude=current)
    if kind != current.kind and reference == current.reference:
        suggestion = next_reference(inspection, kind)
        raise WorkflowError(
            f"{reference} is the reference of {_a(current.kind)}: give "
            f"{_a(kind)} a reference of its kind"
            + (f", such as {suggestion}." if suggestion else "."),
            field="reference",
        )
    moved = question != current.question
    revised = finding_revise(
        user,
        current,
        text=text,
        kind=kind,
        reference=reference,
        question=question,
        parent=parent,
    )
    if moved and revised.kind == Finding.Kind.CAUSE_OF_CONCERN:
        for recommendation in revised.recommendations.order_by("order", "pk"):
            finding_move(user, recommendation, parent=revised)
    return revised


def _check_parent(
    inspection: Inspection,
    kind: str,
    question: Question | None,
    parent: Finding,
    finding: Finding | None = None,
) -> None:
    """A recommendation's cause of concern: of its inspection, answering its question."""
    if kind != Finding.Kind.RECOMMENDATION:
        raise WorkflowError(
            "Only a recommendation goes under a cause of concern: choose none,"
            " or make it a recommendation.",
            field="parent",
        )
    if finding is not None and parent.pk == finding.pk:
        raise WorkflowError("A finding cannot go under itself.", field="parent")
    if (
        parent.inspection_id != inspection.pk
        or parent.kind != Finding.Kind.CAUSE_OF_CONCERN
    ):
        raise WorkflowError(
            "A recommendation goes under a cause of concern of this inspection.",
            field="parent",
        )
    if question is None or parent.question_id != question.pk:
        raise WorkflowError(
            f"{parent.reference} answers another question: choose its question,"
            " or another cause of concern.",
            field="parent",
        )


def _count(n: int, one: str, many: str = "") -> str:
    """ "1 recommendation is", "3 findings are"."""
    return f"{n} {one if n == 1 else (many or one + 's')} {'is' if n == 1 else 'are'}"


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
def question_edit(
    user: User,
    question: Question,
    *,
    text: str,
    grade: str,
    seen: datetime.datetime | None,
) -> Question:
    """The inspector's correction of a question's words or grade, onto the question
    as their page showed it; the history keeps the old."""
    check_author(user)
    current = _locked_as_seen(question, seen, STALE_QUESTION)
    if grade not in Grade.values:
        raise WorkflowError("Choose a grade from the list.", field="grade")
    text = _text((text or "").replace("\r\n", "\n"), "The question", "text")
    if text == current.text.strip():
        text = current.text
    changed_by(current, user)
    return question_revise(user, current, text=text, grade=grade)


def question_removal_blockers(question: Question) -> list[str]:
    """Why the question cannot go, in sentences; empty when it can."""
    under = list(
        Finding.objects.filter(question=question)
        .order_by("order", "pk")
        .values_list("reference", flat=True)
    )
    if not under:
        return []
    named = ", ".join(under[:5]) + (
        f" and {len(under) - 5} more" if len(under) > 5 else ""
    )
    return [
        f"{_count(len(under), 'finding')} under this question ({named}). Move"
        " each to another question from its edit page, or remove it, first."
    ]


@transaction.atomic
def question_delete(
    user: User, question: Question, *, seen: datetime.datetime | None
) -> None:
    """A question the inspector added by mistake, or that the report does not ask;
    refused while a finding is under it."""
    check_author(user)
    current = _locked_as_seen(question, seen, STALE_QUESTION)
    reasons = question_removal_blockers(current)
    if reasons:
        raise WorkflowError(" ".join(reasons))
    changed_by(current, user)
    current.delete()


def _inspection_details(
    *,
    programme: str,
    title: str,
    pillar: str,
    published_on: datetime.date | None,
    source_reference: str,
    overall_grade: str,
) -> dict:
    """An inspection's details as a person typed them, checked; refusals by field."""
    programme = _text(programme, "The programme", "programme")
    title = _text(title, "The title", "title")
    if published_on is not None and published_on > timezone.localdate():
        raise WorkflowError(
            "That date is still to come: give the date the report was published.",
            field="published_on",
        )
    if overall_grade not in Grade.values:
        raise WorkflowError("Choose a grade from the list.", field="overall_grade")
    return {
        "programme": programme,
        "title": title,
        "pillar": (pillar or "").strip(),
        "published_on": published_on,
        "source_reference": (source_reference or "").strip(),
        "overall_grade": overall_grade,
    }


def _same_words(value: str) -> str:
    return " ".join((value or "").split()).casefold()


def likely_duplicates(
    force: Force, title: str, source_reference: str = ""
) -> list[Inspection]:
    """The force's inspections with the same title (whatever the case or spacing) or
    the same source reference: most likely the same report, typed in or imported before."""
    title, source = _same_words(title), _same_words(source_reference)
    return [
        inspection
        for inspection in Inspection.objects.filter(force=force).order_by("pk")
        if _same_words(inspection.title) == title
        or (source and _same_words(inspection.source_reference) == source)
    ]


class DuplicateInspection(WorkflowError):
    """An inspection by hand that looks like one already there: saved only once confirmed."""

    def __init__(self, existing: list[Inspection]):
        names = "; ".join(f"“{inspection.title}”" for inspection in existing)
        super().__init__(
            f"{existing[0].force.short_name} already has {names}, with the same title"
            " or source reference. Nothing was saved: open it to check, or tick"
            " “Add it anyway” if this is another report.",
            field="add_anyway",
        )
        self.existing = existing


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
    add_anyway: bool = False,
) -> Inspection:
    """An inspection typed in by hand, for a report the importer cannot read,
    with its questions in the order given.

    One that looks like an inspection the force has already (`likely_duplicates`)
    is refused with `DuplicateInspection` unless the person said to add it anyway.
    """
    check_author(user)
    if force is None:
        raise WorkflowError("Choose the force the report is about.", field="force")
    details = _inspection_details(
        programme=programme,
        title=title,
        pillar=pillar,
        published_on=published_on,
        source_reference=source_reference,
        overall_grade=overall_grade,
    )
    # Locks the force, so that two people adding the same report at once are warned.
    Force.objects.select_for_update().filter(pk=force.pk).exists()
    existing = likely_duplicates(force, details["title"], details["source_reference"])
    if existing and not add_anyway:
        raise DuplicateInspection(existing)
    inspection = inspection_create(user, force=force, **details)
    for order, text in enumerate((q.strip() for q in questions if q.strip()), 1):
        question_create(user, inspection, order=order, text=text)
    return inspection


@transaction.atomic
def inspection_edit(
    user: User,
    inspection: Inspection,
    *,
    programme: str,
    title: str,
    pillar: str,
    published_on: datetime.date | None,
    source_reference: str,
    overall_grade: str,
    seen: datetime.datetime | None,
) -> Inspection:
    """The inspector's correction of an inspection's details (not its force: its
    findings and actions are that force's), onto the inspection as their page showed
    it; saved only if something changed, the history keeps the old."""
    check_author(user)
    current = _locked_as_seen(inspection, seen, STALE_INSPECTION)
    details = _inspection_details(
        programme=programme,
        title=title,
        pillar=pillar,
        published_on=published_on,
        source_reference=source_reference,
        overall_grade=overall_grade,
    )
    if any(getattr(current, name) != value for name, value in details.items()):
        for name, value in details.items():
            setattr(current, name, value)
        changed_by(current, user)
        current.save()
    return current


def inspection_removal_blockers(inspection: Inspection) -> list[str]:
    """Why the inspection cannot go, in sentences; empty when it can."""
    reasons = []
    findings = Finding.objects.filter(inspection=inspection).count()
    if findings:
        reasons.append(
            f"“{inspection.title}” still has {findings} finding"
            f"{'' if findings == 1 else 's'}: remove each from its own page first"
            " (a finding with work recorded on it stays, and so does its inspection)."
        )
    deliverables = Action.objects.filter(inspection=inspection, finding__isnull=True)
    if (
        deliverables.filter(updates__isnull=False).exists()
        or deliverables.filter(deadline_requests__isnull=False).exists()
    ):
        reasons.append(
            f"“{inspection.title}” stays: work is recorded on its deliverables for"
            " the whole report."
        )
    return reasons


@transaction.atomic
def inspection_delete(
    user: User, inspection: Inspection, *, seen: datetime.datetime | None
) -> None:
    """An inspection added by mistake, or twice, once it has no findings left: with its
    questions and its deliverables for the whole report (none with work recorded)."""
    check_author(user)
    current = _locked_as_seen(inspection, seen, STALE_INSPECTION)
    reasons = inspection_removal_blockers(current)
    if reasons:
        raise WorkflowError(" ".join(reasons))
    # Each row's history names the inspector (a cascade alone would not say who).
    for action in current.actions.filter(parent__isnull=True):
        changed_by(action, user)
        action.delete()
    for question in current.questions.all():
        changed_by(question, user)
        question.delete()
    changed_by(current, user)
    current.delete()
