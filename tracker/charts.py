"""Charts drawn on the server as SVG: they need no JavaScript and carry their data as a table.

Each series comes from one aggregate query, whatever the number of actions.
"""

import calendar
import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.text import slugify

from .models import Action


@dataclass
class Chart:
    title: str
    labels: list[str]
    series: list[tuple[str, list[int]]]  # (name, one value per label)

    @property
    def slug(self) -> str:
        return slugify(self.title)

    @property
    def maximum(self) -> int:
        return max([1, *(value for _, values in self.series for value in values)])

    def bars(self, width: int = 640, height: int = 200) -> list[dict]:
        """Geometry for grouped bars, so the template only draws."""
        groups = len(self.labels) or 1
        group_width = width / groups
        bar_width = group_width * 0.8 / max(len(self.series), 1)
        bars = []
        for s, (name, values) in enumerate(self.series):
            for i, value in enumerate(values):
                bar_height = round(height * value / self.maximum, 1)
                bars.append(
                    {
                        "x": round(
                            i * group_width + group_width * 0.1 + s * bar_width, 1
                        ),
                        "y": round(height - bar_height, 1),
                        "width": round(bar_width, 1),
                        "height": bar_height,
                        "series": s,
                        "label": f"{self.labels[i]}: {value} {name.lower()}",
                        "value": value,
                        "text_x": round(
                            i * group_width + group_width * 0.1 + (s + 0.5) * bar_width,
                            1,
                        ),
                        "text_y": round(height - bar_height - 3, 1),
                    }
                )
        return bars

    def rows(self) -> list[tuple[str, list[int]]]:
        return [
            (label, [values[i] for _, values in self.series])
            for i, label in enumerate(self.labels)
        ]


def _month_ends(today: datetime.date, months: int) -> list[datetime.date]:
    ends = []
    year, month = today.year, today.month
    for _ in range(months):
        ends.append(
            min(today, datetime.date(year, month, calendar.monthrange(year, month)[1]))
        )
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return ends[::-1]


def _end_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))


def open_and_completed(
    actions,
    today: datetime.date | None = None,
    months: int = 12,
    *,
    signed_off: int | None = None,
) -> Chart:
    """How many actions were open, and how many completed, at the end of each month.

    An action created and closed by the first month's end counts once in "created"
    and once in "closed" at every month's end: it adds nothing to "open", and to
    "completed" the same at every month. So only the other actions (open, or
    created or closed since) are read row by row; those closed before are counted
    off the status totals. The query reads the chart's year, not the force's history.
    `signed_off`, when the caller has counted them (action_summary), saves a query.
    """
    today = today or timezone.localdate()
    ends = _month_ends(today, months)
    first = _end_of_day(ends[0])
    recent = actions.order_by().filter(
        Q(status__in=Action.OPEN_STATUSES)
        | Q(status_changed_at__gt=first)
        | Q(created_at__gt=first)
    )
    signed = Q(status=Action.Status.SIGNED_OFF)
    aggregates = {"signed": Count("pk", filter=signed)}
    for i, end in enumerate(ends):
        moment = _end_of_day(end)
        aggregates[f"created_{i}"] = Count("pk", filter=Q(created_at__lte=moment))
        aggregates[f"signed_{i}"] = Count(
            "pk", filter=signed & Q(status_changed_at__lte=moment)
        )
        aggregates[f"withdrawn_{i}"] = Count(
            "pk",
            filter=Q(status=Action.Status.WITHDRAWN, status_changed_at__lte=moment),
        )
    totals = recent.aggregate(**aggregates)
    if signed_off is None:
        signed_off = actions.order_by().filter(status=Action.Status.SIGNED_OFF).count()
    signed_before = signed_off - totals["signed"]
    completed = [signed_before + totals[f"signed_{i}"] for i in range(len(ends))]
    still_open = [
        totals[f"created_{i}"] - totals[f"signed_{i}"] - totals[f"withdrawn_{i}"]
        for i in range(len(ends))
    ]
    return Chart(
        title="Open and completed actions at the end of each month",
        # "Jan 25" style: short enough for twelve labels side by side.
        labels=[f"{end:%b %y}" for end in ends],
        series=[("Open", still_open), ("Completed", completed)],
    )


def deadlines_ahead(
    actions, today: datetime.date | None = None, weeks: int = 8
) -> Chart:
    """Open actions due in each of the coming weeks (Monday to Sunday)."""
    today = today or timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    starts = [monday + datetime.timedelta(weeks=w) for w in range(weeks)]
    aggregates = {
        f"week_{i}": Count(
            "pk",
            filter=Q(
                deadline__gte=start, deadline__lt=start + datetime.timedelta(days=7)
            ),
        )
        for i, start in enumerate(starts)
    }
    totals = actions.order_by().open().aggregate(**aggregates)
    return Chart(
        title="Open actions due in the coming weeks",
        labels=[f"w/c {start.day} {start:%b}" for start in starts],
        series=[("Due", [totals[f"week_{i}"] for i in range(weeks)])],
    )
