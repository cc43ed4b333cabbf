"""WSGI entry point, for gunicorn: `gunicorn peel.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peel.settings")

application = get_wsgi_application()
