"""The national comparison for inspectors: every force, one theme across forces, and
the national reports' findings with every addressee's progress on each."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.validators import slug_re
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from ..models import Finding, Theme
from ..permissions import may_read_national
from ..selectors import get_visible_or_404
from ..selectors.dashboards import (
    national_comparison,
    national_findings,
    national_roll_up,
    theme_findings,
)


def _require_national(user) -> None:
    if not may_read_national(user):
        raise PermissionDenied("The national view is for inspectors.")


@require_safe
@login_required
def national(request):
    """Every force against finding and action status, overdue work, ageing, and one theme."""
    user = request.user
    _require_national(user)
    today = timezone.localdate()
    comparison = national_comparison(user, today)
    theme = None
    theme_rows = []
    themes = Theme.objects.all()
    if request.GET.get("theme"):
        if not slug_re.match(request.GET["theme"]):
            raise Http404("No such theme.")
        theme = get_visible_or_404(themes, slug=request.GET["theme"])
        theme_rows = theme_findings(user, theme)
    return render(
        request,
        "tracker/national.html",
        {
            "forces": comparison["forces"],
            "totals": comparison["totals"],
            "finding_statuses": Finding.Status.choices,
            "themes": themes,
            "theme": theme,
            "theme_rows": theme_rows,
            "charts": comparison["charts"],
        },
    )


@require_safe
@login_required
def national_finding_list(request):
    """The national reports' findings, each with how far its addressees have got."""
    _require_national(request.user)
    return render(
        request,
        "tracker/national_findings.html",
        {"nationals": national_findings(request.user)},
    )


@require_safe
@login_required
def national_finding_detail(request, pk):
    """One national finding: each addressee's copy with its status and progress."""
    _require_national(request.user)
    national = get_visible_or_404(national_findings(request.user), pk=pk)
    return render(
        request,
        "tracker/national_finding.html",
        {"national": national, "copies": national_roll_up(request.user, national)},
    )
