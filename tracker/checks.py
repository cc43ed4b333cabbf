"""System checks: say at start-up what would otherwise break every page."""

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.checks import Warning, register
from django.core.exceptions import ImproperlyConfigured


@register()
def static_files_collected(app_configs=None, **kwargs):
    """Without DEBUG, pages link the collected, hashed static files by the manifest.

    Before `collectstatic` there is no manifest, and every page fails (a 500) on its
    first stylesheet link. A warning here, so that `migrate` still runs before it;
    the web servers refuse to start (peel/wsgi.py, peel/asgi.py).
    """
    # The storage is lazy, but isinstance sees through it.
    if settings.DEBUG or not isinstance(staticfiles_storage, ManifestFilesMixin):
        return []
    if staticfiles_storage.exists(staticfiles_storage.manifest_name):
        return []
    return [
        Warning(
            f"The static files are not collected in {settings.STATIC_ROOT}: "
            "with DEBUG off, every page would fail.",
            hint="Run `.venv/bin/python manage.py collectstatic --noinput` "
            "before starting the web server.",
            id="peel.W001",
        )
    ]


@register(deploy=True)
def cache_shared(app_configs=None, **kwargs):
    """A production server's cache is Redis, so that every app server sees the same."""
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.DEBUG or not backend.endswith("LocMemCache"):
        return []
    return [
        Warning(
            "The cache is this process's own: a second app server (or gunicorn "
            "worker) would serve other figures.",
            hint="Set CACHE_URL=redis://host:6379/1 (a database of its own).",
            id="peel.W002",
        )
    ]


def refuse_to_serve_without_static_files() -> None:
    """For the web servers' entry points: stop at start-up, saying why, rather than
    answer every request with a 500."""
    problems = static_files_collected()
    if problems:
        raise ImproperlyConfigured(f"{problems[0].msg} {problems[0].hint}")
