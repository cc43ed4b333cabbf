"""Action plans: adding actions and sub-steps to a finding, editing and reordering
them, and the force lead's choice of whether force staff plan too."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .. import services
from ..forms import ActionEditForm, ActionPlanForm
from ..models import Action
from ..permissions import may_edit_action, may_let_staff_plan, plans_for_force
from ..selectors import get_visible_or_404, visible_forces
from ..services import ConflictError, WorkflowError
from .actions import _load_action
from .common import page_with_form, refuse_on_form
from .findings import _load_finding

NOT_A_PLANNER = (
    "Only the force lead (or force staff, where the lead allows it) can plan actions."
)


def _create(request, form, *, finding, parent, back):
    """Add the action the form describes; the form with the refusal on it if refused."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        action = services.action_create(
            request.user,
            finding=finding,
            inspection=parent.inspection if parent is not None else None,
            parent=parent,
            title=data["title"],
            description=data["description"],
            deliverable=data["deliverable"],
            owner=data["owner"],
            contributors=data["contributors"],
            deadline=data["deadline"],
        )
    except WorkflowError as error:
        refuse_on_form(form, error)
        return None
    messages.success(
        request,
        f"“{action.title}” is added to the plan."
        if parent is None
        else f"“{action.title}” is added as a sub-step.",
    )
    return redirect(back)


@page_with_form
@login_required
def action_new(request, pk):
    """Add an action to a finding's plan."""
    finding = _load_finding(request, pk)
    if not plans_for_force(request.user, finding.force):
        raise PermissionDenied(NOT_A_PLANNER)
    form = ActionPlanForm(
        request.POST if request.method == "POST" else None, force_id=finding.force_id
    )
    if request.method == "POST":
        done = _create(request, form, finding=finding, parent=None, back=finding)
        if done:
            return done
    return render(
        request,
        "tracker/action_plan_form.html",
        {"form": form, "finding": finding, "parent": None, "force": finding.force},
        status=400 if request.method == "POST" else 200,
    )


@page_with_form
@login_required
def step_new(request, pk):
    """Add a sub-step under an action."""
    parent = _load_action(request, pk)
    if not plans_for_force(request.user, parent.force):
        raise PermissionDenied(NOT_A_PLANNER)
    form = ActionPlanForm(
        request.POST if request.method == "POST" else None, force_id=parent.force_id
    )
    if request.method == "POST":
        done = _create(
            request, form, finding=parent.finding, parent=parent, back=parent
        )
        if done:
            return done
    return render(
        request,
        "tracker/action_plan_form.html",
        {
            "form": form,
            "finding": parent.finding,
            "parent": parent,
            "force": parent.force,
        },
        status=400 if request.method == "POST" else 200,
    )


@page_with_form
@login_required
def action_edit(request, pk):
    """Change an action's title, description and deliverable."""
    action = _load_action(request, pk)
    if not plans_for_force(request.user, action.force):
        raise PermissionDenied(NOT_A_PLANNER)
    conflict = None
    if request.method == "POST":
        form = ActionEditForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.action_edit(
                    request.user,
                    action,
                    expected_version=data["version"],
                    title=data["title"],
                    description=data["description"],
                    deliverable=data["deliverable"],
                )
            except ConflictError as error:
                # Their words stay; the version is now the current one.
                conflict = error
                post = request.POST.copy()
                post["version"] = error.current.version
                form = ActionEditForm(post)
                action = error.current
            except WorkflowError as error:
                refuse_on_form(form, error)
            else:
                messages.success(request, "The action is saved.")
                return redirect(action)
    else:
        form = ActionEditForm(
            initial={
                "title": action.title,
                "description": action.description,
                "deliverable": action.deliverable,
                "version": action.version,
            }
        )
    return render(
        request,
        "tracker/action_edit.html",
        {
            "form": form,
            "action": action,
            "conflict": conflict,
            "may_edit": may_edit_action(request.user, action),
        },
        status=409 if conflict else 400 if request.method == "POST" else 200,
    )


@require_POST
@login_required
def action_reorder(request, pk):
    """Move an action one place up or down among its siblings."""
    action = _load_action(request, pk)
    if not plans_for_force(request.user, action.force):
        raise PermissionDenied(NOT_A_PLANNER)
    back = action.parent or action.finding or action.inspection
    if action.finding is None:
        messages.error(request, "Only the actions of a finding can be reordered.")
        return redirect(back)
    ids = list(
        Action.objects.filter(finding=action.finding, parent=action.parent)
        .order_by("order", "pk")
        .values_list("pk", flat=True)
    )
    place = ids.index(action.pk)
    step = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if step is None:
        messages.error(request, "Choose whether to move the action up or down.")
        return redirect(back)
    if not 0 <= place + step < len(ids):
        messages.info(
            request,
            f"“{action.title}” is already {'first' if step < 0 else 'last'}.",
        )
        return redirect(back)
    ids[place], ids[place + step] = ids[place + step], ids[place]
    try:
        services.action_reorder(request.user, action.finding, ids, parent=action.parent)
    except WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"“{action.title}” moved {'up' if step < 0 else 'down'}."
        )
    return redirect(back)


@require_POST
@login_required
def force_planning(request, slug):
    """The force lead lets force staff plan actions too, or stops them."""
    force = get_visible_or_404(visible_forces(request.user), slug=slug)
    if not may_let_staff_plan(request.user, force):
        raise PermissionDenied(
            "Only the force lead decides whether force staff plan actions."
        )
    allowed = request.POST.get("staff_may_plan") == "yes"
    services.force_planning_set(request.user, force, staff_may_plan=allowed)
    messages.success(
        request,
        "Force staff may now add, edit and reorder actions."
        if allowed
        else "Only you (the force lead) now plan actions.",
    )
    return redirect(force)
