import datetime

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from .models import Action, Finding, FindingEvent, ProgressUpdate, Question
from .permissions import can_change_action, is_force_lead_of, sees_every_force
from .selectors import (
    change_history,
    get_visible_or_404,
    visible_actions,
    visible_findings,
    visible_forces,
    visible_inspections,
)

SOON_DAYS = 14


def _action_rows(queryset):
    return queryset.select_related("owner", "finding", "force").order_by("deadline", "pk")


@require_GET
@login_required
def home(request):
    user = request.user
    today = timezone.localdate()
    soon = today + datetime.timedelta(days=SOON_DAYS)
    mine = _action_rows(
        visible_actions(user)
        .filter(Q(owner=user) | Q(contributors=user), status__in=Action.UNFINISHED_STATUSES)
        .distinct()
    ).with_rag(today)
    context = {
        "today": today,
        "overdue": [a for a in mine if a.deadline and a.deadline < today],
        "due_soon": [a for a in mine if a.deadline and today <= a.deadline <= soon],
        "later": [a for a in mine if not a.deadline or a.deadline > soon],
    }
    if user.is_force_lead:
        context["awaiting_sign_off"] = _action_rows(
            visible_actions(user).filter(status=Action.Status.DONE)
        )
    if sees_every_force(user):
        context["closure_requests"] = (
            visible_findings(user)
            .filter(status=Finding.Status.CLOSURE_REQUESTED)
            .select_related("force", "inspection")
            .order_by("status_changed_at")
        )
        context["forces"] = visible_forces(user).annotate(
            inspection_count=Count("inspections", distinct=True)
        )
    if user.force_id:
        context["force"] = user.force
    return render(request, "tracker/home.html", context)


@require_GET
@login_required
def force_detail(request, slug):
    force = get_visible_or_404(visible_forces(request.user), slug=slug)
    inspections = (
        visible_inspections(request.user)
        .filter(force=force)
        .annotate(
            finding_count=Count("findings", distinct=True),
            action_count=Count("actions", distinct=True),
            closed_count=Count(
                "actions", filter=Q(actions__status__in=Action.CLOSED_STATUSES), distinct=True
            ),
        )
    )
    return render(request, "tracker/force_detail.html", {"force": force, "inspections": inspections})


def _with_action_tree(findings_queryset, actions_queryset):
    return findings_queryset.prefetch_related(
        Prefetch("actions", queryset=actions_queryset, to_attr="action_list")
    )


@require_GET
@login_required
def inspection_detail(request, pk):
    inspection = get_visible_or_404(
        visible_inspections(request.user).select_related("force"), pk=pk
    )
    actions = Action.objects.select_related("owner").with_rag().order_by("order", "pk")
    questions = Question.objects.filter(inspection=inspection).prefetch_related(
        Prefetch(
            "findings",
            queryset=_with_action_tree(Finding.objects.order_by("order", "pk"), actions),
            to_attr="finding_list",
        )
    )
    report_wide = actions.filter(inspection=inspection, finding__isnull=True)
    return render(
        request,
        "tracker/inspection_detail.html",
        {"inspection": inspection, "questions": questions, "report_wide": report_wide},
    )


@require_GET
@login_required
def finding_detail(request, pk):
    finding = get_visible_or_404(
        visible_findings(request.user).select_related(
            "inspection__force", "question", "parent", "superseded_by"
        ),
        pk=pk,
    )
    actions = finding.actions.select_related("owner").with_rag().order_by("order", "pk")
    events = FindingEvent.objects.filter(finding=finding).select_related("author")
    return render(
        request,
        "tracker/finding_detail.html",
        {
            "finding": finding,
            "actions": actions,
            "events": events,
            "is_force_lead": is_force_lead_of(request.user, finding.force_id),
        },
    )


@require_GET
@login_required
def action_detail(request, pk):
    action = get_visible_or_404(
        visible_actions(request.user).select_related(
            "finding", "inspection__force", "owner", "parent"
        ),
        pk=pk,
    )
    updates = (
        ProgressUpdate.objects.filter(action=action)
        .select_related("author")
        .prefetch_related("evidence")
    )
    return render(
        request,
        "tracker/action_detail.html",
        {
            "action": action,
            "contributors": action.contributors.all(),
            "children": action.children.select_related("owner").with_rag(),
            "updates": updates,
            "history": change_history(action),
            "may_change": can_change_action(request.user, action),
        },
    )

