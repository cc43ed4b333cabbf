"""The deadline-reminder schedule (tracker.reminders.schedule and the rules under it):

Dates are chosen from the England and Wales calendar as the holidays package
gives it: 2026-12-25 Christmas Day (Fri), 2026-12-28 Boxing Day observed (Mon),
2027-01-01 New Year's Day (Fri), 2027-03-26 Good Friday, 2027-03-29 Easter
Monday, 2027-05-03 early May bank holiday, 2027-05-31 spring bank holiday.

The running example: a deadline on Wednesday 16 June 2027, far from any bank
holiday, owned by user 1, with contributor 2, force leads 30 and 31 and
inspector contact 40.
"""

import subprocess
import sys
from dataclasses import replace
from datetime import UTC, date, timedelta
from pathlib import Path

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.reminders.kinds import KIND_LABELS, kind_label, severity
from tracker.reminders.policy import Policy
from tracker.reminders.schedule import (
    ActionFacts,
    DueReminder,
    FindingFacts,
    audience,
    due_for_action,
    due_for_finding,
    schedule_for_action,
)
from tracker.reminders.working_days import (
    add_working_days,
    is_working_day,
    next_working_day,
    previous_working_day,
    sweep_time_on,
)

ROOT = Path(__file__).resolve().parent.parent
D = date(2027, 6, 16)  # a Wednesday
OWNER, CONTRIBUTOR, LEAD_A, LEAD_B, INSPECTOR = 1, 2, 30, 31, 40
DEADLINE_KINDS = {
    "due_in_28_days",
    "due_in_14_days",
    "due_in_7_days",
    "due_in_1_day",
    "due_today",
}


def is_deadline_series(kind: str) -> bool:
    return (
        kind in DEADLINE_KINDS or kind == "overdue" or kind.startswith("overdue_week_")
    )


def action(**changes) -> ActionFacts:
    facts = ActionFacts(
        action_id=7,
        status="in_progress",
        deadline=D,
        owner_id=OWNER,
        contributor_ids=(CONTRIBUTOR,),
        force_lead_ids=(LEAD_A, LEAD_B),
        inspector_contact_id=INSPECTOR,
        status_since=date(2027, 4, 1),
        # Recent enough that no nudge gets in the way of the deadline tests.
        last_progress_on=D - timedelta(days=5),
    )
    return replace(facts, **changes)


def due(facts: ActionFacts, today: date, **kwargs) -> set[tuple[str, int]]:
    return {(r.kind, r.recipient_id) for r in due_for_action(facts, today, **kwargs)}


def kinds(facts: ActionFacts, today: date, **kwargs) -> set[str]:
    return {r.kind for r in due_for_action(facts, today, **kwargs)}


def only(items: list[DueReminder], kind: str) -> list[DueReminder]:
    return [r for r in items if r.kind == kind]


# ------------------------------------------------------------------ working days


def test_the_holidays_package_agrees_with_the_calendar_these_tests_assume():
    for bank_holiday in (
        date(2026, 12, 25),
        date(2026, 12, 28),  # Boxing Day (observed): the 26th is a Saturday
        date(2027, 1, 1),
        date(2027, 3, 26),
        date(2027, 3, 29),
        date(2027, 5, 3),
        date(2027, 5, 31),
    ):
        assert bank_holiday.weekday() < 5
        assert not is_working_day(bank_holiday), bank_holiday
    assert not is_working_day(date(2027, 6, 12))  # Saturday
    assert not is_working_day(date(2027, 6, 13))  # Sunday
    assert is_working_day(date(2026, 12, 24))
    assert is_working_day(date(2026, 12, 29))


def test_previous_and_next_working_day():
    assert previous_working_day(D) == D
    assert next_working_day(D) == D
    assert previous_working_day(date(2026, 12, 28)) == date(2026, 12, 24)
    assert next_working_day(date(2026, 12, 25)) == date(2026, 12, 29)
    assert next_working_day(date(2027, 3, 26)) == date(2027, 3, 30)
    assert previous_working_day(date(2027, 3, 29)) == date(2027, 3, 25)


