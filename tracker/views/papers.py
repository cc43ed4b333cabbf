"""The papers people take to meetings: a force's committee pack, one inspection's
pack, and the inspectors' national brief, each as PDF or Word."""

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from .. import services
from ..forms import NationalBriefForm, PaperForm
from ..models import Paper
from ..papers import brief_file, pack_file
from ..permissions import may_make_committee_pack, may_read_national
from ..selectors import get_visible_or_404, visible_forces, visible_inspections
from ..selectors.papers import Period, committee_pack, last_paper, national_brief
from .common import page_with_form

# With no pack made before, a pack covers the last quarter.
FIRST_PERIOD_DAYS = 91


def _initial(user, force, kind, inspection=None) -> dict:
    """From the day after the last pack's period to today: what changed since it."""
    today = timezone.localdate()
    previous = last_paper(user, force, kind, inspection)
    start = (
        previous.period_end + datetime.timedelta(days=1)
        if previous and previous.period_end < today
        else today - datetime.timedelta(days=FIRST_PERIOD_DAYS)
    )
    return {
        "start": start,
        "end": today,
        "marking": force.protective_marking,
        "format": Paper.Format.PDF,
    }


def _pack_page(request, force, inspection=None):
    if not may_make_committee_pack(request.user, force):
        raise PermissionDenied(
            "A force's packs are for its force lead and for inspectors."
        )
    kind = Paper.Kind.INSPECTION if inspection else Paper.Kind.COMMITTEE
    form = PaperForm(
        request.POST or None, initial=_initial(request.user, force, kind, inspection)
    )
    if request.method == "POST" and form.is_valid():
        period = Period(form.cleaned_data["start"], form.cleaned_data["end"])
        marking = form.cleaned_data["marking"]
        pack = committee_pack(
            request.user, force, period, inspection=inspection, marking=marking
        )
        response = pack_file(pack, form.cleaned_data["format"], request)
        services.paper_record(
            request.user,
            kind=kind,
            format=form.cleaned_data["format"],
            force=force,
            inspection=inspection,
            period_start=period.start,
            period_end=period.end,
            marking=marking,
        )
        return response
    return render(
        request,
        "tracker/paper_form.html",
        {
            "form": form,
            "force": force,
            "inspection": inspection,
            "previous": last_paper(request.user, force, kind, inspection),
        },
    )


@page_with_form
@login_required
def force_pack(request, slug):
    """A force's committee pack, for the period its lead or an inspector chooses."""
    force = get_visible_or_404(visible_forces(request.user), slug=slug)
    return _pack_page(request, force)


@page_with_form
@login_required
def inspection_pack(request, pk):
    """One report's findings with their progress, for a revisit or a PCC response."""
    inspection = get_visible_or_404(
        visible_inspections(request.user).select_related("force"), pk=pk
    )
    return _pack_page(request, inspection.force, inspection)


@page_with_form
@login_required
def national_brief_page(request):
    """Every force against finding and action status, and one theme across forces."""
    if not may_read_national(request.user):
        raise PermissionDenied("The national brief is for inspectors.")
    form = NationalBriefForm(
        request.POST or None,
        initial={"format": Paper.Format.PDF, "marking": "OFFICIAL"},
    )
    if request.method == "POST" and form.is_valid():
        theme = form.cleaned_data["theme"]
        brief = national_brief(
            request.user, theme, marking=form.cleaned_data["marking"]
        )
        response = brief_file(brief, form.cleaned_data["format"], request)
        today = timezone.localdate()
        services.paper_record(
            request.user,
            kind=Paper.Kind.NATIONAL,
            format=form.cleaned_data["format"],
            theme=theme,
            period_start=today,
            period_end=today,
            marking=form.cleaned_data["marking"],
        )
        return response
    return render(request, "tracker/national_brief_form.html", {"form": form})
