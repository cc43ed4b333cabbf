"""The action list's own filters (tracker.filters.ActionFilter), for the API."""

import copy

from django_filters.rest_framework import DjangoFilterBackend

from ..filters import ActionFilter


class ApiActionFilter(ActionFilter):
    """The page's filters, less its sort: the API's pages are in one fixed order,
    which is what lets a cursor carry on where the last page stopped."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters.pop("sort", None)


# Copies, not the page's own filters: the schema generator caches a form field on
# each filter it reads, which would then stand in the action list's filters too
# (its export stopped saying which statuses it was filtered by).
ApiActionFilter.base_filters = {
    name: copy.deepcopy(field)
    for name, field in ActionFilter.base_filters.items()
    if name != "sort"
}


class ActionFilterBackend(DjangoFilterBackend):
    """django-filter's backend, telling the filters who asks (what they offer follows it)."""

    def get_filterset_kwargs(self, request, queryset, view):
        return {
            **super().get_filterset_kwargs(request, queryset, view),
            "user": request.user,
        }
