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
import re
import secrets
import socket
import time
import uuid
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from . import sending
from .models import Action, Finding, Inspection, User, Webhook, WebhookDelivery
from .models.webhooks import PING
from .notifications.kinds import EVENT_NAMES, Kind
from .selectors import visible_to_webhook

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
    # Told to a system, not to the person the notification was for.
    summary = f"{EVENT_NAMES[Kind(kind)]}: {_about(subject)}"
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


def _about(subject) -> str:
    if isinstance(subject, Action):
        return f"“{subject.title}” ({subject.reference})"
    if isinstance(subject, Finding):
        return subject.reference
    return f"“{subject.title}”"


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
    """Publish one sending task per webhook (its events wait in the outbox if not)."""
    return sending.publish_each(SEND_TASK, webhook_ids, what="webhooks")


# Where the tracker posts --------------------------------------------------------------

# IPv6 addresses that carry an IPv4 one: judged by the IPv4 address they carry.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_MAX_PORT = 65535
_PORT = re.compile(r"^[a-z][a-z0-9+.-]*://[^/?#]*:([0-9]+)(?:[/?#]|$)", re.IGNORECASE)
# Characters no address needs, which parsers read differently (a backslash is a
# path to one and the end of the host to another).
_ODD = re.compile(r"[\\\s\x00-\x1f\x7f]")


class AddressRefused(Exception):
    """The connection reached an address the webhook may not post to; not an OSError,
    so that no layer of requests takes it for a network failure worth a retry."""


@dataclass
class Problem:
    message: str
    permanent: bool = True  # False: worth trying again later (a name not found now)

    def __bool__(self) -> bool:
        return bool(self.message)


def allowed_networks(force) -> list:
    """Where, besides public addresses, a webhook may post: the networks every
    webhook may (WEBHOOK_ALLOWED_NETWORKS) and its force's own (set on the force)."""
    names = list(settings.WEBHOOK_ALLOWED_NETWORKS)
    if force is not None:
        names += force.webhook_network_list
    return [ipaddress.ip_network(name, strict=False) for name in names]


def _carried_ipv4(ip):
    if ip.version != 6:
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64 or (ip in _IPV4_COMPATIBLE and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def may_post_to(ip, networks) -> bool:
    """A public address, or one in the networks given; an IPv6 address that carries
    an IPv4 one is judged by the one it carries."""
    if any(ip.version == net.version and ip in net for net in networks):
        return True
    carried = _carried_ipv4(ip)
    if carried is not None:
        return may_post_to(carried, networks)
    return ip.is_global


def _private(where: str) -> str:
    return (
        f"{where} a private address: the tracker posts only to public addresses "
        "and to the networks its administrators allow."
    )


def address_problem(url: str, networks) -> Problem:
    """Why the tracker will not post to this address, if it will not.

    Only https (http too where WEBHOOK_ALLOW_HTTP is set), to a host name of
    ASCII letters (punycode for others), with no user name and nothing a parser
    could read two ways; and only to public addresses, or to the `networks`
    (`allowed_networks`), whatever the name resolves to. The connection itself
    checks the address it reaches again (`_CheckedPeer`), so a name that
    resolves elsewhere by the time of the post is refused too.
    """
    if _ODD.search(url):
        return Problem("The address has a space, a backslash or a control character.")
    if not url.isascii():
        return Problem(
            "Write the address in ASCII: the host name in its punycode form "
            "(xn--…), other characters %-encoded."
        )
    try:
        parts = parse_url(url)
    except LocationParseError:
        port = _PORT.match(url)
        if port and not 0 < int(port.group(1)) <= _MAX_PORT:
            return Problem(
                f"The port {port.group(1)} is not a port (1 to {_MAX_PORT})."
            )
        return Problem("This is not a web address.")
    allowed_schemes = {"https", "http"} if settings.WEBHOOK_ALLOW_HTTP else {"https"}
    if parts.scheme not in allowed_schemes:
        return Problem("The address must start with https://.")
    if parts.auth:
        return Problem("The address may not hold a user name or password.")
    host = (parts.host or "").strip("[]")
    if not host:
        return Problem("The address has no host name.")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if not 0 < port <= _MAX_PORT:
        return Problem(f"The port {port} is not a port (1 to {_MAX_PORT}).")
    try:
        found = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as error:
        return Problem(
            f"The host name {host} could not be found ({error}).", permanent=False
        )
    for *_, address in found:
        ip = ipaddress.ip_address(address[0].split("%")[0])
        if not may_post_to(ip, networks):
            return Problem(
                _private(f"{ip} is" if host == str(ip) else f"{host} is at {ip},")
            )
    return Problem("")


# Set while a webhook posts: the networks its connection may reach.
_networks: ContextVar[tuple] = ContextVar("webhook_networks", default=())


class _CheckedPeer:
    """A connection that, once connected, refuses an address the webhook may not post to."""

    def _new_conn(self):
        sock = super()._new_conn()  # type: ignore[misc]
        ip = ipaddress.ip_address(sock.getpeername()[0].split("%")[0])
        if not may_post_to(ip, _networks.get()):
            sock.close()
            raise AddressRefused(_private(f"{self.host} is at {ip},"))  # type: ignore[attr-defined]
        return sock


class _CheckedHTTPConnection(_CheckedPeer, HTTPConnection):
    pass


class _CheckedHTTPSConnection(_CheckedPeer, HTTPSConnection):
    pass


class _CheckedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection


class _CheckedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


class _CheckedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _CheckedHTTPPool,
            "https": _CheckedHTTPSPool,
        }