def test_add_working_days_skips_weekends_and_bank_holidays():
    assert add_working_days(D, 0) == D
    assert add_working_days(date(2027, 6, 11), 1) == date(2027, 6, 14)  # Fri -> Mon
    assert add_working_days(date(2027, 6, 14), 5) == date(2027, 6, 21)
    # Friday before the spring bank holiday: Tuesday is the first working day.
    assert add_working_days(date(2027, 5, 28), 1) == date(2027, 6, 1)
    assert add_working_days(date(2027, 5, 28), 5) == date(2027, 6, 7)
    # Counting from a non-working day: Saturday + 1 is Monday.
    assert add_working_days(date(2027, 6, 12), 1) == date(2027, 6, 14)
    assert add_working_days(date(2027, 6, 14), -1) == date(2027, 6, 11)
    assert add_working_days(date(2027, 3, 30), -1) == date(2027, 3, 25)


# ------------------------------------------------------------ each stage on its day


@pytest.mark.parametrize(
    "today, kind, days_left",
    [
        (date(2027, 5, 19), "due_in_28_days", 28),
        (date(2027, 6, 2), "due_in_14_days", 14),
        (date(2027, 6, 9), "due_in_7_days", 7),
        (date(2027, 6, 15), "due_in_1_day", 1),
        (date(2027, 6, 16), "due_today", 0),
        (date(2027, 6, 17), "overdue", -1),
        (date(2027, 6, 24), "overdue_week_1", -8),
        (date(2027, 7, 1), "overdue_week_2", -15),
        (date(2027, 7, 8), "overdue_week_3", -22),
        (date(2027, 9, 9), "overdue_week_12", -85),
    ],
)
def test_each_stage_on_its_day_goes_to_the_owner_and_contributors(
    today, kind, days_left
):
    items = due_for_action(action(), today)
    series = [r for r in items if is_deadline_series(r.kind)]
    assert {(r.kind, r.recipient_id) for r in series} == {
        (kind, OWNER),
        (kind, CONTRIBUTOR),
    }
    for r in series:
        assert r.send_on == today
        assert r.deadline_key == D
        assert r.days_left == days_left
        assert r.action_id == 7 and r.finding_id is None


def test_nothing_before_the_first_stage():
    assert due_for_action(action(), date(2027, 5, 18)) == []


def test_no_deadline_means_no_deadline_reminders():
    facts = action(deadline=None)
    for offset in range(-40, 60):
        assert not any(
            is_deadline_series(k) for k in kinds(facts, D + timedelta(days=offset))
        )


# ------------------------------------------------------------- non-working days


def test_nothing_is_due_on_a_weekend_or_bank_holiday():
    stale = action(deadline=date(2027, 1, 4), last_progress_on=date(2026, 1, 1))
    assert due_for_action(stale, date(2027, 6, 12)) == []  # Saturday
    assert due_for_action(stale, date(2027, 6, 13)) == []  # Sunday
    assert due_for_action(stale, date(2027, 5, 31)) == []  # spring bank holiday
    assert due_for_action(stale, date(2027, 6, 14))  # but Monday catches up


def test_before_deadline_reminder_on_christmas_day_comes_the_working_day_before():
    # 14 days before 8 January 2027 is Christmas Day; 7 days before is New Year's Day.
    facts = action(deadline=date(2027, 1, 8))
    items = due_for_action(facts, date(2026, 12, 24))
    assert {(r.kind, r.send_on) for r in items} == {
        ("due_in_14_days", date(2026, 12, 24))
    }
    items = due_for_action(facts, date(2026, 12, 31))
    assert {(r.kind, r.send_on) for r in items} == {
        ("due_in_7_days", date(2026, 12, 31))
    }


def test_deadline_on_the_boxing_day_bank_holiday():
    # Monday 28 December 2026 is a bank holiday; the last working day before is
    # Thursday 24th. "Due in 1 day" (Sunday) and "due today" both land there:
    # only the later stage is sent.
    facts = action(deadline=date(2026, 12, 28))
    assert due(facts, date(2026, 12, 24)) == {
        ("due_today", OWNER),
        ("due_today", CONTRIBUTOR),
    }
    assert ("due_in_1_day", date(2026, 12, 24)) not in schedule_for_action(facts)
    # The next working day after the deadline is Tuesday 29th.
    items = due_for_action(facts, date(2026, 12, 29))
    assert {(r.kind, r.send_on, r.days_left) for r in items} == {
        ("overdue", date(2026, 12, 29), -1)
    }


def test_overdue_reminder_on_a_bank_holiday_comes_the_working_day_after():
    # Deadline Thursday 24 December 2026: the 25th to the 28th are not working days.
    facts = action(deadline=date(2026, 12, 24))
    assert not any(is_deadline_series(k) for k in kinds(facts, date(2026, 12, 25)))
    items = due_for_action(facts, date(2026, 12, 29))
    assert {(r.kind, r.send_on) for r in only(items, "overdue")} == {
        ("overdue", date(2026, 12, 29))
    }


