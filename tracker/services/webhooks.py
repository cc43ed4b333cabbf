"""Webhooks: made, changed, paused and resumed, given a new secret, tested, removed,
and their failed events sent again. A force's by its leads; the inspectorate's
by inspectors (`may_manage_webhooks`)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from .. import sending, webhooks
from ..models import WEBHOOK_KINDS, Force, User, Webhook, WebhookDelivery
from ..permissions import may_manage_webhooks
from .errors import WorkflowError

logger = logging.getLogger(__name__)


def _may(user: User, force: Force | None) -> None:
    if not may_manage_webhooks(user, force):
        whose = "this force's" if force is not None else "the inspectorate's"
        raise WorkflowError(f"Only {whose} leads may change {whose} webhooks.")


def _checked(force, name: str, url: str, kinds) -> tuple[str, str, list[str]]:
    name = (name or "").strip()
    if not name:
        raise WorkflowError("Enter what the webhook is for.", field="name")
    url = (url or "").strip()
    if not url:
        raise WorkflowError("Enter the address to post events to.", field="url")
    problem = webhooks.address_problem(url, webhooks.allowed_networks(force))
    if problem:
        raise WorkflowError(problem.message, field="url")
    chosen = [str(kind) for kind in WEBHOOK_KINDS if kind in set(kinds or ())]
    unknown = set(kinds or ()) - set(chosen)
    if unknown or not chosen:
        raise WorkflowError(
            "Choose at least one kind of event from the list.", field="kinds"
        )
    return name, url, chosen


def webhook_create(
    user: User, *, force: Force | None, name: str, url: str, kinds
) -> tuple[Webhook, str]:
    """Make a webhook; its secret is returned to show once (the receiver keeps it)."""
    _may(user, force)
    name, url, kinds = _checked(force, name, url, kinds)
    secret = webhooks.new_secret()
    webhook = Webhook.objects.create(
        force=force, name=name, url=url, kinds=kinds, secret=secret, created_by=user
    )
    logger.info("%s made webhook %s (%s) to %s", user, webhook.pk, name, url)
    return webhook, secret


def webhook_update(user: User, webhook: Webhook, *, name: str, url: str, kinds) -> None:
    _may(user, webhook.force)
    webhook.name, webhook.url, webhook.kinds = _checked(webhook.force, name, url, kinds)
    webhook.save(update_fields=["name", "url", "kinds"])


def webhook_pause(user: User, webhook: Webhook) -> None:
    """Events are still recorded while it is paused; they wait for it to resume."""
    _may(user, webhook.force)
    Webhook.objects.filter(pk=webhook.pk, paused_at__isnull=True).update(
        paused_at=timezone.now()
    )


def webhook_resume(user: User, webhook: Webhook) -> None:
    """What waited while it was paused goes now, in order."""
    _may(user, webhook.force)
    Webhook.objects.filter(pk=webhook.pk).update(paused_at=None)
    transaction.on_commit(lambda: webhooks.queue_webhooks([webhook.pk]))


def webhook_new_secret(user: User, webhook: Webhook) -> str:
    """A new secret signs every event from now on, retries too; the old one stops."""
    _may(user, webhook.force)
    secret = webhooks.new_secret()
    Webhook.objects.filter(pk=webhook.pk).update(secret=secret)
    webhook.secret = secret
    return secret


def webhook_delete(user: User, webhook: Webhook) -> None:
    """The webhook and its log go; events waiting for it are not sent."""
    _may(user, webhook.force)
    logger.info("%s removed webhook %s (%s)", user, webhook.pk, webhook.name)
    webhook.delete()


def webhook_ping(user: User, webhook: Webhook) -> WebhookDelivery:
    """Send a test event now, to see it arrive and check its signature."""
    _may(user, webhook.force)
    return webhooks.record_ping(webhook, user)


def webhook_send_again(
    user: User, webhook: Webhook, deliveries: QuerySet[WebhookDelivery]
) -> int:
    """Failed events of the webhook back to waiting, their attempts reset; say how many."""
    _may(user, webhook.force)
    count = sending.send_again(deliveries.filter(webhook=webhook))
    if count and not webhook.is_paused:
        transaction.on_commit(lambda: webhooks.queue_webhooks([webhook.pk]))
    return count
