"""Webhooks: each event the notifications tell of, posted signed to the systems a
force lead or an inspector names; retried through the outbox; logged; never
another force's.

Real parts: a real HTTP server started by the test on a local port receives the
events (`Receiver`); the signature is checked with the Standard Webhooks
reference library, as a receiving system would; the end-to-end tests post the
moves to the pages and a real Celery worker takes the tasks from the real Redis.
"""

# Fixtures imported from tests.reminders_support are, as pytest intends, test arguments.
# ruff: noqa: F811

import datetime
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from standardwebhooks.webhooks import Webhook as StandardWebhook
from standardwebhooks.webhooks import WebhookVerificationError

from tests.conftest import make_finding, make_inspection, make_user
from tests.reminders_support import (  # noqa: F401 (fixtures)
    celery_worker,
    migration_data_put_back,
    reminder_queue,
    wait_until,
)
from tracker import services, webhooks
from tracker.models import (
    WEBHOOK_KINDS,
    Action,
    Force,
    Notification,
    Role,
    Webhook,
    WebhookDelivery,
)
from tracker.notifications.kinds import Kind
from tracker.sending import SendFailed
from tracker.services import WorkflowError

EVERY_KIND = [str(kind) for kind in WEBHOOK_KINDS]


class Receiver:
    """A real HTTP server that keeps every POST and answers with the statuses queued
    in `answers` (then 204)."""

    def __init__(self):
        self.received: list[dict] = []
        self.answers: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                status = receiver.answers.pop(0) if receiver.answers else 204
                self.send_response(status)
                if status == 302:
                    self.send_header("Location", "https://elsewhere.example/")
                text = b"" if status == 204 else b"Not today: the register is closed"
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hooks/peel"

    def ids(self) -> list[str]:
        return [item["headers"]["webhook-id"] for item in self.received]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    # The test's receiver is on this machine, over plain http: let the tracker post there.
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    server = Receiver()
    yield server
    server.stop()


def hook(user, receiver, force, kinds=EVERY_KIND, name="Force risk register"):
    webhook, _secret = services.webhook_create(
        user, force=force, name=name, url=receiver.url, kinds=kinds
    )
    return webhook


def mark_done(owner, action, text):
    services.action_record_progress(owner, action, text="Drafted.")
    services.action_mark_done(owner, action, text)


def as_(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def verified(webhook: Webhook, item: dict) -> dict:
    """The event as the receiver reads it, once the reference library checks its signature."""
    return StandardWebhook(webhook.secret).verify(item["body"], item["headers"])


# Recording ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_move_is_told_to_its_forces_webhook_and_the_inspectorates_never_anothers(
    action, owner, lead, other_lead, inspector, receiver, force, other_force
):
    own = hook(lead, receiver, force)
    theirs = hook(other_lead, receiver, other_force)
    national = hook(inspector, receiver, None)

    mark_done(owner, action, "The plan is published.")

    assert list(theirs.deliveries.all()) == []
    for webhook in (own, national):
        (item,) = webhook.deliveries.all()
        assert item.kind == Kind.MARKED_DONE
        data = item.payload["data"]
        assert item.payload["type"] == "marked_done"
        assert item.payload["id"] == str(item.event_id)
        assert data["action"]["reference"] == action.reference
        assert data["action"]["status"] == Action.Status.DONE
        assert data["action"]["api_url"].endswith(f"/api/v1/actions/{action.pk}/")
        assert data["force"]["slug"] == force.slug
        assert data["actor"]["name"] == str(owner)
        assert data["text"] == "The plan is published."
        # Told to a system, not to the lead the notification is for.
        assert data["summary"] == (
            "An action is marked done and waits for sign-off: "
            f"“{action.title}” ({action.reference})"
        )


@pytest.mark.django_db
def test_a_webhook_is_told_only_the_kinds_it_chose(
    action, owner, lead, receiver, force
):
    webhook = hook(lead, receiver, force, kinds=[Kind.SIGNED_OFF])
    mark_done(owner, action, "Done.")
    assert not webhook.deliveries.exists()
    services.action_sign_off(lead, action, "Checked.")
    assert list(webhook.deliveries.values_list("kind", flat=True)) == ["signed_off"]


