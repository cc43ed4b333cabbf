"""Saving a parsed report: one transaction from the parser's data to inspection, findings and actions.

The parser (`tracker.importer`) knows nothing of Django; it hands over its
result as plain data (`ParsedReport.to_dict()`, dates as ISO strings). The
preview page lets an inspector correct that data before it comes here.

1. `plan_import` works out what saving would do: nothing (the same text was
   imported before), a new inspection, or a revision of an inspection already
   imported (with what is new, changed and gone).
2. `save_import` carries the plan out in one transaction.
"""

import datetime
import difflib
import hashlib
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import services
from .formats import long_date
from .importer import ParsedEntry, addressees, walk
from .importer.dates import due_from_publication, is_handed_over
from .models import (
    PCC_RESPONSE_DAYS,
    PCC_RESPONSE_TITLE,
    Action,
    DeadlineChangeRequest,
    Finding,
    Force,
    Grade,
    Inspection,
    NationalFinding,
    Question,
    Role,
    User,
)
from .notifications import events
from .services.inspections import WORDING_LIMIT

PCC_RESPONSE_WORDING = f"within {PCC_RESPONSE_DAYS} days of publication"
PILLAR_CODES = {
    "effectiveness": "EFF",
    "efficiency": "EFY",
    "legitimacy": "LEG",
    "leadership": "LDR",
}
KIND_LABELS = dict(Finding.Kind.choices)
# How alike a revision's finding must be to an imported one to be taken for it; a
# register page's finding is the report's own words, so it must be almost exactly.
MATCH_SIMILARITY = 0.6
REGISTER_MATCH_SIMILARITY = 0.9


