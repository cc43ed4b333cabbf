from django.apps import AppConfig


class TrackerConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tracker"
    verbose_name = "PEEL action tracker"

    def ready(self):
        from . import checks  # noqa: F401 (registers the system checks)
