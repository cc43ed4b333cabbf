"""A person's own notifications: marking them read, and how each kind reaches them."""

from django.db import transaction
from django.utils import timezone

from ..models import Notification, NotificationPreference, User
from ..notifications.kinds import Kind
from ..selectors import visible_notifications
from .errors import WorkflowError


def notifications_mark_read(
    user: User, notification: Notification | None = None
) -> int:
    """Mark one of the person's notifications read, or all of them; say how many changed."""
    unread = visible_notifications(user).filter(read_at__isnull=True)
    if notification is not None:
        unread = unread.filter(pk=notification.pk)
    return Notification.objects.filter(pk__in=unread.values("pk")).update(
        read_at=timezone.now()
    )


@transaction.atomic
def notification_preferences_update(user: User, choices: dict[str, str]) -> None:
    """Save the person's choice for each kind; the default (at once) keeps no row."""
    for kind, delivery in choices.items():
        if kind not in Kind.__members__.values():
            raise WorkflowError(f"There is no kind of notification called “{kind}”.")
        if delivery not in NotificationPreference.OFFERED:
            raise WorkflowError(
                "Choose how this kind of notification reaches you.", field=kind
            )
        if delivery == NotificationPreference.Delivery.AT_ONCE:
            NotificationPreference.objects.filter(user=user, kind=kind).delete()
        else:
            NotificationPreference.objects.update_or_create(
                user=user, kind=kind, defaults={"delivery": delivery}
            )
