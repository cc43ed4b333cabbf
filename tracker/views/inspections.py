"""An inspection's page: its questions, findings and their actions."""

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ..models import Action, Finding, Question
from ..permissions import can_import, may_make_committee_pack
from ..selectors import get_visible_or_404, visible_inspections


def _with_action_tree(findings_queryset, actions_queryset):
    return findings_queryset.prefetch_related(
        Prefetch("actions", queryset=actions_queryset, to_attr="action_list")
    )


@require_safe
@login_required
def inspection_detail(request, pk):
    inspection = get_visible_or_404(
        visible_inspections(request.user).select_related("force"), pk=pk
    )
    actions = Action.objects.select_related("owner").with_rag().order_by("order", "pk")
    questions = Question.objects.filter(inspection=inspection).prefetch_related(
        Prefetch(
            "findings",
            queryset=_with_action_tree(
                Finding.objects.order_by("order", "pk"), actions
            ),
            to_attr="finding_list",
        )
    )
    # A letter's or a national report's findings answer no inspection question.
    unplaced = _with_action_tree(
        Finding.objects.filter(inspection=inspection, question__isnull=True).order_by(
            "order", "pk"
        ),
        actions,
    )
    report_wide = actions.filter(inspection=inspection, finding__isnull=True)
    return render(
        request,
        "tracker/inspection_detail.html",
        {
            "inspection": inspection,
            "questions": questions,
            "unplaced": unplaced,
            "report_wide": report_wide,
            "may_author": can_import(request.user),
            "may_make_pack": may_make_committee_pack(request.user, inspection.force),
        },
    )
