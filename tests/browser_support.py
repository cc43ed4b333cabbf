"""What the browser tests share: Chromium under Playwright, the people who sign in,
and a person at a browser who signs in, visits pages and checks each with axe-core.

The fixtures (`browser`, `static_files`, `people`) are made available to every test
module by tests/conftest.py; the helpers are imported where they are used.
"""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tracker.models import Force, Role, User

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "a-long-test-password"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture
def browser(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the test talks to
    # the database only between browser steps, never during a request.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(
            "Chromium is missing: bin/test installs it with apt-get (package chromium)."
        )
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def static_files(settings):
    # The live server finds static files by their plain names.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }


@pytest.fixture
def people(db):
    west_mercia = Force.objects.get(code="WMP")
    make = lambda email, role, force=None, **kw: User.objects.create_user(  # noqa: E731
        email, PASSWORD, role=role, force=force, **kw
    )
    return {
        "officer": make(
            "officer@westmercia.test",
            Role.FORCE_STAFF,
            west_mercia,
            first_name="Sam",
            last_name="Patel",
        ),
        "lead": make(
            "lead@westmercia.test",
            Role.FORCE_LEAD,
            west_mercia,
            first_name="Jo",
            last_name="Morgan",
        ),
        "inspector": make(
            "inspector@hmicfrs.test",
            Role.INSPECTOR,
            first_name="Alex",
            last_name="Reid",
        ),
    }


class Person:
    """One person at one browser: signs in, visits pages, checks each with axe."""

    def __init__(self, browser, base_url, email, scanned):
        self.page = browser.new_context(base_url=base_url).new_page()
        self.scanned = scanned
        self.page.goto("/accounts/login/")
        self.check_accessibility("sign-in")
        self.page.get_by_label("Email address").fill(email)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url(base_url + "/")

    def visit(self, path, name):
        response = self.page.goto(path)
        assert response.status == 200, (path, response.status)
        self.check_accessibility(name)

    def check_accessibility(self, name):
        self.page.evaluate(AXE.read_text())
        result = self.page.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
            WCAG,
        )
        problems = [
            f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['html'][:120]})"
            for v in result["violations"]
        ]
        self.scanned[name] = problems
        assert not problems, f"axe found on {name}: {problems}"

    def comment_and_click(self, field_label, text, button):
        self.page.get_by_label(field_label).fill(text)
        submit(self.page, button)


def submit(page, button):
    """Click a form's button and wait for the page that answers it.

    wait_for_load_state() straight after the click can find the old page, loaded,
    before the form's navigation has begun; what is read next would be read there.
    """
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()


def shows(page, text):
    """The page has the text, waiting for it as the page loads."""
    expect(page.locator("body")).to_contain_text(text)


def date_boxes(page, label):
    """A GOV.UK date input's Day, Month and Year boxes, by the field's label."""
    group = page.get_by_role("group", name=label)
    return [group.get_by_label(part, exact=True) for part in ("Day", "Month", "Year")]


def fill_date(page, label, iso):
    """Type an ISO date (2030-06-30) into a date input's three boxes."""
    year, month, day = iso.split("-")
    for box, value in zip(date_boxes(page, label), (day, month, year), strict=True):
        box.fill(value)


def expect_date(page, label, day):
    """The three boxes show this date as a person types it (13, 12, 2026)."""
    values = (str(day.day), str(day.month), str(day.year))
    for box, value in zip(date_boxes(page, label), values, strict=True):
        expect(box).to_have_value(value)