class ReportImportError(Exception):
    """A report that cannot be saved as it stands, with a message for the person importing it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def content_hash(text: str | bytes) -> str:
    if isinstance(text, str):
        text = text.encode("utf-8")
    # Line endings and trailing spaces differ between copies of the same page.
    normalised = b"\n".join(
        line.rstrip() for line in text.replace(b"\r\n", b"\n").split(b"\n")
    ).strip()
    return hashlib.sha256(normalised).hexdigest()


def find_force(name: str | None) -> Force | None:
    """The force a report or a person names: "West Mercia", "west-mercia", "WMP" or its full name."""
    name = (name or "").strip()
    if not name:
        return None
    plain = name.removesuffix(" Police").removesuffix(" Constabulary").strip()
    return Force.objects.filter(
        Q(name__iexact=name)
        | Q(short_name__iexact=plain)
        | Q(slug__iexact=name)
        | Q(code__iexact=name)
    ).first()


def _date(value) -> datetime.date | None:
    if not value:
        return None
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(value)


def is_register_page(data: dict) -> bool:
    """A register page: one finding of a report, with its published status log."""
    return any(place.item.get("timeline") for place in walk(data))


def published_on(data: dict) -> datetime.date | None:
    return _date(data.get("published")) or _date(data.get("last_updated"))


def verbatim_text(finding: dict) -> str:
    """The finding as the report words it: its sentences, its sub-items, its closing paragraph."""
    lines = [finding["text"]]

    def items(children, depth):
        for child in children:
            lines.append(f"{'  ' * depth}• {child['text']}")
            items(child.get("children", []), depth + 1)

    items(finding.get("children", []), 0)
    if finding.get("trailing_text"):
        lines.extend(["", finding["trailing_text"]])
    return "\n".join(lines)


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def word_diff(before: str, after: str) -> tuple[list, list]:
    """Before and after as (changed?, words) runs, so a small edit in a long text shows."""
    old, new = before.split(), after.split()
    runs: tuple[list, list] = ([], [])
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if i2 > i1:
            runs[0].append((op != "equal", " ".join(old[i1:i2])))
        if j2 > j1:
            runs[1].append((op != "equal", " ".join(new[j1:j2])))
    return runs


# Planning ----------------------------------------------------------------------------


@dataclass
class StepChange:
    """An action of a kept finding that a revision changes, or a step it adds."""

    planned: "PlannedAction"
    depth: int
    current: Action | None = None  # None: the revision adds this step
    updates: dict = field(default_factory=dict)  # model field → new value
    parent: Action | None = None  # for an added step: where it goes...
    parent_step: "StepChange | None" = None  # ...or under which added step
    created: Action | None = None
    note: str = ""  # why a deadline the report changes is kept

    @property
    def deadline_changed(self) -> bool:
        return "deadline" in self.updates or "deadline_wording" in self.updates


@dataclass
class FindingChange:
    kind: str
    text: str
    old: Finding | None = None  # None for a new finding
    similarity: float = 1.0
    position: int = 0  # the finding's place in walk(plan.data)
    steps: list[StepChange] = field(default_factory=list)

    @property
    def text_changed(self) -> bool:
        return self.old is not None and self.old.text != self.text

    @property
    def kind_changed(self) -> bool:
        return self.old is not None and self.old.kind != self.kind


@dataclass
class ImportPlan:
    data: dict
    force: Force | None  # None for a national report (plan_national_import)
    content_hash: str
    national: bool = False
    already_imported: Inspection | None = None
    previous: Inspection | None = None  # an earlier version of the same report
    unchanged: list[Finding] = field(default_factory=list)
    changed: list[FindingChange] = field(default_factory=list)
    new: list[FindingChange] = field(default_factory=list)
    gone: list[Finding] = field(default_factory=list)
    # By place in walk(data): the imported finding an unchanged or
    # changed one keeps (a new finding has no entry).
    kept: dict[int, Finding] = field(default_factory=dict)

    @property
    def is_revision(self) -> bool:
        return self.previous is not None

    def counts(self) -> dict[str, int]:
        places = list(walk(self.data, items=True))
        return {
            "questions": len(self.data.get("questions", [])),
            "findings": sum(place.is_finding for place in places),
            "deadlines": sum(len(place.item.get("deadlines", [])) for place in places),
        }


def plan_import(
    data: dict, force: Force, source_text: str | bytes = b"", *, fingerprint: str = ""
) -> ImportPlan:
    """What saving this report would do, without saving anything."""
    if not data.get("questions") and not data.get("findings"):
        raise ReportImportError(
            "Neither questions nor findings were found in this report."
        )
    plan = ImportPlan(
        data=data, force=force, content_hash=fingerprint or content_hash(source_text)
    )
    plan.already_imported = Inspection.objects.filter(
        force=force, content_hash=plan.content_hash
    ).first()
    if plan.already_imported:
        return plan
    plan.previous = (
        Inspection.objects.filter(
            force=force, programme=_programme(data), pillar=data.get("pillar") or ""
        )
        .order_by("-created_at")
        .first()
    )
    if plan.previous:
        _compare(plan)
        if is_register_page(data):
            plan.gone = []  # the page is one finding of its report: the rest stay
    return plan


def _compare(plan: ImportPlan) -> None:
    """Match the revision's findings to the imported ones: same kind, most similar text
    (or a kind the inspector corrected on text worded almost exactly alike).

    Between equally similar candidates, a recommendation keeps one under the cause
    of concern its own cause matched, so identical wording under two causes does
    not swap their work. A finding worded as before is still changed when its
    actions would be saved differently (a deadline the inspector corrected, say).
    """
    old = list(plan.previous.findings.all())
    unmatched = {finding.pk: finding for finding in old}
    actions = _Actions(plan.previous)
    cause = None  # the imported finding the latest top-level finding matched
    enough = (
        REGISTER_MATCH_SIMILARITY if is_register_page(plan.data) else MATCH_SIMILARITY
    )
    for position, place in enumerate(walk(plan.data)):
        finding, is_recommendation = place.item, place.is_recommendation
        text = verbatim_text(finding)
        parent_pk = cause.pk if is_recommendation and cause is not None else None
        best, score = _best_match(text, finding["kind"], unmatched, parent_pk)
        match = None
        if best is not None and score >= enough:
            actions.carry_corrections(best, planned_actions(finding))
            steps = actions.steps(best, planned_actions(finding))
            changes = any(step.current is None or step.updates for step in steps)
            if score == 1.0 and not changes and best.kind == finding["kind"]:
                plan.unchanged.append(best)
            else:
                plan.changed.append(
                    FindingChange(finding["kind"], text, best, score, position, steps)
                )
            match = best
        else:
            plan.new.append(
                FindingChange(finding["kind"], text, similarity=0.0, position=position)
            )
        if match is not None:
            del unmatched[match.pk]
            plan.kept[position] = match
        if not is_recommendation:
            cause = match
    plan.gone = list(unmatched.values())


def _best_match(
    text: str, kind: str, candidates: dict[int, Finding], parent_pk: int | None
) -> tuple[Finding | None, float]:
    """The most similar imported finding of the same kind, or else one worded
    almost exactly alike whose kind the inspector corrected."""
    best, best_key = None, None
    for candidate in candidates.values():
        ratio = difflib.SequenceMatcher(
            None, _normal(candidate.text), _normal(text)
        ).ratio()
        same_kind = candidate.kind == kind
        if not same_kind and ratio < 0.9:
            continue
        key = (
            same_kind and ratio >= 0.6,
            ratio,
            parent_pk is not None and candidate.parent_id == parent_pk,
        )
        if best_key is None or key > best_key:
            best, best_key = candidate, key
    return best, (best_key[1] if best_key else 0.0)


class _Actions:
    """The actions saved for an inspection's findings, to compare with a revision's.

    An action is matched by its place among its siblings (in the order they were
    saved), as findings are by their place in the report, so the work recorded on it
    stays. Only what the report sets is compared: texts and the inspectorate's
    deadlines, never owners, statuses or progress.
    """

    def __init__(self, inspection: Inspection):
        self.children: dict[tuple, list[Action]] = {}
        for action in Action.objects.filter(finding__inspection=inspection).order_by(
            "order", "pk"
        ):
            self.children.setdefault((action.finding_id, action.parent_id), []).append(
                action
            )
        # A deadline moved with the inspectorate's approval is work recorded on
        # the action: a revision does not move it back.
        self.moved = set(
            DeadlineChangeRequest.objects.filter(
                action__finding__inspection=inspection,
                status=DeadlineChangeRequest.Status.APPROVED,
            ).values_list("action_id", flat=True)
        )

    def _pairs(self, finding: Finding, planned: list["PlannedAction"]):
        """(step, saved action) for each planned step an action is saved for."""

        def walk(steps, siblings):
            # A revision may add steps or have fewer: only the pairs count here.
            ordered = sorted(steps, key=lambda s: s.order)
            for step, current in zip(ordered, siblings, strict=False):
                yield step, current
                yield from walk(
                    step.children, self.children.get((finding.pk, current.pk), [])
                )

        yield from walk(planned, self.children.get((finding.pk, None), []))

    def carry_corrections(
        self, finding: Finding, planned: list["PlannedAction"]
    ) -> None:
        """Put the inspector's earlier date corrections into the report's data.

        A date the inspector corrected on an earlier import stands while the report
        keeps the words they corrected. Written into the data (as a correction made
        in the preview would be), the preview's box shows the date that will be
        saved, and the inspector can change it like any other. Each deadline is
        looked at once, so a date the inspector then puts back is not carried again.
        """
        for step, current in self._pairs(finding, planned):
            deadline = step.source
            if (
                deadline is None
                or "earlier_correction" in deadline
                or step.corrected
                or current.pk in self.moved  # shown kept, with its own note
                or current.deadline is None
                or current.deadline == step.deadline
                or current.deadline_wording
                != CORRECTED_WORDING.format(step.deadline_wording)
            ):
                continue
            deadline["published"] = {
                "due": deadline["due"],
                "wording": deadline["wording"],
            }
            deadline["due"] = deadline["earlier_correction"] = (
                current.deadline.isoformat()
            )

    def steps(
        self, finding: Finding, planned: list["PlannedAction"]
    ) -> list[StepChange]:
        out: list[StepChange] = []

        def walk(steps, siblings, depth, parent, parent_step):
            for i, step in enumerate(sorted(steps, key=lambda s: s.order)):
                current = siblings[i] if i < len(siblings) else None
                if current is None:
                    change = StepChange(
                        step, depth, parent=parent, parent_step=parent_step
                    )
                    out.append(change)
                    walk(step.children, [], depth + 1, None, change)
                    continue
                updates, note = self._updates(current, step)
                if updates or note:
                    out.append(StepChange(step, depth, current, updates, note=note))
                walk(
                    step.children,
                    self.children.get((finding.pk, current.pk), []),
                    depth + 1,
                    current,
                    None,
                )

        walk(planned, self.children.get((finding.pk, None), []), 0, None, None)
        return out

    def _updates(self, current: Action, step: "PlannedAction") -> tuple[dict, str]:
        """The fields the report sets that differ, and why a deadline is kept if so."""
        updates = {
            name: getattr(step, name)
            for name in ("title", "description")
            if getattr(current, name) != getattr(step, name)
        }
        deadline = ("deadline", "deadline_wording", "deadline_set_by")
        before = tuple(getattr(current, name) for name in deadline)
        after = tuple(getattr(step, name) for name in deadline)
        if before == after or (
            # The force's own date for a finding the report does not date.
            step.deadline is None
            and current.deadline_set_by == Action.DeadlineSetBy.FORCE
        ):
            return _unless_closed(current, updates, "")
        note = ""
        if not step.corrected and current.pk in self.moved:
            note = "kept: it was moved with the inspectorate's approval"
        else:
            updates.update(
                (name, value)
                for name, value, old in zip(deadline, after, before, strict=True)
                if value != old
            )
        return _unless_closed(current, updates, note)


CLOSED_NOTE = "closed: kept as it was"


def _unless_closed(current: Action, updates: dict, note: str) -> tuple[dict, str]:
    # Closed work is judged against the deadline it had: a later date would turn
    # "done late" into "on time" after the fact, with nothing on its timeline.
    if current.is_closed and (updates or note):
        return {}, CLOSED_NOTE
    return updates, note


def _programme(data: dict) -> str:
    return data.get("programme") or "Inspection"


# Saving ------------------------------------------------------------------------------


@transaction.atomic
def save_import(
    plan: ImportPlan, user: User | None, *, source_reference: str = ""
) -> Inspection:
    """Create (or revise) the inspection with its questions, findings, actions and deadlines.

    Every row is written through the services (tracker.services.inspections).
    """
    services.check_importer(user)
    if plan.already_imported:
        raise ReportImportError(
            f"This report was already imported on {long_date(timezone.localdate(plan.already_imported.created_at))}: "
            "nothing was changed."
        )
    problems = wording_problems(plan.data)
    if problems:
        raise ReportImportError(" ".join(problems))
    if plan.is_revision:
        return _apply_revision(plan, user)
    if plan.force is None:
        raise ReportImportError(
            "A report for all forces is saved by save_national_import."
        )
    data = plan.data
    inspection = services.inspection_create(
        user,
        force=plan.force,
        programme=_programme(data),
        pillar=data.get("pillar") or "",
        title=_title(data, plan.force),
        published_on=published_on(data),
        source_reference=source_reference,
        overall_grade=data.get("overall_grade") or Grade.NOT_STATED,
        content_hash=plan.content_hash,
    )
    questions = {
        q["order"]: services.question_create(
            user,
            inspection,
            order=q["order"],
            text=q["text"],
            grade=q.get("grade") or Grade.NOT_STATED,
            is_overall=bool(q.get("is_overall")),
        )
        for q in data.get("questions", [])
    }
    references = _References.for_new(inspection, data)
    saved: dict[int, Finding] = {}  # by id() of the finding's data
    for place in walk(data):
        # A recommendation goes under its cause of concern, and so its question.
        parent = saved[id(place.parent)] if place.parent is not None else None
        saved[id(place.item)] = _create_finding(
            inspection,
            questions.get(place.question_order),
            place.item,
            references,
            user,
            parent=parent,
        )
    _add_pcc_response(inspection, user)
    events.inspection_imported(user, inspection)
    return inspection


def _title(data: dict, force: Force) -> str:
    pillar = data.get("pillar")
    return f"{_programme(data)}{f': {pillar}' if pillar else ''} – {force.name}"


class _References:
    """Stable human references, e.g. WMP-2016-EFF-AFI-3, numbered per kind in report order."""

    def __init__(self, prefix: str, numbers: dict[str, int] | None = None):
        self.prefix = prefix
        self.numbers: dict[str, int] = numbers or {}

    @classmethod
    def for_new(cls, inspection: Inspection, data: dict) -> "_References":
        year = data.get("year") or (
            inspection.published_on.year if inspection.published_on else ""
        )
        pillar = (data.get("pillar") or "").casefold()
        code = PILLAR_CODES.get(pillar) or (pillar[:3].upper() if pillar else "PEEL")
        prefix = "-".join(
            str(part) for part in (inspection.force.code, year, code) if part
        )
        # A second report with the same prefix (an accelerated cause of concern
        # in the same year, say) gets a letter so that references stay unique.
        base, letter = prefix, "B"
        while Finding.objects.filter(reference__startswith=f"{prefix}-").exists():
            prefix = f"{base}{letter}"
            letter = chr(ord(letter) + 1)
        return cls(prefix)

    @classmethod
    def continuing(cls, inspection: Inspection) -> "_References":
        """Go on from the highest number used per kind: a removed finding's gap is never reused."""
        references = list(inspection.findings.values_list("reference", flat=True))
        if not references:
            return cls(f"{inspection.force.code}-REV")
        codes = {code: kind for kind, code in Finding.KIND_CODES.items()}
        numbers: dict[str, int] = {}
        for reference in references:
            prefix, code, number = reference.rsplit("-", 2)
            kind = codes[code]
            numbers[kind] = max(numbers.get(kind, 0), int(number))
        return cls(prefix, numbers)

    def next(self, kind: str) -> tuple[str, int]:
        self.numbers[kind] = self.numbers.get(kind, 0) + 1
        number = self.numbers[kind]
        return f"{self.prefix}-{Finding.KIND_CODES[kind]}-{number}", number


