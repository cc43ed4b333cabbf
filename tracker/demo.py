"""Demo data: the West Mercia PEEL 2016 effectiveness inspection, imported from its
published text, people for each role, owners, deadlines and a few progress updates.
Loading it twice changes nothing.

The report's text is in `tracker/data/` (Open Government Licence v3.0).
"""

import datetime
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from . import services
from .importer import parse_report
from .importing import plan_import, save_import
from .models import Action, Finding, Force, Inspection, Role, Theme, User

DEMO_PASSWORD = "peel-demo-2016"
SAMPLE = Path(__file__).parent / "data" / "west-mercia-peel-2016-effectiveness.txt"

DEMO_USERS = [
    # email, first name, last name, role, force code
    ("officer@westmercia.demo", "Sam", "Patel", Role.FORCE_STAFF, "WMP"),
    ("analyst@westmercia.demo", "Chris", "Evans", Role.FORCE_STAFF, "WMP"),
    ("lead@westmercia.demo", "Jo", "Morgan", Role.FORCE_LEAD, "WMP"),
    ("officer@westmidlands.demo", "Priya", "Shah", Role.FORCE_STAFF, "WMD"),
    ("lead@westmidlands.demo", "Dan", "Hughes", Role.FORCE_LEAD, "WMD"),
    ("inspector@hmicfrs.demo", "Alex", "Reid", Role.INSPECTOR, None),
    ("admin@hmicfrs.demo", "Morgan", "Ellis", Role.ADMIN, None),
]

# Area for improvement number -> the theme inspectors compare forces on.
THEMES = {
    1: "Community engagement",
    2: "Problem solving",
    3: "Outcome 16: victim does not support police action",
    4: "Serious and organised crime",
    5: "Serious and organised crime",
}
# Area for improvement number -> days from today of the deadline the force set itself.
FORCE_DEADLINES = {1: 10, 2: -5, 4: 45, 5: None}


def _users() -> dict[str, User]:
    forces = {
        force.code: force for force in Force.objects.filter(code__in=["WMP", "WMD"])
    }
    users = {}
    for email, first, last, role, code in DEMO_USERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            extra = {"first_name": first, "last_name": last}
            if role == Role.ADMIN:
                user = User.objects.create_superuser(email, DEMO_PASSWORD, **extra)
            else:
                user = User.objects.create_user(
                    email, DEMO_PASSWORD, role=role, force=forces.get(code), **extra
                )
        users[email] = user
    return users


def _assign(lead: User, action: Action, owner: User, deadline=None) -> Action:
    return services.action_assign(
        lead,
        action,
        expected_version=action.version,
        owner=owner,
        contributors=[],
        deadline=deadline if deadline is not None else action.deadline,
    )


@transaction.atomic
def load_demo() -> dict[str, int]:
    """Create what is missing of the demo; return how many rows of each kind were created."""
    before = User.objects.count()
    people = _users()
    created = {"users": User.objects.count() - before, "inspections": 0}
    force = Force.objects.get(code="WMP")
    lead = people["lead@westmercia.demo"]
    officer, analyst = (
        people["officer@westmercia.demo"],
        people["analyst@westmercia.demo"],
    )
    inspector = people["inspector@hmicfrs.demo"]
    if force.inspector_contact_id is None:
        force.inspector_contact = inspector
        force.save(update_fields=["inspector_contact"])
    if Inspection.objects.filter(
        force=force, programme="PEEL 2016", pillar="Effectiveness"
    ).exists():
        return created

    raw = SAMPLE.read_bytes()
    plan = plan_import(parse_report(raw, filename=SAMPLE.name).to_dict(), force, raw)
    inspection = save_import(
        plan,
        inspector,
        source_reference="HMIC, PEEL: Police effectiveness 2016 – West Mercia Police",
    )
    created["inspections"] = 1

    today = timezone.localdate()
    findings = {
        finding.order: finding
        for finding in inspection.findings.filter(
            kind=Finding.Kind.AREA_FOR_IMPROVEMENT
        )
    }
    for number, finding in findings.items():
        theme, _ = Theme.objects.get_or_create(
            name=THEMES[number], defaults={"slug": slugify(THEMES[number])}
        )
        finding.themes.add(theme)
    for number, offset in FORCE_DEADLINES.items():
        action = findings[number].actions.get(parent=None)
        deadline = (
            today + datetime.timedelta(days=offset) if offset is not None else None
        )
        _assign(lead, action, officer, deadline)

    plan_action = findings[3].actions.get(parent=None)
    steps = list(plan_action.children.order_by("order"))
    plan_action = _assign(lead, plan_action, officer)
    analysis = _assign(lead, steps[0], analyst)
    for step in steps[1:]:
        _assign(lead, step, officer)

    services.action_record_progress(
        officer,
        plan_action,
        text="Draft action plan circulated to the chief officer team.",
        percent=60,
    )
    services.action_record_progress(
        officer,
        plan_action,
        text="Plan agreed at the March performance board.",
        percent=90,
    )
    services.action_mark_done(
        officer, plan_action, text="Action plan submitted to HMIC."
    )
    services.action_sign_off(
        lead, plan_action, text="Plan submitted on time; copy filed."
    )
    services.action_record_progress(
        analyst,
        analysis,
        text="Analysis of outcome 16 use across all five local policing areas under way.",
        percent=40,
        links=[
            "https://www.gov.uk/government/collections/crime-outcomes-in-england-and-wales-statistics"
        ],
    )
    return created
