"""The digest as its reader gets it: one entry per action, grouped by force and report,
a subject that counts what matters, nobody escalated their own work, and the headers
mail clients expect. Asserted on messages a real SMTP server received.
"""

# Fixtures imported from tests.reminders_support are, as pytest intends, test arguments.
# ruff: noqa: F811

import datetime
import os
import re
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bench import generator
from tests.conftest import make_user
from tests.reminders_support import (
    TUESDAY,
    make_action,
    smtp_server,  # noqa: F401 (fixtures)
    text_body,
)
from tracker.mail_headers import thread_headers, thread_id
from tracker.models import Action, Force, Reminder, ReminderPolicy, Role, User
from tracker.reminders.delivery import deliver_digest
from tracker.reminders.digest import digest_message
from tracker.reminders.outbox import run_sweep

LONDON = ZoneInfo("Europe/London")
SITE = "https://peel.example.org"
# A Tuesday in term time, no bank holiday near: the generated deadlines spread around it.
NATIONAL_DAY = datetime.date(2025, 3, 4)
ACTION_LINK = re.compile(re.escape(SITE) + r"/actions/(\d+)/")
FINDING_LINK = re.compile(re.escape(SITE) + r"/findings/(\d+)/")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE
    settings.DEFAULT_FROM_EMAIL = "PEEL action tracker <noreply@peel.example.org>"


def lines_of(message) -> list[str]:
    return text_body(message).splitlines()


def entries_of(text_lines: list[str]) -> list[list[str]]:
    """The text part's entries: from "N. headline" to the link that ends each."""
    entries, current = [], None
    for line in text_lines:
        if re.match(r"\d+\. ", line):
            current = [line]
        elif current is not None:
            current.append(line.strip())
            if line.strip().startswith(SITE):
                entries.append(current)
                current = None
    return entries


# ---------------------------------------------------------------- own work


def made_on(day: datetime.date):
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, 9, tzinfo=LONDON), tick=False
    )


@pytest.fixture
def leads_own_late_work(force, finding, lead, owner, inspector):
    """Two leads: Lena owns one late action and helps with another; Olive owns a third."""
    force.inspector_contact = inspector
    force.save()
    second_lead = make_user(
        "second.lead@westmercia.test", Role.FORCE_LEAD, force, first_name="Sam"
    )
    with made_on(datetime.date(2017, 4, 3)):
        hers = make_action(
            finding, lead, lead, datetime.date(2017, 4, 21), "Lead's own report"
        )
        helped = make_action(
            finding,
            lead,
            owner,
            datetime.date(2017, 4, 21),
            "Review with the lead",
            contributors=[lead],
        )
        others = make_action(
            finding, lead, owner, datetime.date(2017, 4, 21), "Olive's report"
        )
    return {
        "hers": hers,
        "helped": helped,
        "others": others,
        "second_lead": second_lead,
    }


def test_a_lead_is_not_escalated_her_own_work_but_reminded_of_it_as_its_owner(
    leads_own_late_work, lead, smtp_server
):
    work = leads_own_late_work
    run_sweep(TUESDAY)
    escalated_to_lena = set(
        Reminder.objects.filter(
            recipient=lead, kind="escalation_force_lead"
        ).values_list("action__title", flat=True)
    )
    assert escalated_to_lena == {"Olive's report"}
    # Her own late work is hers as owner or contributor; the other lead hears of it.
    assert set(
        Reminder.objects.filter(recipient=lead, kind="overdue_week_1").values_list(
            "action__title", flat=True
        )
    ) == {"Lead's own report", "Review with the lead"}
    assert set(
        Reminder.objects.filter(
            recipient=work["second_lead"], kind="escalation_force_lead"
        ).values_list("action__title", flat=True)
    ) == {"Lead's own report", "Review with the lead", "Olive's report"}

    deliver_digest(lead.pk, TUESDAY)
    [digest] = smtp_server.to(lead.email)
    entries = entries_of(lines_of(digest))
    by_title = {entry[1]: entry for entry in entries}
    assert len(entries) == 3
    assert by_title["Lead's own report"][0].endswith(". Overdue")
    assert "Owner: you" in by_title["Lead's own report"]
    assert by_title["Olive's report"][0].endswith("Escalated to you as force lead")
    assert digest["Subject"] == "3 overdue · PEEL action tracker"


