"""Event notifications: one row per event and person, shown in the app and sent by email.

A row is recorded in the transaction of the move it tells of (`tracker.notifications.events`)
and is, at the same time, the outbox item its email is sent from
(`tracker.notifications.delivery`), with the same delivery columns as a reminder.
"""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from ..notifications.kinds import Kind, kind_label
from .actions import Action
from .inspections import Finding, Inspection
from .people import User


class Notification(models.Model):
    class Status(models.TextChoices):
        APP_ONLY = "app_only", "Shown in the app only"
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed: not sent after its attempts (see the last error)"
        CANCELLED = "cancelled", "Not sent: no longer true"

    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(
        max_length=40, choices=[(k.value, kind_label(k)) for k in Kind]
    )
    actor = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who did what the notification tells of.",
    )
    action = models.ForeignKey(
        Action,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    finding = models.ForeignKey(
        Finding,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    inspection = models.ForeignKey(
        Inspection,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    summary = models.CharField(max_length=300, help_text="One line: what happened.")
    text = models.TextField(
        blank=True, help_text="The words of the move: a comment, a reason."
    )
    event_key = models.CharField(
        max_length=100,
        help_text="The event it tells of: one notification per event and person.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    in_digest = models.BooleanField(
        "in the digest",
        default=False,
        help_text="Sent with the person's next reminder digest, not on its own.",
    )

    # The outbox columns, as on a reminder.
    status = models.CharField(
        "email", max_length=10, choices=Status.choices, default=Status.PENDING
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
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_key", "recipient"], name="notification_once_per_event"
            ),
        ]
        indexes = [
            models.Index(
                fields=["recipient", "-created_at"],
                name="notification_unread_idx",
                condition=Q(read_at__isnull=True),
            ),
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(
                fields=["status", "created_at"],
                name="notification_unsent_idx",
                condition=Q(status__in=["pending", "sending", "failed"]),
            ),
        ]

    def __str__(self):
        return f"{self.kind} to {self.recipient_id}: {self.summary}"

    def get_absolute_url(self) -> str:
        subject = self.subject
        return (
            subject.get_absolute_url() if subject else reverse("tracker:notifications")
        )

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)

    @property
    def subject(self):
        """What the notification is about: the action, the finding or the inspection."""
        return self.action or self.finding or self.inspection


class NotificationPreference(models.Model):
    """How one person takes one kind of notification; no row is the default (at once)."""

    class Delivery(models.TextChoices):
        AT_ONCE = "at_once", "Email at once"
        DIGEST = "digest", "In my reminder digest"
        APP_ONLY = "app_only", "Not by email"

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    # The choices the preferences page offers, in its order.
    OFFERED = (Delivery.AT_ONCE, Delivery.DIGEST, Delivery.APP_ONLY)

    kind = models.CharField(
        max_length=40, choices=[(k.value, kind_label(k)) for k in Kind]
    )
    delivery = models.CharField(
        max_length=10, choices=Delivery.choices, default=Delivery.AT_ONCE
    )

    class Meta:
        ordering = ["user", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"], name="notification_preference_once_per_kind"
            ),
        ]

    def __str__(self):
        return f"{self.user}: {self.kind} {self.delivery}"
