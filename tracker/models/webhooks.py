"""Webhooks: another system told of the events the notifications tell people of.

A force lead points one at their force's risk register, an inspector at the
inspectorate's: each names the kinds of event it wants and the address to post
them to. Every event is recorded, in the transaction of the move, as a
delivery: the outbox row its POST is sent from, with the same delivery columns
as a notification (`tracker.sending`), and the log its owner reads.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from ..notifications.kinds import EVENT_NAMES, Kind
from .people import Force, User

# Not a notification's kind: the test event a person sends from the webhook's page.
PING = "ping"
# Every kind of event but a mention, which is for the person mentioned.
WEBHOOK_KINDS = list(EVENT_NAMES)


def webhook_kind_label(kind: str) -> str:
    if kind == PING:
        return "A test event"
    try:
        return EVENT_NAMES[Kind(kind)]
    except (KeyError, ValueError):
        return kind.replace("_", " ").capitalize()


class Webhook(models.Model):
    force = models.ForeignKey(
        Force,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhooks",
        help_text="The force whose events it is told of; none for the inspectorate's, "
        "told of every force's.",
    )
    name = models.CharField(max_length=100, help_text="What it is for.")
    url = models.URLField("address", max_length=500)
    # Standard Webhooks' form, "whsec_" and base64: the receiver checks each
    # signature with it, so it is kept (and shown once, when made).
    secret = models.CharField(max_length=100, editable=False)
    kinds = models.JSONField(
        default=list, help_text="The kinds of event it is told of."
    )
    paused_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="While paused, events are recorded and wait; they go when it resumes.",
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("tracker:webhook", args=[self.pk])

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    def wants(self, kind: str) -> bool:
        return kind == PING or kind in self.kinds

    @property
    def kind_labels(self) -> list[str]:
        return [
            webhook_kind_label(kind) for kind in WEBHOOK_KINDS if kind in self.kinds
        ]


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Delivered"
        FAILED = "failed", "Failed: not delivered after its attempts (see the error)"
        CANCELLED = "cancelled", "Not sent"

    webhook = models.ForeignKey(
        Webhook, on_delete=models.CASCADE, related_name="deliveries"
    )
    # The event's id, sent as `webhook-id`: the same on every attempt, so the
    # receiver can tell a retry from a new event.
    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=40)
    event_key = models.CharField(
        max_length=100, help_text="The event: one delivery per event and webhook."
    )
    summary = models.CharField(max_length=300)
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    # The outbox columns, as on a notification.
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    retry_at = models.DateTimeField(null=True, blank=True)
    maybe_delivered = models.BooleanField(
        "may have been delivered",
        default=False,
        help_text="Its sender stopped before hearing the answer: the next attempt is "
        "the last.",
    )
    refused = models.BooleanField(
        "refused by the receiver",
        default=False,
        help_text="The receiver refused it for good (a 4xx answer, an address the "
        "tracker does not post to): not tried again until a person sends it again.",
    )
    last_error = models.TextField(blank=True)
    response_status = models.PositiveSmallIntegerField(
        "answer", null=True, blank=True, help_text="The HTTP status of the last answer."
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["webhook", "event_key"], name="webhook_delivery_once_per_event"
            ),
        ]
        indexes = [
            models.Index(fields=["webhook", "-created_at"]),
            models.Index(
                fields=["status", "created_at"],
                name="webhook_delivery_unsent_idx",
                condition=Q(status__in=["pending", "sending", "failed"]),
            ),
        ]

    def __str__(self):
        return f"{self.kind} to {self.webhook_id}: {self.summary}"

    @property
    def kind_label(self) -> str:
        return webhook_kind_label(self.kind)