def test_easter_2027():
    # Deadline Thursday 25 March: overdue from Tuesday 30th, after Good Friday and Easter Monday.
    facts = action(deadline=date(2027, 3, 25))
    assert due_for_action(facts, date(2027, 3, 26)) == []
    assert due_for_action(facts, date(2027, 3, 29)) == []
    items = due_for_action(facts, date(2027, 3, 30))
    assert {r.kind for r in items} == {"overdue"}
    assert items[0].send_on == date(2027, 3, 30)
    # The weekly repeat counts from the first overdue date.
    assert kinds(facts, date(2027, 4, 6)) >= {"overdue_week_1"}

    # Deadline on Easter Monday: the last reminder before it comes on Maundy Thursday.
    facts = action(deadline=date(2027, 3, 29))
    assert due(facts, date(2027, 3, 25)) == {
        ("due_today", OWNER),
        ("due_today", CONTRIBUTOR),
    }
    assert kinds(facts, date(2027, 3, 30)) == {"overdue"}


def test_a_weekly_overdue_repeat_on_easter_monday_moves_to_tuesday():
    # Deadline Friday 19 March 2027: overdue on Monday 22nd, week 1 would be Easter Monday.
    facts = action(deadline=date(2027, 3, 19))
    assert only(due_for_action(facts, date(2027, 3, 22)), "overdue")
    # On Thursday 25th the first repeat has not come yet: still "overdue".
    assert kinds(facts, date(2027, 3, 25)) & {"overdue", "overdue_week_1"} == {
        "overdue"
    }
    week_1 = only(due_for_action(facts, date(2027, 3, 30)), "overdue_week_1")
    assert {r.send_on for r in week_1} == {date(2027, 3, 30)}
    # Week 2 is back on the Monday: 7 days after the first overdue date, not after the moved one.
    week_2 = only(due_for_action(facts, date(2027, 4, 5)), "overdue_week_2")
    assert {r.send_on for r in week_2} == {date(2027, 4, 5)}


def test_early_may_bank_holiday():
    # 28 days before the spring bank holiday (31 May) is the early May bank
    # holiday (3 May): the reminder comes on Friday 30 April.
    facts = action(deadline=date(2027, 5, 31), last_progress_on=date(2027, 4, 20))
    items = due_for_action(facts, date(2027, 4, 30))
    assert {(r.kind, r.send_on) for r in items} == {
        ("due_in_28_days", date(2027, 4, 30))
    }
    assert due_for_action(facts, date(2027, 4, 29)) == []
    # A deadline on Friday 30 April is overdue on Tuesday 4 May.
    facts = action(deadline=date(2027, 4, 30), last_progress_on=date(2027, 4, 20))
    assert due_for_action(facts, date(2027, 5, 3)) == []
    items = due_for_action(facts, date(2027, 5, 4))
    assert {(r.kind, r.send_on) for r in items} == {("overdue", date(2027, 5, 4))}


def test_escalation_due_on_a_bank_holiday_comes_the_working_day_after():
    # Deadline Monday 21 December 2026: 7 days overdue is the Boxing Day bank holiday.
    facts = action(deadline=date(2026, 12, 21))
    assert "escalation_force_lead" not in kinds(facts, date(2026, 12, 24))
    leads = only(due_for_action(facts, date(2026, 12, 29)), "escalation_force_lead")
    assert {(r.recipient_id, r.send_on) for r in leads} == {
        (LEAD_A, date(2026, 12, 29)),
        (LEAD_B, date(2026, 12, 29)),
    }


# -------------------------------------------------------------------- catch-up


def test_catch_up_sends_the_missed_stage_while_it_is_still_the_latest():
    # 9 days before: the 14-day reminder was missed, and the 7-day one has not come.
    items = due_for_action(action(), date(2027, 6, 7))
    assert {(r.kind, r.send_on, r.days_left) for r in items} == {
        ("due_in_14_days", date(2027, 6, 2), 9)
    }


def test_catch_up_never_sends_a_stale_earlier_stage():
    # 6 days before: 28, 14 and 7 have all come; only the 7-day one is sent.
    assert due(action(), date(2027, 6, 10)) == {
        ("due_in_7_days", OWNER),
        ("due_in_7_days", CONTRIBUTOR),
    }
    # Two days before, still the 7-day stage (the outbox key keeps it to one).
    assert kinds(action(), date(2027, 6, 14)) == {"due_in_7_days"}