@pytest.mark.django_db
def test_a_mention_is_for_the_person_not_for_another_system(
    action, owner, colleague, lead, receiver, force
):
    webhook = hook(lead, receiver, force)
    services.action_record_progress(owner, action, text="@colleague a look, please?")
    assert Notification.objects.filter(kind=Kind.MENTIONED).count() == 1
    assert not webhook.deliveries.exists()


# Sending ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_event_is_posted_signed_the_standard_way_and_logged_delivered(
    action, owner, lead, receiver, force
):
    webhook = hook(lead, receiver, force)
    mark_done(owner, action, "Done.")

    delivery = webhooks.deliver_webhook(webhook.pk)

    assert delivery.sent == 1
    (item,) = receiver.received
    assert item["headers"]["Content-Type"] == "application/json"
    assert verified(webhook, item) == webhook.deliveries.get().payload
    row = webhook.deliveries.get()
    assert item["headers"]["webhook-id"] == str(row.event_id)
    assert (row.status, row.response_status, row.attempts) == ("sent", 204, 1)
    # Another secret, or a changed body, does not pass the receiver's check.
    with pytest.raises(WebhookVerificationError):
        StandardWebhook(webhooks.new_secret()).verify(item["body"], item["headers"])
    with pytest.raises(WebhookVerificationError):
        StandardWebhook(webhook.secret).verify(
            item["body"].replace(b"Done.", b"Undone"), item["headers"]
        )
    # Sending again finds nothing to send.
    assert webhooks.deliver_webhook(webhook.pk).claimed == 0
    assert len(receiver.received) == 1


@pytest.mark.django_db
def test_a_server_error_holds_the_event_and_those_after_it_then_all_go_in_order(
    action, owner, lead, receiver, force
):
    webhook = hook(lead, receiver, force)
    mark_done(owner, action, "Done.")
    services.action_sign_off(lead, action, "Checked.")
    receiver.answers = [503]

    with pytest.raises(SendFailed):
        webhooks.deliver_webhook(webhook.pk, retry_in=60)

    assert (
        len(receiver.received) == 1
    )  # the second was not tried after the first failed
    rows = list(webhook.deliveries.order_by("created_at", "pk"))
    assert [row.status for row in rows] == ["pending", "pending"]
    assert all(row.retry_at > timezone.now() for row in rows)
    assert rows[0].response_status == 503
    assert rows[0].last_error == "The receiver answered 503 Service Unavailable."
    # What an address answers never reaches the log (it could be anything's).
    assert "the register is closed" not in rows[0].last_error
    # Held for the task's retry: nobody else sends it meanwhile.
    assert webhooks.deliver_webhook(webhook.pk).claimed == 0

    webhook.deliveries.update(retry_at=timezone.now() - datetime.timedelta(seconds=1))
    assert webhooks.deliver_webhook(webhook.pk).sent == 2

    first_id = str(rows[0].event_id)
    assert receiver.ids() == [first_id, first_id, str(rows[1].event_id)]
    assert [verified(webhook, item)["type"] for item in receiver.received[1:]] == [
        "marked_done",
        "signed_off",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("answer", [400, 410, 302])
def test_an_answer_trying_again_cannot_change_fails_it_at_once_and_the_next_still_goes(
    action, owner, lead, receiver, force, answer
):
    webhook = hook(lead, receiver, force)
    mark_done(owner, action, "Done.")
    services.action_sign_off(lead, action, "Checked.")
    receiver.answers = [answer]

    delivery = webhooks.deliver_webhook(webhook.pk, retry_in=60)

    assert (delivery.refused, delivery.sent) == (1, 1)
    first, second = webhook.deliveries.order_by("created_at", "pk")
    assert (first.status, first.refused, first.response_status) == (
        "failed",
        True,
        answer,
    )
    assert first.last_error.startswith(f"The receiver answered {answer}")
    if answer == 302:
        assert "does not follow redirects" in first.last_error
        # The redirect is not followed anywhere.
        assert len(receiver.received) == 2
    assert second.status == "sent"
    # No catch-up tries a refused one again; a person can, from the page.
    assert webhooks.catch_up(queue=lambda ids: len(ids)) == 0

    response = as_(lead).post(f"/webhooks/{webhook.pk}/send-again/")
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.status, first.attempts, first.refused) == ("pending", 0, False)
    assert webhooks.deliver_webhook(webhook.pk).sent == 1
    assert receiver.ids()[-1] == str(first.event_id)


