"""A finding's page and the moves on it: closure requested, decided, superseded."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from .. import services
from ..forms import CommentForm, SupersedeForm
from ..models import Finding, ProgressUpdate
from ..notifications.mentions import mention_list
from ..permissions import (
    can_import,
    inspects,
    may_decide_closure,
    may_plan,
    may_read_national,
    may_supersede,
)
from ..selectors import get_visible_or_404, mentionable, visible_findings
from ..selectors.history import finding_timeline
from ..selectors.packs import closure_pack
from ..services import WorkflowError
from .moves import FINDING_MOVES, offered


def _finding_page(request, finding: Finding, status: int = 200, **forms):
    user = request.user
    deciding = may_decide_closure(user, finding)
    context = {
        "finding": finding,
        "actions": finding.actions.select_related("owner")
        .with_rag()
        .order_by("order", "pk"),
        "events": finding_timeline(finding),
        "recommendations": finding.recommendations.all(),
        "moves": offered(FINDING_MOVES, user, finding),
        "may_plan": may_plan(user, finding),
        "may_decide_closure": deciding,
        # The inspector deciding closure reads every action's evidence in one place.
        "pack": closure_pack(finding) if deciding else None,
        # The inspector deciding closure sees which work nobody else checked.
        "self_sign_offs": ProgressUpdate.objects.filter(
            action__finding=finding, kind=ProgressUpdate.Kind.SELF_SIGNED_OFF
        ).select_related("action", "author")
        if deciding
        else [],
        "may_supersede": may_supersede(user, finding),
        "may_author": can_import(user),
        "may_read_national": may_read_national(user),
        "move_form": forms.get("move_form"),
        "failed_move": forms.get("failed_move"),
        "supersede_form": forms.get("supersede_form") or SupersedeForm(finding=finding),
        "mention_people": lambda: mention_list(mentionable(finding.force_id)),
    }
    return render(request, "tracker/finding_detail.html", context, status=status)


def _load_finding(request, pk) -> Finding:
    return get_visible_or_404(
        visible_findings(request.user).select_related(
            "force",
            "inspection__force",
            "question",
            "parent",
            "superseded_by",
            "national",
        ),
        pk=pk,
    )


@require_safe
@login_required
def finding_detail(request, pk):
    return _finding_page(request, _load_finding(request, pk))


@require_POST
@login_required
def finding_move(request, pk, move):
    if move not in FINDING_MOVES:
        raise Http404("No such move.")
    finding = _load_finding(request, pk)
    move = FINDING_MOVES[move]
    if not move.allowed(request.user, finding):
        raise PermissionDenied("Your role does not allow this move on this finding.")
    form = CommentForm(request.POST, label=move.label, required=move.required)
    if form.is_valid():
        try:
            move.service(request.user, finding, form.cleaned_data["text"])
        except WorkflowError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, move.done)
            return redirect(finding)
    return _finding_page(
        request, finding, status=400, move_form=form, failed_move=move.slug
    )


@require_POST
@login_required
def finding_supersede(request, pk):
    finding = _load_finding(request, pk)
    if not inspects(request.user, finding):
        raise PermissionDenied("Only an inspector can mark a finding superseded.")
    form = SupersedeForm(request.POST, finding=finding)
    if form.is_valid():
        try:
            services.finding_supersede(
                request.user,
                finding,
                form.cleaned_data["reference"],
                form.cleaned_data["comment"],
            )
        except WorkflowError as error:
            form.add_error("reference", error.message)
        else:
            messages.success(request, "The finding is marked superseded.")
            return redirect(finding)
    return _finding_page(request, finding, status=400, supersede_form=form)
