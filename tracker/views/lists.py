"""The action list with its filters, and the same rows as CSV or Excel; the findings
list (by force, status and kind) that the national view's counts lead to."""

import hashlib

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from ..exports import csv_response, xlsx_response
from ..filters import ActionFilter, FindingFilter
from ..forms import BulkForm
from ..paging import FromEitherEnd
from ..permissions import may_tick_in_bulk, sees_every_force
from ..selectors import visible_actions, visible_findings
from ..selectors.dashboards import cached_nationally

LIST_PAGE_SIZE = 50


def _filtered_actions(request) -> ActionFilter:
    # Always bound, so that the list without a query string gets the filter's
    # ordering (deadline, pk) rather than the model's ordering across four joins.
    return ActionFilter(
        request.GET, queryset=visible_actions(request.user), user=request.user
    )


def _list_count(user, ids, query) -> int:
    """How many actions the list holds. A force's own are counted off its indexes;
    every force's (hundreds of thousands) are counted once per change to any of
    them, for the same filters: every reader of every force sees the same list."""
    if not sees_every_force(user):
        return ids.count()
    filters = hashlib.sha1(
        urlencode(sorted(query.lists()), doseq=True).encode()
    ).hexdigest()[:16]
    return cached_nationally(
        f"action-list-count:{filters}", timezone.localdate(), ids.count
    )


@require_safe
@login_required
def action_list(request):
    action_filter = _filtered_actions(request)
    if not action_filter.is_valid():
        # No rows rather than rows the filter did not ask for; the form says why.
        action_filter.queryset = action_filter.queryset.none()
    rows = action_filter.qs.select_related(
        "owner", "finding", "force", "inspection"
    ).with_rag()
    query = request.GET.copy()
    query.pop("page", None)
    # Page through the ids alone (an index-only scan, from whichever end is nearer
    # the page), then fetch the page's rows with their joins.
    ids = action_filter.qs.values_list("pk", flat=True)
    paginator = FromEitherEnd(
        ids, LIST_PAGE_SIZE, count=_list_count(request.user, ids, query)
    )
    number = request.GET.get("page")
    page = paginator.get_page(paginator.num_pages if number == "last" else number)
    page.object_list = list(rows.filter(pk__in=list(page.object_list)))
    # A force lead ticks actions and changes them together: the form is there only
    # above actions it can change (not above closed ones, nor an empty list).
    tickable = {
        action.pk
        for action in page.object_list
        if may_tick_in_bulk(request.user, action)
    }
    context = {
        "filter": action_filter,
        "page": page,
        "query": query.urlencode(),
        "bulk_form": BulkForm(force_id=request.user.force_id) if tickable else None,
        "tickable": tickable,
        # Every page a click away: the first, the last and those around this one.
        "page_numbers": list(
            paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
        ),
    }
    # htmx asks for the results alone when a filter changes; without JavaScript
    # the same GET returns the whole page.
    partial = request.headers.get("HX-Request") == "true"
    template = (
        "tracker/_action_list_results.html" if partial else "tracker/action_list.html"
    )
    # htmx swaps in only a 200: the results it asked for then say what is wrong.
    status = 200 if partial or action_filter.is_valid() else 400
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_safe
@login_required
def action_export(request, fmt):
    action_filter = _filtered_actions(request)
    if not action_filter.is_valid():
        fields = action_filter.form.fields
        problems = " ".join(
            f"{fields[name].label if name in fields else 'Filters'}: {' '.join(errors)}"
            for name, errors in action_filter.errors.items()
        )
        return HttpResponseBadRequest(
            f"These filters cannot be exported. {problems}",
            content_type="text/plain; charset=utf-8",
        )
    if fmt == "csv":
        return csv_response(request, action_filter.qs)
    if fmt == "xlsx":
        return xlsx_response(request, action_filter)
    raise Http404("Exports come as csv or xlsx.")


@require_safe
@login_required
def finding_list(request):
    """The findings the reader sees, filtered: the list a national count counts."""
    finding_filter = FindingFilter(
        request.GET, queryset=visible_findings(request.user), user=request.user
    )
    if not finding_filter.is_valid():
        finding_filter.queryset = finding_filter.queryset.none()
    paginator = Paginator(
        finding_filter.qs.select_related("force", "inspection"), LIST_PAGE_SIZE
    )
    number = request.GET.get("page")
    page = paginator.get_page(paginator.num_pages if number == "last" else number)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "tracker/finding_list.html",
        {
            "filter": finding_filter,
            "page": page,
            "query": query.urlencode(),
            "page_numbers": list(
                paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
            ),
        },
        status=200 if finding_filter.is_valid() else 400,
    )
