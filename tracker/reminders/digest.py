"""The daily digest as an email: one message per person, text and HTML, read on a phone.

1. Each action or finding is one entry, headed by the most severe of its
   reminders (`kinds.severity`); the others become a short note on it.
2. Entries are grouped by force, then by report, most severe first.
3. The subject counts what matters, most urgent first ("3 overdue, 2 due this
   week"), from the entries rather than the reminders, so that it agrees with
   what the reader finds inside.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import prefetch_related_objects
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from ..formats import long_date, weekday_date
from ..mail_headers import automatic_headers, message_id, unsubscribe_headers
from ..models import (
    Action,
    Finding,
    Force,
    Inspection,
    Notification,
    Reminder,
    User,
)
from .kinds import (
    AWAITING_SIGN_OFF,
    CLOSURE_REQUEST_WAITING,
    ESCALATION_FORCE_LEAD,
    ESCALATION_INSPECTOR,
    NO_UPDATE_NUDGE,
    is_deadline_kind,
    is_escalation,
    is_series_kind,
    kind_label,
    severity,
)
from .policy import Policy

# Said to the person escalated to, rather than the policy's name for the kind.
ESCALATION_LABELS = {
    ESCALATION_FORCE_LEAD: "Escalated to you as force lead",
    ESCALATION_INSPECTOR: "Escalated to you as the force's inspector contact",
}

# A deadline this many days away or nearer is "due this week" in the subject.
THIS_WEEK_DAYS = 7


class Count(IntEnum):
    """What the subject counts, in its order: most urgent first (as `kinds.severity`)."""

    OVERDUE = 0
    CLOSURE = 1
    SIGN_OFF = 2
    DUE_THIS_WEEK = 3
    DUE_LATER = 4
    NO_PROGRESS = 5


URGENT = frozenset({Count.OVERDUE, Count.CLOSURE, Count.SIGN_OFF, Count.DUE_THIS_WEEK})


def _furthest_warning(policy: Policy) -> str:
    """How far ahead the first reminder before a deadline comes: "4 weeks", "10 days"."""
    days = max(policy.days_before)
    if days % 7 == 0:
        return f"{days // 7} week{'s' if days != 7 else ''}"
    return f"{days} days"


def _count_words(count: Count, n: int, policy: Policy) -> str:
    match count:
        case Count.OVERDUE:
            return f"{n} overdue"
        case Count.CLOSURE:
            return f"{n} closure request{'s' if n != 1 else ''} to decide"
        case Count.SIGN_OFF:
            return f"{n} to sign off"
        case Count.DUE_THIS_WEEK:
            return f"{n} due this week"
        case Count.DUE_LATER:
            return f"{n} due within {_furthest_warning(policy)}"
        case Count.NO_PROGRESS:
            return f"{n} not updated for {policy.nudge_after_days} days"


@dataclass
class Entry:
    """One action or finding in a digest: its worst reason, and the others as a note."""

    kind: str
    headline: str
    title: str
    url: str
    count: Count
    notes: list[str] = field(default_factory=list)
    finding_reference: str = ""
    finding_url: str = ""
    owner: str = ""
    deadline: str = ""  # "Friday 21 April 2017 (11 days overdue)", or empty
    set_by: str = ""  # "the inspectorate" or "the force", with a deadline
    since: str = ""  # "Marked done on Monday 24 April 2017" for a wait
    number: int = 0
    sort: tuple = ()

    @property
    def set_by_inspectorate(self) -> bool:
        return self.set_by == "the inspectorate"

    @property
    def accent(self) -> str:
        """The colour of the entry's edge in the HTML part: red when late, amber when near."""
        if self.count == Count.OVERDUE:
            return "#d4351c"
        if self.count <= Count.DUE_THIS_WEEK:
            return "#f47738"
        return "#b1b4b6"


@dataclass
class ReportGroup:
    title: str
    url: str
    entries: list[Entry]


@dataclass
class ForceGroup:
    name: str
    reports: list[ReportGroup]


@dataclass
class Digest:
    groups: list[ForceGroup]
    counts: dict[Count, int]
    summary: str  # every count: "3 overdue, 2 due this week, 1 due within 4 weeks"
    subject: str = ""  # the urgent counts only: "3 overdue, 2 due this week"

    @property
    def entries(self) -> list[Entry]:
        return [e for force in self.groups for r in force.reports for e in r.entries]


def _days(deadline: datetime.date, day: datetime.date) -> str:
    """Days left or overdue as of the digest's day, not as of the sweep."""
    days = (deadline - day).days
    if days == 0:
        return "due today"
    if days > 0:
        return f"{days} day{'s' if days != 1 else ''} left"
    return f"{-days} day{'s' if days != -1 else ''} overdue"


