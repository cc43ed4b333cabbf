"""An action's page and everything done from it: progress, moves, owners, deadlines, evidence."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import (
    require_POST,
    require_safe,
)

from .. import services
from ..forms import (
    ActionMoveForm,
    AssignForm,
    CommentForm,
    DeadlineChangeForm,
    ProgressUpdateForm,
)
from ..models import Action, DeadlineChangeRequest, ProgressUpdate
from ..notifications.mentions import mention_list
from ..permissions import (
    can_change_action,
    leads_force_of,
    may_assign,
    may_decide_deadline,
    may_edit_action,
    may_plan,
    may_request_deadline,
    may_update,
)
from ..selectors import (
    action_as_seen,
    change_history,
    get_visible_or_404,
    mentionable,
    visible_actions,
    visible_deadline_requests,
    visible_evidence,
)
from ..services import ConflictError, WorkflowError
from .common import page_with_form
from .moves import ACTION_MOVES, offered


def _action_page(request, action: Action, status: int = 200, **forms):
    user = request.user
    pending = list(
        action.deadline_requests.filter(
            status=DeadlineChangeRequest.Status.PENDING
        ).select_related("requested_by")
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
        "may_update": may_update(user, action),
        "may_edit": may_edit_action(user, action),
        "may_plan_steps": not action.is_closed
        and (may_plan(user, action.finding) if action.finding else False),
        "moves": offered(ACTION_MOVES, user, action),
        "may_assign": may_assign(user, action),
        "may_request_deadline": may_request_deadline(
            user, action, pending=bool(pending)
        ),
        "may_decide_deadline": may_decide_deadline(user),
        "update_form": forms.get("update_form")
        or ProgressUpdateForm(initial={"version": action.version}),
        "conflict": forms.get("conflict"),
        "move_form": forms.get("move_form"),
        "failed_move": forms.get("failed_move"),
        "deadline_form": forms.get("deadline_form") or DeadlineChangeForm(),
        # Read by the page's script only where a text box takes a mention.
        "mention_people": lambda: mention_list(mentionable(action.force_id)),
    }
    return render(request, "tracker/action_detail.html", context, status=status)


def _load_action(request, pk) -> Action:
    return get_visible_or_404(
        visible_actions(request.user).select_related(
            "finding__force", "force", "inspection__force", "owner", "parent"
        ),
        pk=pk,
    )


@require_safe
@login_required
def action_detail(request, pk):
    return _action_page(request, _load_action(request, pk))


@require_POST
@login_required
def action_add_update(request, pk):
    action = _load_action(request, pk)
    if not can_change_action(request.user, action):
        raise PermissionDenied(
            "Only the action's owner, its contributors and the force lead can record progress."
        )
    form = ProgressUpdateForm(request.POST, request.FILES)
    conflict = None
    if form.is_valid():
        try:
            services.action_record_progress(
                request.user,
                action,
                text=form.cleaned_data["text"],
                percent=form.cleaned_data["percent_complete"],
                files=form.cleaned_data["files"],
                links=form.cleaned_data["links"],
                expected_version=form.cleaned_data["version"],
            )
        except ConflictError as error:
            conflict = error
            # Keep the words, links and figure, against the version now shown;
            # a browser never refills a file input, so files are chosen again.
            post = request.POST.copy()
            post["version"] = error.current.version
            form = ProgressUpdateForm(post)
            action = _load_action(request, pk)
        except WorkflowError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Your progress update was saved.")
            return redirect(action)
    return _action_page(
        request,
        action,
        status=409 if conflict else 400,
        update_form=form,
        conflict=conflict,
    )


@require_POST
@login_required
def action_move(request, pk, move):
    if move not in ACTION_MOVES:
        raise Http404("No such move.")
    action = _load_action(request, pk)
    move = ACTION_MOVES[move]
    if not move.allowed(request.user, action):
        raise PermissionDenied("Your role does not allow this move on this action.")
    form = ActionMoveForm(request.POST, label=move.label, required=move.required)
    status = 400
    if form.is_valid():
        try:
            move.service(
                request.user,
                action,
                form.cleaned_data["text"],
                expected_version=form.cleaned_data["version"],
            )
        except WorkflowError as error:
            form.add_error(None, error.message)
            status = 409 if isinstance(error, ConflictError) else 400
        else:
            messages.success(request, move.done)
            return redirect(action)
    return _action_page(
        request, action, status=status, move_form=form, failed_move=move.slug
    )


@page_with_form
@login_required
def action_assign(request, pk):
    action = _load_action(request, pk)
    if not leads_force_of(request.user, action):
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
                    deadline=action.deadline
                    if form.fields["deadline"].disabled
                    else data["deadline"],
                )
            except ConflictError as error:
                conflict = error
                seen = action_as_seen(error.current, data["version"])
                form = AssignForm.against(request.POST, data, seen, error.current)
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
    if not leads_force_of(request.user, action):
        raise PermissionDenied("Only the force lead can ask for a deadline change.")
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
            form.add_error(error.field, error.message)
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
    if not may_decide_deadline(request.user):
        raise PermissionDenied("Only an inspector can decide a deadline change.")
    approve = request.POST.get("decision") == "approve"
    comment = CommentForm({"text": request.POST.get("comment", "")}, required=False)
    if not comment.is_valid():
        messages.error(request, " ".join(comment.errors["text"]))
        return redirect(change.action)
    try:
        services.deadline_change_decide(
            request.user, change, approve=approve, comment=comment.cleaned_data["text"]
        )
    except WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            "Deadline change approved." if approve else "Deadline change refused.",
        )
    return redirect(change.action)


@require_safe
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
