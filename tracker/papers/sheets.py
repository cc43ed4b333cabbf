"""The packs' tables as an Excel workbook, to sort, filter and paste into a
committee's own papers: one sheet per table, from the same reading as the PDF."""

from django.http import HttpResponse

from ..formats import long_date
from ..models import Finding
from ..spreadsheets import Column, Link, Sheet, workbook_response

ACTION_COLUMNS = [
    Column("Reference", 12, "link"),
    Column("Action", 45, "wrapped"),
    Column("Finding", 24),
    Column("Owner", 20),
    Column("Deadline", 18, "date"),
    Column("Status", 22),
]


def _link(site: str, obj, text: str) -> Link:
    return Link(text, site + obj.get_absolute_url())


def _action_row(site, action) -> list:
    return [
        _link(site, action, action.reference),
        action.title,
        action.finding.reference if action.finding else "Whole report",
        str(action.owner or "Not assigned"),
        action.deadline,
        action.get_status_display(),
    ]


def pack_xlsx(pack, request, filename: str) -> HttpResponse:
    site = request.build_absolute_uri("/").rstrip("/")
    open_rows = []
    for section in pack.sections:
        for item in section.findings:
            finding = [
                _link(site, item.finding, item.finding.reference),
                item.finding.get_kind_display(),
                item.finding.get_status_display(),
                section.inspection.title,
                section.inspection.published_on,
            ]
            if not item.actions:
                open_rows.append([*finding, None, "No action planned yet", *[None] * 6])
            for line in item.actions:
                action = line.action
                open_rows.append(
                    [
                        *finding,
                        _link(site, action, action.reference),
                        ("    " * line.depth) + action.title,
                        str(action.owner or "Not assigned"),
                        action.deadline,
                        action.get_status_display(),
                        line.rating,
                        action.latest_text,
                        action.latest_at,
                    ]
                )
    sheets = [
        Sheet(
            "Where the actions stand",
            [Column("Where the action is", 30), Column("Actions", 10, "integer")],
            [
                *pack.terms,
                ("Red: overdue", pack.summary["red"]),
                ("Amber: due within 14 days", pack.summary["amber"]),
                ("Green: on track", pack.summary["green"]),
                ("Done late, awaiting sign-off", pack.summary["done_late"]),
            ],
        ),
        Sheet(
            "Open findings and actions",
            [
                Column("Finding", 24, "link"),
                Column("Kind", 20),
                Column("Finding status", 18),
                Column("Inspection", 40, "wrapped"),
                Column("Published", 18, "date"),
                Column("Action reference", 12, "link"),
                Column("Action", 45, "wrapped"),
                Column("Owner", 20),
                Column("Deadline", 18, "date"),
                Column("Action status", 22),
                Column("Rating", 22),
                Column("Latest update", 60, "wrapped"),
                Column("Latest update on", 18, "datetime"),
            ],
            open_rows,
        ),
        Sheet(
            "Closed in the period",
            ACTION_COLUMNS,
            [_action_row(site, action) for action in pack.closed],
        ),
        Sheet(
            "Newly overdue",
            ACTION_COLUMNS,
            [_action_row(site, action) for action in pack.newly_overdue],
        ),
        Sheet(
            "New findings",
            [
                Column("Finding", 24, "link"),
                Column("Kind", 20),
                Column("Inspection", 40, "wrapped"),
                Column("Published", 18, "date"),
                Column("Words", 80, "wrapped"),
            ],
            [
                [
                    _link(site, f, f.reference),
                    f.get_kind_display(),
                    f.inspection.title,
                    f.inspection.published_on,
                    f.text,
                ]
                for f in pack.new_findings
            ],
        ),
        Sheet(
            "Closure requests",
            [
                Column("On", 18, "datetime"),
                Column("Finding", 24),
                Column("What happened", 20),
                Column("By", 20),
                Column("Words", 80, "wrapped"),
            ],
            [
                [
                    e.created_at,
                    e.finding.reference,
                    e.get_kind_display(),
                    str(e.author or ""),
                    e.text,
                ]
                for e in pack.closure_events
            ],
        ),
        Sheet(
            "Deadline changes",
            [
                Column("On", 18, "datetime"),
                Column("Reference", 12, "link"),
                Column("Action", 45, "wrapped"),
                Column("From", 18, "date"),
                Column("To", 18, "date"),
                Column("By", 20),
            ],
            [
                [
                    m.moved_at,
                    _link(site, m.action, m.action.reference),
                    m.action.title,
                    m.old,
                    m.new,
                    m.by,
                ]
                for m in pack.deadline_moves
            ],
        ),
        Sheet(
            "PCC response",
            [
                Column("Report", 45, "wrapped"),
                Column("Published", 18, "date"),
                Column("Response due", 18, "date"),
                Column("Where it stands", 40),
            ],
            [
                [c.inspection.title, c.inspection.published_on, c.due, c.state]
                for c in pack.pcc
            ],
        ),
    ]
    about = [
        ("What this is", pack.title),
        ("Force", pack.force.name),
        ("Period", f"{long_date(pack.period.start)} to {long_date(pack.period.end)}"),
        ("Marking", pack.marking),
        ("Figures", "As they stood when the pack was made"),
    ]
    return workbook_response(request, filename, sheets, about)


