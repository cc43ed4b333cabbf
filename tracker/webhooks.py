"""Webhooks: each event recorded for the webhooks that want it, then POSTed, signed.

Recording (`record_event`) happens where a notification is recorded, in the
transaction of the move (`tracker.notifications.events.notify`): one delivery
per event and webhook, for the webhooks that may be told of it through the
door (`visible_to_webhook`: the force's own, and the inspectorate's).

Sending (`deliver_webhook`, run by the `tracker.send_webhooks` task) claims a
webhook's waiting deliveries as notifications are claimed (`tracker.sending`),
POSTs each in order as JSON signed the Standard Webhooks way (the `webhook-id`,
`webhook-timestamp` and `webhook-signature` headers; HMAC-SHA256 with the
webhook's secret), and marks it delivered on a 2xx answer. A 5xx answer, a
timeout or no connection holds it and those after it for the task's retry; a
4xx answer (but 408 and 429), a redirect or an address the tracker does not
post to fails it at once, for a person to send again from the webhook's page.
A retry carries the same `webhook-id`, so the receiver can drop a repeat.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from . import sending
from .models import Action, Finding, Inspection, User, Webhook, WebhookDelivery
from .models.webhooks import PING
from .selectors import visible_to_webhook

logger = logging.getLogger(__name__)

SEND_TASK = "tracker.send_webhooks"
SECRET_PREFIX = "whsec_"
USER_AGENT = "PEEL-action-tracker-webhooks/1"
# Answers worth trying again; any other 4xx will be refused the same way.
TRY_AGAIN_ANSWERS = {408, 425, 429}


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signature(secret: str, event_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header: "v1," and the base64 HMAC-SHA256 of
    "id.timestamp.body" with the secret's bytes (Standard Webhooks)."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{event_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


# Recording ----------------------------------------------------------------------------


def record_event(
    kind: str,
    *,
    key: str,
    summary: str,
    actor: User | None,
    action: Action | None = None,
    finding: Finding | None = None,
    inspection: Inspection | None = None,
    text: str = "",
) -> int:
    """Record the event for each webhook that wants it and may be told of it."""
    subject = action or finding or inspection
    if subject is None:
        raise ValueError("An event is about an action, a finding or an inspection.")
    force_id = subject.force_id
    hooks = [
        hook
        for hook in Webhook.objects.filter(Q(force_id=force_id) | Q(force__isnull=True))
        if hook.wants(kind)
        and visible_to_webhook(
            hook, type(subject).objects.filter(pk=subject.pk)
        ).exists()
    ]
    if not hooks:
        return 0
    data = event_data(
        summary=summary,
        actor=actor,
        action=action,
        finding=finding,
        inspection=inspection,
        text=text,
    )
    rows = [_delivery(hook, kind, key, summary, data) for hook in hooks]
    WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    waiting = [hook.pk for hook in hooks if not hook.is_paused]
    if waiting:
        transaction.on_commit(lambda: queue_webhooks(waiting))
    return len(rows)


def record_ping(webhook: Webhook, actor: User) -> WebhookDelivery:
    """A test event, so the receiver's people can see one arrive and check its signature."""
    summary = f"{actor} sent a test event from the tracker"
    data = {
        "summary": summary,
        "text": "",
        "actor": _person(actor),
        "force": _force(webhook.force),
    }
    row = _delivery(webhook, PING, f"ping:{uuid.uuid4()}", summary, data)
    row.save()
    if not webhook.is_paused:
        transaction.on_commit(lambda: queue_webhooks([webhook.pk]))
    return row


def _delivery(hook: Webhook, kind: str, key: str, summary: str, data: dict):
    event_id = uuid.uuid4()
    now = timezone.now()
    return WebhookDelivery(
        webhook=hook,
        event_id=event_id,
        kind=kind,
        event_key=key,
        summary=summary[:300],
        created_at=now,
        payload={
            "id": str(event_id),
            "type": str(kind),
            "timestamp": now.isoformat(),
            "data": data,
        },
    )


