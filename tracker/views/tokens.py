"""A person's personal API tokens: made, seen, revoked."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from .. import services
from ..forms import ApiTokenForm
from ..services import WorkflowError
from .common import page_with_form, refuse_on_form

# The new token's secret waits in the session for the one page that shows it.
NEW_SECRET = "api_token_secret"


@page_with_form
@login_required
def api_tokens(request):
    """The person's tokens, with their last use, and a form for a new one."""
    form = ApiTokenForm()
    status = 200
    if request.method == "POST":
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            try:
                token, secret = services.api_token_create(
                    request.user, **form.cleaned_data
                )
            except WorkflowError as error:
                refuse_on_form(form, error)
            else:
                request.session[NEW_SECRET] = [token.pk, secret]
                return redirect("tracker:api-tokens")
        status = 400
    new = request.session.pop(NEW_SECRET, None)
    context = {
        "form": form,
        "tokens": request.user.api_tokens.all(),
        "new_token_id": new[0] if new else None,
        "new_secret": new[1] if new else None,
        "docs_url": reverse("api:docs"),
    }
    return render(request, "tracker/api_tokens.html", context, status=status)


@require_POST
@login_required
def api_token_revoke(request, pk):
    token = get_object_or_404(request.user.api_tokens, pk=pk)
    services.api_token_revoke(request.user, token)
    messages.success(request, f"The token “{token.name}” no longer works.")
    return redirect("tracker:api-tokens")