@pytest.mark.django_db
def test_no_answer_or_no_server_is_tried_again(action, owner, lead, receiver, force):
    webhook = hook(lead, receiver, force)
    mark_done(owner, action, "Done.")
    receiver.stop()

    with pytest.raises(SendFailed):
        webhooks.deliver_webhook(webhook.pk, retry_in=60)
    row = webhook.deliveries.get()
    assert row.status == "pending" and not row.refused
    assert row.last_error.startswith("Could not connect to the receiver")
    # Without a retry left, it is failed; the catch-up tries it again later.
    row_qs = webhook.deliveries.all()
    row_qs.update(retry_at=None)
    with pytest.raises(SendFailed):
        webhooks.deliver_webhook(webhook.pk, retry_in=None)
    assert row_qs.get().status == "failed"
    row_qs.update(created_at=timezone.now() - datetime.timedelta(minutes=5))
    queued = []
    assert webhooks.catch_up(queue=lambda ids: queued.extend(ids) or len(ids)) == 1
    assert queued == [webhook.pk]
    assert row_qs.get().status == "pending"


@pytest.mark.django_db
def test_an_address_that_now_leads_to_a_private_network_is_not_posted_to(
    action, owner, lead, receiver, force, settings
):
    webhook = hook(lead, receiver, force)
    mark_done(owner, action, "Done.")
    settings.WEBHOOK_ALLOWED_NETWORKS = []

    assert webhooks.deliver_webhook(webhook.pk).refused == 1

    assert receiver.received == []
    row = webhook.deliveries.get()
    assert (row.status, row.refused) == ("failed", True)
    assert (
        "127.0.0.1 is a private address: the tracker posts only to public addresses"
        in row.last_error
    )


@pytest.mark.django_db
def test_a_paused_webhook_keeps_its_events_and_sends_them_in_order_when_resumed(
    action, owner, lead, receiver, force
):
    webhook = hook(lead, receiver, force)
    services.webhook_pause(lead, webhook)
    mark_done(owner, action, "Done.")
    services.action_sign_off(lead, action, "Checked.")

    assert webhooks.deliver_webhook(webhook.pk).claimed == 0
    webhook.deliveries.update(created_at=timezone.now() - datetime.timedelta(minutes=5))
    assert webhooks.catch_up(queue=lambda ids: len(ids)) == 0
    assert receiver.received == []

    services.webhook_resume(lead, webhook)
    assert webhooks.deliver_webhook(webhook.pk).sent == 2
    assert [json.loads(item["body"])["type"] for item in receiver.received] == [
        "marked_done",
        "signed_off",
    ]


@pytest.mark.django_db
def test_a_kind_taken_off_before_it_goes_is_not_sent(
    action, owner, lead, receiver, force
):
    webhook = hook(lead, receiver, force)
    mark_done(owner, action, "Done.")
    services.webhook_update(
        lead, webhook, name=webhook.name, url=webhook.url, kinds=[Kind.SIGNED_OFF]
    )
    webhook.refresh_from_db()

    assert webhooks.deliver_webhook(webhook.pk).cancelled == 1
    assert receiver.received == []
    assert webhook.deliveries.get().status == "cancelled"