def _headline(
    kind: str, policy: Policy, deadline: datetime.date | None, day: datetime.date
) -> str:
    """What an entry is about, in a few words.

    A reminder before or after a deadline is told as of the digest's day, not
    as of its stage: a weekly digest on Friday says "Due in 4 days" of what
    Tuesday's sweep recorded as "due in 7 days".
    """
    if is_series_kind(kind) and deadline is not None:
        days = (deadline - day).days
        if days < 0:
            return "Overdue"
        if days == 0:
            return "Due today"
        return f"Due in {days} day{'s' if days != 1 else ''}"
    return ESCALATION_LABELS.get(kind) or kind_label(kind, policy)


def _note(reminder: Reminder, policy: Policy) -> str:
    """A reason that did not head its entry, in a few words."""
    if reminder.kind == NO_UPDATE_NUDGE:
        return f"no progress update since {weekday_date(reminder.deadline_key)}"
    label = ESCALATION_LABELS.get(reminder.kind) or kind_label(reminder.kind, policy)
    return label[0].lower() + label[1:]


def _count(kind: str, deadline: datetime.date | None, day: datetime.date) -> Count:
    if kind == CLOSURE_REQUEST_WAITING:
        return Count.CLOSURE
    if kind == AWAITING_SIGN_OFF:
        return Count.SIGN_OFF
    if kind == NO_UPDATE_NUDGE:
        return Count.NO_PROGRESS
    if is_escalation(kind) or deadline is None or deadline < day:
        return Count.OVERDUE
    if (deadline - day).days <= THIS_WEEK_DAYS:
        return Count.DUE_THIS_WEEK
    return Count.DUE_LATER


def _finding_entry(
    finding: Finding, primary: Reminder, day: datetime.date, policy: Policy
) -> Entry:
    url = settings.SITE_URL + finding.get_absolute_url()
    return Entry(
        kind=primary.kind,
        headline=_headline(primary.kind, policy, None, day),
        # The finding's own words, cut short: its reference has a line of its own.
        title=f"{finding.get_kind_display()}: {Truncator(finding.text).chars(90)}",
        url=url,
        count=_count(primary.kind, None, day),
        finding_reference=finding.reference,
        finding_url=url,
        since=f"Closure requested on {weekday_date(primary.deadline_key)}",
    )


def _action_entry(
    action: Action, primary: Reminder, recipient: User, day: datetime.date, policy
) -> Entry:
    finding = action.finding
    if action.owner_id is None:
        owner = "nobody yet"
    elif action.owner_id == recipient.pk:
        owner = "you"
    else:
        owner = str(action.owner)
    entry = Entry(
        kind=primary.kind,
        headline=_headline(primary.kind, policy, action.deadline, day),
        title=action.title,
        url=settings.SITE_URL + action.get_absolute_url(),
        count=_count(primary.kind, action.deadline, day),
        finding_reference=finding.reference if finding else "the whole report",
        finding_url=settings.SITE_URL + finding.get_absolute_url() if finding else "",
        owner=owner,
    )
    if action.deadline is not None:
        entry.deadline = (
            f"{weekday_date(action.deadline)} ({_days(action.deadline, day)})"
        )
        entry.set_by = (
            "the inspectorate"
            if action.deadline_set_by == Action.DeadlineSetBy.INSPECTORATE
            else "the force"
        )
    if primary.kind == AWAITING_SIGN_OFF:
        entry.since = f"Marked done on {weekday_date(primary.deadline_key)}"
    elif primary.kind == NO_UPDATE_NUDGE:
        entry.since = f"Last progress on {weekday_date(primary.deadline_key)}"
    return entry