def _create_finding(
    inspection, question, data: dict, references, user, parent=None
) -> Finding:
    """One finding and its actions (not its recommendations)."""
    reference, _ = references.next(data["kind"])
    finding = services.finding_create(
        user,
        inspection,
        kind=data["kind"],
        text=verbatim_text(data),
        reference=reference,
        order=sum(references.numbers.values()),
        question=question,
        parent=parent,
        addressed_as=data.get("addressed_as") or "",
    )
    _save_actions(finding, data, user)
    _record_register(finding, data, user)
    return finding


def _record_register(finding: Finding, data: dict, user) -> None:
    """The register page's status log onto the finding's timeline (once each entry)."""
    entries = [
        ParsedEntry(
            on=datetime.date.fromisoformat(entry["on"]),
            status=entry.get("status"),
            text=entry.get("text", ""),
            line=entry.get("line", 0),
        )
        for entry in data.get("timeline", [])
    ]
    if entries:
        services.record_register_entries(user, finding, entries)


def _sentence_title(text: str, limit: int = 150) -> str:
    text = (
        " ".join(text.split())
        .rstrip(";:,. ")
        .removesuffix("; and")
        .removesuffix(" and")
    )
    text = text[:1].upper() + text[1:]
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return f"{cut}…"


# The wording kept beside a date the inspector corrected in the preview: the
# report's own words would otherwise contradict the date shown next to them.
CORRECTED_WORDING = "the report says “{}”; corrected by the inspector"


