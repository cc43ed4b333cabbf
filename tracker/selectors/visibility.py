"""Every read that depends on who is asking goes through here: one door for visibility."""

from typing import TypeVar

from django.db.models import Q, QuerySet
from django.http import Http404

from ..models import (
    FORCE_ROLES,
    Action,
    ActionQuerySet,
    DeadlineChangeRequest,
    Evidence,
    Finding,
    Force,
    ForceQuerySet,
    Inspection,
    Notification,
    Question,
    Role,
    User,
    Webhook,
    owned_or_helped_by,
)
from ..permissions import is_force_lead_of, sees_every_force

_Rows = TypeVar("_Rows", bound=QuerySet)


def _visible(queryset: _Rows, user, force_field: str = "force") -> _Rows:
    if not (user.is_authenticated and user.is_active):
        return queryset.none()
    if sees_every_force(user):
        return queryset
    if user.force_id is None:
        return queryset.none()
    return queryset.filter(**{force_field: user.force_id})


def visible_forces(user) -> ForceQuerySet:
    return _visible(Force.objects.all(), user, force_field="pk")


def visible_inspections(user) -> QuerySet[Inspection]:
    return _visible(Inspection.objects.all(), user)


def visible_findings(user) -> QuerySet[Finding]:
    return _visible(Finding.objects.all(), user)


def visible_questions(user) -> QuerySet[Question]:
    return _visible(Question.objects.all(), user, force_field="inspection__force")


def visible_actions(user) -> ActionQuerySet:
    return _visible(Action.objects.all(), user)


def force_people(force_id: int | None) -> QuerySet[User]:
    """Who may own or help with the force's actions: its active staff and leads."""
    if force_id is None:
        return User.objects.none()
    return User.objects.filter(force_id=force_id, is_active=True, role__in=FORCE_ROLES)


def mentionable(force_id: int | None) -> QuerySet[User]:
    """Whom an update or a comment on the force's work may mention: its people and
    the inspectors (each is told only if they may see the work)."""
    return User.objects.filter(
        Q(force_id=force_id, role__in=FORCE_ROLES) | Q(role=Role.INSPECTOR),
        is_active=True,
    ).order_by("first_name", "last_name", "email")


def get_visible_or_404(queryset: QuerySet, **lookup):
    """Fetch one row of a visible queryset; what the user may not see does not exist for them."""
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404(f"No {queryset.model._meta.verbose_name} found.") from None


def visible_evidence(user) -> QuerySet[Evidence]:
    return Evidence.objects.filter(update__action__in=visible_actions(user))


def visible_notifications(user) -> QuerySet[Notification]:
    """A person's own notifications, about what they may still see.

    One who moved to another force is no longer told of the old force's work,
    even in what was recorded before the move.
    """
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(
        Q(action__in=visible_actions(user))
        | Q(finding__in=visible_findings(user))
        | Q(inspection__in=visible_inspections(user)),
        recipient=user,
    )


def visible_deadline_requests(user) -> QuerySet[DeadlineChangeRequest]:
    return DeadlineChangeRequest.objects.filter(action__in=visible_actions(user))


def concerning(user, *, inspectorate_deadlines_only: bool = False) -> Q:
    """The actions that are this person's own concern, within what they may see.

    What they own or help with; for a force lead, all of their force's work; for
    an inspector, the work of the forces they are the contact for (only the
    deadlines the inspectorate set, with `inspectorate_deadlines_only`). Their
    calendar and their reminders page both ask this; use it on `visible_actions`.
    """
    wanted = owned_or_helped_by(user)
    if user.role == Role.FORCE_LEAD and user.force_id:
        wanted |= Q(force_id=user.force_id)
    if user.role == Role.INSPECTOR:
        contact = Q(force__inspector_contact=user)
        if inspectorate_deadlines_only:
            contact &= Q(deadline_set_by=Action.DeadlineSetBy.INSPECTORATE)
        wanted |= contact
    return wanted


def visible_webhooks(user) -> QuerySet[Webhook]:
    """The webhooks a person looks after: a force lead their force's, an inspector
    (or administrator) the inspectorate's. Nobody else sees one or its log."""
    if sees_every_force(user):
        return Webhook.objects.filter(force__isnull=True)
    if is_force_lead_of(user, getattr(user, "force_id", None)):
        return Webhook.objects.filter(force_id=user.force_id)
    return Webhook.objects.none()


def visible_to_webhook(webhook: Webhook, queryset: _Rows, force_field="force") -> _Rows:
    """What a webhook may be told of: its force's, or every force's for the inspectorate's."""
    if webhook.force_id is None:
        return queryset
    return queryset.filter(**{force_field: webhook.force_id})
