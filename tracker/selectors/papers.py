"""What the papers people take to meetings say: a force's committee pack, one
inspection's pack, and the inspectors' national brief.

Each is read through the visibility door for the person making it, in a fixed
number of queries however many years of work the force has. The figures are as
they stand on the day the paper is made; the period says which changes it
reports (closed, newly overdue, new findings, closure decisions, deadline moves).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import Lag
from django.utils import timezone

from ..formats import long_date
from ..models import (
    PCC_RESPONSE_DAYS,
    PCC_RESPONSE_TITLE,
    Action,
    DeadlineChangeRequest,
    Finding,
    FindingEvent,
    Force,
    Inspection,
    Paper,
    ProgressUpdate,
    Theme,
    User,
    rag_for,
    rag_label,
)
from .dashboards import action_summary, national_comparison, theme_findings
from .visibility import (
    visible_actions,
    visible_deadline_requests,
    visible_findings,
    visible_inspections,
)

# The updates that say how the work is going (as opposed to a move on it).
WORK_KINDS = (
    ProgressUpdate.Kind.PROGRESS,
    ProgressUpdate.Kind.STARTED,
    ProgressUpdate.Kind.MARKED_DONE,
)
CLOSING_KINDS = (
    ProgressUpdate.Kind.SIGNED_OFF,
    ProgressUpdate.Kind.SELF_SIGNED_OFF,
    ProgressUpdate.Kind.WITHDRAWN,
)
CLOSURE_KINDS = (
    FindingEvent.Kind.CLOSURE_REQUESTED,
    FindingEvent.Kind.CLOSURE_AUTHORISED,
    FindingEvent.Kind.CLOSURE_DECLINED,
)
# Reports whose police and crime commissioner's response the pack follows: those
# published in the year before the period ends.
PCC_RECENT_DAYS = 365
# The committee's own words for where the actions stand, in the order it reads them.
COMMITTEE_TERMS = (
    ("awaiting_allocation", "Awaiting allocation"),
    ("in_progress", "In progress"),
    ("pending_sign_off", "Pending sign-off"),
    ("closed", "Closed"),
    ("withdrawn", "Withdrawn"),
)


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date

    def __contains__(self, day: datetime.date | None) -> bool:
        return day is not None and self.start <= day <= self.end

    @property
    def moments(self) -> tuple[datetime.datetime, datetime.datetime]:
        """The period's first and last instants in London, for timestamps."""
        local = timezone.get_current_timezone()
        first = datetime.datetime.combine(self.start, datetime.time.min, local)
        after = datetime.datetime.combine(
            self.end + datetime.timedelta(days=1), datetime.time.min, local
        )
        return first, after


@dataclass
class ActionLine:
    """One action as a pack lists it: with its owner, rating and latest word."""

    action: Action
    depth: int
    rag: str

    @property
    def rating(self) -> str:
        return rag_label(self.rag, self.action.deadline, self.action.done_on)


@dataclass
class FindingSection:
    finding: Finding
    actions: list[ActionLine] = field(default_factory=list)


@dataclass
class InspectionSection:
    inspection: Inspection
    findings: list[FindingSection] = field(default_factory=list)


@dataclass
class DeadlineMove:
    action: Action
    moved_at: datetime.datetime
    old: datetime.date | None
    new: datetime.date | None
    by: str


@dataclass
class PccClock:
    inspection: Inspection
    due: datetime.date
    response: Action | None
    today: datetime.date

    @property
    def state(self) -> str:
        """Where the response stands, in words."""
        if self.response is None:
            return "No response action is tracked"
        if self.response.done_on:
            late = (self.response.done_on - self.due).days
            when = f"Published {long_date(self.response.done_on)}"
            if late > 0:
                return (
                    f"{when}, {late:,} day{'s' if late != 1 else ''} after it was due"
                )
            return when
        if self.response.status in Action.CLOSED_STATUSES:
            return self.response.get_status_display()
        days = (self.due - self.today).days
        if days < 0:
            return f"Overdue by {-days:,} day{'s' if days != -1 else ''}"
        if days == 0:
            return "Due today"
        return f"{days:,} day{'s' if days != 1 else ''} left"


