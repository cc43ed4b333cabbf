"""What a load balancer polls (django-health-check): is this app server alive, and is
it ready, with everything it shares with the others answering.

- `/health/live/`: the process answers; nothing else is asked, so a database that
  is down does not get every app server restarted.
- `/health/ready/`: the database, the cache (Redis when CACHE_URL says so), the
  broker, a Celery worker on the queue the tracker sends to, and the file storage
  the evidence goes to. 200 when all answer, 500 naming what did not.
"""

import dataclasses

from django.conf import settings
from health_check.contrib.celery import Ping
from health_check.contrib.redis import Redis
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView
from redis.asyncio import Redis as RedisClient


@dataclasses.dataclass
class Workers(Ping):
    """A worker answers, and one of them takes the queue the tracker sends its
    reminders, notifications and webhooks to (REMINDER_QUEUE)."""

    def check_active_queues(self, *active_workers):
        taken = {
            queue.get("name")
            for queues in (
                self.app.control.inspect(active_workers).active_queues() or {}
            ).values()
            for queue in queues
        }
        if settings.REMINDER_QUEUE not in taken:
            raise ServiceUnavailable(
                f"No worker takes the queue {settings.REMINDER_QUEUE}"
            )


def _broker():
    return RedisClient.from_url(
        settings.CELERY_BROKER_URL, socket_connect_timeout=2, socket_timeout=2
    )


class Live(HealthCheckView):
    checks = ()


class Ready(HealthCheckView):
    checks = (
        "health_check.checks.Database",
        "health_check.checks.Cache",
        (Redis, {"client_factory": _broker}),
        (Workers, {}),
        "health_check.checks.Storage",
    )
