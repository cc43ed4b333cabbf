"""WSGI entry point, for gunicorn: `gunicorn peel.wsgi`."""

import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peel.settings")

application = get_wsgi_application()

# Refuse to serve what would be a 500 on every page, and say why at start-up.
from tracker.checks import static_files_collected  # noqa: E402 (needs Django set up)

problems = static_files_collected()
if problems:
    raise ImproperlyConfigured(f"{problems[0].msg} {problems[0].hint}")