@dataclass
class CommitteePack:
    """A force's (or one inspection's) pack, as the committee reads it."""

    force: Force
    period: Period
    made_at: datetime.datetime
    made_by: User
    today: datetime.date
    inspection: Inspection | None = None
    marking: str = "OFFICIAL"
    previous: Paper | None = None
    summary: dict = field(default_factory=dict)
    terms: list[tuple[str, int]] = field(default_factory=list)
    sections: list[InspectionSection] = field(default_factory=list)
    closed: list[Action] = field(default_factory=list)
    newly_overdue: list[Action] = field(default_factory=list)
    new_findings: list[Finding] = field(default_factory=list)
    closure_events: list[FindingEvent] = field(default_factory=list)
    deadline_moves: list[DeadlineMove] = field(default_factory=list)
    deadline_requests: list[DeadlineChangeRequest] = field(default_factory=list)
    pcc: list[PccClock] = field(default_factory=list)

    @property
    def title(self) -> str:
        if self.inspection:
            return f"Inspection pack: {self.inspection.title}"
        return f"Committee pack: {self.force.name}"

    @property
    def open_count(self) -> int:
        return self.summary["total"] - self.summary["closed"]

    @property
    def open_findings(self) -> int:
        return sum(len(section.findings) for section in self.sections)

    @property
    def nothing_changed(self) -> bool:
        return not (
            self.closed
            or self.newly_overdue
            or self.new_findings
            or self.closure_events
            or self.deadline_moves
            or self.deadline_requests
        )


def committee_terms(actions: QuerySet[Action]) -> list[tuple[str, int]]:
    """The actions counted in the committee's own terms, in one query: awaiting
    allocation (unfinished with no owner), in progress (unfinished, owned),
    pending sign-off (done), closed (signed off) and withdrawn."""
    unfinished = Q(status__in=Action.UNFINISHED_STATUSES)
    counts = actions.order_by().aggregate(
        awaiting_allocation=Count("pk", filter=unfinished & Q(owner__isnull=True)),
        in_progress=Count("pk", filter=unfinished & Q(owner__isnull=False)),
        pending_sign_off=Count("pk", filter=Q(status=Action.Status.DONE)),
        closed=Count("pk", filter=Q(status=Action.Status.SIGNED_OFF)),
        withdrawn=Count("pk", filter=Q(status=Action.Status.WITHDRAWN)),
    )
    return [(label, counts[key]) for key, label in COMMITTEE_TERMS]


def latest_update(queryset: QuerySet[Action]) -> QuerySet[Action]:
    """Each action with its latest word on the work: the text and day of its
    newest progress update that says something."""
    newest = ProgressUpdate.objects.filter(
        action=OuterRef("pk"), kind__in=WORK_KINDS
    ).exclude(text="")
    newest = newest.order_by("-created_at", "-pk")
    return queryset.annotate(
        latest_text=Subquery(newest.values("text")[:1]),
        latest_at=Subquery(newest.values("created_at")[:1]),
    )


def last_paper(
    user, force: Force, kind: str, inspection: Inspection | None = None
) -> Paper | None:
    """The last such pack made on the reader's side: by the force's own people for
    its lead, by the inspectorate for an inspector. Each side reports to its own
    meetings, so an inspector's pack does not move the force's "since"."""
    papers = Paper.objects.filter(kind=kind, force=force)
    if inspection is not None:
        papers = papers.filter(inspection=inspection)
    if user.force_id == force.pk:
        papers = papers.filter(made_by__force=force)
    else:
        papers = papers.filter(made_by__force__isnull=True)
    return papers.select_related("made_by").first()