def test_catch_up_after_the_deadline_sends_only_the_latest_overdue_stage():
    # 19 days overdue, nothing sent for weeks: the latest repeat and the lead escalation.
    assert kinds(action(), date(2027, 7, 5)) == {
        "overdue_week_2",
        "escalation_force_lead",
    }


def test_an_action_created_late_gets_the_latest_stage_at_once():
    # Created two days before its deadline: "due in 7 days" is the latest stage that has come.
    items = due_for_action(
        action(last_progress_on=D - timedelta(days=2)), D - timedelta(days=2)
    )
    assert {(r.kind, r.send_on) for r in items} == {
        ("due_in_7_days", D - timedelta(days=7))
    }


def test_a_saturday_deadline_collapses_due_in_1_day_into_due_today_on_friday():
    facts = action(deadline=date(2027, 6, 19))
    assert kinds(facts, date(2027, 6, 18)) == {"due_today"}
    assert [r.days_left for r in due_for_action(facts, date(2027, 6, 18))] == [1, 1]
    assert kinds(facts, date(2027, 6, 21)) == {"overdue"}


# ---------------------------------------------------------------------- statuses


@pytest.mark.parametrize("status", ["signed_off", "withdrawn"])
def test_closed_actions_get_nothing(status):
    facts = action(status=status, last_progress_on=date(2026, 1, 1))
    for offset in range(-30, 60):
        assert due_for_action(facts, D + timedelta(days=offset)) == []
    assert schedule_for_action(facts) == []


def test_not_started_actions_are_reminded_like_in_progress_ones():
    assert due(action(status="not_started"), D) == due(action(), D)


def test_an_unknown_status_is_an_error_not_silence():
    with pytest.raises(ValueError):
        due_for_action(action(status="closed"), D)
    with pytest.raises(ValueError):
        due_for_finding(FindingFacts(1, "closed", D, (INSPECTOR,)), D)


def test_done_pauses_owner_reminders_and_reminds_the_leads_after_5_working_days():
    # Marked done on Monday 14 June; the deadline passes while it waits.
    facts = action(
        status="done", status_since=date(2027, 6, 14), last_progress_on=date(2027, 1, 1)
    )
    for today in (
        date(2027, 6, 14),
        date(2027, 6, 16),
        date(2027, 6, 17),
        date(2027, 6, 18),
    ):
        assert due_for_action(facts, today) == [], today
    items = due_for_action(facts, date(2027, 6, 21))
    assert {(r.kind, r.recipient_id) for r in items} == {
        ("awaiting_sign_off", LEAD_A),
        ("awaiting_sign_off", LEAD_B),
    }
    for r in items:
        assert r.deadline_key == date(2027, 6, 14)
        assert r.send_on == date(2027, 6, 21)
        assert r.days_left is None
    # A month later, well past both escalation thresholds: still only the sign-off reminder.
    assert kinds(facts, date(2027, 7, 21)) == {"awaiting_sign_off"}


def test_done_over_a_bank_holiday_counts_working_days():
    facts = action(
        status="done", status_since=date(2027, 5, 28)
    )  # Friday before 31 May
    assert due_for_action(facts, date(2027, 6, 4)) == []
    assert kinds(facts, date(2027, 6, 7)) == {"awaiting_sign_off"}


def test_returned_for_more_work_resumes_the_owner_reminders():
    facts = action(status="in_progress", status_since=date(2027, 6, 24))
    assert {"overdue_week_1", "escalation_force_lead"} <= kinds(
        facts, date(2027, 6, 24)
    )


# ------------------------------------------------------------------- escalations


def test_escalation_to_the_leads_at_7_days_overdue_and_not_before():
    assert "escalation_force_lead" not in kinds(action(), date(2027, 6, 22))  # 6 days
    items = only(due_for_action(action(), date(2027, 6, 23)), "escalation_force_lead")
    assert {r.recipient_id for r in items} == {LEAD_A, LEAD_B}
    for r in items:
        assert (
            r.deadline_key == D and r.days_left == -7 and r.send_on == date(2027, 6, 23)
        )


def test_escalation_to_the_inspector_at_28_days_overdue_and_not_before():
    assert "escalation_inspector" not in kinds(action(), date(2027, 7, 13))  # 27 days
    items = only(due_for_action(action(), date(2027, 7, 14)), "escalation_inspector")
    assert [(r.recipient_id, r.days_left, r.deadline_key) for r in items] == [
        (INSPECTOR, -28, D)
    ]
    # The lead escalation is still returned (the outbox key keeps it to one).
    assert "escalation_force_lead" in kinds(action(), date(2027, 7, 14))


