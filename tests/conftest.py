"""Personas and a small West Mercia / West Midlands world shared by the tests.

The personas: an owner and a colleague in West Mercia, its force lead, an
outsider and a lead from West Midlands, an inspector and an administrator.
"""

import datetime

import pytest

from tests.browser_support import (  # noqa: F401 (fixtures of the browser tests)
    browser,
    people,
    static_files,
)
from tracker import services
from tracker.models import Finding, Force, Inspection, Question, Role, User


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, with the connections other contexts left open closed.

    Playwright's sync API runs the browser tests' code in greenlets, which Django
    treats as contexts of their own, each with its own connection; the in-process
    Celery workers' threads have theirs too. Left open, they stop pytest-django from
    dropping the database at the end ("is being accessed by other users").
    """
    yield
    with django_db_blocker.unblock():
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # The suite runs with production settings; the test client speaks plain HTTP.
    settings.SECURE_SSL_REDIRECT = False
    # Real hashing costs a fifth of a second a user; tests make hundreds of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # National figures are cached for minutes in production; tests see every change.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    }


def make_user(email: str, role: str, force: Force | None = None, **extra) -> User:
    return User.objects.create_user(
        email, "a-long-test-password", role=role, force=force, **extra
    )


@pytest.fixture
def force(db):
    return Force.objects.get(code="WMP")


@pytest.fixture
def other_force(db):
    return Force.objects.get(code="WMD")


@pytest.fixture
def owner(force):
    return make_user(
        "owner@westmercia.test", Role.FORCE_STAFF, force, first_name="Olive"
    )


@pytest.fixture
def colleague(force):
    return make_user("colleague@westmercia.test", Role.FORCE_STAFF, force)


@pytest.fixture
def contributor(force):
    return make_user("contributor@westmercia.test", Role.FORCE_STAFF, force)


@pytest.fixture
def lead(force):
    return make_user("lead@westmercia.test", Role.FORCE_LEAD, force)


@pytest.fixture
def outsider(other_force):
    return make_user("outsider@westmidlands.test", Role.FORCE_STAFF, other_force)


@pytest.fixture
def other_lead(other_force):
    return make_user("lead@westmidlands.test", Role.FORCE_LEAD, other_force)


@pytest.fixture
def inspector(db):
    return make_user("inspector@hmicfrs.test", Role.INSPECTOR)


@pytest.fixture
def admin_user(db):
    return User.objects.create_superuser("admin@hmicfrs.test", "a-long-test-password")


def make_inspection(force: Force, year: int = 2016, **extra) -> Inspection:
    return Inspection.objects.create(
        force=force,
        programme=f"PEEL {year}",
        pillar="Effectiveness",
        title=f"PEEL: Police effectiveness {year} – {force.name}",
        published_on=datetime.date(year + 1, 3, 2),
        **extra,
    )


def make_finding(inspection: Inspection, number: int = 1, **extra) -> Finding:
    question = Question.objects.create(
        inspection=inspection, text=f"Question {number}?", order=number
    )
    extra.setdefault("kind", Finding.Kind.AREA_FOR_IMPROVEMENT)
    return Finding.objects.create(
        inspection=inspection,
        question=question,
        text=f"The force should improve thing {number}.",
        reference=f"{inspection.force.code}-{inspection.programme[-4:]}-EFF-AFI-{number}",
        order=number,
        **extra,
    )


@pytest.fixture
def inspection(force):
    return make_inspection(force)


@pytest.fixture
def finding(inspection):
    return make_finding(inspection)


@pytest.fixture
def action(finding, lead, owner, contributor):
    action = services.action_create(
        lead,
        finding=finding,
        title="Publish the community engagement plan",
        owner=owner,
        deadline=datetime.date(2030, 5, 1),
    )
    action.contributors.add(contributor)
    return action


@pytest.fixture
def other_finding(other_force):
    return make_finding(make_inspection(other_force), number=1)


@pytest.fixture
def other_action(other_finding, other_lead, outsider):
    return services.action_create(
        other_lead, finding=other_finding, title="West Midlands work", owner=outsider
    )


@pytest.fixture
def scenario(request):
    """The browser tests' West Mercia action, owned by their officer, due in 10 days."""
    persons = request.getfixturevalue("people")  # the browser tests' personas
    inspection = make_inspection(Force.objects.get(code="WMP"))
    finding = make_finding(inspection, number=1)
    action = services.action_create(
        persons["lead"],
        finding=finding,
        title="Publish the engagement plan",
        owner=persons["officer"],
        deadline=datetime.date.today() + datetime.timedelta(days=10),
    )
    return {"inspection": inspection, "finding": finding, "action": action}