def saved_wording(deadline: dict) -> str:
    """The deadline's words as saved: the report's, unless the inspector corrected them.

    `published` holds the date and words the parser read, once the preview has
    corrected either. A wording the inspector typed is saved as typed.
    """
    published = deadline.get("published") or deadline
    if deadline["wording"] != published["wording"]:
        return deadline["wording"]
    wording = "immediately" if deadline.get("immediate") else deadline["wording"]
    if deadline["due"] != published["due"]:
        return CORRECTED_WORDING.format(wording)
    return wording


def _deadline_fields(deadline: dict | None) -> dict:
    if not deadline:
        return {
            "deadline": None,
            "deadline_wording": "",
            "deadline_set_by": Action.DeadlineSetBy.FORCE,
        }
    published = deadline.get("published") or deadline
    return {
        "deadline": _date(deadline["due"]),
        "deadline_wording": saved_wording(deadline),
        "deadline_set_by": Action.DeadlineSetBy.INSPECTORATE,
        "corrected": (deadline["due"], deadline["wording"])
        != (published["due"], published["wording"]),
        "source": deadline,
    }


def wording_problems(data: dict) -> list[str]:
    """Deadline wordings too long to save, each with the finding or sub-step it is in."""
    problems = []

    for place in walk(data, items=True):
        item = place.item
        for deadline in item.get("deadlines", []):
            wording = saved_wording(deadline)
            if len(wording) > WORDING_LIMIT:
                due = _date(deadline["due"])
                which = f"{due.day} {due:%B %Y}" if due else f"“{wording[:40]}…”"
                problems.append(
                    f"The wording of the deadline {which} in “"
                    f"{_sentence_title(item['text'], 60)}” is {len(wording)} characters"
                    f" long: a deadline's wording can be at most {WORDING_LIMIT}"
                    " characters. Shorten it."
                )
    return problems