def test_no_inspector_contact_means_no_inspector_escalation():
    assert "escalation_inspector" not in kinds(
        action(inspector_contact_id=None), date(2027, 8, 2)
    )


def test_nobody_is_escalated_their_own_work_but_the_other_lead_still_is():
    # Lead A contributes and lead B owns: each has their own overdue reminder,
    # and each is escalated only the action that is not theirs: none here.
    facts = action(owner_id=LEAD_B, contributor_ids=(LEAD_A,))
    sent = due(facts, date(2027, 6, 24))
    assert {("overdue_week_1", LEAD_A), ("overdue_week_1", LEAD_B)} <= sent
    assert not {kind for kind, _ in sent} & {"escalation_force_lead"}
    # A lead who only contributes: the other lead is escalated it.
    sent = due(action(contributor_ids=(LEAD_A,)), date(2027, 6, 24))
    assert ("escalation_force_lead", LEAD_A) not in sent
    assert ("escalation_force_lead", LEAD_B) in sent
    # The same rule for an inspector contact who somehow owns the action.
    late = action(owner_id=INSPECTOR)
    assert ("escalation_inspector", INSPECTOR) not in due(late, date(2027, 7, 14))


def test_the_audience_the_plan_page_reads_leaves_out_a_lead_who_owns_the_action():
    facts = action(owner_id=LEAD_A)
    assert audience(facts, "escalation_force_lead") == (LEAD_B,)
    assert audience(facts, "overdue") == (LEAD_A, CONTRIBUTOR)


def test_kinds_sort_most_severe_first():
    kinds_in_order = [
        "escalation_inspector",
        "escalation_force_lead",
        "overdue_week_3",
        "closure_request_waiting",
        "awaiting_sign_off",
        "due_today",
        "due_in_1_day",
        "due_in_7_days",
        "due_in_28_days",
        "no_update_nudge",
    ]
    assert sorted(reversed(kinds_in_order), key=severity) == kinds_in_order
    assert severity("overdue") == severity("overdue_week_1")


# ------------------------------------------------------------------- people on leave


def test_paused_people_get_none_of_their_own_reminders():
    paused = frozenset({OWNER})
    assert due(action(), D, paused=paused) == {("due_today", CONTRIBUTOR)}
    stale = action(last_progress_on=date(2027, 1, 1))
    assert ("no_update_nudge", OWNER) not in due(stale, D, paused=paused)
    assert ("no_update_nudge", OWNER) in due(stale, D)


def test_a_paused_owners_late_action_still_escalates():
    paused = frozenset({OWNER, CONTRIBUTOR})
    assert due(action(), date(2027, 7, 14), paused=paused) == {
        ("escalation_force_lead", LEAD_A),
        ("escalation_force_lead", LEAD_B),
        ("escalation_inspector", INSPECTOR),
    }


def test_escalations_reach_leads_and_inspectors_even_when_they_are_paused():
    paused = frozenset({LEAD_A, INSPECTOR})
    got = due(action(), date(2027, 7, 14), paused=paused)
    assert {
        ("escalation_force_lead", LEAD_A),
        ("escalation_inspector", INSPECTOR),
    } <= got


def test_a_paused_lead_is_reminded_of_sign_off_when_back():
    facts = action(status="done", status_since=date(2027, 6, 14))
    assert due(facts, date(2027, 6, 21), paused=frozenset({LEAD_A})) == {
        ("awaiting_sign_off", LEAD_B)
    }
    # Back from leave a week later: the condition still holds, so it comes then.
    assert ("awaiting_sign_off", LEAD_A) in due(facts, date(2027, 6, 28))


# ---------------------------------------------------------------------- recipients


def test_contributors_get_the_same_reminders_as_the_owner_without_duplicates():
    facts = action(contributor_ids=(CONTRIBUTOR, OWNER, 3, CONTRIBUTOR))
    items = due_for_action(facts, date(2027, 6, 9))
    assert [(r.kind, r.recipient_id) for r in items] == [
        ("due_in_7_days", OWNER),
        ("due_in_7_days", CONTRIBUTOR),
        ("due_in_7_days", 3),
    ]


def test_no_owner_still_reminds_contributors():
    assert due(action(owner_id=None), D) == {("due_today", CONTRIBUTOR)}


