"""A person's notifications: the list (unread first), opening one, marking read, their choices."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from .. import services
from ..forms import NotificationPreferencesForm
from ..models import NotificationPreference
from ..notifications.kinds import LABELS
from ..selectors import get_visible_or_404, visible_notifications
from ..services import WorkflowError
from .common import page_with_form, refuse_on_form

PAGE_SIZE = 25


@require_safe
@login_required
def notification_list(request):
    notifications = visible_notifications(request.user)
    unread_only = request.GET.get("show") == "unread"
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    ordered = (
        notifications.annotate(
            unread=ExpressionWrapper(
                Q(read_at__isnull=True), output_field=BooleanField()
            )
        )
        .select_related("actor", "action__finding", "finding", "inspection")
        .order_by("-unread", "-created_at", "-pk")
    )
    page = Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "tracker/notifications.html",
        {
            "page": page,
            "unread_only": unread_only,
            # (The header's count, `unread_notifications`, says how many are unread.)
        },
    )


@require_POST
@login_required
def notification_open(request, pk):
    """Follow a notification to what it is about, marking it read on the way.

    A form, not a link: opening a page never changes anything.
    """
    notification = get_visible_or_404(visible_notifications(request.user), pk=pk)
    services.notifications_mark_read(request.user, notification)
    return redirect(notification.get_absolute_url())


@require_POST
@login_required
def notification_read(request, pk):
    notification = get_visible_or_404(visible_notifications(request.user), pk=pk)
    services.notifications_mark_read(request.user, notification)
    return redirect(_back(request))


@require_POST
@login_required
def notifications_read_all(request):
    count = services.notifications_mark_read(request.user)
    messages.success(
        request,
        f"{count} notification{'' if count == 1 else 's'} marked read."
        if count
        else "Nothing was unread.",
    )
    return redirect(_back(request))


def _back(request) -> str:
    """Back to the list as it was (its page and filter), never off the site."""
    from django.urls import reverse
    from django.utils.http import url_has_allowed_host_and_scheme

    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return back
    return reverse("tracker:notifications")


@page_with_form
@login_required
def notification_preferences(request):
    current = dict(
        NotificationPreference.objects.filter(user=request.user).values_list(
            "kind", "delivery"
        )
    )
    form = NotificationPreferencesForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.notification_preferences_update(request.user, form.cleaned_data)
        except WorkflowError as error:
            refuse_on_form(form, error)
        else:
            messages.success(request, "Your notification choices are saved.")
            return redirect("tracker:notification-preferences")
    return render(
        request,
        "tracker/notification_preferences.html",
        {"form": form, "labels": LABELS},
        status=400 if form.errors else 200,
    )