def event_data(
    *,
    summary: str,
    actor: User | None,
    action: Action | None,
    finding: Finding | None,
    inspection: Inspection | None,
    text: str,
) -> dict:
    """What the event says: who did it, and what it is about as it stands now."""
    data: dict = {"summary": summary, "text": text, "actor": _person(actor)}
    if action is not None:
        data["force"] = _force(action.force)
        data["action"] = {
            "id": action.pk,
            "reference": action.reference,
            "title": action.title,
            "status": action.status,
            "deadline": action.deadline.isoformat() if action.deadline else None,
            "version": action.version,
            "finding": action.finding.reference if action.finding else None,
            **_links(action, "api:action-detail"),
        }
    elif finding is not None:
        data["force"] = _force(finding.force)
        data["finding"] = {
            "id": finding.pk,
            "reference": finding.reference,
            "kind": finding.kind,
            "status": finding.status,
            **_links(finding, "api:finding-detail"),
        }
    elif inspection is not None:
        data["force"] = _force(inspection.force)
        data["inspection"] = {
            "id": inspection.pk,
            "title": inspection.title,
            "published_on": (
                inspection.published_on.isoformat() if inspection.published_on else None
            ),
            **_links(inspection, "api:inspection-detail"),
        }
    return data


def _links(row, api_name: str) -> dict:
    return {
        "url": settings.SITE_URL + row.get_absolute_url(),
        "api_url": settings.SITE_URL + reverse(api_name, args=[row.pk]),
    }


def _person(user: User | None) -> dict | None:
    return None if user is None else {"id": user.pk, "name": str(user)}


def _force(force) -> dict | None:
    if force is None:
        return None
    return {"id": force.pk, "slug": force.slug, "name": force.name}


def queue_webhooks(webhook_ids: Iterable[int]) -> int:
    """Publish one sending task per webhook; give up at the first broker failure
    (the deliveries wait in the outbox for the catch-up)."""
    webhook_ids = list(dict.fromkeys(webhook_ids))
    for published, webhook_id in enumerate(webhook_ids):
        try:
            current_app.send_task(
                SEND_TASK, args=(webhook_id,), queue=settings.REMINDER_QUEUE
            )
        except sending.BROKER_ERRORS as error:
            logger.warning(
                "Could not queue %d webhooks (%s): the catch-up will.",
                len(webhook_ids) - published,
                error,
            )
            return published
    return len(webhook_ids)


# Where the tracker posts --------------------------------------------------------------


def refused_address(url: str) -> str:
    """Why the tracker will not post to this address, if it will not.

    Only https (http too where WEBHOOK_ALLOW_HTTP is set), and only to public
    addresses, or to the networks WEBHOOK_ALLOWED_NETWORKS names (a force's own
    network): never to this server's neighbours, such as its database or a
    cloud's metadata address, whatever the name resolves to.
    """
    parts = urlsplit(url)
    allowed_schemes = {"https", "http"} if settings.WEBHOOK_ALLOW_HTTP else {"https"}
    if parts.scheme not in allowed_schemes:
        return "The address must start with https://."
    if not parts.hostname:
        return "The address has no host name."
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        found = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError) as error:
        return f"The host name {parts.hostname} could not be found ({error})."
    for *_, address in found:
        ip = ipaddress.ip_address(address[0])
        if not (ip.is_global or _in_allowed_network(ip)):
            where = (
                f"{ip} is"
                if parts.hostname.strip("[]") == str(ip)
                else f"{parts.hostname} is at {ip},"
            )
            return (
                f"{where} a private address: the tracker posts only to public "
                "addresses and to the networks its administrators allow "
                "(WEBHOOK_ALLOWED_NETWORKS)."
            )
    return ""


def _in_allowed_network(ip) -> bool:
    return any(
        ip in ipaddress.ip_network(network, strict=False)
        for network in settings.WEBHOOK_ALLOWED_NETWORKS
    )


# Sending ------------------------------------------------------------------------------


class NotAccepted(sending.Explained):
    """The receiver did not take the event: `permanent` if trying again is pointless."""

    def __init__(self, message: str, *, permanent: bool, status: int | None = None):
        super().__init__(message)
        self.permanent, self.status = permanent, status


@dataclass
class Delivery:
    webhook_id: int
    claimed: int = 0
    cancelled: int = 0
    sent: int = 0
    refused: int = 0


