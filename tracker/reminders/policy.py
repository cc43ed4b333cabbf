"""The numbers of the reminder rules, in one frozen value."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Policy:
    """Every number of the reminder rules, so that a change is one argument, not an edit.

    `days_before` are calendar days before the deadline (0 = on the day).
    `overdue_repeat_days` are calendar days between repeated overdue reminders.
    The escalation thresholds and `nudge_after_days` are calendar days; the
    sign-off and closure waits are working days, because they measure how long
    a person at work has left something undone.
    `schedule_overdue_weeks` only limits `schedule_for_action`'s listing: the
    overdue reminders themselves repeat for as long as the action is late.
    """

    days_before: tuple[int, ...] = (28, 14, 7, 1, 0)
    overdue_repeat_days: int = 7
    escalate_to_lead_after_days: int = 7
    escalate_to_inspector_after_days: int = 28
    sign_off_wait_working_days: int = 5
    closure_wait_working_days: int = 10
    nudge_after_days: int = 30
    schedule_overdue_weeks: int = 4

    def __post_init__(self):
        # A bad policy would silently send nothing (or everything); refuse it up front.
        if not self.days_before or any(n < 0 for n in self.days_before):
            raise ValueError("days_before must be a non-empty tuple of days >= 0.")
        if len(set(self.days_before)) != len(self.days_before):
            raise ValueError("days_before must not repeat a day.")
        for name in (
            "overdue_repeat_days",
            "escalate_to_lead_after_days",
            "escalate_to_inspector_after_days",
            "sign_off_wait_working_days",
            "closure_wait_working_days",
            "nudge_after_days",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1.")
        if self.schedule_overdue_weeks < 0:
            raise ValueError("schedule_overdue_weeks must be >= 0.")


DEFAULT_POLICY = Policy()