def build_digest(
    recipient: User, reminders: Sequence[Reminder], day: datetime.date, policy: Policy
) -> Digest:
    """The digest's entries, grouped by force and report, and what the subject counts."""
    # Four queries at most, whatever the number of items; those the delivery
    # already loaded are not asked again.
    prefetch_related_objects(
        list(reminders),
        "action__force",
        "action__inspection",
        "action__finding",
        "action__owner",
        "finding__force",
        "finding__inspection",
    )
    about: dict[tuple[str, int], list[Reminder]] = defaultdict(list)
    for reminder in reminders:
        if reminder.finding_id:
            about[("finding", reminder.finding_id)].append(reminder)
        elif reminder.action_id:
            about[("action", reminder.action_id)].append(reminder)
        else:
            raise ValueError(
                f"Reminder {reminder.pk} is about neither an action nor a finding."
            )

    placed: dict[Force, dict[Inspection, list[Entry]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for items in about.values():
        items.sort(key=lambda r: (severity(r.kind), r.pk))
        primary, others = items[0], items[1:]
        if primary.finding is not None:
            finding = primary.finding
            entry = _finding_entry(finding, primary, day, policy)
            force, report = finding.force, finding.inspection
            deadline = None
        else:
            action = primary.action
            assert action is not None  # grouped as an action above
            entry = _action_entry(action, primary, recipient, day, policy)
            force, report = action.force, action.inspection
            deadline = action.deadline
        for other in others:
            # The deadline is already in the headline and the deadline line.
            if is_deadline_kind(primary.kind) and is_series_kind(other.kind):
                continue
            note = _note(other, policy)
            if note not in entry.notes:
                entry.notes.append(note)
        entry.sort = (
            severity(primary.kind),
            deadline or datetime.date.max,
            entry.title,
            primary.pk,
        )
        placed[force][report].append(entry)

    groups = []
    for force in sorted(placed, key=lambda f: f.name):
        reports = []
        for report, entries in placed[force].items():
            entries.sort(key=lambda e: e.sort)
            reports.append(
                ReportGroup(
                    title=report.title,
                    url=settings.SITE_URL + report.get_absolute_url(),
                    entries=entries,
                )
            )
        # The report with the worst entry first.
        reports.sort(key=lambda r: (r.entries[0].sort, r.title))
        groups.append(ForceGroup(name=force.name, reports=reports))
    digest = Digest(groups=groups, counts={}, summary="")
    for number, entry in enumerate(digest.entries, start=1):
        entry.number = number
        digest.counts[entry.count] = digest.counts.get(entry.count, 0) + 1
    digest.summary = ", ".join(
        _count_words(count, digest.counts[count], policy)
        for count in sorted(digest.counts)
    )
    # A phone shows the first forty characters or so: the subject names what is
    # late, waiting for a decision or due this week, and the rest only when there
    # is nothing of those.
    urgent = [count for count in sorted(digest.counts) if count in URGENT] or sorted(
        digest.counts
    )
    digest.subject = ", ".join(
        _count_words(count, digest.counts[count], policy) for count in urgent
    )
    return digest


def digest_message_id(
    recipient: User,
    reminders: Sequence[Reminder],
    notifications: Sequence[Notification] = (),
) -> str:
    """The same items to the same person always carry the same Message-ID.

    If a worker dies after the mail server accepted a digest but before the
    items were marked sent, the resent copy has the same id, and mail systems
    that deduplicate by Message-ID drop it.
    """
    ids = ",".join(str(pk) for pk in sorted(r.pk for r in reminders))
    if notifications:
        ids += ";" + ",".join(str(pk) for pk in sorted(n.pk for n in notifications))
    digest = hashlib.sha256(ids.encode()).hexdigest()[:24]
    return message_id("reminders", recipient.pk, digest)


def _happened(notifications: Sequence[Notification]) -> list[dict[str, str]]:
    """What happened, for the digest of a person who chose to be told of it there."""
    return [
        {
            "summary": note.summary,
            "when": long_date(timezone.localdate(note.created_at)),
            "text": Truncator(" ".join(note.text.split())).chars(200),
            "url": settings.SITE_URL + note.get_absolute_url(),
        }
        for note in notifications
    ]


def digest_message(
    recipient: User,
    reminders: Sequence[Reminder],
    day: datetime.date,
    policy: Policy,
    *,
    notifications: Sequence[Notification] = (),
) -> EmailMultiAlternatives:
    """One person's digest. It covers many actions, so it starts no thread and joins none.

    `notifications` are those the person chose to have here rather than on
    their own: they come first, as "What happened", and the subject counts them.
    """
    digest = build_digest(recipient, reminders, day, policy)
    if notifications:
        updates = f"{len(notifications)} update{'s' if len(notifications) != 1 else ''}"
        digest.summary = ", ".join(filter(None, [digest.summary, updates]))
        digest.subject = ", ".join(filter(None, [digest.subject, updates]))
    preferences_url = settings.SITE_URL + reverse("tracker:my-reminders")
    context = {
        "happened": _happened(notifications),
        "notification_choices_url": settings.SITE_URL
        + reverse("tracker:notification-preferences"),
        "recipient": recipient,
        "name": recipient.first_name or recipient.email,
        "day": weekday_date(day),
        "digest": digest,
        "preferences_url": preferences_url,
        "site_url": settings.SITE_URL,
    }
    # One line, whatever the template's whitespace: a newline would break the header.
    subject = " ".join(
        render_to_string("emails/reminder_digest_subject.txt", context).split()
    )
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/reminder_digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers={
            **automatic_headers(digest_message_id(recipient, reminders, notifications)),
            **unsubscribe_headers(preferences_url),
        },
    )
    message.attach_alternative(
        render_to_string("emails/reminder_digest.html", context), "text/html"
    )
    return message