def test_repeated_lead_ids_give_one_escalation_each():
    facts = action(force_lead_ids=(LEAD_A, LEAD_A))
    assert (
        len(only(due_for_action(facts, date(2027, 6, 23)), "escalation_force_lead"))
        == 1
    )


# ----------------------------------------------------------------- moved deadlines


def test_a_moved_deadline_starts_a_fresh_series_with_a_new_key():
    today = date(2027, 6, 18)
    old = due_for_action(action(), today)
    assert {(r.kind, r.deadline_key) for r in old} == {("overdue", D)}
    moved = due_for_action(action(deadline=date(2027, 7, 16)), today)
    assert {(r.kind, r.deadline_key) for r in moved} == {
        ("due_in_28_days", date(2027, 7, 16))
    }


# --------------------------------------------------------------------------- nudges


def test_nudge_after_30_days_without_an_update_and_not_at_29():
    facts = action(deadline=None, last_progress_on=date(2027, 6, 1))
    assert due_for_action(facts, date(2027, 6, 30)) == []  # 29 days
    items = due_for_action(facts, date(2027, 7, 1))  # 30 days
    assert [(r.kind, r.recipient_id, r.deadline_key, r.send_on) for r in items] == [
        ("no_update_nudge", OWNER, date(2027, 6, 1), date(2027, 7, 1))
    ]


def test_a_new_silence_gives_a_new_nudge_key():
    first = due_for_action(
        action(deadline=None, last_progress_on=date(2027, 6, 1)), date(2027, 7, 1)
    )
    later = due_for_action(
        action(deadline=None, last_progress_on=date(2027, 7, 2)), date(2027, 8, 2)
    )
    assert [r.deadline_key for r in first] == [date(2027, 6, 1)]
    assert [r.deadline_key for r in later] == [date(2027, 7, 2)]


def test_a_nudge_due_on_a_weekend_comes_on_monday():
    facts = action(
        deadline=None, last_progress_on=date(2027, 5, 13)
    )  # +30 = Saturday 12 June
    items = due_for_action(facts, date(2027, 6, 14))
    assert [(r.kind, r.send_on) for r in items] == [
        ("no_update_nudge", date(2027, 6, 14))
    ]


def test_no_nudge_while_done():
    facts = action(
        status="done", status_since=date(2027, 6, 14), last_progress_on=date(2027, 1, 1)
    )
    assert "no_update_nudge" not in kinds(facts, date(2027, 6, 21))


# ------------------------------------------------------------------------ findings


def finding(**changes) -> FindingFacts:
    facts = FindingFacts(
        finding_id=99,
        status="closure_requested",
        status_since=date(2027, 6, 1),  # Tuesday
        inspector_ids=(INSPECTOR, 41),
    )
    return replace(facts, **changes)


def test_closure_request_waiting_after_more_than_10_working_days_and_not_at_10():
    assert due_for_finding(finding(), date(2027, 6, 15)) == []  # 10 working days
    items = due_for_finding(finding(), date(2027, 6, 16))  # 11
    assert [(r.kind, r.recipient_id) for r in items] == [
        ("closure_request_waiting", INSPECTOR),
        ("closure_request_waiting", 41),
    ]
    for r in items:
        assert r.finding_id == 99 and r.action_id is None
        assert r.deadline_key == date(2027, 6, 1)
        assert r.send_on == date(2027, 6, 16)
        assert r.days_left is None
    # Later, still waiting: still returned, same key.
    assert len(due_for_finding(finding(), date(2027, 7, 1))) == 2


def test_closure_wait_counts_working_days_over_a_bank_holiday():
    facts = finding(status_since=date(2027, 5, 28))  # Friday before 31 May
    # 1 June (Tuesday) is the first working day after it, 14 June the 10th.
    assert due_for_finding(facts, date(2027, 6, 14)) == []
    assert len(due_for_finding(facts, date(2027, 6, 15))) == 2


@pytest.mark.parametrize(
    "status", ["awaiting_review", "being_progressed", "complete", "superseded"]
)
def test_only_closure_requests_remind_inspectors(status):
    assert due_for_finding(finding(status=status), date(2027, 7, 1)) == []


def test_closure_reminders_skip_paused_inspectors_and_weekends():
    items = due_for_finding(finding(), date(2027, 6, 16), paused=frozenset({41}))
    assert [r.recipient_id for r in items] == [INSPECTOR]
    assert due_for_finding(finding(), date(2027, 6, 19)) == []  # Saturday


