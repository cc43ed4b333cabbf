"""Several actions at once from the action list: a force lead gives them an owner or a
deadline, or signs them off. All of them, or none, with a summary of what was done."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .. import services
from ..forms import BulkForm
from ..permissions import may_change_in_bulk
from ..services import WorkflowError
from ..services.bulk import ASSIGN, SIGN_OFF


def _back(request) -> str:
    """The list the person came from, with its filters; never another site."""
    back = request.POST.get("next", "")
    if back.startswith("/actions/") and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}
    ):
        return back
    return "/actions/"


def _summary(verb: str, actions) -> str:
    titles = ", ".join(f"“{action.title}”" for action in actions[:5])
    more = f" and {len(actions) - 5} more" if len(actions) > 5 else ""
    return f"{len(actions)} action{'s' if len(actions) != 1 else ''} {verb}: {titles}{more}."


@require_POST
@login_required
def actions_bulk(request):
    if not may_change_in_bulk(request.user):
        raise PermissionDenied("Only a force lead can change several actions at once.")
    form = BulkForm(request.POST, force_id=request.user.force_id)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"Nothing was changed: {error}")
        return redirect(_back(request))
    data = form.cleaned_data
    try:
        if data["do"] == SIGN_OFF:
            done = services.actions_bulk_sign_off(request.user, data["selected"])
            summary = _summary("signed off", done)
        else:
            done = services.actions_bulk_assign(
                request.user,
                data["selected"],
                owner=data["owner"],
                set_owner=data["set_owner"],
                deadline=data["deadline"],
                set_deadline=data["set_deadline"],
            )
            summary = _summary("changed", done)
    except WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, summary)
    return redirect(_back(request))


__all__ = ["ASSIGN", "SIGN_OFF", "actions_bulk"]