def undated_problems(data: dict) -> list[str]:
    """The deadlines that count from a publication date nobody has given yet."""
    return [
        f"“{deadline['wording']}” in “{_sentence_title(place.item['text'], 60)}” "
        + (
            "counts from the earlier report this recalls, which it does not date: "
            "enter the deadline's date."
            if deadline.get("earlier")
            else "counts from the publication date, which the report does not give: "
            "enter the publication date, or the deadline's own date."
            if deadline.get("relative") or deadline.get("immediate")
            else "gives no date: enter the deadline's date."
        )
        for place in walk(data, items=True)
        for deadline in place.item.get("deadlines", [])
        if not deadline.get("due")
    ]


def count_from_publication(data: dict, published: datetime.date) -> None:
    """Take `published` as the report's publication date, and date from it the
    deadlines that count from it ("within three months", "immediately"): those with
    no date, and those counted from the date the report or the inspector gave before
    (or from "Last updated"). An inspector's own correction of such a date stands."""
    before = published_on(data)  # what they were counted from, if anything
    data["published"] = published.isoformat()
    for place in walk(data, items=True):
        for deadline in place.item.get("deadlines", []):
            report = deadline.get("published") or deadline
            words = report["wording"]
            counted_before = (
                before is not None
                and report["due"] == deadline["due"]  # not the inspector's own date
                and deadline["due"] == _iso(due_from_publication(words, before))
            )
            if deadline.get("earlier") or (deadline.get("due") and not counted_before):
                continue
            due = due_from_publication(words, published)
            if due is None:
                continue
            deadline["due"] = due.isoformat()
            deadline["counted_from"] = published.isoformat()
            if "published" in deadline:  # the report's date is the counted one
                deadline["published"]["due"] = deadline["due"]


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


@dataclass
class PlannedAction:
    """An action the import saves for a finding, as plain values (children are its sub-steps)."""

    title: str
    description: str
    order: int
    deadline: datetime.date | None
    deadline_wording: str
    deadline_set_by: str
    corrected: bool = False  # the inspector corrected its date or words in the preview
    children: list["PlannedAction"] = field(default_factory=list)
    # The report's deadline it was planned from, where an earlier correction goes.
    source: dict | None = field(default=None, compare=False, repr=False)

    def fields(self) -> dict:
        return {
            name: getattr(self, name)
            for name in (
                "title",
                "description",
                "order",
                "deadline",
                "deadline_wording",
                "deadline_set_by",
            )
        }


def _deliverable_title(deliverable: str | None, text: str) -> str:
    """ "Produce the action plan" for a thing the words ask to be produced; the
    words' own first sentence for an action ("make sure that ...")."""
    if deliverable and is_handed_over(text, deliverable):
        return _sentence_title(f"Produce the {deliverable}")
    return _sentence_title(text)


def planned_actions(data: dict) -> list[PlannedAction]:
    """One action per dated deliverable (or one for the finding), sub-items as its sub-steps."""
    mains = []
    for order, deadline in enumerate(data.get("deadlines", []) or [None], start=1):
        deliverable = (deadline or {}).get("deliverable")
        title = _deliverable_title(deliverable, data["text"])
        mains.append(
            PlannedAction(
                title=_sentence_title(title),
                order=order,
                description=data["text"],
                **_deadline_fields(deadline),
            )
        )
    mains[0].children = _planned_items(data.get("children", []))
    return mains


def _planned_items(items: list[dict]) -> list[PlannedAction]:
    steps = []
    for item in items:
        item_deadlines = item.get("deadlines", [])
        step = PlannedAction(
            title=_sentence_title(item["text"]),
            order=item["order"],
            description=item["text"],
            **_deadline_fields(item_deadlines[0] if item_deadlines else None),
        )
        # A sub-item with a second dated deliverable gets a step of its own for it.
        for order, deadline in enumerate(item_deadlines[1:], start=1):
            step.children.append(
                PlannedAction(
                    title=_deliverable_title(deadline.get("deliverable"), item["text"]),
                    order=order,
                    description=item["text"],
                    **_deadline_fields(deadline),
                )
            )
        step.children += _planned_items(item.get("children", []))
        steps.append(step)
    return steps


