"""The work queues: what waits for someone, a page at a time, longest waiting first."""

import datetime
from collections.abc import Callable
from typing import NamedTuple

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from .. import permissions
from ..filters import QueueFilter
from ..selectors import queues


class Queue(NamedTuple):
    title: str
    rows: Callable  # (user, today) -> the queue's queryset, `waiting_since` annotated
    may_read: Callable  # a rule of permissions.py
    kind: str  # "actions", "findings" or "requests": the rows the page shows
    waiting: str  # what the waiting column says
    refusal: str
    force_field: str = "force"


INSPECTORATE = "The inspectorate's queues are for inspectors."
FORCE = "These queues list a force's work, for its staff and its lead."
LEAD = "This queue is for the force lead."

QUEUES = {
    "closure-requests": Queue(
        "Closure requests waiting",
        lambda user, today: queues.closure_requests_waiting(user),
        permissions.may_read_inspectorate_queues,
        "findings",
        "Requested",
        INSPECTORATE,
    ),
    "deadline-requests": Queue(
        "Deadline change requests waiting",
        lambda user, today: queues.deadline_requests_waiting(user),
        permissions.may_read_inspectorate_queues,
        "requests",
        "Asked",
        INSPECTORATE,
        force_field="action__force",
    ),
    "overdue-findings": Queue(
        "Findings with overdue actions",
        queues.overdue_findings,
        permissions.may_read_inspectorate_queues,
        "findings",
        "Overdue since",
        INSPECTORATE,
    ),
    "sign-off": Queue(
        "Awaiting sign-off",
        lambda user, today: queues.awaiting_sign_off(user),
        permissions.may_read_force_queues,
        "actions",
        "Marked done",
        FORCE,
    ),
    "overdue": Queue(
        "Overdue actions",
        queues.overdue_actions,
        permissions.may_read_force_queues,
        "actions",
        "Days overdue",
        FORCE,
    ),
    "due-soon": Queue(
        f"Due in the next {queues.DUE_SOON_DAYS} days",
        queues.due_soon,
        permissions.may_read_force_queues,
        "actions",
        "Due in",
        FORCE,
    ),
    "returned": Queue(
        "Returned for more work",
        lambda user, today: queues.returned(user),
        permissions.may_read_force_queues,
        "actions",
        "Returned",
        FORCE,
    ),
    "ready-for-closure": Queue(
        "Ready to request closure",
        lambda user, today: queues.ready_for_closure(user),
        permissions.may_read_lead_queues,
        "findings",
        "Ready since",
        LEAD,
    ),
    "closure-declined": Queue(
        "Closure declined by the inspector",
        lambda user, today: queues.closure_declined(user),
        permissions.may_read_lead_queues,
        "findings",
        "Declined",
        LEAD,
    ),
    "my-deadline-requests": Queue(
        "Deadline change requests I made",
        lambda user, today: queues.my_deadline_requests(user),
        permissions.may_read_lead_queues,
        "requests",
        "Asked",
        LEAD,
        force_field="action__force",
    ),
}


def _days(since, today: datetime.date) -> int:
    if isinstance(since, datetime.datetime):
        since = timezone.localdate(since)
    return (today - since).days


@require_safe
@login_required
def queue(request, name: str):
    """One queue: its rows for the reader, filtered by force and ordered by waiting."""
    spec = QUEUES[name]
    user = request.user
    if not spec.may_read(user):
        raise PermissionDenied(spec.refusal)
    today = timezone.localdate()
    form = QueueFilter(request.GET, user=user)
    rows = spec.rows(user, today)
    if form.is_valid():
        rows = form.apply(rows, spec.force_field)
    else:
        # No rows rather than rows the filter did not ask for; the page says why.
        rows = rows.none()
    paginator = Paginator(rows, queues.QUEUE_PAGE_SIZE)
    number = request.GET.get("page")
    page = paginator.get_page(paginator.num_pages if number == "last" else number)
    # The page's rows by their own query, also when there are none: a page costs
    # the same queries however much waits.
    first = (page.number - 1) * queues.QUEUE_PAGE_SIZE
    page.object_list = list(rows[first : first + queues.QUEUE_PAGE_SIZE])
    for row in page.object_list:
        # Days since, or for work due soon days until.
        row.days = abs(_days(row.waiting_since, today))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "queue": spec,
        "name": name,
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "today": today,
        # Every page a click away: the first, the last and those around this one.
        "page_numbers": list(
            paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
        ),
    }
    if name == "overdue-findings" and form.is_valid():
        # Each force's count links to its rows: the lists by force.
        context["by_force"] = queues.overdue_findings_by_force(
            spec.rows(user, today).filter(**_mine(form, user))
        )
    return render(
        request,
        "tracker/queues/queue.html",
        context,
        status=200 if form.is_valid() else 400,
    )


def _mine(form: QueueFilter, user) -> dict:
    return {"force__inspector_contact": user} if form.cleaned_data.get("mine") else {}