@pytest.mark.django_db
def test_a_new_secret_signs_from_then_on(action, owner, lead, receiver, force):
    webhook = hook(lead, receiver, force)
    old = webhook.secret
    mark_done(owner, action, "Done.")
    new = services.webhook_new_secret(lead, webhook)
    webhooks.deliver_webhook(webhook.pk)
    (item,) = receiver.received
    assert StandardWebhook(new).verify(item["body"], item["headers"])
    with pytest.raises(WebhookVerificationError):
        StandardWebhook(old).verify(item["body"], item["headers"])


# Making one, and bad input -------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("", "Enter the address to post events to."),
        ("http://register.example.org/hooks", "The address must start with https://."),
        ("ftp://register.example.org/hooks", "The address must start with https://."),
        (
            "https://127.0.0.1/hooks",
            "a private address: the tracker posts only to public addresses",
        ),
        (
            "https://localhost:6379/",
            "a private address: the tracker posts only to public addresses",
        ),
        ("https://169.254.169.254/latest/meta-data/", "a private address"),
        ("https://10.1.2.3/hooks", "a private address"),
        ("https://[::1]/hooks", "a private address"),
        ("https://no-such-host.invalid/hooks", "could not be found"),
        # Read one way by one parser and another by the next: refused outright.
        ("https://192.0.2.1\\@register.example.org/", "a backslash"),
        ("https://register.example.org /hooks", "a space"),
        ("https://user:pw@register.example.org/", "may not hold a user name"),
        ("https://régistre.example.org/", "punycode"),
        ("https://register.example.org:99999/", "is not a port"),
        ("https://[::ffff:127.0.0.1]/hooks", "a private address"),
        ("https://[64:ff9b::a9fe:a9fe]/hooks", "a private address"),
        ("https://[2002:7f00:1::]/hooks", "a private address"),
        ("https://2130706433/hooks", "a private address"),
    ],
)
def test_a_bad_address_is_refused_on_the_page_with_its_reason_and_nothing_made(
    lead, url, says
):
    response = as_(lead).post(
        "/webhooks/", {"name": "Register", "url": url, "kinds": EVERY_KIND}
    )
    assert response.status_code == 400
    assert says in response.content.decode()
    assert not Webhook.objects.exists()


@pytest.mark.django_db
def test_a_force_network_named_in_the_settings_may_be_posted_to(lead, settings, force):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["10.20.0.0/16"]
    webhook, _ = services.webhook_create(
        lead,
        force=force,
        name="Register",
        url="https://10.20.3.4/hooks",
        kinds=[Kind.SIGNED_OFF],
    )
    assert webhook.url == "https://10.20.3.4/hooks"
    with pytest.raises(WorkflowError, match="private address"):
        services.webhook_create(
            lead,
            force=force,
            name="Register",
            url="https://10.21.3.4/hooks",
            kinds=[Kind.SIGNED_OFF],
        )


@pytest.mark.django_db
def test_no_kind_or_an_unknown_kind_is_refused(lead, receiver, force):
    for kinds in ([], ["mentioned"], ["made_up"]):
        with pytest.raises(WorkflowError, match="at least one kind"):
            services.webhook_create(
                lead, force=force, name="Register", url=receiver.url, kinds=kinds
            )
    response = as_(lead).post("/webhooks/", {"name": "Register", "url": receiver.url})
    assert response.status_code == 400
    assert "Choose at least one kind of event." in response.content.decode()


@pytest.mark.django_db
def test_the_secret_is_shown_once_on_the_page_that_follows_making_it(lead, receiver):
    client = as_(lead)
    response = client.post(
        "/webhooks/",
        {"name": "Risk register", "url": receiver.url, "kinds": EVERY_KIND},
    )
    webhook = Webhook.objects.get()
    assert response["Location"] == f"/webhooks/{webhook.pk}/"
    assert webhook.force == lead.force and webhook.created_by == lead
    assert webhook.secret.startswith("whsec_")
    assert webhook.secret in client.get(response["Location"]).content.decode()
    assert webhook.secret not in client.get(response["Location"]).content.decode()