def _save_actions(finding: Finding, data: dict, user) -> None:
    def save(steps, parent):
        for step in steps:
            action = services.report_action_create(
                user, finding=finding, parent=parent, **step.fields()
            )
            save(step.children, action)

    save(planned_actions(data), None)


def _add_pcc_response(inspection: Inspection, user) -> Action:
    lead = (
        User.objects.filter(
            force=inspection.force, role=Role.FORCE_LEAD, is_active=True
        )
        .order_by("pk")
        .first()
    )
    return services.report_action_create(
        user, inspection=inspection, **_pcc_response_fields(inspection, lead)
    )


def _pcc_response_fields(inspection: Inspection, lead: User | None) -> dict:
    return dict(
        title=PCC_RESPONSE_TITLE,
        description=(
            "The police and crime commissioner must publish comments on the report, saying "
            "what will be done about each recommendation (Police Act 1996, section 55)."
        ),
        owner=lead,
        deadline=inspection.published_on + datetime.timedelta(days=PCC_RESPONSE_DAYS)
        if inspection.published_on
        else None,
        deadline_wording=PCC_RESPONSE_WORDING
        if inspection.published_on
        else f"{PCC_RESPONSE_WORDING} (the report's date was not stated)",
        deadline_set_by=Action.DeadlineSetBy.INSPECTORATE,
    )


def _apply_steps(finding: Finding, steps: list[StepChange], user) -> None:
    """The report's texts and deadlines onto a kept finding's actions; its work stays."""
    for step in steps:
        if step.current is None:
            parent = step.parent_step.created if step.parent_step else step.parent
            step.created = services.report_action_create(
                user, finding=finding, parent=parent, **step.planned.fields()
            )
            continue
        if not step.updates:
            continue  # kept as it is (closed, say), and so not touched
        try:
            services.report_action_revise(user, step.current, step.updates)
        except services.WorkflowError:
            pass  # closed since the plan was made: it stays as it was when it closed


def _apply_revision(plan: ImportPlan, user) -> Inspection:
    """Bring an imported inspection up to a revised report, keeping the work recorded on it.

    Unchanged findings are not touched, so their owners, updates and evidence stay.
    Changed findings get the new text (the history keeps the old), and their actions
    the new texts and deadlines, keeping their owners, statuses and updates (and a
    deadline moved with the inspectorate's approval). New findings are
    added with their actions, new recommendations under the cause of concern they
    belong to, and a kept recommendation whose cause was reworded beyond matching
    moves (with its work) to the new cause. Findings no longer in the report are
    removed if no work was recorded against them (or their recommendations), and
    kept (and listed) otherwise.
    """
    data = plan.data
    dates = [published_on(data), plan.previous.published_on]
    grade = data.get("overall_grade") or plan.previous.overall_grade
    if is_register_page(data):
        dates.reverse()  # one finding's page: the report's own date stands
        grade = plan.previous.overall_grade  # and its grade: the page grades nothing
    inspection = services.inspection_revise(
        user,
        plan.previous,
        published_on=dates[0] or dates[1],
        overall_grade=grade,
        content_hash=plan.content_hash,
    )
    questions = {q.order: q for q in inspection.questions.all()}
    for q in data.get("questions", []):
        question = questions.get(q["order"])
        grade = q.get("grade") or Grade.NOT_STATED
        if question is None:
            questions[q["order"]] = services.question_create(
                user,
                inspection,
                order=q["order"],
                text=q["text"],
                grade=grade,
                is_overall=bool(q.get("is_overall")),
            )
        else:
            services.question_revise(user, question, text=q["text"], grade=grade)
    references = _References.continuing(inspection)
    for change in plan.changed:
        if change.text_changed or change.kind_changed:
            # The reference names the kind; the history keeps the old one.
            services.finding_revise(
                user,
                change.old,
                text=change.text,
                kind=change.kind,
                reference=references.next(change.kind)[0]
                if change.kind_changed
                else change.old.reference,
            )
        _apply_steps(change.old, change.steps, user)
    new = {change.position for change in plan.new}
    # A register page is one finding's page: it says nothing of its question or cause.
    one_page = is_register_page(data)
    cause = None
    for position, place in enumerate(walk(data)):
        entry = place.item
        if position in plan.kept:  # new findings get theirs as they are created
            _record_register(plan.kept[position], entry, user)
        if not place.is_recommendation:
            question = questions.get(place.question_order)
            cause = plan.kept.get(position)
            if cause is None:
                cause = _create_finding(inspection, question, entry, references, user)
            elif not one_page and (
                cause.question_id != (question and question.pk) or cause.parent_id
            ):
                # Moved in the preview: to another question, or out from its cause.
                services.finding_revise(
                    user,
                    cause,
                    text=cause.text,
                    kind=cause.kind,
                    reference=cause.reference,
                    question=question,
                    parent=None,
                )
        # A recommendation belongs under the cause the revision puts it under: a new
        # one is added there, a kept one (with its work) is moved there if it was not.
        elif position in new:
            _create_finding(
                inspection, cause.question, entry, references, user, parent=cause
            )
        elif (plan.kept[position].parent_id, plan.kept[position].question_id) != (
            cause.pk,
            cause.question_id,
        ):
            services.finding_move(user, plan.kept[position], parent=cause)
    for finding in plan.gone:
        # Removing a finding removes its recommendations: only when nothing was
        # recorded on either (kept recommendations were moved off it above).
        try:
            services.finding_remove(user, finding)
        except services.WorkflowError:
            pass  # kept, with the work recorded on it
    return inspection