def committee_pack(
    user,
    force: Force,
    period: Period,
    *,
    inspection: Inspection | None = None,
    marking: str = "",
    today: datetime.date | None = None,
) -> CommitteePack:
    """Everything a force's committee pack says, read as `user` may see it.

    With `inspection`, only that report's findings and actions (an inspection
    pack, for a revisit or the commissioner's response).
    """
    today = today or timezone.localdate()
    actions = visible_actions(user).filter(force=force)
    findings = visible_findings(user).filter(force=force)
    inspections = visible_inspections(user).filter(force=force)
    if inspection is not None:
        actions = actions.filter(inspection=inspection)
        findings = findings.filter(inspection=inspection)
        inspections = inspections.filter(pk=inspection.pk)
    pack = CommitteePack(
        force=force,
        period=period,
        made_at=timezone.now(),
        made_by=user,
        today=today,
        inspection=inspection,
        marking=marking or force.protective_marking,
        previous=last_paper(
            user,
            force,
            Paper.Kind.INSPECTION if inspection else Paper.Kind.COMMITTEE,
            inspection,
        ),
        summary=action_summary(actions, today),
        terms=committee_terms(actions),
    )
    pack.sections = _open_findings(findings, actions, today)
    first, after = period.moments
    in_period = Q(created_at__gte=first, created_at__lt=after)

    rows = actions.select_related("owner", "finding", "inspection", "force").with_rag(
        today
    )
    closing = ProgressUpdate.objects.filter(
        in_period, action__in=actions, kind__in=CLOSING_KINDS
    ).values("action")
    pack.closed = list(
        rows.filter(pk__in=closing, status__in=Action.CLOSED_STATUSES).order_by(
            "inspection__published_on", "finding__order", "order", "pk"
        )
    )
    # Overdue for the first time in the period, and still unfinished: red from
    # the day after the deadline, so from a deadline the day before the period
    # to one the day before its end (or today), and one pack takes up where the
    # last left off.
    day = datetime.timedelta(days=1)
    pack.newly_overdue = list(
        rows.filter(
            status__in=Action.UNFINISHED_STATUSES,
            deadline__gte=period.start - day,
            deadline__lte=min(period.end, today) - day,
        ).order_by("deadline", "pk")
    )
    # New: published in the period, or added to the tracker in it (a report
    # imported after the last pack was made is new to the committee).
    new_in_period = Q(
        inspection__published_on__gte=period.start,
        inspection__published_on__lte=period.end,
    ) | Q(**_dated("created_at", first, after))
    pack.new_findings = list(
        findings.filter(new_in_period)
        .select_related("inspection")
        .order_by("inspection__published_on", "inspection", "order", "pk")
    )
    pack.closure_events = list(
        FindingEvent.objects.filter(
            in_period, finding__in=findings, kind__in=CLOSURE_KINDS
        )
        .select_related("finding", "author")
        .order_by("created_at", "pk")
    )
    pack.deadline_moves = _deadline_moves(actions, first, after)
    pack.deadline_requests = list(
        visible_deadline_requests(user)
        .filter(action__in=actions)
        .filter(in_period | Q(decided_at__gte=first, decided_at__lt=after))
        .select_related("action__force", "requested_by", "decided_by")
        .order_by("created_at", "pk")
    )
    pack.pcc = _pcc_clocks(inspections, actions, period, today)
    return pack


def _dated(name: str, first, after) -> dict:
    return {f"{name}__gte": first, f"{name}__lt": after}


def _open_findings(findings, actions, today) -> list[InspectionSection]:
    """Every open finding by inspection, newest report first, with its actions in
    their plan's order (sub-steps under their action)."""
    open_findings = list(
        findings.filter(status__in=Finding.OPEN_STATUSES)
        .select_related("inspection")
        .order_by("-inspection__published_on", "inspection_id", "order", "pk")
    )
    by_finding: dict[int | None, list[Action]] = {}
    if open_findings:
        for action in (
            latest_update(actions.filter(finding__in=[f.pk for f in open_findings]))
            .select_related("owner", "force")
            .order_by("order", "pk")
        ):
            by_finding.setdefault(action.finding_id, []).append(action)
    sections: list[InspectionSection] = []
    for finding in open_findings:
        if not sections or sections[-1].inspection.pk != finding.inspection_id:
            sections.append(InspectionSection(finding.inspection))
        sections[-1].findings.append(
            FindingSection(
                finding, _in_plan_order(by_finding.get(finding.pk, []), today)
            )
        )
    return sections


def _in_plan_order(actions: list[Action], today) -> list[ActionLine]:
    children: dict[int | None, list[Action]] = {}
    ids = {action.pk for action in actions}
    for action in actions:
        parent = action.parent_id if action.parent_id in ids else None
        children.setdefault(parent, []).append(action)
    lines: list[ActionLine] = []

    def walk(action: Action, depth: int) -> None:
        lines.append(ActionLine(action, depth, rag_for(action, today)))
        for child in children.get(action.pk, []):
            walk(child, depth + 1)

    for action in children.get(None, []):
        walk(action, 0)
    return lines