# Who may ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_a_forces_leads_see_its_webhooks_and_only_inspectors_the_inspectorates(
    lead, owner, other_lead, inspector, receiver, force
):
    own = hook(lead, receiver, force)
    national = hook(inspector, receiver, None, name="Inspectorate register")

    assert as_(owner).get("/webhooks/").status_code == 403
    assert as_(owner).get(f"/webhooks/{own.pk}/").status_code == 404
    page = as_(other_lead).get("/webhooks/").content.decode()
    assert "Force risk register" not in page and "Inspectorate register" not in page
    for person, webhook in [
        (other_lead, own),
        (inspector, own),
        (lead, national),
        (owner, national),
    ]:
        client = as_(person)
        assert client.get(f"/webhooks/{webhook.pk}/").status_code == 404
        assert client.get(f"/webhooks/{webhook.pk}/edit/").status_code == 404
        assert client.post(f"/webhooks/{webhook.pk}/pause/").status_code == 404
        assert client.post(f"/webhooks/{webhook.pk}/remove/").status_code == 404
    assert not Webhook.objects.filter(paused_at__isnull=False).exists()
    assert Webhook.objects.count() == 2
    for person, webhook in [(lead, own), (inspector, national)]:
        assert as_(person).get(f"/webhooks/{webhook.pk}/").status_code == 200
    with pytest.raises(WorkflowError):
        services.webhook_pause(other_lead, own)
    with pytest.raises(WorkflowError):
        services.webhook_create(
            owner, force=force, name="Mine", url=receiver.url, kinds=EVERY_KIND
        )


@pytest.mark.django_db
def test_the_log_shows_what_failed_and_why(action, owner, lead, receiver, force):
    webhook = hook(lead, receiver, force)
    mark_done(owner, action, "Done.")
    receiver.answers = [401]
    webhooks.deliver_webhook(webhook.pk)

    page = as_(lead).get(f"/webhooks/{webhook.pk}/").content.decode()
    assert "Failed" in page
    assert "The receiver answered 401 Unauthorized." in page
    assert "the register is closed" not in page
    assert "Send the failed event again" in page
    assert action.reference in page  # what was sent, in the payload shown


# Through the pages, with a real worker ---------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("migration_data_put_back")
def test_moves_made_on_the_pages_reach_the_receiver_once_each_through_a_real_worker(
    celery_worker, receiver
):
    force = Force.objects.get(code="WMP")
    lead = make_user("lead@westmercia.test", Role.FORCE_LEAD, force)
    owner = make_user("owner@westmercia.test", Role.FORCE_STAFF, force)
    finding = make_finding(make_inspection(force))
    action = services.action_create(lead, finding=finding, title="Train", owner=owner)
    services.action_record_progress(owner, action, text="Half the sergeants trained.")

    response = as_(lead).post(
        "/webhooks/",
        {"name": "Risk register", "url": receiver.url, "kinds": EVERY_KIND},
    )
    assert response.status_code == 302
    webhook = Webhook.objects.get()

    # The first POST meets a receiver that is down for a moment: the worker's retry
    # delivers it, with the same id, and the next event after it.
    receiver.answers = [503]
    version = Action.objects.get(pk=action.pk).version
    response = as_(owner).post(
        f"/actions/{action.pk}/mark-done/", {"text": "All trained.", "version": version}
    )
    assert response.status_code == 302
    delivered = WebhookDelivery.objects.filter(status="sent")
    assert wait_until(lambda: delivered.count() == 1, timeout=60)
    version = Action.objects.get(pk=action.pk).version
    as_(lead).post(
        f"/actions/{action.pk}/sign-off/", {"text": "Checked.", "version": version}
    )
    assert wait_until(lambda: delivered.count() == 2, timeout=60)

    done, signed = webhook.deliveries.order_by("created_at", "pk")
    assert receiver.ids() == [str(done.event_id)] * 2 + [str(signed.event_id)]
    assert [verified(webhook, item)["type"] for item in receiver.received] == [
        "marked_done",
        "marked_done",
        "signed_off",
    ]
    assert (done.attempts, signed.attempts) == (2, 1)