# National reports --------------------------------------------------------------------
# A report addressed to all forces or national bodies: each finding is published once
# (a NationalFinding) and each addressee gets a copy in an inspection of its own.

NATIONAL = "national"  # the force picker's value for "All forces (national report)"
NATIONAL_PREFIX = "NAT"
NATIONAL_PROGRAMME = "National report"  # when the report names no programme


def plan_national_import(
    data: dict, source_text: str | bytes = b"", *, fingerprint: str = ""
) -> ImportPlan:
    """What saving a national report would do: nothing if the same text was imported
    before, else one inspection per addressee (a revision is not matched)."""
    if not data.get("questions") and not data.get("findings"):
        raise ReportImportError(
            "Neither questions nor findings were found in this report."
        )
    plan = ImportPlan(
        data=data,
        force=None,
        content_hash=fingerprint or content_hash(source_text),
        national=True,
    )
    plan.already_imported = (
        Inspection.objects.filter(content_hash=plan.content_hash).order_by("pk").first()
    )
    return plan


def addressee_problems(data: dict) -> list[str]:
    """What stops a national report from being saved: findings whose addressees
    the tracker has nobody for (or that name none), each with its words."""
    try:
        _recipients(data)
    except ReportImportError as error:
        return [error.message]
    return []


def _addressee_names(data: dict) -> dict[int, list[str]]:
    """Each finding's addressees (by id() of its data), a cause of concern's with its
    recommendations' (their copies go under it), a recommendation naming none
    its cause's."""
    names: dict[int, list[str]] = {}
    places = list(walk(data))
    for place in places:
        names[id(place.item)] = list(place.item.get("addressees") or [])
    for place in places:
        if place.is_recommendation:
            cause = names[id(place.parent)]
            for name in names[id(place.item)]:
                if name not in cause:
                    cause.append(name)
    for place in places:
        if place.is_recommendation and not names[id(place.item)]:
            names[id(place.item)] = list(names[id(place.parent)])
    return names


def _recipients(data: dict) -> tuple[dict[int, list[Force]], list[Force]]:
    """The organisations each finding goes to (by id() of its data), and all of them
    in the order their inspections are made."""
    police = list(Force.objects.police().order_by("name"))
    bodies = {body.name: body for body in Force.objects.national_bodies()}
    problems = []
    recipients: dict[int, list[Force]] = {}
    names_by_item = _addressee_names(data)
    for place in walk(data):
        item = place.item
        forces: list[Force] = []
        title = _sentence_title(item["text"], 80)
        names = names_by_item[id(item)]
        if not names:
            problems.append(
                f"“{title}” does not say whom it is addressed to: choose whom below."
            )
        for name in names:
            if name == addressees.ALL_FORCES:
                forces += police
            elif name in bodies:
                forces.append(bodies[name])
            elif (named := find_force(name)) is not None:
                forces.append(named)
            else:
                problems.append(f"“{title}” {_no_one_for(name)}")
        recipients[id(item)] = list(dict.fromkeys(forces))
    if problems:
        raise ReportImportError(" ".join(problems))
    everyone = list(dict.fromkeys(f for fs in recipients.values() for f in fs))
    return recipients, everyone


def _no_one_for(name: str) -> str:
    """Why an addressee has nobody in the tracker, and what to do."""
    choose = "choose whom it is addressed to below."
    if name == addressees.ALL_FIRE_SERVICES:
        return f"is addressed to {name}, which the tracker does not hold: {choose}"
    if not addressees.is_named_force(name):
        return (
            f"is addressed to “{name}”, but a report for all forces is about no one "
            f"force: {choose}"
        )
    return f"is addressed to “{name}”, which is no force the tracker holds: {choose}"


def _national_prefix(year) -> str:
    """NAT-2023, or NAT-2023B for a second national report of the year."""
    base = "-".join(str(part) for part in (NATIONAL_PREFIX, year) if part)
    taken = {
        reference.rsplit("-", 2)[0]
        for reference in NationalFinding.objects.filter(
            reference__startswith=base
        ).values_list("reference", flat=True)
    }
    prefix, letter = base, "B"
    while prefix in taken:
        prefix = f"{base}{letter}"
        letter = chr(ord(letter) + 1)
    return prefix


