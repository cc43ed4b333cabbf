"""Findings by hand: an inspector adds, edits and removes findings and questions,
types in an inspection the importer cannot read, and corrects or removes one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect, render

from .. import services
from ..forms import (
    FindingEditForm,
    FindingForm,
    InspectionDetailsForm,
    InspectionEditForm,
    InspectionForm,
    QuestionEditForm,
    QuestionForm,
    SeenForm,
)
from ..models import Action, Finding, Force, Question
from ..permissions import can_import
from ..selectors import (
    change_history,
    get_visible_or_404,
    visible_findings,
    visible_inspections,
    visible_questions,
)
from ..services import DuplicateInspection, WorkflowError
from .common import page_with_form, refuse_on_form


def _require_author(user):
    if not can_import(user):
        raise PermissionDenied(
            "Only inspectors add, change or remove findings and inspections."
        )


def _render(request, template, context, form):
    return render(request, template, context, status=400 if form.errors else 200)


def _load_inspection(request, pk):
    inspection = get_visible_or_404(
        visible_inspections(request.user).select_related("force"), pk=pk
    )
    _require_author(request.user)
    return inspection


def _load_finding(request, pk) -> Finding:
    finding = get_visible_or_404(
        visible_findings(request.user).select_related("inspection__force"), pk=pk
    )
    _require_author(request.user)
    return finding


def _load_question(request, pk) -> Question:
    question = get_visible_or_404(
        visible_questions(request.user).select_related("inspection__force"), pk=pk
    )
    _require_author(request.user)
    return question


def _seen(row) -> dict:
    return {"seen": row.updated_at.isoformat()}


@page_with_form
@login_required
def finding_add(request, pk):
    inspection = _load_inspection(request, pk)
    if request.method == "POST":
        form = FindingForm(request.POST, inspection=inspection)
        if form.is_valid():
            data = form.cleaned_data
            try:
                finding = services.finding_add(
                    request.user,
                    inspection,
                    question=data["question"],
                    kind=data["kind"],
                    text=data["text"],
                    reference=data["reference"],
                    parent=data["parent"],
                )
            except WorkflowError as error:
                refuse_on_form(form, error)
            else:
                messages.success(request, f"{finding.reference} is added.")
                return redirect(finding)
    else:
        kind = request.GET.get("kind")
        if kind not in Finding.Kind.values:
            kind = Finding.Kind.AREA_FOR_IMPROVEMENT
        form = FindingForm(
            inspection=inspection,
            initial={
                "question": request.GET.get("question"),
                "kind": kind,
                "reference": services.next_reference(inspection, kind),
            },
        )
    return _render(
        request,
        "tracker/finding_form.html",
        {"inspection": inspection, "form": form},
        form,
    )


@page_with_form
@login_required
def finding_edit(request, pk):
    finding = _load_finding(request, pk)
    if request.method == "POST":
        form = FindingEditForm(request.POST, finding=finding)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.finding_edit(
                    request.user,
                    finding,
                    text=data["text"],
                    reference=data["reference"],
                    kind=data["kind"],
                    question=data["question"],
                    parent=data["parent"],
                    seen=data["seen"],
                )
            except WorkflowError as error:
                refuse_on_form(form, error)
            else:
                messages.success(request, "The finding is saved.")
                return redirect(finding)
    else:
        form = FindingEditForm(
            finding=finding,
            initial={
                "text": finding.text,
                "reference": finding.reference,
                "kind": finding.kind,
                "question": finding.question_id,
                "parent": finding.parent_id,
                **_seen(finding),
            },
        )
    return _render(
        request,
        "tracker/finding_edit.html",
        {
            "finding": finding,
            "form": form,
            "history": change_history(finding),
            "recommendation_count": finding.recommendations.count(),
        },
        form,
    )


@page_with_form
@login_required
def finding_remove(request, pk):
    finding = _load_finding(request, pk)
    form = SeenForm(request.POST or None, initial=_seen(finding))
    if request.method == "POST" and form.is_valid():
        try:
            services.finding_delete(
                request.user, finding, seen=form.cleaned_data["seen"]
            )
        except WorkflowError as error:
            refuse_on_form(form, error)
        else:
            messages.success(
                request, f"{finding.reference} is removed from “{finding.inspection}”."
            )
            return redirect(finding.inspection)
    recommendations = list(finding.recommendations.order_by("order", "pk"))
    return _render(
        request,
        "tracker/finding_remove.html",
        {
            "finding": finding,
            "form": form,
            "recommendations": recommendations,
            "action_count": Action.objects.filter(
                Q(finding=finding) | Q(finding__parent=finding)
            ).count(),
            "blockers": services.removal_blockers(finding),
        },
        form,
    )


@page_with_form
@login_required
def question_add(request, pk):
    inspection = _load_inspection(request, pk)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.question_add(
                request.user,
                inspection,
                text=form.cleaned_data["text"],
                grade=form.cleaned_data["grade"],
            )
        except WorkflowError as error:
            refuse_on_form(form, error)
        else:
            messages.success(request, "The question is added.")
            return redirect(inspection)
    return _render(
        request,
        "tracker/question_form.html",
        {"inspection": inspection, "form": form},
        form,
    )


@page_with_form
@login_required
def question_edit(request, pk):
    question = _load_question(request, pk)
    inspection = question.inspection
    form = QuestionEditForm(
        request.POST or None,
        initial={"text": question.text, "grade": question.grade, **_seen(question)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.question_edit(request.user, question, **form.cleaned_data)
        except WorkflowError as error:
            refuse_on_form(form, error)
        else:
            messages.success(request, "The question is saved.")
            return redirect(inspection)
    return _render(
        request,
        "tracker/question_edit.html",
        {
            "inspection": inspection,
            "question": question,
            "form": form,
            "history": change_history(question),
        },
        form,
    )


@page_with_form
@login_required
def question_remove(request, pk):
    question = _load_question(request, pk)
    inspection = question.inspection
    form = SeenForm(request.POST or None, initial=_seen(question))
    if request.method == "POST" and form.is_valid():
        try:
            services.question_delete(
                request.user, question, seen=form.cleaned_data["seen"]
            )
        except WorkflowError as error:
            refuse_on_form(form, error)
        else:
            messages.success(request, "The question is removed.")
            return redirect(inspection)
    return _render(
        request,
        "tracker/question_remove.html",
        {
            "inspection": inspection,
            "question": question,
            "form": form,
            "blockers": services.question_removal_blockers(question),
        },
        form,
    )


@page_with_form
@login_required
def inspection_add(request):
    _require_author(request.user)
    # From a force's page, its force is chosen already.
    slug = request.GET.get("force")
    chosen = Force.objects.filter(slug=slug).first() if slug else None
    form = InspectionForm(
        request.POST or None, initial={"force": chosen.pk if chosen else None}
    )
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection = services.inspection_add(request.user, **data)
        except DuplicateInspection as warning:
            # Not an error: the form again, as typed, with the box to tick.
            duplicates = warning.existing
            form.warn_of_duplicates()
        except WorkflowError as error:
            refuse_on_form(form, error)
        else:
            messages.success(
                request,
                f"“{inspection.title}” is added: add its findings under its questions.",
            )
            return redirect(inspection)
    return _render(
        request,
        "tracker/inspection_form.html",
        {"form": form, "duplicates": duplicates},
        form,
    )


@page_with_form
@login_required
def inspection_edit(request, pk):
    inspection = _load_inspection(request, pk)
    form = InspectionEditForm(
        request.POST or None,
        initial={
            **{
                name: getattr(inspection, name)
                for name in InspectionDetailsForm.base_fields
            },
            **_seen(inspection),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.inspection_edit(request.user, inspection, **form.cleaned_data)
        except WorkflowError as error:
            refuse_on_form(form, error)
        else:
            messages.success(request, "The inspection is saved.")
            return redirect(inspection)
    return _render(
        request,
        "tracker/inspection_edit.html",
        {
            "inspection": inspection,
            "form": form,
            "history": change_history(inspection),
        },
        form,
    )


@page_with_form
@login_required
def inspection_remove(request, pk):
    inspection = _load_inspection(request, pk)
    form = SeenForm(request.POST or None, initial=_seen(inspection))
    if request.method == "POST" and form.is_valid():
        try:
            services.inspection_delete(
                request.user, inspection, seen=form.cleaned_data["seen"]
            )
        except WorkflowError as error:
            refuse_on_form(form, error)
        else:
            messages.success(request, f"“{inspection.title}” is removed.")
            return redirect(inspection.force)
    return _render(
        request,
        "tracker/inspection_remove.html",
        {
            "inspection": inspection,
            "form": form,
            "questions": list(inspection.questions.order_by("order")),
            "deliverables": Action.objects.filter(
                inspection=inspection, finding__isnull=True
            ).count(),
            "blockers": services.inspection_removal_blockers(inspection),
        },
        form,
    )
