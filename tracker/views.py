import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from . import services
from .services import ConflictError, WorkflowError
from .forms import AssignForm, CommentForm, DeadlineChangeForm, ProgressUpdateForm, SupersedeForm
from .models import Action, DeadlineChangeRequest, Finding, FindingEvent, ProgressUpdate, Question
from .permissions import (
    can_change_action,
    is_force_lead_of,
    is_inspector,
    is_owner_or_contributor,
    sees_every_force,
)
from .selectors import (
    change_history,
    get_visible_or_404,
    visible_actions,
    visible_deadline_requests,
    visible_evidence,
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


def _finding_page(request, finding: Finding, status: int = 200, **forms):
    user = request.user
    is_lead = is_force_lead_of(user, finding.force_id)
    context = {
        "finding": finding,
        "actions": finding.actions.select_related("owner").with_rag().order_by("order", "pk"),
        "events": FindingEvent.objects.filter(finding=finding).select_related("author"),
        "recommendations": finding.recommendations.all(),
        "may_request_closure": is_lead
        and finding.status in (Finding.Status.AWAITING_REVIEW, Finding.Status.BEING_PROGRESSED),
        "may_decide_closure": is_inspector(user)
        and finding.status == Finding.Status.CLOSURE_REQUESTED,
        "may_supersede": is_inspector(user) and finding.is_open,
        "move_form": forms.get("move_form"),
        "failed_move": forms.get("failed_move"),
        "supersede_form": forms.get("supersede_form") or SupersedeForm(finding=finding),
    }
    return render(request, "tracker/finding_detail.html", context, status=status)


def _load_finding(request, pk) -> Finding:
    return get_visible_or_404(
        visible_findings(request.user).select_related(
            "inspection__force", "question", "parent", "superseded_by"
        ),
        pk=pk,
    )


@require_GET
@login_required
def finding_detail(request, pk):
    return _finding_page(request, _load_finding(request, pk))


FINDING_MOVES = {
    "request-closure": (services.finding_request_closure, "Closing statement", True,
                        "Closure requested: an inspector will review it."),
    "authorise-closure": (services.finding_authorise_closure, "Comment", False,
                          "Closure authorised: the finding is complete."),
    "decline-closure": (services.finding_decline_closure, "Why closure is declined", True,
                        "Closure declined: the force lead has your comment."),
}


@require_POST
@login_required
def finding_move(request, pk, move):
    if move not in FINDING_MOVES:
        raise Http404("No such move.")
    finding = _load_finding(request, pk)
    service, label, required, done = FINDING_MOVES[move]
    form = CommentForm(request.POST, label=label, required=required)
    if form.is_valid():
        try:
            service(request.user, finding, form.cleaned_data["text"])
        except WorkflowError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, done)
            return redirect(finding)
    return _finding_page(request, finding, status=400, move_form=form, failed_move=move)


@require_POST
@login_required
def finding_supersede(request, pk):
    finding = _load_finding(request, pk)
    if not is_inspector(request.user):
        raise PermissionDenied("Only an inspector can mark a finding superseded.")
    form = SupersedeForm(request.POST, finding=finding)
    if form.is_valid():
        try:
            services.finding_supersede(
                request.user, finding, form.cleaned_data["reference"], form.cleaned_data["comment"]
            )
        except WorkflowError as error:
            form.add_error("reference", error.message)
        else:
            messages.success(request, "The finding is marked superseded.")
            return redirect(finding)
    return _finding_page(request, finding, status=400, supersede_form=form)


def _action_page(request, action: Action, status: int = 200, **forms):
    user = request.user
    is_lead = is_force_lead_of(user, action.force_id)
    unfinished = action.status in Action.UNFINISHED_STATUSES
    may_change = can_change_action(user, action)
    pending = list(
        action.deadline_requests.filter(status=DeadlineChangeRequest.Status.PENDING)
        .select_related("requested_by")
    )
    context = {
        "action": action,
        "contributors": action.contributors.all(),
        "children": action.children.select_related("owner").with_rag(),
        "updates": ProgressUpdate.objects.filter(action=action)
        .select_related("author")
        .prefetch_related("evidence"),
        "history": change_history(action),
        "pending_deadline_requests": pending,
        "may_update": may_change and unfinished,
        "may_start": may_change and action.status == Action.Status.NOT_STARTED,
        "may_mark_done": action.status == Action.Status.IN_PROGRESS
        and is_owner_or_contributor(user, action),
        "may_review": is_lead and action.status == Action.Status.DONE,
        "may_withdraw": is_lead and not action.is_closed,
        "may_assign": is_lead and not action.is_closed,
        "may_request_deadline": is_lead
        and not action.is_closed
        and action.deadline_set_by == Action.DeadlineSetBy.INSPECTORATE
        and not pending,
        "may_decide_deadline": is_inspector(user),
        "update_form": forms.get("update_form") or ProgressUpdateForm(),
        "move_form": forms.get("move_form"),
        "failed_move": forms.get("failed_move"),
        "deadline_form": forms.get("deadline_form") or DeadlineChangeForm(),
    }
    return render(request, "tracker/action_detail.html", context, status=status)