@pytest.mark.django_db
def test_the_connection_itself_refuses_a_private_address_whatever_the_check_said(
    action, owner, lead, receiver, force, settings, monkeypatch
):
    """A name that resolves to a public address when checked and to this server
    when connected to (DNS rebinding), or read differently by two parsers: the
    address the connection reaches is checked again, and the event not posted."""
    webhook = hook(lead, receiver, force)
    mark_done(owner, action, "Done.")
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    monkeypatch.setattr(
        webhooks, "address_problem", lambda url, networks: webhooks.Problem("")
    )

    assert webhooks.deliver_webhook(webhook.pk).refused == 1

    assert receiver.received == []
    row = webhook.deliveries.get()
    assert (row.status, row.refused) == ("failed", True)
    assert "is at 127.0.0.1, a private address" in row.last_error


@pytest.mark.django_db
def test_a_name_not_found_for_now_is_tried_again_not_failed(
    action, owner, lead, receiver, force, monkeypatch
):
    webhook = hook(lead, receiver, force)
    mark_done(owner, action, "Done.")

    def no_dns(*args, **kwargs):
        raise socket.gaierror(-3, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    with pytest.raises(SendFailed):
        webhooks.deliver_webhook(webhook.pk, retry_in=60)
    row = webhook.deliveries.get()
    assert (row.status, row.refused) == ("pending", False)
    assert "could not be found" in row.last_error


@pytest.mark.django_db
def test_an_event_after_one_held_for_a_retry_waits_for_it(
    action, owner, lead, receiver, force
):
    webhook = hook(lead, receiver, force)
    mark_done(owner, action, "Done.")
    receiver.answers = [503]
    with pytest.raises(SendFailed):
        webhooks.deliver_webhook(webhook.pk, retry_in=60)
    # A new event's own task comes while the first waits for its retry: it sends
    # nothing, so the new one cannot overtake.
    services.action_sign_off(lead, action, "Checked.")
    assert webhooks.deliver_webhook(webhook.pk).claimed == 0
    assert len(receiver.received) == 1

    webhook.deliveries.update(retry_at=timezone.now() - datetime.timedelta(seconds=1))
    assert webhooks.deliver_webhook(webhook.pk).sent == 2
    assert [json.loads(item["body"])["type"] for item in receiver.received] == [
        "marked_done",
        "marked_done",
        "signed_off",
    ]


@pytest.mark.django_db
def test_a_long_wait_goes_in_batches_each_queueing_the_next(
    lead, receiver, force, settings, monkeypatch
):
    settings.WEBHOOK_BATCH = 2
    webhook = hook(lead, receiver, force)
    for _ in range(5):
        services.webhook_ping(lead, webhook)
    queued = []
    monkeypatch.setattr(
        webhooks, "queue_webhooks", lambda ids: queued.extend(ids) or len(ids)
    )
    assert webhooks.deliver_webhook(webhook.pk).sent == 2
    assert queued == [webhook.pk]
    assert webhooks.deliver_webhook(webhook.pk).sent == 2
    assert webhooks.deliver_webhook(webhook.pk).sent == 1
    assert queued == [webhook.pk, webhook.pk]
    assert len(receiver.received) == 5


@pytest.mark.django_db
def test_a_forces_own_network_is_its_webhooks_alone(
    lead, other_lead, force, other_force
):
    force.webhook_networks = "10.20.0.0/16\n192.168.5.0/24"
    force.full_clean()
    force.save()
    webhook, _ = services.webhook_create(
        lead,
        force=force,
        name="Register",
        url="https://10.20.3.4/hooks",
        kinds=[Kind.SIGNED_OFF],
    )
    assert webhook.url == "https://10.20.3.4/hooks"
    with pytest.raises(WorkflowError, match="a private address"):
        services.webhook_create(
            other_lead,
            force=other_force,
            name="Register",
            url="https://10.20.3.4/hooks",
            kinds=[Kind.SIGNED_OFF],
        )
    force.webhook_networks = "10.20.0.0/16, not-a-network"
    with pytest.raises(ValidationError, match="not-a-network is not a network"):
        force.full_clean()
