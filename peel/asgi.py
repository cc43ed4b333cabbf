"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peel.settings")

application = get_asgi_application()

from tracker.checks import refuse_to_serve_without_static_files  # noqa: E402 (needs Django set up)

refuse_to_serve_without_static_files()
