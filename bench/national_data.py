"""The national data set's fixed content: themes, people's names, PEEL programmes and
their questions, how statuses are spread, and the words findings, updates and
requests are written in. `bench.generator` draws from these with a seeded random
generator; changing anything here changes the data a seed gives, so bump
`bench.generator.VERSION` with it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from tracker.models import Action, Finding, Grade, ProgressUpdate

Status = Action.Status
Kind = ProgressUpdate.Kind
AWAITING_REVIEW = Finding.Status.AWAITING_REVIEW
BEING_PROGRESSED = Finding.Status.BEING_PROGRESSED
CLOSURE_REQUESTED = Finding.Status.CLOSURE_REQUESTED
COMPLETE = Finding.Status.COMPLETE
SUPERSEDED = Finding.Status.SUPERSEDED

# (name, the improvement a finding asks for, the subject of an action step)
THEMES = [
    (
        "Crime data integrity",
        "records crimes accurately and without delay",
        "crime recording",
    ),
    (
        "Neighbourhood policing",
        "engages with local communities",
        "neighbourhood policing",
    ),
    ("Problem solving", "uses problem-solving to prevent crime", "problem solving"),
    ("Anti-social behaviour", "tackles anti-social behaviour", "anti-social behaviour"),
    (
        "Call handling and response",
        "answers and responds to calls for service",
        "call handling",
    ),
    (
        "Investigation standards",
        "supervises and completes investigations",
        "investigations",
    ),
    (
        "Victims Code compliance",
        "meets its obligations under the Victims Code",
        "victim contact",
    ),
    (
        "Outcome 16: victim does not support police action",
        "understands why victims withdraw their support for a prosecution",
        "outcome 16 cases",
    ),
    (
        "Domestic abuse",
        "protects victims of domestic abuse",
        "domestic abuse risk assessment",
    ),
    ("Child protection", "safeguards children at risk", "child protection referrals"),
    (
        "Missing persons",
        "responds to reports of missing people",
        "missing person investigations",
    ),
    (
        "Mental health",
        "responds to people in mental health crisis",
        "mental health triage",
    ),
    (
        "Serious and organised crime",
        "disrupts serious and organised crime",
        "organised crime mapping",
    ),
    (
        "Managing sex offenders",
        "manages registered sex offenders",
        "offender risk management",
    ),
    (
        "Stop and search",
        "records and scrutinises its use of stop and search",
        "stop and search",
    ),
    ("Use of force", "records and reviews its use of force", "use of force reporting"),
    ("Counter-corruption", "identifies and tackles corruption", "counter-corruption"),
    ("Vetting", "vets its workforce", "vetting"),
    (
        "Workforce wellbeing",
        "supports the wellbeing of its workforce",
        "wellbeing support",
    ),
    ("Leadership development", "develops its leaders", "leadership development"),
    (
        "Demand and resource planning",
        "understands and plans for demand",
        "demand analysis",
    ),
    (
        "Digital forensics",
        "examines digital devices without delay",
        "digital forensics",
    ),
    (
        "Value for money",
        "plans its finances and shows value for money",
        "financial planning",
    ),
    (
        "Fair treatment",
        "treats the public fairly and with respect",
        "public engagement",
    ),
]

STEPS = [
    "Review the current policy on {}",
    "Train frontline officers and staff on {}",
    "Audit a sample of cases: {}",
    "Report progress on {} to the chief officer group",
    "Publish revised guidance on {}",
    "Add {} measures to the performance framework",
    "Appoint a senior lead for {}",
    "Commission an independent review of {}",
    "Agree a partnership protocol on {}",
    "Check compliance with the new approach to {}",
]

FIRST_NAMES = [
    "Alex",
    "Sam",
    "Jo",
    "Chris",
    "Priya",
    "Dan",
    "Morgan",
    "Olive",
    "Rhys",
    "Aisha",
    "Tom",
    "Megan",
    "Owen",
    "Fatima",
    "Liam",
    "Grace",
    "Kwame",
    "Sian",
    "Ben",
    "Hannah",
]
LAST_NAMES = [
    "Patel",
    "Evans",
    "Morgan",
    "Shah",
    "Hughes",
    "Reid",
    "Ellis",
    "Jones",
    "Williams",
    "Davies",
    "Khan",
    "Taylor",
    "Brown",
    "Wilson",
    "Thomas",
    "Roberts",
    "Ahmed",
    "Clarke",
]

# Questions by pillar, overall first: (text, theme indexes a finding under it draws from)
PILLAR_QUESTIONS = {
    "Effectiveness": [
        ("How effective is the force at keeping people safe and reducing crime?", []),
        (
            "How effective is the force at preventing crime, tackling anti-social behaviour and keeping people safe?",
            [1, 2, 3],
        ),
        (
            "How effective is the force at investigating crime and reducing re-offending?",
            [5, 6, 7, 21],
        ),
        (
            "How effective is the force at protecting those who are vulnerable from harm, and supporting victims?",
            [8, 9, 10, 11],
        ),
        (
            "How effective is the force at tackling serious and organised crime?",
            [12, 13],
        ),
        ("How effective are the force's specialist capabilities?", []),
    ],
    "Efficiency": [
        ("How efficient is the force at keeping people safe and reducing crime?", []),
        ("How well does the force understand demand?", [20, 4]),
        ("How well does the force use its resources?", [20, 22]),
        ("How well is the force planning for the future?", [22, 19]),
    ],
    "Legitimacy": [
        ("How legitimate is the force at keeping people safe and reducing crime?", []),
        (
            "To what extent does the force treat all of the people it serves with fairness and respect?",
            [23, 14, 15],
        ),
        (
            "How well does the force ensure that its workforce behaves ethically and lawfully?",
            [16, 17],
        ),
        (
            "To what extent does the force treat its workforce with fairness and respect?",
            [18, 19],
        ),
    ],
    "Leadership": [
        ("How well led is the force?", []),
        (
            "How well does the force understand, develop and display leadership?",
            [19, 18],
        ),
    ],
}
ASSESSMENT_QUESTIONS = [
    ("Providing a service to the victims of crime", [6, 0]),
    ("Engaging with and treating the public with fairness and respect", [23, 14, 15]),
    (
        "Preventing crime and anti-social behaviour, and reducing vulnerability",
        [1, 2, 3],
    ),
    ("Responding to the public", [4, 11]),
    ("Investigating crime", [5, 7, 21]),
    ("Protecting vulnerable people", [8, 9, 10]),
    ("Managing offenders and suspects", [13, 5]),
    ("Disrupting serious organised crime", [12]),
    ("Building, supporting and protecting the workforce", [18, 16, 17]),
    ("Leadership and force management", [19, 20, 22]),
]
FOUR_POINT = [
    Grade.OUTSTANDING,
    Grade.GOOD,
    Grade.REQUIRES_IMPROVEMENT,
    Grade.INADEQUATE,
]
FOUR_POINT_WEIGHTS = [5, 55, 32, 8]
FIVE_POINT = [
    Grade.OUTSTANDING,
    Grade.GOOD,
    Grade.ADEQUATE,
    Grade.REQUIRES_IMPROVEMENT,
    Grade.INADEQUATE,
]
FIVE_POINT_WEIGHTS = [3, 30, 35, 25, 7]


PEEL, THEMATIC, NATIONAL = "peel", "thematic", "national"


@dataclass(frozen=True)
class Round:
    """One round of a programme: every force gets one report per pillar, in a date range.

    A thematic round is a force-level inspection of one subject (`topic`, a theme
    index); a national round is one national report, addressed to all chief
    constables, of which every force tracks its own copy.
    """

    programme: str
    pillar: str  # empty for integrated reports
    first: datetime.date
    last: datetime.date
    tag: str  # in finding references, e.g. 2016-EFF
    kind: str = PEEL
    topic: int = 0  # for thematic and national rounds: the index of their theme

    @property
    def integrated(self) -> bool:
        return not self.pillar and self.kind == PEEL

    @property
    def five_point(self) -> bool:
        return self.first.year >= 2021


ROUNDS = [
    Round(
        "PEEL 2025–27",
        "",
        datetime.date(2025, 9, 1),
        datetime.date(2026, 10, 30),
        "2025-INT",
    ),
    Round(
        "PEEL 2023–25",
        "",
        datetime.date(2023, 6, 1),
        datetime.date(2025, 6, 30),
        "2023-INT",
    ),
    Round(
        "PEEL 2021/22",
        "",
        datetime.date(2021, 11, 1),
        datetime.date(2022, 10, 31),
        "2021-INT",
    ),
    Round(
        "PEEL 2018/19",
        "",
        datetime.date(2019, 5, 2),
        datetime.date(2020, 1, 24),
        "2018-INT",
    ),
    Round(
        "PEEL 2017",
        "Effectiveness",
        datetime.date(2018, 3, 22),
        datetime.date(2018, 3, 22),
        "2017-EFF",
    ),
    Round(
        "PEEL 2017",
        "Legitimacy",
        datetime.date(2017, 12, 12),
        datetime.date(2017, 12, 12),
        "2017-LEG",
    ),
    Round(
        "PEEL 2017",
        "Efficiency",
        datetime.date(2017, 11, 9),
        datetime.date(2017, 11, 9),
        "2017-EFI",
    ),
    Round(
        "PEEL 2016",
        "Effectiveness",
        datetime.date(2017, 3, 2),
        datetime.date(2017, 3, 2),
        "2016-EFF",
    ),
    Round(
        "PEEL 2016",
        "Legitimacy",
        datetime.date(2016, 12, 8),
        datetime.date(2016, 12, 8),
        "2016-LEG",
    ),
    Round(
        "PEEL 2016",
        "Leadership",
        datetime.date(2016, 12, 8),
        datetime.date(2016, 12, 8),
        "2016-LDR",
    ),
    Round(
        "PEEL 2016",
        "Efficiency",
        datetime.date(2016, 11, 3),
        datetime.date(2016, 11, 3),
        "2016-EFI",
    ),
    Round(
        "PEEL 2015",
        "Effectiveness",
        datetime.date(2016, 2, 25),
        datetime.date(2016, 2, 25),
        "2015-EFF",
    ),
    Round(
        "PEEL 2015",
        "Legitimacy",
        datetime.date(2016, 2, 11),
        datetime.date(2016, 2, 11),
        "2015-LEG",
    ),
    Round(
        "PEEL 2015",
        "Leadership",
        datetime.date(2016, 2, 11),
        datetime.date(2016, 2, 11),
        "2015-LDR",
    ),
    Round(
        "PEEL 2015",
        "Efficiency",
        datetime.date(2015, 10, 15),
        datetime.date(2015, 10, 15),
        "2015-EFI",
    ),
    Round(
        "PEEL 2014",
        "Effectiveness",
        datetime.date(2015, 2, 27),
        datetime.date(2015, 2, 27),
        "2014-EFF",
    ),
    Round(
        "PEEL 2014",
        "Legitimacy",
        datetime.date(2014, 11, 27),
        datetime.date(2014, 11, 27),
        "2014-LEG",
    ),
    Round(
        "PEEL 2014",
        "Efficiency",
        datetime.date(2014, 7, 22),
        datetime.date(2014, 7, 22),
        "2014-EFI",
    ),
]
PILLAR_TITLES = {
    "Effectiveness": "Police effectiveness",
    "Efficiency": "Police efficiency",
    "Legitimacy": "Police legitimacy",
    "Leadership": "Police leadership",
}

# Thematic and national reports: (subject, theme indexes its findings draw on).
# Titles are made from the subject and the year; none is a real report's title.
THEMATIC_TOPICS = [
    ("Crime data integrity", [0, 6, 7]),
    ("Domestic abuse", [8, 6, 5]),
    ("Child protection", [9, 10, 5]),
    ("Custody", [11, 15, 23]),
    ("Vetting and counter-corruption", [17, 16, 18]),
    ("Stalking and harassment", [8, 5, 6]),
    ("Serious and organised crime", [12, 21, 5]),
    ("Stop and search and use of force", [14, 15, 23]),
    ("Missing children", [10, 9, 11]),
    ("Digital investigation", [21, 5, 12]),
    ("Neighbourhood policing and anti-social behaviour", [1, 3, 2]),
    ("Managing sex offenders", [13, 9, 5]),
]
# National reports a year while PEEL runs (2014 on), and national reports and
# force-level thematic rounds a year in the history before it.
NATIONAL_PER_YEAR = 1
HISTORY_NATIONAL_PER_YEAR = 6
HISTORY_THEMATIC_PER_YEAR = 2
# The history before PEEL is closed: every finding complete or superseded.
HISTORY_STATUS_WEIGHTS = {COMPLETE: 80, SUPERSEDED: 20}

# Finding statuses by how recent the round is (0 is the newest round there is).
FINDING_STATUS_WEIGHTS = [
    {AWAITING_REVIEW: 30, BEING_PROGRESSED: 66, CLOSURE_REQUESTED: 4},
    {AWAITING_REVIEW: 3, BEING_PROGRESSED: 57, CLOSURE_REQUESTED: 10, COMPLETE: 30},
    {BEING_PROGRESSED: 20, CLOSURE_REQUESTED: 5, COMPLETE: 58, SUPERSEDED: 17},
    {BEING_PROGRESSED: 4, COMPLETE: 76, SUPERSEDED: 20},
]
OPEN_ACTION_WEIGHTS = {
    Status.NOT_STARTED: 18,
    Status.IN_PROGRESS: 50,
    Status.DONE: 8,
    Status.SIGNED_OFF: 19,
    Status.WITHDRAWN: 5,
}
INSPECTORATE_WORDING = {
    3: "within three months",
    6: "within six months",
    12: "within twelve months",
}


# ---------------------------------------------------------------------- wording

# A finding's text by kind, "{}" being the improvement its first theme asks for.
CAUSE_OF_CONCERN_TEXT = (
    "The force does not do enough to make sure it {}. This is a cause of concern."
)
CAUSE_RECOMMENDATION_TEXT = (
    "To address this cause of concern, the force should make sure it {}."
)
RECOMMENDATION_TEXT = (
    "Within six months, the force should review how it {} and act on what it finds."
)
AREA_FOR_IMPROVEMENT_TEXT = "The force should improve how it {}."
# A national report's recommendation: "{}" the date it gives, then the improvement.
NATIONAL_RECOMMENDATION_TEXT = (
    "By {}, chief constables should make sure that their force {}."
)

# The text of a progress update of each kind ("{}": the percent it reports).
PROGRESS_TEXT = "Work continues; about {}% of the plan is delivered. Next review at the monthly board."
UPDATE_TEXTS = {
    Kind.STARTED: "Work started: scoping agreed with the force lead.",
    Kind.MARKED_DONE: "Delivered: evidence attached for sign-off.",
    Kind.SIGNED_OFF: "Signed off: the evidence shows the improvement is in place.",
    Kind.SELF_SIGNED_OFF: "Signed off: the evidence shows the improvement is in place.",
    Kind.RETURNED: "Returned: the audit results are still missing.",
    Kind.WITHDRAWN: "Withdrawn: overtaken by the force-wide change programme.",
}

CLOSING_STATEMENT = (
    "Every action is signed off or withdrawn; the evidence is attached to each."
)
CLOSURE_DECLINED_COMMENT = "The audit does not yet show a lasting change."
DEADLINE_CHANGE_REASON = (
    "The partner agency's review reports three months later than planned."
)
