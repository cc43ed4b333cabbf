"""What every page's header needs: the signed-in person's unread notifications, and
whether they look after webhooks."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .permissions import looks_after_webhooks
from .selectors import visible_notifications


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Counted only when a template shows it (the header does; a download does not).
    return {
        "unread_notifications": SimpleLazyObject(
            lambda: visible_notifications(user).filter(read_at__isnull=True).count()
        ),
        "looks_after_webhooks": looks_after_webhooks(user),
    }


def sign_in(request):
    """Whether passwords are used here (PASSWORD_SIGN_IN): the header's link to change one."""
    return {"password_sign_in": settings.PASSWORD_SIGN_IN}
