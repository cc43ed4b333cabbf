"""A force's page: its inspections and the figures over its actions."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from .. import evidence
from ..models import Action
from ..permissions import (
    can_import,
    may_let_staff_plan,
    may_make_committee_pack,
    may_see_storage,
)
from ..selectors import get_visible_or_404, visible_actions, visible_forces
from ..selectors.dashboards import action_charts, action_summary, force_inspections

# Inspections a page: a force gathers more every year.
INSPECTIONS_PER_PAGE = 20


@require_safe
@login_required
def force_detail(request, slug):
    force = get_visible_or_404(visible_forces(request.user), slug=slug)
    today = timezone.localdate()

    paginator = Paginator(
        force_inspections(request.user, force).order_by(
            F("published_on").desc(nulls_last=True), "-pk"
        ),
        INSPECTIONS_PER_PAGE,
    )
    inspections = paginator.get_page(request.GET.get("page"))
    actions = visible_actions(request.user).filter(force=force)
    summary = action_summary(actions, today)
    storage = None
    if may_see_storage(request.user, force):
        storage = {
            "used": force.evidence_bytes,
            "quota": evidence.force_quota_bytes(force),
        }
    return render(
        request,
        "tracker/force_detail.html",
        {
            "force": force,
            "storage": storage,
            "may_let_staff_plan": may_let_staff_plan(request.user, force),
            "inspections": inspections,
            "inspection_pages": paginator.get_elided_page_range(
                inspections.number, on_each_side=2, on_ends=1
            ),
            "summary": summary,
            "charts": action_charts(
                actions, today, signed_off=summary[Action.Status.SIGNED_OFF]
            ),
            "may_author": can_import(request.user),
            "may_make_pack": may_make_committee_pack(request.user, force),
        },
    )
