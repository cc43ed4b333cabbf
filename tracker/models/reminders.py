"""The reminder outbox and its settings: the policy row, each person's choices, one row per reminder.

The rules are tracker.reminders.schedule; the sweep that fills the outbox and the
delivery that empties it are tracker.reminders.outbox and .delivery.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ..reminders.kinds import kind_label
from ..reminders.policy import Policy
from ..reminders.working_days import is_working_day, next_working_day
from .actions import Action
from .inspections import Finding
from .people import User


class ReminderPolicy(models.Model):
    """The reminder rules an administrator may change: one row, read by every sweep."""

    SINGLETON_PK = 1

    days_before = models.CharField(
        "days before the deadline",
        max_length=60,
        default="28,14,7,1,0",
        help_text="Calendar days before a deadline to remind the owner, comma-separated; 0 is the day itself.",
    )
    overdue_repeat_days = models.PositiveSmallIntegerField(
        default=7, help_text="Calendar days between repeated overdue reminders."
    )
    escalate_to_lead_after_days = models.PositiveSmallIntegerField(
        default=7, help_text="Calendar days overdue before the force lead is told."
    )
    escalate_to_inspector_after_days = models.PositiveSmallIntegerField(
        default=28,
        help_text="Calendar days overdue before the force's inspector contact is told.",
    )
    sign_off_wait_working_days = models.PositiveSmallIntegerField(
        default=5,
        help_text="Working days a done action waits before the force lead is reminded.",
    )
    closure_wait_working_days = models.PositiveSmallIntegerField(
        default=10,
        help_text="Working days a closure request waits before the inspector is reminded (after this many).",
    )
    nudge_after_days = models.PositiveSmallIntegerField(
        default=30,
        help_text="Calendar days without a progress update before the owner is nudged.",
    )
    schedule_overdue_weeks = models.PositiveSmallIntegerField(
        default=4,
        help_text="Weeks of overdue reminders listed on the “my reminders” page.",
    )
    last_swept_on = models.DateField(
        "last sweep",
        null=True,
        blank=True,
        editable=False,
        help_text="The latest day the reminder sweep ran for.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "reminder policy"
        verbose_name_plural = "reminder policy"
        constraints = [
            models.CheckConstraint(
                name="reminder_policy_is_a_singleton", condition=Q(pk=1)
            ),
        ]

    def __str__(self):
        return "Reminder policy"

    def save(self, *args, **kwargs):
        self.pk = self.SINGLETON_PK
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        try:
            self.as_policy()
        except ValueError as error:
            raise ValidationError(str(error)) from None

    @classmethod
    def load(cls) -> "ReminderPolicy":
        policy, _ = cls.objects.get_or_create(pk=cls.SINGLETON_PK)
        return policy

    def as_policy(self):

        try:
            days_before = tuple(
                int(day) for day in str(self.days_before).split(",") if day.strip()
            )
        except ValueError:
            raise ValueError(
                "Days before the deadline must be whole numbers separated by commas."
            ) from None
        return Policy(
            days_before=days_before,
            overdue_repeat_days=self.overdue_repeat_days,
            escalate_to_lead_after_days=self.escalate_to_lead_after_days,
            escalate_to_inspector_after_days=self.escalate_to_inspector_after_days,
            sign_off_wait_working_days=self.sign_off_wait_working_days,
            closure_wait_working_days=self.closure_wait_working_days,
            nudge_after_days=self.nudge_after_days,
            schedule_overdue_weeks=self.schedule_overdue_weeks,
        )


# How far back a weekly digest's latest day can be: a week, and a bank holiday
# that moved it to the next working day.
_WEEK_AND_A_HOLIDAY = 12


class ReminderPreference(models.Model):
    """How one person takes their reminders: a daily or weekly digest, and leave."""

    class Digest(models.TextChoices):
        DAILY = "daily", "Every working day"
        WEEKLY = "weekly", "Once a week"

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="reminder_preference"
    )
    digest = models.CharField(
        max_length=6, choices=Digest.choices, default=Digest.DAILY
    )
    weekly_on = models.PositiveSmallIntegerField(
        "weekly digest on", choices=Weekday.choices, default=Weekday.MONDAY
    )
    paused_until = models.DateField(
        "on leave until",
        null=True,
        blank=True,
        help_text="No reminders up to and including this date; escalations about late work still go.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user"]

    def __str__(self):
        return f"Reminder preference of {self.user}"

    def is_paused_on(self, day: datetime.date) -> bool:
        return self.paused_until is not None and day <= self.paused_until

    def digest_due_on(self, day: datetime.date) -> bool:
        """Does this person's digest go out on `day` (a working day)?

        A weekly digest whose weekday is a bank holiday goes on the next working
        day instead, even when that falls in the following week.
        """

        if self.digest != self.Digest.WEEKLY:
            return True
        chosen = day - datetime.timedelta(days=day.weekday() - self.weekly_on)
        return day in (
            next_working_day(chosen),
            next_working_day(chosen - datetime.timedelta(days=7)),
        )

    def digest_goes_on(
        self,
        day: datetime.date,
        *,
        swept_before: datetime.date | None = None,
        escalation_waiting: bool = False,
        oldest_waiting: datetime.date | None = None,
    ) -> bool:
        """Does this person's digest go on `day` (a working day), given what waits for them?

        A daily digest goes every working day. A weekly one goes on its day
        (`digest_due_on`) and also, so that nothing waits a week more than chosen:
        on the first sweep after its day when no sweep ran that day
        (`swept_before` is the day of the sweep before this one); whenever an
        escalation waits (they never wait for the weekly day); and when something
        waiting was recorded on or before its latest day (`oldest_waiting`): that
        digest did not carry it, the mail server being down.
        """
        if self.digest != self.Digest.WEEKLY or escalation_waiting:
            return True
        latest = next(
            (
                earlier
                for back in range(_WEEK_AND_A_HOLIDAY)
                if self.digest_due_on(earlier := day - datetime.timedelta(days=back))
                and is_working_day(earlier)
            ),
            None,
        )
        if latest == day:
            return True
        if latest is None:
            return False
        missed = swept_before is not None and swept_before < latest
        return missed or (oldest_waiting is not None and oldest_waiting <= latest)


class Reminder(models.Model):
    """One reminder to one person, recorded once by the sweep and sent in their digest.

    The two partial unique constraints are the outbox key (action or finding,
    recipient, kind, deadline_key): PostgreSQL treats NULLs as distinct, so one
    constraint over both nullable columns would never fire.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed: not sent after its attempts (see the last error)"
        CANCELLED = "cancelled", "Cancelled: no longer current"

    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="reminders"
    )
    action = models.ForeignKey(
        Action,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
    )
    finding = models.ForeignKey(
        Finding,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
    )
    kind = models.CharField(max_length=40)
    deadline_key = models.DateField(
        help_text="The deadline, or the date a wait or a silence began: a new date is a new reminder."
    )
    send_on = models.DateField(help_text="The working day the policy scheduled it for.")
    due_on = models.DateField(help_text="The day the sweep recorded it.")
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    retry_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Held for the sending task's retry until then: nobody else sends it.",
    )
    maybe_delivered = models.BooleanField(
        "may have been delivered",
        default=False,
        help_text="A send may have reached the mail server without its reply: "
        "the next attempt is the last.",
    )
    refused = models.BooleanField(
        "refused by the mail server",
        default=False,
        help_text="The mail server refused it for good (a 5xx reply, such as an "
        "unknown address): not tried again until a person sends it again.",
    )
    last_error = models.TextField(blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-due_on", "recipient", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "recipient", "kind", "deadline_key"],
                condition=Q(action__isnull=False),
                name="reminder_once_per_action",
            ),
            models.UniqueConstraint(
                fields=["finding", "recipient", "kind", "deadline_key"],
                condition=Q(finding__isnull=False),
                name="reminder_once_per_finding",
            ),
            models.CheckConstraint(
                name="reminder_is_about_an_action_or_a_finding",
                condition=Q(action__isnull=False, finding__isnull=True)
                | Q(action__isnull=True, finding__isnull=False),
            ),
        ]
        indexes = [
            # Keeps "what is waiting for whom" cheap however long the sent history grows.
            models.Index(
                fields=["recipient", "due_on"],
                name="reminder_unsent_idx",
                condition=Q(status__in=["pending", "sending", "failed"]),
            ),
            models.Index(fields=["status", "due_on"]),
        ]

    def __str__(self):
        return f"{self.kind} to {self.recipient_id} about {self.subject_reference}"

    @property
    def subject_reference(self) -> str:
        return (
            f"action {self.action_id}"
            if self.action_id
            else f"finding {self.finding_id}"
        )

    @property
    def kind_label(self) -> str:

        return kind_label(self.kind)
