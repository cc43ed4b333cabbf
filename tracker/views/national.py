"""The national comparison for inspectors: every force, and one theme across forces."""

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
from ..selectors.dashboards import national_comparison, theme_findings


@require_safe
@login_required
def national(request):
    """Every force against finding and action status, overdue work, ageing, and one theme."""
    user = request.user
    if not may_read_national(user):
        raise PermissionDenied("The national view is for inspectors.")
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
