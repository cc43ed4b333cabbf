"""A national data set for benchmarks: all 43 forces, years of PEEL inspections, the
national and thematic reports among them and the history before them, their findings
and the actions that answer them, deterministic for a seed.

The shape of one inspection (its questions, findings and action trees) does not
depend on how many actions are asked for: a larger set has more inspections, not
larger ones, as the nation's data grows. Inspections are made newest first, across
the forces in a seeded order, until the number of actions is reached: PEEL's rounds
with a national report a year among them (every force's copy of its
recommendations); then, before PEEL, a year at a time further back, six national
reports and two force-level thematic rounds a year. Older PEEL rounds are mostly
complete or superseded, the newest mostly open with deadlines around today, and
the history before PEEL all closed: a larger set adds closed history, while the
open work of recent inspections stays what it is. The names, themes, programmes
and wording it draws from are in `bench.national_data`.

Rows go in with `bulk_create`, which bypasses `save()`, the services and
django-simple-history: `force` and `inspection` are set here as `save()` would,
and no history records are written. The generator chooses each action's and
finding's status and writes the timeline that leads there; what the services
would have left on the rows (from/to statuses, percent, done_on, status dates,
versions, self sign-offs) is derived from that timeline by `bench.workflow`.
Generated people have addresses under GENERATED_DOMAIN and unusable passwords;
generated inspections say so in `source_reference`.

Run through `manage.py generate_national_data` or `python -m bench`; the app
itself never imports this package.
"""

from __future__ import annotations

import datetime
import random
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from bench import workflow
from bench.national_data import (
    AREA_FOR_IMPROVEMENT_TEXT,
    ASSESSMENT_QUESTIONS,
    CAUSE_OF_CONCERN_TEXT,
    CAUSE_RECOMMENDATION_TEXT,
    CLOSING_STATEMENT,
    CLOSURE_DECLINED_COMMENT,
    DEADLINE_CHANGE_REASON,
    FINDING_STATUS_WEIGHTS,
    FIRST_NAMES,
    FIVE_POINT,
    FIVE_POINT_WEIGHTS,
    FOUR_POINT,
    FOUR_POINT_WEIGHTS,
    HISTORY_NATIONAL_PER_YEAR,
    HISTORY_STATUS_WEIGHTS,
    HISTORY_THEMATIC_PER_YEAR,
    INSPECTORATE_WORDING,
    LAST_NAMES,
    NATIONAL,
    NATIONAL_PER_YEAR,
    NATIONAL_RECOMMENDATION_TEXT,
    OPEN_ACTION_WEIGHTS,
    PEEL,
    PILLAR_QUESTIONS,
    PILLAR_TITLES,
    PROGRESS_TEXT,
    RECOMMENDATION_TEXT,
    ROUNDS,
    STEPS,
    THEMATIC,
    THEMATIC_TOPICS,
    THEMES,
    UPDATE_TEXTS,
    Round,
)
from tracker.importer.addressees import ALL_FORCES
from tracker.importing import (
    NATIONAL_PROGRAMME,
    PCC_RESPONSE_DAYS,
    PCC_RESPONSE_TITLE,
    PCC_RESPONSE_WORDING,
)
from tracker.models import (
    Action,
    DeadlineChangeRequest,
    Evidence,
    Finding,
    FindingEvent,
    Force,
    Grade,
    Inspection,
    NationalFinding,
    ProgressUpdate,
    Question,
    ReminderPolicy,
    ReminderPreference,
    Role,
    Theme,
    User,
)

GENERATED_DOMAIN = "generated.invalid"
MARKER = "Generated national data"
# Bump when the same seed would give different data, so that saved databases are remade.
VERSION = 2
BATCH_SIZE = 5000
# The rank of a round in the history before PEEL (PEEL's own are 0, the newest, on).
HISTORY = 99
# The findings of a force's later reports that one of its findings may be
# superseded by: the nearest few hundred, not all of its history.
LATER_FINDINGS_KEPT = 400
THEMATIC_PROGRAMME = "Thematic inspection"

UTC = datetime.UTC
Status = Action.Status
Kind = ProgressUpdate.Kind
FStatus = Finding.Status


class GeneratorError(Exception):
    pass


@dataclass(frozen=True)
class Fingerprint:
    """What a database filled by the generator holds: read back from its inspections."""

    seed: int
    actions: int
    today: datetime.date
    version: int = VERSION

    @property
    def source_reference(self) -> str:
        return (
            f"{MARKER} (version {self.version}, seed {self.seed}, {self.actions} actions, "
            f"generated for {self.today.isoformat()}): not a real report"
        )

    @classmethod
    def parse(cls, text: str) -> Fingerprint | None:
        match = _FINGERPRINT.match(text or "")
        if not match:
            return None
        version, seed, actions, generated = match.groups()
        return cls(
            int(seed),
            int(actions),
            datetime.date.fromisoformat(generated),
            int(version),
        )

    def matches(self, seed: int, actions: int) -> bool:
        """Made by this version of the generator, with this seed and size?"""
        return (self.version, self.seed, self.actions) == (VERSION, seed, actions)


_FINGERPRINT = re.compile(
    re.escape(MARKER)
    + r" \(version (\d+), seed (\d+), (\d+) actions, generated for (\d{4}-\d{2}-\d{2})\)"
)


def other_data() -> list[str]:
    """What the database holds that the generator did not make, in words (empty if nothing)."""
    found = []
    users = User.objects.exclude(email__endswith=GENERATED_DOMAIN).count()
    if users:
        found.append(f"{users} user{'s' if users != 1 else ''}")
    inspections = Inspection.objects.exclude(
        source_reference__startswith=MARKER
    ).count()
    if inspections:
        found.append(f"{inspections} inspection{'s' if inspections != 1 else ''}")
    return found


