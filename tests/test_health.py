"""What a load balancer polls: alive, and ready with the database, the Redis cache
and broker, a worker on the tracker's queue and the file storage, each real."""

# Fixtures imported from tests.reminders_support are, as pytest intends, test arguments.
# ruff: noqa: F811

import pytest

from tests.reminders_support import (  # noqa: F401 (fixtures)
    free_port,
    reminder_queue,
    running_worker,
)

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def shared(settings, tmp_path):
    """The cache in Redis (a database of its own) and the evidence in a folder, as on
    a server that shares them with others."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.CELERY_BROKER_URL.rsplit("/", 1)[0] + "/14",
        }
    }
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


def checks(response) -> dict[str, str]:
    """Each check's answer, by the kind of check."""
    return {name.split("(")[0]: said for name, said in response.json().items()}


def test_alive_asks_nothing_and_needs_no_sign_in_or_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/health/live/", **JSON)
    assert response.status_code == 200
    assert response.json() == {}
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.slow
def test_ready_when_everything_answers(client, shared, reminder_queue):
    with running_worker(reminder_queue):
        response = client.get("/health/ready/", **JSON)
    assert response.status_code == 200, response.content
    assert checks(response) == {
        "Database": "OK",
        "Cache": "OK",
        "Redis": "OK",
        "Workers": "OK",
        "Storage": "OK",
    }


@pytest.mark.slow
def test_not_ready_without_a_worker_on_the_trackers_queue(
    client, shared, reminder_queue
):
    # A worker answers, but it takes another queue: nobody would send the emails.
    with running_worker(f"{reminder_queue}-elsewhere"):
        response = client.get("/health/ready/", **JSON)
    assert response.status_code == 500
    said = checks(response)
    assert f"No worker takes the queue {reminder_queue}" in said["Workers"]
    assert said["Database"] == said["Cache"] == said["Storage"] == "OK"

    # No worker at all.
    said = checks(client.get("/health/ready/", **JSON))
    assert "Celery workers unavailable" in said["Workers"]


def test_not_ready_when_the_cache_or_the_broker_is_down(client, shared, settings):
    nowhere = f"redis://127.0.0.1:{free_port()}/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": nowhere,
        }
    }
    settings.CELERY_BROKER_URL = nowhere
    response = client.get("/health/ready/", **JSON)
    assert response.status_code == 500
    said = checks(response)
    assert said["Cache"] != "OK" and said["Redis"] != "OK"
    assert said["Database"] == "OK"
    # Said plainly to whoever polls, without a sign-in; nothing else of the app.
    assert client.get("/health/ready/?format=text").status_code == 500