# ---------------------------------------------------------------------- sweep time


@pytest.mark.parametrize(
    "day, utc_hour",
    [
        (date(2027, 7, 1), 7),  # summer time
        (date(2027, 1, 15), 8),  # winter
        (date(2027, 3, 27), 8),  # the day before the clocks go forward
        (date(2027, 3, 28), 7),  # clocks went forward at 01:00 UTC
        (date(2027, 10, 30), 7),  # the day before the clocks go back
        (date(2027, 10, 31), 8),  # clocks went back at 01:00 UTC
    ],
)
def test_sweep_time_is_0800_london(day, utc_hour):
    when = sweep_time_on(day)
    assert when.tzinfo is not None
    assert (when.date(), when.hour, when.minute) == (day, 8, 0)
    utc = when.astimezone(UTC)
    assert (utc.date(), utc.hour, utc.minute) == (day, utc_hour, 0)


def test_sweep_time_in_the_spring_gap_moves_forward():
    when = sweep_time_on(date(2027, 3, 28), hour=1)  # 01:00 does not exist that day
    assert when.astimezone(UTC).hour == 1
    assert when.hour == 2


# ------------------------------------------------------------------------ schedule


def test_schedule_lists_every_planned_reminder_for_the_current_deadline():
    assert schedule_for_action(action()) == [
        (date(2027, 5, 19), "due_in_28_days"),
        (date(2027, 6, 2), "due_in_14_days"),
        (date(2027, 6, 9), "due_in_7_days"),
        (date(2027, 6, 15), "due_in_1_day"),
        (date(2027, 6, 16), "due_today"),
        (date(2027, 6, 17), "overdue"),
        (date(2027, 6, 23), "escalation_force_lead"),
        (date(2027, 6, 24), "overdue_week_1"),
        (date(2027, 7, 1), "overdue_week_2"),
        (date(2027, 7, 8), "overdue_week_3"),
        # 30 days after the last update (11 June) is a Sunday.
        (date(2027, 7, 12), "no_update_nudge"),
        (date(2027, 7, 14), "escalation_inspector"),
        (date(2027, 7, 15), "overdue_week_4"),
    ]


def test_schedule_for_a_done_action_is_the_sign_off_reminder():
    facts = action(status="done", status_since=date(2027, 6, 14))
    assert schedule_for_action(facts) == [(date(2027, 6, 21), "awaiting_sign_off")]


def test_schedule_respects_the_policy():
    policy = Policy(days_before=(3, 0), schedule_overdue_weeks=1)
    plan = [
        kind for _, kind in schedule_for_action(action(owner_id=None), policy=policy)
    ]
    assert plan == [
        "due_in_3_days",
        "due_today",
        "overdue",
        "escalation_force_lead",
        "overdue_week_1",
        "escalation_inspector",
    ]


# ------------------------------------------------------------------------- policy


def test_policy_numbers_change_the_rules():
    policy = Policy(escalate_to_lead_after_days=3, nudge_after_days=10)
    assert "escalation_force_lead" in kinds(action(), date(2027, 6, 21), policy=policy)
    facts = action(deadline=None, last_progress_on=date(2027, 6, 1))
    assert kinds(facts, date(2027, 6, 11), policy=policy) == {"no_update_nudge"}


def test_policy_is_frozen_and_rejects_nonsense():
    with pytest.raises(AttributeError):
        Policy().nudge_after_days = 1  # type: ignore[misc]
    with pytest.raises(ValueError):
        Policy(days_before=(7, 7))
    with pytest.raises(ValueError):
        Policy(overdue_repeat_days=0)


def test_every_kind_has_a_label():
    for kind in (
        *DEADLINE_KINDS,
        "overdue",
        "overdue_week_1",
        "escalation_force_lead",
        "escalation_inspector",
        "awaiting_sign_off",
        "closure_request_waiting",
        "no_update_nudge",
    ):
        assert KIND_LABELS[kind]
    assert KIND_LABELS["due_in_28_days"] == "Due in 28 days"
    assert KIND_LABELS["overdue"] == "Overdue"
    assert KIND_LABELS["escalation_force_lead"] == "Escalated to you: 7 days overdue"
    assert KIND_LABELS["escalation_inspector"] == "Escalated to you: 28 days overdue"
    assert kind_label("overdue_week_12") == "Still overdue (week 12)"


