"""Webhooks: a force lead's for their force, an inspector's for the inspectorate;
each with its settings, its moves and the log of what it was sent."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from .. import services
from ..forms import WebhookForm
from ..models import WebhookDelivery
from ..permissions import looks_after_webhooks, may_manage_webhooks, sees_every_force
from ..selectors import get_visible_or_404, visible_webhooks
from ..services import WorkflowError
from .common import page_with_form, refuse_on_form

# A secret waits in the session for the one page that shows it.
NEW_SECRET = "webhook_secret"
LOG_LENGTH = 100


def _their_force(user):
    """Whose webhooks the person looks after: their force's (a lead), or the
    inspectorate's (None); nobody else has any."""
    if not looks_after_webhooks(user):
        raise PermissionDenied(
            "Webhooks are looked after by force leads and inspectors."
        )
    return None if sees_every_force(user) else user.force


@page_with_form
@login_required
def webhook_list(request):
    force = _their_force(request.user)
    form = WebhookForm()
    status = 200
    if request.method == "POST":
        form = WebhookForm(request.POST)
        if form.is_valid():
            try:
                webhook, secret = services.webhook_create(
                    request.user, force=force, **form.cleaned_data
                )
            except WorkflowError as error:
                refuse_on_form(form, error)
            else:
                request.session[NEW_SECRET] = [webhook.pk, secret]
                messages.success(request, f"The webhook “{webhook.name}” is made.")
                return redirect(webhook)
        status = 400
    context = {
        "form": form,
        "force": force,
        "webhooks": visible_webhooks(request.user).select_related("force"),
    }
    return render(request, "tracker/webhooks.html", context, status=status)


def _load(request, pk):
    webhook = get_visible_or_404(
        visible_webhooks(request.user).select_related("force", "created_by"), pk=pk
    )
    if not may_manage_webhooks(request.user, webhook.force):
        raise PermissionDenied
    return webhook


@require_safe
@login_required
def webhook_detail(request, pk):
    """Its settings, the secret once after it is made or renewed, and its log."""
    webhook = _load(request, pk)
    new = request.session.pop(NEW_SECRET, None)
    deliveries = webhook.deliveries.order_by("-created_at", "-pk")
    context = {
        "webhook": webhook,
        "new_secret": new[1] if new and new[0] == webhook.pk else None,
        "deliveries": deliveries[:LOG_LENGTH],
        "total": deliveries.count(),
        "failed": deliveries.filter(status=WebhookDelivery.Status.FAILED).count(),
        "waiting": deliveries.filter(
            status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.SENDING]
        ).count(),
        "log_length": LOG_LENGTH,
    }
    return render(request, "tracker/webhook_detail.html", context)


@page_with_form
@login_required
def webhook_edit(request, pk):
    webhook = _load(request, pk)
    form = WebhookForm(
        request.POST or None,
        initial={"name": webhook.name, "url": webhook.url, "kinds": webhook.kinds},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.webhook_update(request.user, webhook, **form.cleaned_data)
            except WorkflowError as error:
                refuse_on_form(form, error)
            else:
                messages.success(request, f"The webhook “{webhook.name}” is saved.")
                return redirect(webhook)
        status = 400
    return render(
        request,
        "tracker/webhook_edit.html",
        {"webhook": webhook, "form": form},
        status=status,
    )


@page_with_form
@login_required
def webhook_remove(request, pk):
    webhook = _load(request, pk)
    if request.method == "POST":
        services.webhook_delete(request.user, webhook)
        messages.success(request, f"The webhook “{webhook.name}” is removed.")
        return redirect("tracker:webhooks")
    return render(
        request,
        "tracker/webhook_remove.html",
        {
            "webhook": webhook,
            "waiting": webhook.deliveries.filter(
                status=WebhookDelivery.Status.PENDING
            ).count(),
        },
    )


def _said(request, webhook, words: str):
    messages.success(request, words)
    return redirect(webhook)


@require_POST
@login_required
def webhook_move(request, pk, move):
    webhook = _load(request, pk)
    user = request.user
    match move:
        case "pause":
            services.webhook_pause(user, webhook)
            return _said(
                request,
                webhook,
                "The webhook is paused: events wait here until you resume it.",
            )
        case "resume":
            services.webhook_resume(user, webhook)
            return _said(
                request, webhook, "The webhook is resumed: waiting events go now."
            )
        case "new-secret":
            secret = services.webhook_new_secret(user, webhook)
            request.session[NEW_SECRET] = [webhook.pk, secret]
            return _said(
                request,
                webhook,
                "The webhook has a new secret: the old one no longer signs its events.",
            )
        case "ping":
            services.webhook_ping(user, webhook)
            return _said(
                request, webhook, "A test event is on its way: see it in the log below."
            )
        case "send-again":
            count = services.webhook_send_again(user, webhook, webhook.deliveries.all())
            return _said(
                request,
                webhook,
                f"{count} failed event{'' if count == 1 else 's'} will be sent again."
                if count
                else "No event had failed.",
            )
    raise AssertionError(f"unrouted move {move}")


WEBHOOK_MOVES = ("pause", "resume", "new-secret", "ping", "send-again")