def _deadline_moves(actions, first, after) -> list[DeadlineMove]:
    """Each change of a deadline in the period, from the actions' change history
    (the force's own moves and the inspectorate's approvals alike)."""
    # Only the actions changed in the period, with all their history: the change
    # before the period's first says what its first move moved from.
    history = Action.history.model.objects
    history = history.filter(
        id__in=history.filter(
            id__in=actions.values("pk"), **_dated("history_date", first, after)
        ).values("id")
    )
    changes = history.annotate(
        before=Window(
            Lag("deadline"), partition_by=[F("id")], order_by=F("history_id").asc()
        )
    ).values(
        "id", "history_date", "history_type", "deadline", "before", "history_user_id"
    )
    # Kept here, after the window: a filter on the query would run before LAG
    # and hide the rows (a creation) it must read the earlier deadline from.
    moves = [
        row
        for row in changes
        if row["history_type"] == "~"
        and first <= row["history_date"] < after
        and row["before"] != row["deadline"]
    ]
    if not moves:
        return []
    rows = {
        a.pk: a
        for a in Action.objects.filter(pk__in={m["id"] for m in moves}).select_related(
            "finding", "force"
        )
    }
    people = User.objects.in_bulk({m["history_user_id"] for m in moves} - {None})
    return [
        DeadlineMove(
            action=rows[m["id"]],
            moved_at=m["history_date"],
            old=m["before"],
            new=m["deadline"],
            by=str(people.get(m["history_user_id"], "")),
        )
        for m in sorted(moves, key=lambda m: m["history_date"])
    ]


def _pcc_clocks(inspections, actions, period: Period, today) -> list[PccClock]:
    recent = list(
        inspections.filter(
            published_on__gt=period.end - datetime.timedelta(days=PCC_RECENT_DAYS),
            published_on__lte=period.end,
        ).order_by("-published_on", "pk")
    )
    # The importer's action for it, by its title: the first made, if there are two.
    responses = {
        action.inspection_id: action
        for action in actions.filter(
            inspection__in=recent, finding__isnull=True, title=PCC_RESPONSE_TITLE
        ).order_by("-pk")
    }
    return [
        PccClock(
            inspection=inspection,
            due=inspection.published_on + datetime.timedelta(days=PCC_RESPONSE_DAYS),
            response=responses.get(inspection.pk),
            today=today,
        )
        for inspection in recent
    ]


@dataclass
class ThemeRow:
    force: Force
    findings: list[Finding]


@dataclass
class NationalBrief:
    """Every force against finding and action status, and one theme across forces."""

    made_at: datetime.datetime
    today: datetime.date
    forces: list[dict]
    totals: dict
    theme: Theme | None = None
    theme_rows: list[ThemeRow] = field(default_factory=list)

    marking: str = "OFFICIAL"
    title = "National brief"

    @property
    def open_findings(self) -> int:
        return sum(self.totals["findings"][s] for s in Finding.OPEN_STATUSES)

    @property
    def complete_percent(self) -> int:
        found = self.totals["findings"]
        return percent(found[Finding.Status.COMPLETE], found["total"])

    @property
    def closed_percent(self) -> int:
        done = self.totals["actions"]
        return percent(done["closed"], done["total"])

    @property
    def overdue_percent(self) -> int:
        done = self.totals["actions"]
        return percent(done["overdue"], done["total"] - done["closed"])

    @property
    def forces_without_theme(self) -> list[Force]:
        return [row.force for row in self.theme_rows if not row.findings]


def percent(part: int, whole: int) -> int:
    """A share in whole per cent, 0 of nothing."""
    return round(100 * part / whole) if whole else 0


def national_brief(
    user,
    theme: Theme | None = None,
    *,
    marking: str = "OFFICIAL",
    today: datetime.date | None = None,
) -> NationalBrief:
    today = today or timezone.localdate()
    comparison = national_comparison(user, today)
    forces = []
    for row in comparison["forces"]:
        found, done = row["findings"], row["actions"]
        total, closed = done.get("total", 0), done.get("closed", 0)
        open_actions = total - closed
        forces.append(
            {
                **row,
                "complete_percent": percent(
                    found.get(Finding.Status.COMPLETE, 0), found.get("total", 0)
                ),
                "closed_percent": percent(closed, total),
                "overdue_percent": percent(done.get("overdue", 0), open_actions),
                "open_actions": open_actions,
                "open_findings": sum(found.get(s, 0) for s in Finding.OPEN_STATUSES),
            }
        )
    brief = NationalBrief(
        made_at=timezone.now(),
        today=today,
        forces=forces,
        totals=comparison["totals"],
        theme=theme,
        marking=marking,
    )
    if theme is not None:
        on_theme: dict[int, list[Finding]] = {}
        for finding in theme_findings(user, theme):
            on_theme.setdefault(finding.force_id, []).append(finding)
        brief.theme_rows = [
            ThemeRow(row["force"], on_theme.get(row["force"].pk, []))
            for row in comparison["forces"]
        ]
    return brief
