"""The Celery app, wired once: settings come from Django's CELERY_* settings."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peel.settings")

app = Celery("peel")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