def test_the_policy_does_not_read_the_clock():
    # The sweep passes `today`; the answer must not depend on when it runs.
    expected = due_for_action(action(), date(2027, 6, 23))
    with time_machine.travel("2031-02-03 12:00 +0000", tick=False):
        assert due_for_action(action(), date(2027, 6, 23)) == expected


# ----------------------------------------------------------------------- properties

days_2026_to_2028 = st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 31))
people = st.integers(min_value=1, max_value=6)


@st.composite
def action_facts(draw):
    deadline = draw(st.one_of(st.none(), days_2026_to_2028))
    return ActionFacts(
        action_id=1,
        status=draw(
            st.sampled_from(
                ["not_started", "in_progress", "done", "signed_off", "withdrawn"]
            )
        ),
        deadline=deadline,
        owner_id=draw(st.one_of(st.none(), people)),
        contributor_ids=tuple(draw(st.lists(people, max_size=4))),
        force_lead_ids=tuple(draw(st.lists(people, max_size=3))),
        inspector_contact_id=draw(st.one_of(st.none(), people)),
        status_since=draw(days_2026_to_2028),
        last_progress_on=draw(days_2026_to_2028),
    )


@settings(max_examples=300, deadline=None)
@given(
    facts=action_facts(),
    today=days_2026_to_2028,
    paused=st.frozensets(people, max_size=3),
)
def test_property_no_duplicates_and_sent_only_on_working_days(facts, today, paused):
    items = due_for_action(facts, today, paused=paused)
    pairs = [(r.kind, r.recipient_id) for r in items]
    assert len(pairs) == len(set(pairs))
    if not is_working_day(today):
        assert items == []
    for r in items:
        assert is_working_day(r.send_on)
        assert r.send_on <= today
        assert r.action_id == facts.action_id
        if r.recipient_id in paused:
            assert r.kind.startswith("escalation_")
    # At most one stage of the deadline series per person: never a stale one as well.
    series_people = [r.recipient_id for r in items if is_deadline_series(r.kind)]
    assert len(series_people) == len(set(series_people))


@settings(max_examples=200, deadline=None)
@given(deadline=days_2026_to_2028)
def test_property_a_daily_sweep_sends_each_planned_stage_on_its_day(deadline):
    facts = action(deadline=deadline, last_progress_on=deadline)
    plan = [
        (on, kind)
        for on, kind in schedule_for_action(facts)
        if kind != "no_update_nudge"
    ]
    for on, kind in plan:
        assert is_working_day(on)
        sent = [r for r in due_for_action(facts, on) if r.kind == kind]
        expected = {"escalation_force_lead": LEAD_A, "escalation_inspector": INSPECTOR}
        assert expected.get(kind, OWNER) in {r.recipient_id for r in sent}
        assert all(r.send_on == on for r in sent)
    # And every deadline-series reminder a daily sweep produces is in the plan.
    planned = set(plan)
    day = deadline - timedelta(days=35)
    last_planned = max(on for on, _ in plan)
    while day <= last_planned:
        for r in due_for_action(facts, day):
            if is_deadline_series(r.kind):
                assert (r.send_on, r.kind) in planned
        day += timedelta(days=1)


@settings(max_examples=200, deadline=None)
@given(d=days_2026_to_2028, n=st.integers(min_value=-15, max_value=15))
def test_property_working_day_helpers(d, n):
    nxt, prev = next_working_day(d), previous_working_day(d)
    assert is_working_day(nxt) and is_working_day(prev) and prev <= d <= nxt
    # No working day is skipped between d and the one found.
    assert all(not is_working_day(d + timedelta(days=i)) for i in range((nxt - d).days))
    assert all(
        not is_working_day(d - timedelta(days=i)) for i in range((d - prev).days)
    )
    moved = add_working_days(d, n)
    if n == 0:
        assert moved == d
        return
    assert is_working_day(moved)
    # `d` itself is never counted: n > 0 counts the working days in (d, moved],
    # n < 0 those in [moved, d).
    if n > 0:
        span = [d + timedelta(days=i) for i in range(1, (moved - d).days + 1)]
    else:
        span = [moved + timedelta(days=i) for i in range((d - moved).days)]
    assert sum(map(is_working_day, span)) == abs(n)


def test_the_module_imports_without_django():
    # The policy is plain Python: importing it must not pull Django in.
    code = (
        "import sys, tracker.reminders.working_days, tracker.reminders.policy, "
        "tracker.reminders.kinds, tracker.reminders.schedule; "
        "sys.exit('django' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True)
    assert result.returncode == 0, result.stderr