def _session() -> requests.Session:
    """A session that reaches the receiver itself: no proxy or .netrc from the
    environment, and every connection's address checked."""
    session = requests.Session()
    session.trust_env = False
    adapter = _CheckedAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


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
    networks = allowed_networks(webhook.force)
    problem = address_problem(webhook.url, networks)
    if problem:
        raise NotAccepted(problem.message, permanent=problem.permanent)
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
    allowed = _networks.set(tuple(networks))
    try:
        with _session() as session:
            # The status is all that is kept: the answer's body is never read, so
            # nothing of what an address answers reaches the log.
            with session.post(
                webhook.url,
                data=body,
                headers=headers,
                timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
                allow_redirects=False,
                stream=True,
            ) as answer:
                status, reason = answer.status_code, answer.reason
    except AddressRefused as refused:
        raise NotAccepted(str(refused), permanent=True) from refused
    except requests.Timeout as error:
        raise NotAccepted("No answer in time.", permanent=False) from error
    except requests.RequestException as error:
        raise NotAccepted(
            f"Could not connect to the receiver ({type(error).__name__}).",
            permanent=False,
        ) from error
    finally:
        _networks.reset(allowed)
    if 200 <= status < 300:
        return status
    words = f"The receiver answered {status} {reason or ''}".rstrip() + "."
    if 300 <= status < 400:
        words += " The tracker does not follow redirects: give the final address."
    permanent = status < 500 and status not in TRY_AGAIN_ANSWERS
    raise NotAccepted(words, permanent=permanent, status=status)


def deliver_webhook(webhook_id: int, *, retry_in: float | None = None) -> Delivery:
    """POST one webhook's waiting events, oldest first, one sender at a time.

    Claimed as a person's notifications are (a task delivered twice claims
    nothing), but never while another task is sending this webhook's events or
    holds one for its retry: that task sends the newer ones after it, so they
    arrive in order. At most WEBHOOK_BATCH at a time; the rest are queued again.
    Before each POST the webhook is read again: paused, its events wait; removed,
    nothing more goes. One that fails for a while is held, with those after it,
    for the retry in `retry_in` seconds (or failed when there is none) and
    `SendFailed` is raised; one refused for good is failed and the next is tried.
    """
    delivery = Delivery(webhook_id)
    now = timezone.now()
    with transaction.atomic():
        webhook = (
            Webhook.objects.select_for_update()
            .filter(pk=webhook_id, paused_at__isnull=True)
            .first()
        )
        if webhook is None:
            return delivery
        rows = WebhookDelivery.objects.filter(webhook_id=webhook_id)
        sending.release_stale_claims(rows, now)
        busy = rows.filter(
            Q(status=WebhookDelivery.Status.SENDING)
            | Q(status=WebhookDelivery.Status.PENDING, retry_at__gt=now)
        )
        if busy.exists():
            return delivery
        batch = list(
            sending.ready(rows, now)
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)[: settings.WEBHOOK_BATCH]
        )
        token, delivery.claimed = sending.claim(rows.filter(pk__in=batch), now)
    if not delivery.claimed:
        return delivery
    claimed = rows.filter(claim_token=token, status=WebhookDelivery.Status.SENDING)
    current = list(claimed.order_by("created_at", "pk"))
    for place, item in enumerate(current):
        one = claimed.filter(pk=item.pk)
        webhook = Webhook.objects.select_related("force").filter(pk=webhook_id).first()
        if webhook is None:
            return delivery  # removed: its events went with it
        if webhook.is_paused:
            _release(claimed.filter(pk__in=[later.pk for later in current[place:]]))
            return delivery
        if not webhook.wants(item.kind):
            one.update(
                status=WebhookDelivery.Status.CANCELLED,
                claim_token=None,
                last_error="The webhook no longer asks for this kind of event.",
            )
            delivery.cancelled += 1
            continue
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
            # Receivers drop a repeated webhook-id, so a timeout (which may come
            # after the receiver took it) is tried again like any other failure.
            failure = sending.record_failure(
                claimed.filter(pk__in=[later.pk for later in current[place:]]),
                refused,
                maybe_delivered=False,
                retry_at=retry_at,
            )
            raise sending.SendFailed(refused, failure, False) from refused
        one.update(response_status=status)
        delivery.sent += sending.mark_sent(one)
    if sending.ready(rows).exists():
        queue_webhooks([webhook_id])
    return delivery


def _release(claimed) -> None:
    """Claimed rows not tried (the webhook was paused): waiting again, the attempt
    they were charged given back."""
    claimed.update(
        status=WebhookDelivery.Status.PENDING,
        claim_token=None,
        claimed_at=None,
        attempts=F("attempts") - 1,
    )


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