BRIEF_AGES = ("under_6_months", "6_to_12_months", "1_to_2_years", "over_2_years")


def brief_xlsx(brief, request, filename: str) -> HttpResponse:
    site = request.build_absolute_uri("/").rstrip("/")
    forces = Sheet(
        "Forces",
        [
            Column("Force", 34),
            Column("Findings", 10, "integer"),
            Column("Open findings", 10, "integer"),
            Column("Complete", 10, "integer"),
            Column("Complete share", 10, "percent"),
            *(
                Column(f"Open {age.replace('_', ' ')}", 12, "integer")
                for age in BRIEF_AGES
            ),
            Column("Actions", 10, "integer"),
            Column("Closed", 10, "integer"),
            Column("Closed share", 10, "percent"),
            Column("Overdue", 10, "integer"),
            Column("Overdue share of open", 12, "percent"),
        ],
        [
            [
                row["force"].name,
                row["findings"].get("total", 0),
                row["open_findings"],
                row["findings"].get(Finding.Status.COMPLETE, 0),
                row["complete_percent"],
                *(row["findings"].get(age, 0) for age in BRIEF_AGES),
                row["actions"].get("total", 0),
                row["actions"].get("closed", 0),
                row["closed_percent"],
                row["actions"].get("overdue", 0),
                row["overdue_percent"],
            ]
            for row in brief.forces
        ]
        + [
            [
                "All forces",
                brief.totals["findings"]["total"],
                brief.open_findings,
                brief.totals["findings"][Finding.Status.COMPLETE],
                brief.complete_percent,
                *(brief.totals["findings"][age] for age in BRIEF_AGES),
                brief.totals["actions"]["total"],
                brief.totals["actions"]["closed"],
                brief.closed_percent,
                brief.totals["actions"]["overdue"],
                brief.overdue_percent,
            ]
        ],
    )
    sheets = [forces]
    if brief.theme is not None:
        sheets.append(
            Sheet(
                "Theme",
                [
                    Column("Force", 34),
                    Column("Finding", 24, "link"),
                    Column("Words", 80, "wrapped"),
                    Column("Status", 18),
                    Column("Actions", 10, "integer"),
                    Column("Closed", 10, "integer"),
                ],
                [
                    [
                        row.force.name,
                        _link(site, f, f.reference) if f else None,
                        f.text if f else "No finding on this theme",
                        f.get_status_display() if f else None,
                        f.action_count if f else None,
                        f.closed_count if f else None,
                    ]
                    for row in brief.theme_rows
                    for f in row.findings or [None]
                ],
            )
        )
    about = [("What this is", brief.title), ("Marking", brief.marking)]
    if brief.theme is not None:
        about.append(("Theme", brief.theme.name))
    return workbook_response(request, filename, sheets, about)
