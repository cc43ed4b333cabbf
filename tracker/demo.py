"""Demo data: the West Mercia PEEL 2016 effectiveness inspection, people for each role,
owners, deadlines and a few progress updates. Loading it twice changes nothing.

The report's text is in `tracker/data/` (Open Government Licence v3.0).
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from . import services
from .models import Action, Finding, Force, Grade, Inspection, Question, Role, Theme, User

DEMO_PASSWORD = "peel-demo-2016"

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

PUBLISHED = datetime.date(2017, 3, 2)

# (question, grade) in the report's order; the first is the overall question.
QUESTIONS = [
    ('How effective is the force at keeping people safe and reducing crime?', Grade.GOOD),
    ('How effective is the force at preventing crime, tackling anti-social behaviour and keeping people safe?', Grade.REQUIRES_IMPROVEMENT),
    ('How effective is the force at investigating crime and reducing re-offending?', Grade.NOT_STATED),
    ('How effective is the force at protecting those who are vulnerable from harm, and supporting victims?', Grade.NOT_STATED),
    ('How effective is the force at tackling serious and organised crime?', Grade.REQUIRES_IMPROVEMENT),
    ('How effective are the force’s specialist capabilities?', Grade.NOT_STATED),
]

# (question number, verbatim text, theme)
AREAS_FOR_IMPROVEMENT = [
    (2, 'The force should work with local people and partner organisations to improve its understanding of local communities, including those which are less likely to take part in traditional forms of engagement, such as migrant communities or elderly people.', "Community engagement"),
    (2, 'The force should evaluate and share effective practice routinely, both internally and with partner organisations, to continually improve its problem-solving approach to the prevention of crime and anti-social behaviour.', "Problem solving"),
    (4, 'The force should take immediate steps to understand the reasons why such a high proportion of crimes (including those related to domestic abuse) fall into the outcome category ‘Evidential difficulties; victim does not support police action’, and rectify this to ensure that it is pursuing justice on behalf of victims. West Mercia Police is one of several forces that have been asked to review its use of this outcome category. It is recommended that by 1 May 2017 the force should produce and submit to HMIC an action plan that sets out how it will:\n• undertake a comprehensive analysis of the use of this outcome across the force area to understand fully why the force is an outlier, and produce an accompanying report for scrutiny by HMIC by 1 June 2017;\n• review the extent to which the force’s use of this outcome category is appropriate; and\n• take steps to reduce the force’s reliance on this outcome category and improve outcomes for victims.\n\nThis action plan and subsequent report will be reviewed by HMIC and may prompt additional inspection re-visits during 2017 in order to assess the force’s progress in adopting a more effective response in pursuing justice on behalf of victims.', "Outcome 16: victim does not support police action"),
    (5, 'The force should engage routinely with partner agencies at a senior level to enhance intelligence sharing and promote an effective, multi-agency response to serious and organised crime.', "Serious and organised crime"),
    (5, 'The force should take steps to identify those at risk of being drawn into serious and organised crime, and ensure that preventative initiatives are put in place with partner organisations to deter them from offending.', "Serious and organised crime"),
]

OUTCOME_SUBSTEPS = [
    # title, deadline set by the report
    ('Undertake a comprehensive analysis of the use of this outcome across the force area to understand fully why the force is an outlier, and produce an accompanying report for scrutiny by HMIC by 1 June 2017', datetime.date(2017, 6, 1)),
    ('Review the extent to which the force’s use of this outcome category is appropriate', None),
    ('Take steps to reduce the force’s reliance on this outcome category and improve outcomes for victims', None),
]


def _users() -> dict[str, User]:
    forces = {force.code: force for force in Force.objects.filter(code__in=["WMP", "WMD"])}
    users = {}
    for email, first, last, role, code in DEMO_USERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            create = User.objects.create_superuser if role == Role.ADMIN else User.objects.create_user
            user = create(
                email,
                DEMO_PASSWORD,
                first_name=first,
                last_name=last,
                **({} if role == Role.ADMIN else {"role": role, "force": forces.get(code)}),
            )
        users[email] = user
    return users


def _progress_the_outcome_plan(people: dict[str, User], plan: Action, steps: list[Action]) -> None:
    officer, analyst = people["officer@westmercia.demo"], people["analyst@westmercia.demo"]
    lead = people["lead@westmercia.demo"]
    services.action_record_progress(
        officer, plan, text="Draft action plan circulated to the chief officer team.", percent=60
    )
    services.action_record_progress(
        officer, plan, text="Plan agreed at the March performance board.", percent=90
    )
    services.action_mark_done(officer, plan, text="Action plan submitted to HMIC.")
    services.action_sign_off(lead, plan, text="Plan submitted on time; copy filed.")
    analysis = steps[0]
    services.action_record_progress(
        analyst,
        analysis,
        text="Analysis of outcome 16 use across all five local policing areas under way.",
        percent=40,
        links=["https://www.gov.uk/government/statistics/crime-outcomes-in-england-and-wales-2016-to-2017"],
    )


@transaction.atomic
def load_demo() -> dict[str, int]:
    """Create what is missing of the demo; return how many rows of each kind were created."""
    created = {"users": User.objects.count(), "inspections": 0}
    people = _users()
    created["users"] = User.objects.count() - created["users"]
    force = Force.objects.get(code="WMP")
    lead, officer = people["lead@westmercia.demo"], people["officer@westmercia.demo"]
    inspector = people["inspector@hmicfrs.demo"]
    if force.inspector_contact_id is None:
        force.inspector_contact = inspector
        force.save(update_fields=["inspector_contact"])
    if Inspection.objects.filter(force=force, programme="PEEL 2016", pillar="Effectiveness").exists():
        return created

    inspection = Inspection.objects.create(
        force=force,
        programme="PEEL 2016",
        pillar="Effectiveness",
        title="PEEL: Police effectiveness 2016 – West Mercia Police",
        published_on=PUBLISHED,
        source_reference="HMIC, West Mercia PEEL 2016 (Effectiveness), last updated 02/03/2017",
        overall_grade=Grade.GOOD,
    )
    created["inspections"] = 1
    questions = [
        Question.objects.create(
            inspection=inspection, text=text, order=n, grade=grade, is_overall=n == 1
        )
        for n, (text, grade) in enumerate(QUESTIONS, start=1)
    ]
    findings = []
    for n, (question_number, text, theme_name) in enumerate(AREAS_FOR_IMPROVEMENT, start=1):
        finding = Finding.objects.create(
            inspection=inspection,
            question=questions[question_number - 1],
            kind=Finding.Kind.AREA_FOR_IMPROVEMENT,
            text=text,
            reference=f"WMP-2016-EFF-AFI-{n}",
            order=n,
        )
        theme, _ = Theme.objects.get_or_create(
            name=theme_name, defaults={"slug": slugify(theme_name)}
        )
        finding.themes.add(theme)
        findings.append(finding)

    # The statutory deliverable of every report (Police Act 1996, s.55).
    services.action_create(
        inspector,
        inspection=inspection,
        title="Police and crime commissioner's published response to the report",
        owner=lead,
        deadline=PUBLISHED + datetime.timedelta(days=56),
        deadline_wording="within 56 days of publication",
        deadline_set_by=Action.DeadlineSetBy.INSPECTORATE,
    )

    today = timezone.localdate()
    for finding, (title, offset) in zip(
        [findings[0], findings[1], findings[3], findings[4]],
        [
            ("Community profile of migrant and elderly residents for each policing area", 10),
            ("Problem-solving evaluation framework shared with partners", -5),
            ("Senior partnership board for serious and organised crime", 45),
            ("Prevention programme for young people at risk of organised crime", None),
        ],
    ):
        services.action_create(
            lead,
            finding=finding,
            title=title,
            owner=officer,
            deadline=today + datetime.timedelta(days=offset) if offset is not None else None,
        )

    outcome = findings[2]
    plan = services.action_create(
        inspector,
        finding=outcome,
        title="Produce and submit to HMIC an action plan on the use of this outcome category",
        owner=officer,
        deadline=datetime.date(2017, 5, 1),
        deadline_wording="by 1 May 2017",
        deadline_set_by=Action.DeadlineSetBy.INSPECTORATE,
    )
    steps = [
        services.action_create(
            inspector,
            finding=outcome,
            parent=plan,
            title=title,
            owner=people["analyst@westmercia.demo"] if n == 1 else officer,
            deadline=deadline,
            deadline_wording="by 1 June 2017" if deadline else "",
            deadline_set_by=Action.DeadlineSetBy.INSPECTORATE if deadline else Action.DeadlineSetBy.FORCE,
        )
        for n, (title, deadline) in enumerate(OUTCOME_SUBSTEPS, start=1)
    ]
    _progress_the_outcome_plan(people, plan, steps)
    return created
