"""The Celery app talks to the real Redis broker and a real worker runs its tasks."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from peel.celery import app


@app.task(name="tests.multiply")
def multiply(a, b):
    return a * b


def test_broker_is_redis_and_tasks_are_acknowledged_late():
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.timezone == "Europe/London"


@pytest.mark.slow
def test_a_real_worker_runs_a_task_sent_through_redis():
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = multiply.delay(6, 7)
        assert result.get(timeout=20) == 42