def _load_action(request, pk) -> Action:
    return get_visible_or_404(
        visible_actions(request.user).select_related(
            "finding", "inspection__force", "owner", "parent"
        ),
        pk=pk,
    )


@require_GET
@login_required
def action_detail(request, pk):
    return _action_page(request, _load_action(request, pk))


@require_POST
@login_required
def action_add_update(request, pk):
    action = _load_action(request, pk)
    form = ProgressUpdateForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.action_record_progress(
                request.user,
                action,
                text=form.cleaned_data["text"],
                percent=form.cleaned_data["percent_complete"],
                files=form.cleaned_data["files"],
                links=form.cleaned_data["links"],
            )
        except WorkflowError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Your progress update was saved.")
            return redirect(action)
    return _action_page(request, action, status=400, update_form=form)


# move -> (service, what the comment is called, whether it is required)
ACTION_MOVES = {
    "start": (services.action_start, "Comment", False),
    "mark-done": (services.action_mark_done, "What was delivered", False),
    "sign-off": (services.action_sign_off, "Sign-off comment", False),
    "return": (services.action_return, "What is still needed", True),
    "withdraw": (services.action_withdraw, "Why it is no longer needed", True),
}
MOVE_DONE_MESSAGES = {
    "start": "The action is now in progress.",
    "mark-done": "The action is marked done and awaits the force lead's sign-off.",
    "sign-off": "The action is signed off.",
    "return": "The action was returned to its owner with your comment.",
    "withdraw": "The action was withdrawn.",
}


@require_POST
@login_required
def action_move(request, pk, move):
    if move not in ACTION_MOVES:
        raise Http404("No such move.")
    action = _load_action(request, pk)
    service, label, required = ACTION_MOVES[move]
    form = CommentForm(request.POST, label=label, required=required)
    if form.is_valid():
        try:
            service(request.user, action, form.cleaned_data["text"])
        except WorkflowError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, MOVE_DONE_MESSAGES[move])
            return redirect(action)
    return _action_page(request, action, status=400, move_form=form, failed_move=move)


@login_required
def action_assign(request, pk):
    action = _load_action(request, pk)
    if not is_force_lead_of(request.user, action.force_id):
        raise PermissionDenied("Only the force lead can assign owners and deadlines.")
    conflict = None
    if request.method == "POST":
        form = AssignForm(request.POST, action=action)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.action_assign(
                    request.user,
                    action,
                    expected_version=data["version"],
                    owner=data["owner"],
                    contributors=data["contributors"],
                    deadline=action.deadline if form.fields["deadline"].disabled else data["deadline"],
                )
            except ConflictError as error:
                conflict = error
                # Keep what this person chose, against the version they have now seen.
                post = request.POST.copy()
                post["version"] = error.current.version
                form = AssignForm(post, action=error.current)
                action = error.current
            except WorkflowError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, "Owner, contributors and deadline saved.")
                return redirect(action)
    else:
        form = AssignForm(
            action=action,
            initial={
                "owner": action.owner_id,
                "contributors": list(action.contributors.values_list("pk", flat=True)),
                "deadline": action.deadline,
                "version": action.version,
            },
        )
    return render(
        request,
        "tracker/action_assign.html",
        {"action": action, "form": form, "conflict": conflict},
        status=409 if conflict else 400 if request.method == "POST" else 200,
    )


@require_POST
@login_required
def action_request_deadline(request, pk):
    action = _load_action(request, pk)
    form = DeadlineChangeForm(request.POST)
    if form.is_valid():
        try:
            services.deadline_change_request(
                request.user,
                action,
                new_deadline=form.cleaned_data["new_deadline"],
                reason=form.cleaned_data["reason"],
            )
        except WorkflowError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Your request was sent to the inspectorate.")
            return redirect(action)
    return _action_page(request, action, status=400, deadline_form=form)


@require_POST
@login_required
def deadline_request_decide(request, pk):
    change = get_visible_or_404(
        visible_deadline_requests(request.user).select_related("action"), pk=pk
    )
    approve = request.POST.get("decision") == "approve"
    try:
        services.deadline_change_decide(
            request.user, change, approve=approve, comment=request.POST.get("comment", "")
        )
    except WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Deadline change approved." if approve else "Deadline change refused.")
    return redirect(change.action)


@require_GET
@login_required
def evidence_download(request, pk):
    evidence = get_visible_or_404(visible_evidence(request.user), pk=pk)
    if not evidence.file:
        raise Http404("This evidence is a link, not a file.")
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name or "evidence",
        content_type=evidence.content_type or "application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    return response