def test_an_escalation_of_her_own_work_recorded_before_is_cancelled_not_sent(
    leads_own_late_work, lead, smtp_server
):
    """Rows recorded by an older sweep (or before she took the action on) go nowhere."""
    work = leads_own_late_work
    run_sweep(TUESDAY)
    for action in (work["hers"], work["helped"]):
        Reminder.objects.create(
            recipient=lead,
            action=action,
            kind="escalation_force_lead",
            deadline_key=action.deadline,
            send_on=TUESDAY,
            due_on=TUESDAY,
        )
    delivery = deliver_digest(lead.pk, TUESDAY)
    assert delivery.cancelled == 2
    assert set(
        Reminder.objects.filter(status=Reminder.Status.CANCELLED).values_list(
            "action__title", "cancel_reason"
        )
    ) == {
        (title, "The action is the recipient's own work: their own reminder covers it.")
        for title in ("Lead's own report", "Review with the lead")
    }
    [digest] = smtp_server.to(lead.email)
    body = text_body(digest)
    assert body.count("Escalated to you") == 1  # Olive's report only
    for action in work.values():
        if isinstance(action, Action):
            assert body.count(f"{SITE}/actions/{action.pk}/") == 1


# ---------------------------------------------------------------- headers


def test_the_digest_has_its_own_stable_message_id_and_joins_no_thread(
    leads_own_late_work, lead, smtp_server
):
    run_sweep(TUESDAY)
    items = list(Reminder.objects.filter(recipient=lead).order_by("pk"))
    policy = ReminderPolicy.load().as_policy()
    again = digest_message(lead, items, TUESDAY, policy)
    fewer = digest_message(lead, items[1:], TUESDAY, policy)
    deliver_digest(lead.pk, TUESDAY)
    [digest] = smtp_server.to(lead.email)

    assert digest["Message-ID"] == again.extra_headers["Message-ID"]
    assert re.fullmatch(
        r"<reminders\.\d+\.[0-9a-f]{24}@peel\.example\.org>",
        again.extra_headers["Message-ID"],
    )
    assert fewer.extra_headers["Message-ID"] != again.extra_headers["Message-ID"]
    assert digest["Auto-Submitted"] == "auto-generated"
    assert digest["X-Auto-Response-Suppress"] == "All"
    assert digest["List-Unsubscribe"] == f"<{SITE}/reminders/>"
    assert digest["In-Reply-To"] is None and digest["References"] is None
    assert [part.get_content_type() for part in digest.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    assert f"{SITE}/reminders/" in text_body(digest)


def test_every_message_about_one_action_threads_on_one_id(
    action, other_action, settings
):
    assert thread_id(action) == f"<action.{action.pk}@peel.example.org>"
    assert thread_headers(action) == {
        "In-Reply-To": thread_id(action),
        "References": thread_id(action),
    }
    assert thread_id(other_action) != thread_id(action)
    settings.SITE_URL = "https://peel.police.uk"
    assert thread_id(action) == f"<action.{action.pk}@peel.police.uk>"
    with pytest.raises(ValueError, match="once it is saved"):
        thread_id(Action(title="Not saved"))


# ---------------------------------------------------------------- national data


@pytest.fixture
def national(db):
    with made_on(NATIONAL_DAY):
        generator.generate(600, seed=1, today=NATIONAL_DAY)
        run_sweep(NATIONAL_DAY)
    return NATIONAL_DAY


def busiest(role: str) -> User:
    counts = Counter(
        Reminder.objects.filter(
            recipient__role=role, status=Reminder.Status.PENDING
        ).values_list("recipient_id", flat=True)
    )
    return User.objects.get(pk=counts.most_common(1)[0][0])


def test_the_busiest_leads_digest_lists_each_action_once_and_counts_what_is_late(
    national, smtp_server
):
    lead = busiest(Role.FORCE_LEAD)
    waiting = list(
        Reminder.objects.filter(recipient=lead, status=Reminder.Status.PENDING)
        .select_related("action")
        .order_by("pk")
    )
    about = Counter(r.action_id or -r.finding_id for r in waiting)
    # The busiest lead has several reasons for some actions (a nudge on a late one):
    # the case where the old digest repeated an action.
    assert max(about.values()) > 1
    with made_on(national):
        deliver_digest(lead.pk, national)
    [digest] = smtp_server.to(lead.email)
    text = text_body(digest)
    html = digest.get_body(preferencelist=("html",)).get_content()
    if path := os.environ.get("SAVE_DIGEST_TO"):  # for a person to read it
        with open(path, "w") as saved:
            saved.write(f"Subject: {str(digest['Subject']).strip()}\n\n{text}")
        with open(f"{path}.html", "w") as saved:
            saved.write(html)

    linked = Counter(int(pk) for pk in ACTION_LINK.findall(text))
    assert linked == Counter(
        {pk: 1 for pk in {r.action_id for r in waiting if r.action_id}}
    )
    sent = Reminder.objects.filter(recipient=lead, status=Reminder.Status.SENT)
    entries = entries_of(text.splitlines())
    assert len(entries) == len(about) < sent.count()

    # The subject counts entries by their worst reason, most urgent first.
    late = {
        r.action_id
        for r in waiting
        if r.kind.startswith("overdue") or r.kind.startswith("escalation")
    }
    soon = {
        r.action_id
        for r in waiting
        if r.action_id
        and r.action_id not in late
        and (r.kind == "due_today" or r.kind.startswith("due_in"))
        and 0 <= (r.action.deadline - national).days <= 7
    }
    assert late and soon
    # (A long subject is folded; the parser keeps the fold's leading space.)
    subject = str(digest["Subject"]).strip()
    assert subject.startswith(f"{len(late)} overdue, ")
    assert f", {len(soon)} due this week" in subject
    assert subject.endswith(" · PEEL action tracker")
    for entry in entries:
        # Short lines: only a title or a link may run long.
        assert all(len(line) <= 60 for line in entry[2:] if not line.startswith(SITE))

    # One force, its reports each named once, every entry under its own report.
    lines = text.splitlines()
    assert lines.count(lead.force.name.upper()) == 1
    report_of = dict(
        Action.objects.filter(pk__in=linked).values_list("pk", "inspection__title")
    )
    current_report = None
    seen_reports = []
    for line in lines:
        if line in set(report_of.values()):
            current_report = line
            seen_reports.append(line)
        elif match := ACTION_LINK.search(line):
            assert report_of[int(match.group(1))] == current_report
    assert len(seen_reports) == len(set(seen_reports)) == len(set(report_of.values()))

    assert "<table" not in html and "<style" not in html and "<img" not in html
    assert not re.search(r'(src|href)="(?!https://peel\.example\.org/)', html)
    for pk in linked:
        assert html.count(f'href="{SITE}/actions/{pk}/"') == 1


def test_an_inspectors_digest_is_grouped_by_force_each_named_once(
    national, smtp_server
):
    # One inspector made the contact of every force: escalations from all of them.
    inspector = User.objects.filter(role=Role.INSPECTOR).order_by("pk").first()
    Force.objects.update(inspector_contact=inspector)
    with made_on(national):
        run_sweep(national)
        deliver_digest(inspector.pk, national)
    [digest] = smtp_server.to(inspector.email)
    lines = lines_of(digest)
    sent = Reminder.objects.filter(
        recipient=inspector, status=Reminder.Status.SENT
    ).select_related("action__force", "finding__force")
    forces = sorted(
        {r.action.force.name if r.action else r.finding.force.name for r in sent}
    )
    headings = [line for line in lines if line in {f.upper() for f in forces}]
    assert headings == [f.upper() for f in forces]
    assert len(forces) > 1
    # Each entry sits under its own force's heading.
    force_of = {
        f"{SITE}/actions/{r.action_id}/": r.action.force.name.upper()
        for r in sent
        if r.action_id
    }
    current = None
    for line in lines:
        if line in headings:
            current = line
        elif line.strip() in force_of:
            assert force_of[line.strip()] == current