def post(webhook: Webhook, item: WebhookDelivery) -> int:
    """POST one event, signed; returns the 2xx status, or raises `NotAccepted`."""
    refusal = refused_address(webhook.url)
    if refusal:
        raise NotAccepted(refusal, permanent=True)
    body = json.dumps(item.payload, separators=(",", ":")).encode()
    timestamp = int(time.time())
    event_id = str(item.event_id)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": event_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(webhook.secret, event_id, timestamp, body),
    }
    try:
        answer = requests.post(
            webhook.url,
            data=body,
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.Timeout as error:
        raise NotAccepted(f"No answer in time: {error}", permanent=False) from error
    except requests.RequestException as error:
        raise NotAccepted(f"Could not connect: {error}", permanent=False) from error
    status = answer.status_code
    if 200 <= status < 300:
        return status
    words = f"The receiver answered {status} {answer.reason}".rstrip()
    excerpt = " ".join(answer.text[:300].split())
    if excerpt:
        words += f": {excerpt}"
    if 300 <= status < 400:
        words += " (the tracker does not follow redirects: give the final address)"
    permanent = status < 500 and status not in TRY_AGAIN_ANSWERS
    raise NotAccepted(words, permanent=permanent, status=status)


def deliver_webhook(webhook_id: int, *, retry_in: float | None = None) -> Delivery:
    """POST one webhook's waiting events, oldest first.

    As a person's notifications are sent: claimed under a fresh token (a task
    delivered twice claims nothing), each looked at again (not sent if the
    webhook no longer asks for its kind), and marked delivered. If one fails for
    a while, it and those after it are held for the retry in `retry_in` seconds
    (or failed when there is none) and `SendFailed` is raised; one refused for
    good is failed at once and the next is tried.
    """
    delivery = Delivery(webhook_id)
    webhook = Webhook.objects.filter(pk=webhook_id, paused_at__isnull=True).first()
    if webhook is None:
        return delivery
    rows = WebhookDelivery.objects.filter(webhook=webhook)
    token, delivery.claimed = sending.claim(rows)
    if not delivery.claimed:
        return delivery
    claimed = rows.filter(claim_token=token, status=WebhookDelivery.Status.SENDING)
    current = []
    for item in claimed.order_by("created_at", "pk"):
        if webhook.wants(item.kind):
            current.append(item)
        else:
            claimed.filter(pk=item.pk).update(
                status=WebhookDelivery.Status.CANCELLED,
                last_error="The webhook no longer asks for this kind of event.",
            )
            delivery.cancelled += 1
    for place, item in enumerate(current):
        one = claimed.filter(pk=item.pk)
        try:
            status = post(webhook, item)
        except NotAccepted as refused:
            one.update(response_status=refused.status)
            if refused.permanent:
                sending.record_failure(
                    one, refused, maybe_delivered=False, retry_at=None, refused=True
                )
                delivery.refused += 1
                continue
            retry_at = None
            if retry_in is not None:
                retry_at = timezone.now() + datetime.timedelta(seconds=retry_in)
            failure = sending.record_failure(
                claimed.filter(pk__in=[later.pk for later in current[place:]]),
                refused,
                maybe_delivered=False,
                retry_at=retry_at,
            )
            raise sending.SendFailed(refused, failure, False) from refused
        one.update(response_status=status)
        delivery.sent += sending.mark_sent(one)
    return delivery


def catch_up(*, queue) -> int:
    """Queue the webhooks that still have events ready: a task Redis lost, a dead
    worker's claim, failures worth trying again. Not paused ones, nor rows held
    for a live retry."""
    now = timezone.now()
    everyone = WebhookDelivery.objects.filter(webhook__paused_at__isnull=True)
    sending.release_stale_claims(everyone, now)
    sending.requeue_failed(everyone)
    settled = now - datetime.timedelta(minutes=1)
    webhook_ids = list(
        sending.ready(everyone.filter(created_at__lt=settled), now)
        .order_by("webhook_id")
        .values_list("webhook_id", flat=True)
        .distinct()
    )
    return queue(webhook_ids) if webhook_ids else 0
