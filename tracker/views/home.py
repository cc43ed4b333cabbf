"""The home page: a person's own work, what waits for them, and the figures they may see."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from ..permissions import sees_every_force
from ..selectors import queues
from ..selectors.dashboards import (
    HOME_ROWS,
    home_figures,
    my_work,
)


@require_safe
@login_required
def home(request):
    user = request.user
    today = timezone.localdate()
    context = {"today": today, "home_rows": HOME_ROWS}
    for band, (rows, count) in my_work(user, today).items():
        context[band], context[f"{band}_count"] = rows, count
    if user.is_force_lead:
        # The same rows as the queues, in the lists' order: by deadline, and longest waiting.
        context["awaiting_sign_off"] = queues.awaiting_sign_off(user).order_by(
            "deadline", "pk"
        )[:HOME_ROWS]
    if sees_every_force(user):
        context["closure_requests"] = queues.closure_requests_waiting(user).order_by(
            "status_changed_at"
        )[:HOME_ROWS]
    if user.force_id:
        context["force"] = user.force
    context["queues"] = queues.queue_counts(user, today)
    summary, charts, forces = home_figures(user, today)
    context["summary"], context["charts"] = summary, charts
    if forces is not None:
        context["forces"] = forces
    return render(request, "tracker/home.html", context)
