"""The action list's filters: the same for the page, the CSV and the Excel export."""

import datetime
import re

import django_filters
from django import forms
from django.db.models import F, Q
from django.utils import timezone

from .date_input import DateField
from .formats import long_date
from .forms import IdChoiceMixin, is_id
from .models import (
    FORCE_ROLES,
    Action,
    Finding,
    Force,
    Inspection,
    Theme,
    User,
    owned_or_helped_by,
)
from .permissions import sees_every_force
from .selectors import visible_forces, visible_inspections

# Undated actions come after the dated in either order, on every database (each
# puts NULL at a different end). Both orders are read off an index on PostgreSQL:
# soonest first off (deadline, id), latest first off the indexes of migration 0009.
UNDATED_LAST = {
    "deadline": F("deadline").asc(nulls_last=True),
    "-deadline": F("deadline").desc(nulls_last=True),
}


class DayMonthYearFilter(django_filters.DateFilter):
    """A date filter typed as day, month and year, or given as ISO in a link."""

    field_class = DateField


class IdChoiceField(IdChoiceMixin, django_filters.fields.ModelChoiceField):
    pass


class IdChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = IdChoiceField


class ActionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="search")
    force = IdChoiceFilter(queryset=Force.objects.none(), empty_label="All forces")
    inspection = IdChoiceFilter(
        queryset=Inspection.objects.none(), empty_label="All inspections"
    )
    programme = django_filters.ChoiceFilter(
        field_name="inspection__programme", choices=[], empty_label="All programmes"
    )
    kind = django_filters.ChoiceFilter(
        field_name="finding__kind",
        choices=Finding.Kind.choices,
        label="Finding kind",
        empty_label="All kinds",
    )
    status = django_filters.MultipleChoiceFilter(
        choices=Action.Status.choices,
        widget=forms.CheckboxSelectMultiple,
        # A column of the action itself: no join, so no duplicates to remove (the
        # default DISTINCT made PostgreSQL sort every matching row, and count them so).
        distinct=False,
    )
    owner = IdChoiceFilter(queryset=User.objects.none(), empty_label="Anyone")
    mine = django_filters.BooleanFilter(
        label="Mine only (I own it or help with it)",
        method="filter_mine",
        widget=forms.CheckboxInput,
    )
    overdue = django_filters.BooleanFilter(
        label="Overdue only", method="filter_overdue", widget=forms.CheckboxInput
    )
    set_by = django_filters.ChoiceFilter(
        field_name="deadline_set_by",
        choices=Action.DeadlineSetBy.choices,
        label="Deadline set by",
        empty_label="Anyone",
    )
    due_before = DayMonthYearFilter(
        field_name="deadline", lookup_expr="lte", label="Due on or before"
    )
    theme = IdChoiceFilter(
        field_name="finding__themes",
        queryset=Theme.objects.all(),
        empty_label="All themes",
    )
    sort = django_filters.OrderingFilter(
        label="Sort by",
        fields=[
            ("deadline", "deadline"),
            ("status", "status"),
            ("title", "title"),
            ("force__name", "force"),
            ("updated_at", "updated"),
            ("percent_complete", "percent"),
        ],
        # django-filter names an ascending choice by its field, a descending one
        # by "-" and its parameter.
        field_labels={
            "deadline": "Deadline (soonest first)",
            "-deadline": "Deadline (latest first)",
            "status": "Status (A to Z)",
            "-status": "Status (Z to A)",
            "title": "Title",
            "-title": "Title (Z to A)",
            "force__name": "Force",
            "-force": "Force (Z to A)",
            "updated_at": "Least recently updated",
            "-updated": "Most recently updated",
            "percent_complete": "Least complete",
            "-percent": "Most complete",
        },
        # No empty choice: without one the list is in its first order, soonest first.
        empty_label=None,
    )

    class Meta:
        model = Action
        fields = []

    def __init__(self, data=None, queryset=None, *, user, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.user = user
        if not user.is_force_user:
            del self.filters["mine"]  # only force staff and leads own actions
        inspections = (
            visible_inspections(user)
            .select_related("force")
            .order_by("force__name", "-published_on")
        )
        self.filters["inspection"].queryset = inspections
        self.filters["programme"].extra["choices"] = [
            (p, p)
            for p in inspections.order_by("programme")
            .values_list("programme", flat=True)
            .distinct()
        ]
        people = User.objects.filter(role__in=FORCE_ROLES, is_active=True)
        if sees_every_force(user):
            self.filters["force"].queryset = Force.objects.all()
            # Nationally there are hundreds of inspections and people: offer those of
            # the chosen force (and keep one named in the address valid).
            data = data or {}
            force_id, inspection_id, owner_id = (
                data.get(name) if is_id(data.get(name, "")) else None
                for name in ("force", "inspection", "owner")
            )
            self.filters["inspection"].queryset = inspections.filter(
                Q(force_id=force_id) | Q(pk=inspection_id)
            )
            people = people.filter(Q(force_id=force_id) | Q(pk=owner_id))
        else:
            del self.filters["force"]
            people = people.filter(force_id=user.force_id)
        self.filters["owner"].queryset = people.order_by(
            "first_name", "last_name", "email"
        )

    def in_words(self) -> list[tuple[str, str]]:
        """The filters used and the order, each as the form labels it and its value
        in words, for an export to say how its rows were chosen. Call after is_valid."""
        used = []
        for name, field in self.form.fields.items():
            value = self.form.cleaned_data.get(name)
            if name == "sort" or value in (None, "", [], False):
                continue
            if isinstance(value, list):
                # In the form's order, whatever the address's.
                words = ", ".join(
                    str(label) for key, label in field.choices if key in value
                )
            elif isinstance(field, forms.ModelChoiceField):
                words = str(value)
            elif isinstance(field, forms.ChoiceField):
                words = str(dict(field.choices)[value])
            elif value is True:
                words = "Yes"
            elif isinstance(value, datetime.date):
                words = long_date(value)
            else:
                words = str(value).strip()
            used.append((str(field.label), words))
        sort = self.form.fields["sort"]
        order = (self.form.cleaned_data.get("sort") or ["deadline"])[0]
        return [
            *(used or [("Filters", "None")]),
            (str(sort.label), str(dict(sort.choices)[order])),
        ]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # An action's reference, as an export or its page gives it (WMP-A1234).
        reference = re.fullmatch(r"([a-z]+)-a(\d{1,18})", value, re.IGNORECASE)
        by_reference = (
            Q(force__code__iexact=reference[1], pk=int(reference[2]))
            if reference
            else Q()
        )
        return queryset.filter(
            Q(title__icontains=value)
            | Q(description__icontains=value)
            | Q(finding__reference__iexact=value)
            | Q(finding__text__icontains=value)
            | by_reference
        )

    def filter_mine(self, queryset, name, value):
        return queryset.filter(owned_or_helped_by(self.user)) if value else queryset

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue(timezone.localdate()) if value else queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        ordering = [
            UNDATED_LAST.get(term, term) for term in queryset.query.order_by
        ] or [UNDATED_LAST["deadline"]]
        # A final unique key keeps pages stable: no row on two pages, none on neither.
        return queryset.order_by(*ordering, "pk")


class FindingFilter(django_filters.FilterSet):
    """The findings list's filters: force (for readers of every force), status, kind."""

    force = IdChoiceFilter(queryset=Force.objects.none(), empty_label="All forces")
    status = django_filters.MultipleChoiceFilter(
        choices=Finding.Status.choices,
        widget=forms.CheckboxSelectMultiple,
        distinct=False,  # a column of the finding itself: no duplicates to remove
    )
    kind = django_filters.ChoiceFilter(
        choices=Finding.Kind.choices, empty_label="All kinds"
    )

    class Meta:
        model = Finding
        fields = []

    def __init__(self, data=None, queryset=None, *, user, **kwargs):
        super().__init__(data, queryset, **kwargs)
        if sees_every_force(user):
            self.filters["force"].queryset = visible_forces(user)
        else:
            del self.filters["force"]  # a force user's findings are their force's

    def filter_queryset(self, queryset):
        return (
            super()
            .filter_queryset(queryset)
            .order_by(
                "force__name",
                F("inspection__published_on").desc(nulls_last=True),
                "inspection_id",
                "order",
                "pk",
            )
        )


class QueueFilter(forms.Form):
    """A work queue's force, "my forces" and order, from the page's address."""

    force = forms.ModelChoiceField(
        queryset=Force.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label="All forces",
        error_messages={
            "invalid_choice": "“%(value)s” is not one of the forces whose work you see."
        },
    )
    mine = forms.BooleanField(
        required=False, label="My forces only (those I am the inspector contact for)"
    )
    sort = forms.ChoiceField(
        choices=[("oldest", "Longest waiting first"), ("newest", "Newest first")],
        required=False,
        label="Order",
    )

    def __init__(self, data, *, user):
        super().__init__(data)
        self.user = user
        self.fields["force"].queryset = visible_forces(user)
        if not sees_every_force(user):
            # A force user's queues are of their force: no choice to offer, but a
            # force named in the address is still checked (another's is refused).
            self.fields["force"].widget = forms.HiddenInput()
            del self.fields["mine"]

    def apply(self, rows, force_field: str = "force"):
        """The rows of the chosen force (or the reader's forces), longest waiting first
        unless newest first was asked for; a final unique key keeps pages stable."""
        data = self.cleaned_data
        if data.get("force"):
            rows = rows.filter(**{force_field: data["force"]})
        if data.get("mine"):
            rows = rows.filter(**{f"{force_field}__inspector_contact": self.user})
        if data.get("sort") == "newest":
            return rows.order_by(F("waiting_since").desc(nulls_last=True), "-pk")
        return rows.order_by(F("waiting_since").asc(nulls_last=True), "pk")
