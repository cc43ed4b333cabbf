"""The national comparison for inspectors: every force, one theme across forces, and
the national reports' findings with every addressee's progress on each."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.core.validators import slug_re
from django.http import Http404, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from ..models import Action, Finding, Theme
from ..permissions import may_read_national
from ..selectors import get_visible_or_404
from ..selectors.dashboards import (
    national_comparison,
    national_findings,
    national_roll_up,
    sort_forces,
    theme_findings,
)
from ..spreadsheets import Column, Sheet, workbook_response

# The national table's sortable columns, as (?sort= name, heading), in their order.
COLUMNS = [
    ("force", "Force"),
    ("findings", "Findings"),
    *Finding.Status.choices,
    ("actions", "Actions"),
    ("closed", "Actions closed"),
    ("overdue", "Overdue actions"),
    ("overdue_inspectorate", "Overdue inspectorate deadlines"),
]


# National findings a page: the inspectorate publishes more every year.
NATIONAL_FINDINGS_PER_PAGE = 50


def _require_national(user) -> None:
    if not may_read_national(user):
        raise PermissionDenied("The national view is for inspectors.")


def _count_links(force) -> dict[str, str]:
    """Where each of a force's counts leads: the list of what it counts."""
    findings = reverse("tracker:finding-list")
    actions = reverse("tracker:action-list")
    closed = [("status", status) for status in Action.CLOSED_STATUSES]
    overdue = {"force": force.pk, "overdue": "on"}
    return {
        "findings": f"{findings}?{urlencode({'force': force.pk})}",
        **{
            status: f"{findings}?{urlencode({'force': force.pk, 'status': status})}"
            for status in Finding.Status.values
        },
        "actions": f"{actions}?{urlencode({'force': force.pk})}",
        "closed": f"{actions}?{urlencode([('force', force.pk), *closed])}",
        "overdue": f"{actions}?{urlencode(overdue)}",
        "overdue_inspectorate": f"{actions}?"
        + urlencode({**overdue, "set_by": Action.DeadlineSetBy.INSPECTORATE}),
    }


def _headings(query: QueryDict, column: str, descending: bool) -> list[dict]:
    """Each column's heading: a link that sorts by it (forces A to Z first, figures
    largest first; the sorted column's link turns its order round) and, on the
    sorted one, its aria-sort."""
    headings = []
    for key, label in COLUMNS:
        if key == column:
            wanted = key if descending else f"-{key}"
        else:
            wanted = key if key == "force" else f"-{key}"
        link = query.copy()
        link["sort"] = wanted
        headings.append(
            {
                "key": key,
                "label": label,
                "href": f"?{link.urlencode()}",
                "sort": (
                    ("descending" if descending else "ascending")
                    if key == column
                    else None
                ),
            }
        )
    return headings


@require_safe
@login_required
def national(request):
    """Every force against finding and action status, overdue work, ageing, and one theme."""
    user = request.user
    _require_national(user)
    today = timezone.localdate()
    comparison = national_comparison(user, today)
    forces, column, descending = sort_forces(
        comparison["forces"], request.GET.get("sort", "")
    )
    theme = None
    theme_rows = []
    theme_missing = []
    themes = Theme.objects.all()
    if request.GET.get("theme"):
        if not slug_re.match(request.GET["theme"]):
            raise Http404("No such theme.")
        theme = get_visible_or_404(themes, slug=request.GET["theme"])
        theme_rows = list(theme_findings(user, theme))
        answered = {finding.force_id for finding in theme_rows}
        theme_missing = [
            row["force"]
            for row in comparison["forces"]
            if row["force"].pk not in answered
        ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "tracker/national.html",
        {
            "forces": [{**row, "links": _count_links(row["force"])} for row in forces],
            "headings": _headings(query, column, descending),
            "sort": f"-{column}" if descending else column,
            "totals": comparison["totals"],
            "finding_statuses": Finding.Status.choices,
            "themes": themes,
            "theme": theme,
            "theme_rows": theme_rows,
            "theme_missing": theme_missing,
            "charts": comparison["charts"],
        },
    )


@require_safe
@login_required
def national_finding_list(request):
    """The national reports' findings, each with how far its addressees have got."""
    _require_national(request.user)
    paginator = Paginator(national_findings(request.user), NATIONAL_FINDINGS_PER_PAGE)
    nationals = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "tracker/national_findings.html",
        {
            "nationals": nationals,
            "national_pages": paginator.get_elided_page_range(
                nationals.number, on_each_side=2, on_ends=1
            ),
        },
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


# The export's columns, and each row's figure in them.
EXPORT_COLUMNS = [
    (Column("Force", 28), lambda row: row["force"].name),
    (Column("Findings", 10, "integer"), lambda row: row["findings"].get("total", 0)),
    *(
        (
            Column(label, max(len(label), 10), "integer"),
            lambda row, s=status: row["findings"].get(s, 0),
        )
        for status, label in Finding.Status.choices
    ),
    (
        Column("Findings complete (%)", 12, "percent"),
        lambda row: row["shares"]["complete"],
    ),
    (Column("Actions", 10, "integer"), lambda row: row["actions"].get("total", 0)),
    (
        Column("Actions closed", 12, "integer"),
        lambda row: row["actions"].get("closed", 0),
    ),
    (Column("Actions closed (%)", 12, "percent"), lambda row: row["shares"]["closed"]),
    (Column("Open actions", 12, "integer"), lambda row: row["actions"]["open"]),
    (
        Column("Overdue actions", 12, "integer"),
        lambda row: row["actions"].get("overdue", 0),
    ),
    (
        Column("Open actions overdue (%)", 12, "percent"),
        lambda row: row["shares"]["overdue"],
    ),
    (
        Column("Overdue inspectorate deadlines", 16, "integer"),
        lambda row: row["actions"].get("overdue_inspectorate", 0),
    ),
]


@require_safe
@login_required
def national_export(request):
    """The national table as an Excel workbook, in the order the page was sorted."""
    user = request.user
    _require_national(user)
    today = timezone.localdate()
    forces, _, _ = sort_forces(
        national_comparison(user, today)["forces"], request.GET.get("sort", "")
    )
    sheet = Sheet(
        "Forces",
        [column for column, _ in EXPORT_COLUMNS],
        ([figure(row) for _, figure in EXPORT_COLUMNS] for row in forces),
        freeze="B2",  # the force's name stays in view
    )
    about = [("What this is", "The national view: every police force's figures")]
    return workbook_response(
        request, f"peel-national-{today:%Y-%m-%d}.xlsx", [sheet], about
    )