def fingerprint() -> Fingerprint | None:
    """The seed and size of the generated data in the database, if that is all it holds."""
    if other_data():
        return None
    first = (
        Inspection.objects.order_by("pk")
        .values_list("source_reference", flat=True)
        .first()
    )
    return Fingerprint.parse(first) if first else None


def holds_anything() -> bool:
    return (
        User.objects.exists() or Inspection.objects.exists() or Theme.objects.exists()
    )


# ------------------------------------------------------------------------ reset


def _content_tables() -> list[str]:
    """Every tracker table except the forces, the people and the reminder policy."""
    keep = {
        Force,
        User,
        ReminderPolicy,
        User.groups.through,
        User.user_permissions.through,
    }
    return [
        model._meta.db_table
        for model in apps.get_app_config("tracker").get_models(
            include_auto_created=True
        )
        if model not in keep and not model._meta.proxy and model._meta.managed
    ]


@transaction.atomic
def delete_all(*, everyone: bool = False) -> None:
    """Empty the tracker: inspections, findings, actions, reminders and their history.

    Then the generated people go, or with `everyone` every person. Only a caller that
    has checked what the database holds may call this.
    """
    with connection.cursor() as cursor:
        # Rows inserted earlier in this transaction leave deferred foreign-key checks
        # pending, and TRUNCATE refuses a table with pending checks: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        tables = ", ".join(connection.ops.quote_name(t) for t in _content_tables())
        cursor.execute(f"TRUNCATE {tables}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    Force.objects.update(inspector_contact=None)
    people = (
        User.objects.all()
        if everyone
        else User.objects.filter(email__endswith=GENERATED_DOMAIN)
    )
    people.delete()


# ------------------------------------------------------------------------ plans


@dataclass
class ActionPlan:
    action: Action
    depth: int
    children: list[ActionPlan] = field(default_factory=list)
    updates: list[ProgressUpdate] = field(default_factory=list)
    contributors: list[User] = field(default_factory=list)

    def walk(self) -> Iterator[ActionPlan]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class FindingPlan:
    finding: Finding
    theme_ids: list[int]
    actions: list[ActionPlan] = field(default_factory=list)
    events: list[FindingEvent] = field(default_factory=list)
    successors: list[tuple[Finding, list[int]]] = field(default_factory=list)

    def all_actions(self) -> list[ActionPlan]:
        return [node for root in self.actions for node in root.walk()]


@dataclass
class ForcePeople:
    lead: User
    staff: list[User]


@contextmanager
def _dates_as_given():
    """Let bulk_create keep the created and updated times set here, not stamp them now."""
    fields = [
        model._meta.get_field(name)
        for model in (Action, Finding, Inspection)
        for name in ("created_at", "updated_at")
        if any(f.name == name for f in model._meta.fields)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


class Generator:
    """Plans one round at a time in memory, then inserts it, so memory stays flat."""

    def __init__(
        self,
        actions: int,
        seed: int,
        today: datetime.date,
        batch_size: int = BATCH_SIZE,
        progress: Callable[[str], None] | None = None,
    ):
        self.target = actions
        self.seed = seed
        self.today = today
        self.yesterday = today - datetime.timedelta(days=1)
        self.batch_size = batch_size
        self.progress = progress or (lambda message: None)
        self.rng = random.Random(f"peel-national-{seed}")
        self.made = 0
        self.rank = 0  # of the round being planned: 0 is the newest
        self.budget = 0  # actions the inspection being planned may still have
        self.counts: dict[str, int] = {}
        self.source_reference = Fingerprint(seed, actions, today).source_reference
        # Per force: (finding, theme indexes) of the rounds already made, for "superseded by".
        self.later_findings: dict[int, list[tuple[Finding, list[int]]]] = {}
        # The national findings of the round being planned (a national report's).
        self.national_findings: list[NationalFinding] = []

    # --------------------------------------------------------------- helpers

    def count(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n

    def moment(self, day: datetime.date) -> datetime.datetime:
        """A working-hours moment on `day` (never after yesterday's)."""
        day = min(day, self.yesterday)
        minutes = self.rng.randrange(8 * 60, 17 * 60)
        return datetime.datetime(
            day.year, day.month, day.day, tzinfo=UTC
        ) + datetime.timedelta(minutes=minutes)

    def spread(
        self, start: datetime.datetime, end: datetime.datetime, n: int
    ) -> list[datetime.datetime]:
        """`n` sorted moments between start and end, at least a minute apart."""
        if n <= 0:
            return []
        span = max((end - start).total_seconds(), 60.0 * (n + 1))
        points = sorted(self.rng.uniform(60, span) for _ in range(n))
        moments, last = [], start
        for seconds in points:
            moment = max(
                start + datetime.timedelta(seconds=seconds),
                last + datetime.timedelta(minutes=1),
            )
            moments.append(moment)
            last = moment
        return moments

    def bulk(self, model, objects: list, what: str | None = None) -> list:
        if objects:
            model.objects.bulk_create(objects, batch_size=self.batch_size)
            self.count(what or model._meta.verbose_name_plural, len(objects))
        return objects

    # ---------------------------------------------------------------- people

    def make_people(self) -> None:
        forces = list(Force.objects.police().order_by("pk"))
        password = make_password(
            None
        )  # unusable: generated people sign in only in tests
        joined = datetime.datetime(2014, 1, 6, 9, 0, tzinfo=UTC)
        inspectors = [
            User(
                email=f"inspector{i:02d}@hmicfrs.{GENERATED_DOMAIN}",
                first_name=self.rng.choice(FIRST_NAMES),
                last_name=self.rng.choice(LAST_NAMES),
                role=Role.INSPECTOR,
                password=password,
                date_joined=joined,
            )
            for i in range(1, 13)
        ]
        admin = User(
            email=f"admin@hmicfrs.{GENERATED_DOMAIN}",
            first_name="Bench",
            last_name="Administrator",
            role=Role.ADMIN,
            is_staff=True,
            is_superuser=True,
            password=password,
            date_joined=joined,
        )
        people = []
        for force in forces:
            for i in range(10):
                people.append(
                    User(
                        email=(
                            f"lead@{force.slug}.{GENERATED_DOMAIN}"
                            if i == 0
                            else f"staff{i}@{force.slug}.{GENERATED_DOMAIN}"
                        ),
                        first_name=self.rng.choice(FIRST_NAMES),
                        last_name=self.rng.choice(LAST_NAMES),
                        role=Role.FORCE_LEAD if i == 0 else Role.FORCE_STAFF,
                        force=force,
                        password=password,
                        date_joined=joined,
                    )
                )
        self.bulk(User, [*inspectors, admin, *people], "users")
        self.inspectors = inspectors
        self.admin = admin
        self.people = {
            force.pk: ForcePeople(
                lead=people[n * 10], staff=people[n * 10 + 1 : n * 10 + 10]
            )
            for n, force in enumerate(forces)
        }
        # Each inspector is the contact of three or four forces; three forces have none,
        # so that their closure requests go to every inspector.
        for n, force in enumerate(forces):
            force.inspector_contact = (
                inspectors[n % len(inspectors)] if n < len(forces) - 3 else None
            )
        Force.objects.bulk_update(forces, ["inspector_contact"])
        self.forces = forces
        preferences = []
        for person in [*inspectors, *people]:
            roll = self.rng.random()
            if roll < 0.15:
                preferences.append(
                    ReminderPreference(
                        user=person,
                        digest=ReminderPreference.Digest.WEEKLY,
                        weekly_on=self.rng.randrange(5),
                    )
                )
            elif roll < 0.19:
                preferences.append(
                    ReminderPreference(
                        user=person,
                        paused_until=self.today
                        + datetime.timedelta(days=self.rng.randint(1, 20)),
                    )
                )
        self.bulk(ReminderPreference, preferences, "reminder preferences")

    def make_themes(self) -> None:
        themes = [Theme(name=name, slug=slugify(name)[:120]) for name, _, _ in THEMES]
        self.bulk(Theme, themes, "themes")
        self.themes = themes

    # ------------------------------------------------------------ inspections

    def rounds(self) -> Iterator[tuple[int, Round]]:
        """(rank, round) newest first, without end.

        PEEL's rounds, with the national reports of their years among them by date;
        then the history before PEEL, a year at a time further back, each year
        national reports and force-level thematic rounds, all of it closed.
        """
        cutoff = self.today - datetime.timedelta(days=14)
        available = [r for r in ROUNDS if r.first <= cutoff]
        oldest = min(r.first for r in available)
        nationals = [
            r
            for year in range(self.today.year, oldest.year - 1, -1)
            for r in self.yearly_rounds(year, NATIONAL_PER_YEAR, 0)
            if oldest <= r.first <= cutoff
        ]
        # A PEEL round's reports come out over a year or more: it is placed by its last.
        for programme_round in sorted(
            [*available, *nationals], key=lambda r: r.last, reverse=True
        ):
            if programme_round.kind == PEEL:
                rank = available.index(programme_round)
            else:
                rank = sum(1 for r in available if r.last > programme_round.first)
            yield rank, programme_round
        year = oldest.year
        while True:
            for programme_round in self.yearly_rounds(
                year, HISTORY_NATIONAL_PER_YEAR, HISTORY_THEMATIC_PER_YEAR
            ):
                if programme_round.first < oldest:
                    yield HISTORY, programme_round
            year -= 1

    @staticmethod
    def yearly_rounds(year: int, nationals: int, thematics: int) -> list[Round]:
        """A year's national reports and thematic rounds, newest first, subjects in turn."""
        rounds = []
        total = nationals + thematics
        for n in range(total):
            # Spread through the year, from December back.
            first = datetime.date(year, 12 - (n * 11) // max(total, 1), 10)
            topic = (year * 5 + n) % len(THEMATIC_TOPICS)
            subject = THEMATIC_TOPICS[topic][0]
            if n < nationals:
                rounds.append(
                    Round(
                        NATIONAL_PROGRAMME,
                        "",
                        first,
                        first,
                        f"NAT-{year}{chr(ord('A') + n)}",
                        kind=NATIONAL,
                        topic=topic,
                    )
                )
            else:
                rounds.append(
                    Round(
                        f"{subject} {year}",
                        "",
                        first,
                        first + datetime.timedelta(days=60),
                        f"{year}-T{n - nationals + 1}",
                        kind=THEMATIC,
                        topic=topic,
                    )
                )
        return rounds

    def run(self) -> dict[str, int]:
        started = time.monotonic()
        self.make_themes()
        self.make_people()
        force_order = list(self.forces)
        self.rng.shuffle(force_order)
        for rank, programme_round in self.rounds():
            if self.made >= self.target:
                break
            plans = []
            self.national_findings = []
            for force in force_order:
                if self.made >= self.target:
                    break
                plans.append(self.plan_inspection(force, programme_round, rank))
            self.insert(plans)
            self.progress(
                f"{self.round_label(programme_round)}: {len(plans)} inspections, "
                f"{self.made} of {self.target} actions ({time.monotonic() - started:.0f} s)"
            )
        self.counts["seconds"] = round(time.monotonic() - started)
        return self.counts

    @staticmethod
    def round_label(programme_round: Round) -> str:
        if programme_round.kind == NATIONAL:
            subject = THEMATIC_TOPICS[programme_round.topic][0]
            return f"{subject}: national report {programme_round.first.year}"
        return f"{programme_round.programme} {programme_round.pillar}".strip()

    def plan_inspection(self, force: Force, programme_round: Round, rank: int):
        rng = self.rng
        self.rank = rank
        span = (programme_round.last - programme_round.first).days
        published = programme_round.first + datetime.timedelta(
            days=rng.randint(0, span)
        )
        published = min(published, self.today - datetime.timedelta(days=7))
        name = force.name
        subject = THEMATIC_TOPICS[programme_round.topic][0]
        year = published.year
        if programme_round.kind == NATIONAL:
            title = f"{subject}: a national thematic inspection ({year})"
        elif programme_round.kind == THEMATIC:
            title = f"{subject} {year}: An inspection of {name}"
        elif programme_round.integrated:
            title = f"{programme_round.programme}: An inspection of {name}"
        else:
            year = programme_round.programme.split()[-1]
            title = f"PEEL: {PILLAR_TITLES[programme_round.pillar]} {year} – {name}"
        inspection = Inspection(
            force=force,
            programme=THEMATIC_PROGRAMME
            if programme_round.kind == THEMATIC
            else programme_round.programme,
            pillar=programme_round.pillar,
            title=title,
            published_on=published,
            source_reference=self.source_reference,
            overall_grade=Grade.NOT_STATED,
            created_at=self.moment(
                published + datetime.timedelta(days=rng.randint(1, 10))
            ),
        )
        inspection.updated_at = inspection.created_at
        questions = self.plan_questions(inspection, programme_round)
        tag = programme_round.tag
        # The last inspection is cut short so that the total is exactly the target.
        self.budget = self.target - self.made - 1  # one for the commissioner's response
        if programme_round.kind == NATIONAL:
            findings = self.plan_national_copies(inspection, programme_round)
        else:
            findings = self.plan_findings(inspection, questions, programme_round, tag)
        pcc = self.plan_pcc_response(inspection)
        self.made = self.target - self.budget
        return inspection, questions, findings, pcc

    def grade(self, programme_round: Round) -> str:
        if self.rng.random() < 0.08:
            return Grade.NOT_STATED  # the copied page lacks the grade line
        if programme_round.five_point:
            return self.rng.choices(FIVE_POINT, FIVE_POINT_WEIGHTS)[0]
        return self.rng.choices(FOUR_POINT, FOUR_POINT_WEIGHTS)[0]

    def plan_questions(
        self, inspection: Inspection, programme_round: Round
    ) -> list[tuple[Question, list[int]]]:
        if programme_round.kind == NATIONAL:
            return []  # a national report asks no graded questions
        if programme_round.kind == THEMATIC:
            subject, themes = THEMATIC_TOPICS[programme_round.topic]
            question = Question(
                inspection=inspection,
                text=f"How well does the force deal with {subject.lower()}?",
                order=1,
                grade=Grade.NOT_GRADED,
            )
            return [(question, themes)]
        if programme_round.five_point:
            texts = [(text, themes, False) for text, themes in ASSESSMENT_QUESTIONS]
        elif programme_round.integrated:
            texts = [
                (text, themes, n == 0)
                for pillar in ("Effectiveness", "Efficiency", "Legitimacy")
                for n, (text, themes) in enumerate(PILLAR_QUESTIONS[pillar])
                if "specialist" not in text
            ]
        else:
            texts = [
                (text, themes, n == 0)
                for n, (text, themes) in enumerate(
                    PILLAR_QUESTIONS[programme_round.pillar]
                )
                if "specialist" not in text
                or programme_round.programme in ("PEEL 2015", "PEEL 2016")
            ]
        questions = []
        for order, (text, themes, overall) in enumerate(texts, start=1):
            if "specialist" in text or "victims of crime" in text or "well led" in text:
                grade = Grade.NOT_GRADED
            else:
                grade = self.grade(programme_round)
            questions.append(
                (
                    Question(
                        inspection=inspection,
                        text=text,
                        order=order,
                        grade=grade,
                        is_overall=overall,
                    ),
                    themes,
                )
            )
        if not programme_round.integrated:
            inspection.overall_grade = questions[0][0].grade
        return questions

    def finding_status(self) -> str:
        if self.rank == HISTORY:
            weights = HISTORY_STATUS_WEIGHTS
        else:
            weights = FINDING_STATUS_WEIGHTS[
                min(self.rank, len(FINDING_STATUS_WEIGHTS) - 1)
            ]
        return self.rng.choices(list(weights), list(weights.values()))[0]

    def plan_findings(
        self, inspection, questions, programme_round: Round, tag: str
    ) -> list[FindingPlan]:
        rng = self.rng
        code = inspection.force.code
        gradeable = [(q, themes) for q, themes in questions if themes]
        if programme_round.kind == THEMATIC:
            causes = rng.choices([0, 1], [80, 20])[0]
            recommendations = rng.randint(3, 8)
            improvements = rng.randint(2, 6)
        elif programme_round.integrated:
            causes = rng.choices([0, 1, 2], [50, 35, 15])[0]
            recommendations = 0
            improvements = min(14, rng.randint(9, 17))
        else:
            causes = rng.choices([0, 1, 2], [70, 25, 5])[0]
            recommendations = rng.choices([0, 1, 2], [50, 35, 15])[0]
            improvements = min(9, rng.randint(5, 12))
        plans: list[FindingPlan] = []

        def new_finding(kind, reference, text, parent=None) -> FindingPlan | None:
            question, theme_choices = rng.choice(gradeable)
            return self.new_finding(
                inspection,
                plans,
                question,
                theme_choices,
                kind,
                reference,
                text,
                parent,
            )

        for c in range(1, causes + 1):
            cause = new_finding(
                Finding.Kind.CAUSE_OF_CONCERN,
                f"{code}-{tag}-COC-{c}",
                CAUSE_OF_CONCERN_TEXT,
            )
            if cause is None:
                break
            for r in range(1, rng.randint(1, 4) + 1):
                new_finding(
                    Finding.Kind.RECOMMENDATION,
                    f"{code}-{tag}-REC-{c}.{r}",
                    CAUSE_RECOMMENDATION_TEXT,
                    parent=cause,
                )
        for r in range(1, recommendations + 1):
            new_finding(
                Finding.Kind.RECOMMENDATION,
                f"{code}-{tag}-REC-{r}",
                RECOMMENDATION_TEXT,
            )
        for a in range(1, improvements + 1):
            new_finding(
                Finding.Kind.AREA_FOR_IMPROVEMENT,
                f"{code}-{tag}-AFI-{a}",
                AREA_FOR_IMPROVEMENT_TEXT,
            )
        return plans

    def new_finding(
        self,
        inspection,
        plans: list[FindingPlan],
        question,
        theme_choices: list[int],
        kind: str,
        reference: str,
        text: str,
        parent: FindingPlan | None = None,
        national: NationalFinding | None = None,
    ) -> FindingPlan | None:
        """One finding with its actions and timeline, added to `plans` (None: no budget left).

        `text` has "{}" for the improvement its first theme asks for; a national
        finding's copy takes the national finding's text as it is.
        """
        if self.budget < 1:
            return None
        rng = self.rng
        themes = [rng.choice(theme_choices)]
        if rng.random() < 0.3:
            themes.append(rng.randrange(len(THEMES)))
        status = self.finding_status()
        if parent is not None and parent.finding.status in (
            FStatus.COMPLETE,
            FStatus.CLOSURE_REQUESTED,
        ):
            # A recommendation is closed no later than its cause of concern.
            if status != FStatus.SUPERSEDED:
                status = FStatus.COMPLETE
        finding = Finding(
            force_id=inspection.force_id,
            inspection=inspection,
            question=question,
            parent=parent.finding if parent else None,
            kind=kind,
            text=national.text if national else text.format(THEMES[themes[0]][1]),
            reference=reference,
            order=len(plans) + 1,
            national=national,
            addressed_as=national.addressed_as if national else "",
            created_at=inspection.created_at,
            updated_at=inspection.created_at,
            status_changed_at=inspection.created_at,
        )
        successors = []
        if status == FStatus.SUPERSEDED:
            # Only a finding that may take this one over (of a later report).
            successors = [
                later
                for later in self.later_findings.get(inspection.force_id, [])
                if workflow.may_supersede(finding, later[0])
            ]
            if not successors:
                status = FStatus.COMPLETE
        # The status this finding is to end in: plan_finding_events writes
        # the timeline that leads there.
        finding.status = status
        plan = FindingPlan(finding, sorted(set(themes)), successors=successors)
        plans.append(plan)
        self.plan_finding_actions(plan, inspection)
        return plan

    def plan_national_copies(
        self, inspection, programme_round: Round
    ) -> list[FindingPlan]:
        """This force's copy of each finding of the round's national report.

        The national findings are made with the round's first inspection, and
        inserted with its inspections (`insert`).
        """
        rng = self.rng
        subject, theme_choices = THEMATIC_TOPICS[programme_round.topic]
        if not self.national_findings:
            title = (
                f"{subject}: a national thematic inspection "
                f"({programme_round.first.year})"
            )
            by = programme_round.first + datetime.timedelta(
                days=30 * rng.choice([6, 9, 12])
            )
            for n in range(1, rng.randint(5, 12) + 1):
                theme = rng.choice(theme_choices)
                self.national_findings.append(
                    NationalFinding(
                        kind=Finding.Kind.RECOMMENDATION,
                        text=NATIONAL_RECOMMENDATION_TEXT.format(
                            f"{by.day} {by:%B %Y}", THEMES[theme][1]
                        ),
                        reference=f"{programme_round.tag}-REC-{n}",
                        order=n,
                        report_title=title,
                        programme=programme_round.programme,
                        published_on=programme_round.first,
                        addressed_as="all chief constables",
                        addressees=[ALL_FORCES],
                    )
                )
        plans: list[FindingPlan] = []
        code = inspection.force.code
        for national in self.national_findings:
            if (
                self.new_finding(
                    inspection,
                    plans,
                    None,
                    theme_choices,
                    national.kind,
                    f"{code}-{national.reference}",
                    "",
                    national=national,
                )
                is None
            ):
                break
        return plans

    # ---------------------------------------------------------------- actions

    def plan_finding_actions(self, plan: FindingPlan, inspection: Inspection) -> None:
        rng = self.rng
        finding = plan.finding
        subject = THEMES[plan.theme_ids[0]][2]
        kind = finding.kind
        if kind == Finding.Kind.AREA_FOR_IMPROVEMENT:
            steps = rng.choices(
                [0, 1, 2, 3, 4, 5, 6, 7], [3, 6, 12, 18, 20, 18, 13, 10]
            )[0]
            set_by_inspectorate = rng.random() < 0.1
        elif kind == Finding.Kind.RECOMMENDATION:
            steps = rng.randint(2, 6)
            set_by_inspectorate = rng.random() < 0.7
        else:
            steps = rng.randint(0, 2)
            set_by_inspectorate = rng.random() < 0.8
        main = self.new_action(
            inspection,
            finding,
            None,
            f"Action plan: {THEMES[plan.theme_ids[0]][0].lower()}",
            1,
            inspectorate=set_by_inspectorate,
        )
        root = ActionPlan(main, 0)
        self.budget -= 1
        for s in range(1, steps + 1):
            if self.budget < 1:
                break
            step = self.new_action(
                inspection, finding, main, rng.choice(STEPS).format(subject), s
            )
            node = ActionPlan(step, 1)
            root.children.append(node)
            self.budget -= 1
            if rng.random() < 0.2:
                for g in range(1, rng.randint(1, 2) + 1):
                    if self.budget < 1:
                        break
                    node.children.append(
                        ActionPlan(
                            self.new_action(
                                inspection,
                                finding,
                                step,
                                rng.choice(STEPS).format(subject),
                                g,
                            ),
                            2,
                        )
                    )
                    self.budget -= 1
        plan.actions.append(root)
        self.assign_statuses(plan)
        for node in plan.all_actions():
            self.plan_action_life(node, inspection)
        self.plan_finding_events(plan, inspection)

    def new_action(
        self, inspection, finding, parent, title, order, inspectorate=False
    ) -> Action:
        return Action(
            force_id=inspection.force_id,
            inspection=inspection,
            finding=finding,
            parent=parent,
            title=title,
            order=order,
            deadline_set_by=Action.DeadlineSetBy.INSPECTORATE
            if inspectorate
            else Action.DeadlineSetBy.FORCE,
        )

    def assign_statuses(self, plan: FindingPlan) -> None:
        """Action statuses the finding's status allows, as the services would have left them.

        Awaiting review: no action has started (workflow.starts_finding). Asked to
        close, or closed: every action closed, one signed off at least
        (workflow.may_request_closure).
        """
        rng = self.rng
        nodes = plan.all_actions()
        status = plan.finding.status
        if status == FStatus.AWAITING_REVIEW:
            chosen = [Status.NOT_STARTED] * len(nodes)
        elif status in (FStatus.CLOSURE_REQUESTED, FStatus.COMPLETE):
            chosen = rng.choices(
                [Status.SIGNED_OFF, Status.WITHDRAWN], [90, 10], k=len(nodes)
            )
            chosen[0] = Status.SIGNED_OFF
        elif status == FStatus.SUPERSEDED and self.rank == HISTORY:
            # The history before PEEL is closed: its work too.
            chosen = rng.choices(
                [Status.SIGNED_OFF, Status.WITHDRAWN], [50, 50], k=len(nodes)
            )
        elif status == FStatus.SUPERSEDED:
            chosen = rng.choices(
                [
                    Status.SIGNED_OFF,
                    Status.WITHDRAWN,
                    Status.IN_PROGRESS,
                    Status.NOT_STARTED,
                ],
                [40, 40, 12, 8],
                k=len(nodes),
            )
        else:
            chosen = rng.choices(
                list(OPEN_ACTION_WEIGHTS),
                list(OPEN_ACTION_WEIGHTS.values()),
                k=len(nodes),
            )
        for node, action_status in zip(nodes, chosen, strict=True):
            node.action.status = action_status
        if status == FStatus.BEING_PROGRESSED:
            # Work on a parent ends after its sub-steps; and the finding has started.
            for node in reversed(nodes):
                open_below = any(
                    child.action.status not in Action.CLOSED_STATUSES
                    for child in node.children
                )
                if open_below and node.action.status not in Action.UNFINISHED_STATUSES:
                    node.action.status = Status.IN_PROGRESS
            if all(node.action.status == Status.NOT_STARTED for node in nodes):
                nodes[0].action.status = Status.IN_PROGRESS

    def deadline_for(self, action: Action, published: datetime.date) -> None:
        rng = self.rng
        if action.deadline_wording:
            return  # set from the report's words already
        if action.deadline_set_by == Action.DeadlineSetBy.INSPECTORATE:
            if rng.random() < 0.5:
                months = rng.choice([3, 6, 12])
                action.deadline = published + datetime.timedelta(days=months * 30)
                action.deadline_wording = INSPECTORATE_WORDING[months]
            else:
                action.deadline = published + datetime.timedelta(
                    days=rng.randint(60, 400)
                )
                action.deadline_wording = (
                    f"by {action.deadline.day} {action.deadline:%B %Y}"
                )
            return
        if action.status in Action.CLOSED_STATUSES or self.rank >= 2:
            action.deadline = published + datetime.timedelta(days=rng.randint(60, 540))
            if rng.random() < 0.05:
                action.deadline = None
            return
        # Open work: deadlines spread around today.
        bucket = rng.choices(["past", "near", "far", "none"], [25, 15, 42, 18])[0]
        if bucket == "past":
            action.deadline = self.today - datetime.timedelta(days=rng.randint(1, 150))
        elif bucket == "near":
            action.deadline = self.today + datetime.timedelta(days=rng.randint(0, 14))
        elif bucket == "far":
            action.deadline = self.today + datetime.timedelta(days=rng.randint(15, 400))
        else:
            action.deadline = None

    def plan_action_life(self, node: ActionPlan, inspection: Inspection) -> None:
        """Owner, deadline, progress updates and the fields they leave on the action."""
        rng = self.rng
        action = node.action
        people = self.people[inspection.force_id]
        lead = people.lead
        if action.status == Status.NOT_STARTED and rng.random() < 0.08:
            action.owner = None
        else:
            action.owner = lead if rng.random() < 0.1 else rng.choice(people.staff)
        if rng.random() < 0.3:
            others = [p for p in people.staff if p is not action.owner]
            node.contributors = rng.sample(others, rng.randint(1, 2))
        self.deadline_for(action, inspection.published_on)
        created = inspection.created_at + datetime.timedelta(
            days=rng.randint(0, 30), minutes=node.depth
        )
        created = min(created, self.moment(self.yesterday))
        action.created_at = created
        status = action.status
        doer = action.owner or lead
        workers = [doer, *node.contributors]
        # The last moment of the action's story.
        if status in Action.CLOSED_STATUSES:
            target = action.deadline or (
                inspection.published_on + datetime.timedelta(days=200)
            )
            end_day = target + datetime.timedelta(days=rng.randint(-60, 30))
        elif status == Status.DONE:
            end_day = self.today - datetime.timedelta(days=rng.randint(0, 20))
        else:
            # Some open work has been silent for weeks: the nudges are for it.
            end_day = self.today - datetime.timedelta(
                days=rng.choice([0, 1, 3, 7, 14, 20, 35, 45, 70])
            )
        end = self.moment(max(end_day, created.date() + datetime.timedelta(days=1)))
        if end <= created:
            end = created + datetime.timedelta(hours=1)

        # The timeline, as (kind, author, percent) steps; the statuses each
        # moves between are the workflow's.
        steps: list[tuple[str, User, int | None]] = []
        if status != Status.NOT_STARTED and not (
            status == Status.WITHDRAWN and rng.random() < 0.4
        ):
            steps.append((Kind.STARTED, doer, None))
            if status == Status.IN_PROGRESS:
                progress = rng.randint(2, 12)
            elif status == Status.WITHDRAWN:
                progress = rng.randint(0, 5)
            else:
                progress = rng.randint(3, 10)
            percents = sorted(rng.sample(range(5, 96), progress))
            for percent in percents:
                steps.append((Kind.PROGRESS, rng.choice(workers), percent))
            if status in (Status.DONE, Status.SIGNED_OFF):
                if rng.random() < 0.12:
                    steps.append((Kind.MARKED_DONE, doer, None))
                    steps.append((Kind.RETURNED, lead, None))
                    steps.append((Kind.PROGRESS, doer, 98))
                steps.append((Kind.MARKED_DONE, doer, None))
            if status == Status.SIGNED_OFF:
                signed = workflow.sign_off_kind(lead, action.owner, node.contributors)
                steps.append((signed, lead, None))
        if status == Status.WITHDRAWN:
            steps.append((Kind.WITHDRAWN, lead, None))
        moments = self.spread(created, end, len(steps))
        # Replay the timeline on the action as the services would have applied it.
        workflow.created_and_assigned(action, created)
        for (kind, author, percent), moment in zip(steps, moments, strict=True):
            update = ProgressUpdate(
                action=action,
                kind=kind,
                author=author,
                text=self.update_text(kind, percent),
                percent_complete=percent,
                created_at=moment,
            )
            workflow.apply_update(action, update)
            node.updates.append(update)
        assert action.status == status, (action.status, status)
        action.updated_at = moments[-1] if moments else created

    @staticmethod
    def update_text(kind: str, percent: int | None) -> str:
        if kind == Kind.PROGRESS:
            return PROGRESS_TEXT.format(percent)
        return UPDATE_TEXTS.get(kind, "")

    def plan_pcc_response(self, inspection: Inspection) -> ActionPlan:
        """The police and crime commissioner's response, due 56 days after publication (s.55)."""
        lead = self.people[inspection.force_id].lead
        action = Action(
            force_id=inspection.force_id,
            inspection=inspection,
            finding=None,
            title=PCC_RESPONSE_TITLE,
            order=1,
            deadline=inspection.published_on
            + datetime.timedelta(days=PCC_RESPONSE_DAYS),
            deadline_wording=PCC_RESPONSE_WORDING,
            deadline_set_by=Action.DeadlineSetBy.INSPECTORATE,
        )
        if self.rank == 0 and action.deadline >= self.today - datetime.timedelta(
            days=14
        ):
            action.status = self.rng.choice([Status.NOT_STARTED, Status.IN_PROGRESS])
        elif self.rank == 0 and self.rng.random() < 0.15:
            action.status = Status.IN_PROGRESS  # late, and escalated
        else:
            action.status = Status.SIGNED_OFF
        node = ActionPlan(action, 0)
        self.plan_action_life(node, inspection)
        # The lead owns it and does all of it, signing it off too.
        action.owner = lead
        node.contributors = []
        for update in node.updates:
            update.author = lead
            if update.kind == Kind.SIGNED_OFF:
                update.kind = workflow.sign_off_kind(lead, lead, [])
        return node

    # --------------------------------------------------------------- findings

    def plan_finding_events(self, plan: FindingPlan, inspection: Inspection) -> None:
        """The published timeline the finding's status implies, and its status date."""
        rng = self.rng
        finding = plan.finding
        status = finding.status
        people = self.people[inspection.force_id]
        inspector = self.inspectors[
            self.forces.index(inspection.force) % len(self.inspectors)
        ]
        nodes = plan.all_actions()
        updates = [u for node in nodes for u in node.updates]
        started = [u.created_at for u in updates if workflow.starts_finding(u)]
        events = []

        def event(kind, author, text, moment):
            events.append(
                FindingEvent(
                    finding=finding,
                    kind=kind,
                    author=author,
                    text=text,
                    created_at=moment,
                )
            )
            return moment

        moment = finding.created_at
        if started:
            # DIFFERS from the services, which name the action that started: this
            # names the finding's first action, whichever started first.
            moment = event(
                FindingEvent.Kind.PROGRESSING,
                people.lead,
                workflow.work_started_text(nodes[0].action),
                min(started),
            )
        if status in (FStatus.CLOSURE_REQUESTED, FStatus.COMPLETE):
            assert workflow.may_request_closure([n.action.status for n in nodes])
            closed = max((u.created_at for u in updates), default=moment)
            asked = self.moment(
                closed.date() + datetime.timedelta(days=rng.randint(1, 30))
            )
            asked = max(asked, moment + datetime.timedelta(minutes=1))
            if status == FStatus.COMPLETE and rng.random() < 0.1:
                moment = event(
                    FindingEvent.Kind.CLOSURE_REQUESTED,
                    people.lead,
                    CLOSING_STATEMENT,
                    asked,
                )
                moment = event(
                    FindingEvent.Kind.CLOSURE_DECLINED,
                    inspector,
                    CLOSURE_DECLINED_COMMENT,
                    moment + datetime.timedelta(days=rng.randint(5, 30)),
                )
                asked = moment + datetime.timedelta(days=rng.randint(10, 60))
            moment = event(
                FindingEvent.Kind.CLOSURE_REQUESTED,
                people.lead,
                CLOSING_STATEMENT,
                asked,
            )
            if status == FStatus.COMPLETE:
                moment = event(
                    FindingEvent.Kind.CLOSURE_AUTHORISED,
                    inspector,
                    "",
                    moment + datetime.timedelta(days=rng.randint(5, 60)),
                )
        elif status == FStatus.SUPERSEDED:
            later = plan.successors
            same_theme = [p for p in later if set(p[1]) & set(plan.theme_ids)]
            by = rng.choice(same_theme or later)[0]
            finding.superseded_by = by
            moment = event(
                FindingEvent.Kind.SUPERSEDED,
                inspector,
                workflow.superseded_text(by),
                max(by.created_at, moment + datetime.timedelta(minutes=1)),
            )
        cap = self.moment(self.yesterday).replace(hour=18, minute=0)
        # Replay the timeline on the finding as the services would have applied it.
        workflow.finding_created(finding, finding.created_at)
        for item in events:
            item.created_at = min(item.created_at, cap)
            workflow.apply_finding_event(finding, item)
        assert finding.status == status, (finding.status, status)
        plan.events = events
        finding.updated_at = finding.status_changed_at

    # ------------------------------------------------------------------ insert

    def insert(self, plans) -> None:
        self.bulk(NationalFinding, self.national_findings, "national findings")
        inspections = [inspection for inspection, *_ in plans]
        self.bulk(Inspection, inspections, "inspections")
        self.bulk(
            Question,
            [q for _, questions, _, _ in plans for q, _ in questions],
            "questions",
        )
        finding_plans = [f for _, _, findings, _ in plans for f in findings]
        # Causes of concern first: recommendations point at them.
        self.bulk(
            Finding,
            [f.finding for f in finding_plans if f.finding.parent is None],
            "findings",
        )
        self.bulk(
            Finding,
            [f.finding for f in finding_plans if f.finding.parent is not None],
            "findings",
        )
        through = Finding.themes.through
        self.bulk(
            through,
            [
                through(finding_id=f.finding.pk, theme_id=self.themes[t].pk)
                for f in finding_plans
                for t in f.theme_ids
            ],
            "finding themes",
        )
        self.bulk(
            FindingEvent, [e for f in finding_plans for e in f.events], "finding events"
        )
        nodes = [n for f in finding_plans for n in f.all_actions()] + [
            pcc for *_, pcc in plans
        ]
        for depth in (0, 1, 2):
            self.bulk(Action, [n.action for n in nodes if n.depth == depth], "actions")
        contributors = Action.contributors.through
        self.bulk(
            contributors,
            [
                contributors(action_id=n.action.pk, user_id=person.pk)
                for n in nodes
                for person in n.contributors
            ],
            "contributors",
        )
        updates = [u for n in nodes for u in n.updates]
        for start in range(0, len(updates), self.batch_size):
            self.bulk(
                ProgressUpdate,
                updates[start : start + self.batch_size],
                "progress updates",
            )
        evidence = []
        for update in updates:
            if (
                update.kind in (Kind.PROGRESS, Kind.MARKED_DONE)
                and self.rng.random() < 0.08
            ):
                evidence.append(
                    Evidence(
                        update=update,
                        link=f"https://intranet.{GENERATED_DOMAIN}/documents/{update.pk}",
                        created_at=update.created_at,
                    )
                )
        self.bulk(Evidence, evidence, "evidence")
        self.bulk(
            DeadlineChangeRequest,
            self.deadline_requests(nodes),
            "deadline change requests",
        )
        for inspection, _, findings, _ in plans:
            later = self.later_findings.setdefault(inspection.force_id, [])
            later.extend((plan.finding, plan.theme_ids) for plan in findings)
            del later[:-LATER_FINDINGS_KEPT]

    def deadline_requests(self, nodes: list[ActionPlan]) -> list[DeadlineChangeRequest]:
        """A few force leads waiting for an inspector to move a deadline the inspectorate set.

        DIFFERS from services.deadline_change_request, which refuses a new deadline
        that is not after today (most of these are) and writes a "deadline change
        requested" update on the action's timeline (these have none).
        """
        requests = []
        for node in nodes:
            action = node.action
            if (
                action.deadline_set_by == Action.DeadlineSetBy.INSPECTORATE
                and action.status in Action.UNFINISHED_STATUSES
                and action.deadline
                and self.rng.random() < 0.04
            ):
                requests.append(
                    DeadlineChangeRequest(
                        action=action,
                        requested_by=self.people[action.force_id].lead,
                        current_deadline=action.deadline,
                        new_deadline=action.deadline + datetime.timedelta(days=90),
                        reason=DEADLINE_CHANGE_REASON,
                        created_at=self.moment(
                            self.today
                            - datetime.timedelta(days=self.rng.randint(1, 20))
                        ),
                    )
                )
        return requests


def generate(
    actions: int,
    *,
    seed: int = 1,
    today: datetime.date | None = None,
    reset: bool = False,
    force_reset: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Fill the database with a national data set of `actions` actions.

    Refuses a database holding anything the generator did not make, unless
    `force_reset` (which deletes it all, people included); replaces earlier
    generated data only with `reset`.
    """
    if actions < 1:
        raise GeneratorError("Ask for at least one action.")
    today = today or timezone.localdate()
    foreign = other_data()
    if foreign and not force_reset:
        raise GeneratorError(
            f"This database holds data the generator did not make ({', '.join(foreign)}). "
            "Use an empty database, or --force-reset to delete everything in it first."
        )
    if holds_anything() and not (reset or force_reset):
        raise GeneratorError(
            "This database already holds generated data: pass --reset to replace it."
        )
    with transaction.atomic(), _dates_as_given():
        if holds_anything() or force_reset:
            delete_all(everyone=force_reset)
        generator = Generator(actions, seed, today, batch_size, progress)
        counts = generator.run()
    return counts