@transaction.atomic
def save_national_import(
    plan: ImportPlan, user: User | None, *, source_reference: str = ""
) -> list[NationalFinding]:
    """Save a national report: each finding once, and a copy of it in an inspection
    of each of its addressees, with the actions it asks for.

    1. One NationalFinding per finding, with whom it is addressed to.
    2. One inspection per addressee (the 43 forces for "all chief constables"),
       with the report's questions if it has any.
    3. Each addressee's copy of each finding addressed to it: causes of concern
       and other findings first, then the recommendations under their cause's copy.
    4. The actions each finding asks for, one level of sub-steps at a time, and
       each force's police and crime commissioner's response.
    Every kind of row is written in one bulk insert (a level of actions in one),
    so the queries grow with the depth of the steps, not with forces or findings;
    only the notices to each force's leads are per inspection.
    """
    services.check_importer(user)
    if plan.already_imported:
        raise ReportImportError(
            f"This report was already imported on {long_date(timezone.localdate(plan.already_imported.created_at))}: "
            "nothing was changed."
        )
    data = plan.data
    problems = wording_problems(data)
    title = " ".join((data.get("title") or "").split())
    if not title:
        problems.append("Give the national report's title.")
    if problems:
        raise ReportImportError(" ".join(problems))
    earlier = NationalFinding.objects.filter(report_title=title).first()
    if earlier is not None:
        # Matching a revision's findings to forty-odd forces' copies, with the work
        # on each, is not built: saving it as new would give every force two copies.
        raise ReportImportError(
            f"A national report called “{title}” was imported on "
            f"{long_date(timezone.localdate(earlier.created_at))} from a different text. Revising a "
            "national report is not supported: nothing was saved."
        )
    recipients, everyone = _recipients(data)
    names = _addressee_names(data)
    programme = data.get("programme") or NATIONAL_PROGRAMME
    published = published_on(data)
    prefix = _national_prefix(data.get("year") or (published.year if published else ""))
    places = list(walk(data))
    numbers: dict[str, int] = {}
    nationals = []
    for order, place in enumerate(places, start=1):
        kind = place.item["kind"]
        numbers[kind] = numbers.get(kind, 0) + 1
        nationals.append(
            NationalFinding(
                kind=kind,
                text=verbatim_text(place.item),
                reference=f"{prefix}-{Finding.KIND_CODES[kind]}-{numbers[kind]}",
                order=order,
                report_title=title,
                programme=programme,
                published_on=published,
                addressed_as=place.item.get("addressed_as") or "",
                addressees=names[id(place.item)],
                content_hash=plan.content_hash,
            )
        )
    services.national_findings_create(user, nationals)
    inspections = services.inspections_create(
        user,
        [
            Inspection(
                force=force,
                programme=programme,
                pillar=data.get("pillar") or "",
                title=title,
                published_on=published,
                source_reference=source_reference,
                overall_grade=data.get("overall_grade") or Grade.NOT_STATED,
                content_hash=plan.content_hash,
            )
            for force in everyone
        ],
    )
    by_force = {inspection.force_id: inspection for inspection in inspections}
    questions = {
        (question.inspection_id, question.order): question
        for question in services.questions_create(
            user,
            [
                Question(
                    inspection=inspection,
                    order=q["order"],
                    text=q["text"],
                    grade=q.get("grade") or Grade.NOT_STATED,
                    is_overall=bool(q.get("is_overall")),
                )
                for inspection in inspections
                for q in data.get("questions", [])
            ],
        )
    }
    copies: dict[tuple[int, int], Finding] = {}
    for recommendations in (False, True):
        batch = []
        for place, national in zip(places, nationals, strict=True):
            if place.is_recommendation != recommendations:
                continue
            for force in recipients[id(place.item)]:
                inspection = by_force[force.pk]
                copy = Finding(
                    inspection=inspection,
                    question=questions.get((inspection.pk, place.question_order)),
                    parent=copies[(id(place.parent), force.pk)]
                    if recommendations
                    else None,
                    kind=national.kind,
                    text=national.text,
                    reference=f"{force.code}-{national.reference}",
                    order=national.order,
                    national=national,
                    addressed_as=national.addressed_as,
                )
                copies[(id(place.item), force.pk)] = copy
                batch.append(copy)
        services.finding_copies_create(user, batch)
    level = [
        (copies[(id(place.item), force.pk)], None, step)
        for place in places
        for step in planned_actions(place.item)
        for force in recipients[id(place.item)]
    ]
    while level:
        actions = services.report_actions_create(
            user,
            [
                Action(
                    finding=copy,
                    inspection=copy.inspection,
                    parent=parent,
                    **step.fields(),
                )
                for copy, parent, step in level
            ],
        )
        level = [
            (copy, action, child)
            for (copy, _, step), action in zip(level, actions, strict=True)
            for child in step.children
        ]
    police = [i for i in inspections if not i.force.is_national_body]
    leads: dict[int, User] = {}
    for lead in User.objects.filter(
        force__in=[i.force_id for i in police], role=Role.FORCE_LEAD, is_active=True
    ).order_by("pk"):
        leads.setdefault(lead.force_id, lead)
    services.report_actions_create(
        user,
        [
            Action(inspection=i, **_pcc_response_fields(i, leads.get(i.force_id)))
            for i in police
        ],
    )
    for inspection in inspections:
        events.inspection_imported(user, inspection)
    return nationals
