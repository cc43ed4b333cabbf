"""A force lead sets up a webhook in a browser (issue 17): a bad address refused
with what was typed kept, the secret copied from the page, a test event sent by
a real worker to a real receiver, which checks it with the secret the page
showed; then paused. At a desk's width and a phone's."""

# Fixtures imported from tests.reminders_support are, as pytest intends, test arguments.
# ruff: noqa: F811

import pytest
from playwright.sync_api import expect
from standardwebhooks.webhooks import Webhook as StandardWebhook

from tests.browser_support import Person, shows, submit
from tests.reminders_support import (  # noqa: F401 (fixtures)
    celery_worker,
    reminder_queue,
)
from tests.test_webhooks import Receiver
from tracker.models import Webhook

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    server = Receiver()
    yield server
    server.stop()


def fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [1280, 390])
def test_a_lead_sets_up_a_webhook_and_sees_its_test_event_arrive(
    browser, live_server, static_files, people, celery_worker, receiver, width
):
    lead = Person(browser, live_server.url, "lead@westmercia.test", {})
    page = lead.page
    page.set_viewport_size({"width": width, "height": 900})
    with page.expect_navigation():
        page.get_by_role("link", name="Webhooks").click()
    lead.check_accessibility("webhooks")
    fits(page, width)

    # A private address: refused, saying why, with what was typed kept.
    page.get_by_label("What is it for?").fill("Risk register")
    page.get_by_label("Address to post events to").fill("http://10.1.2.3/hooks")
    page.get_by_label("An action is signed off").uncheck()
    submit(page, "Add the webhook")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(
        "a private address: the tracker posts only to public addresses"
    )
    assert page.title().startswith("Error: ")
    expect(page.get_by_label("What is it for?")).to_have_value("Risk register")
    expect(page.get_by_label("An action is signed off")).not_to_be_checked()
    expect(
        page.get_by_label("An action is returned, with the lead's comment")
    ).to_be_checked()
    lead.check_accessibility("webhooks with an error")
    assert not Webhook.objects.exists()

    page.get_by_label("Address to post events to").fill(receiver.url)
    submit(page, "Add the webhook")
    shows(page, "The webhook “Risk register” is made.")
    secret = page.get_by_label("Secret").input_value()
    assert secret.startswith("whsec_")
    lead.check_accessibility("a new webhook")
    fits(page, width)

    submit(page, "Send a test event")
    shows(page, "A test event is on its way")
    assert wait_for_delivered(page)
    lead.check_accessibility("a webhook's log")
    fits(page, width)
    (item,) = receiver.received
    event = StandardWebhook(secret).verify(item["body"], item["headers"])
    assert event["type"] == "ping"
    assert event["data"]["force"]["name"] == "West Mercia Police"
    # The page no longer shows the secret.
    expect(page.get_by_label("Secret")).to_have_count(0)

    page.get_by_text("What was sent").first.click()
    expect(page.locator(".app-code").first).to_contain_text('"type": "ping"')
    fits(page, width)

    submit(page, "Pause")
    shows(page, "events wait here until you resume it")
    expect(page.get_by_role("button", name="Resume")).to_be_visible()
    assert Webhook.objects.get().is_paused


def wait_for_delivered(page, tries=40) -> bool:
    """Reload the log until the worker has delivered the event (a person would too)."""
    for _ in range(tries):
        if page.locator(".govuk-tag", has_text="Delivered").count():
            return True
        page.wait_for_timeout(250)
        page.reload()
    return False
