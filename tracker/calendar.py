"""The private iCalendar feed: a person's deadlines as all-day events."""

import datetime

from django.db.models import Q
from django.utils import timezone
from icalendar import Calendar, Event

from .models import Action, Role, User, owned_or_helped_by


def calendar_actions(user: User):
    """The open actions whose deadlines belong in this person's calendar.

    Everyone gets what they own or contribute to; a force lead gets all of their
    force's deadlines; an inspector gets the inspectorate's deadlines for the
    forces they are the contact for.
    """
    wanted = owned_or_helped_by(user)
    if user.role == Role.FORCE_LEAD and user.force_id:
        wanted |= Q(force_id=user.force_id)
    if user.role == Role.INSPECTOR:
        wanted |= Q(
            force__inspector_contact=user,
            deadline_set_by=Action.DeadlineSetBy.INSPECTORATE,
        )
    actions = Action.objects.filter(wanted, deadline__isnull=False).exclude(
        status__in=Action.CLOSED_STATUSES
    )
    if user.force_id and user.role != Role.INSPECTOR:
        # Belt and braces: a force user's feed never holds another force's work.
        actions = actions.filter(force_id=user.force_id)
    ids = actions.values("pk")
    return (
        Action.objects.filter(pk__in=ids)
        .select_related("finding", "force")
        .order_by("deadline", "pk")
    )


def calendar_for(user: User, actions, *, site_url: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//PEEL action tracker//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "PEEL deadlines")
    calendar.add("x-wr-timezone", "Europe/London")
    stamp = timezone.now()
    for action in actions:
        event = Event()
        event.add("uid", f"action-{action.pk}-deadline@peel-action-tracker")
        event.add("dtstamp", stamp)
        event.add("dtstart", action.deadline)
        event.add("dtend", action.deadline + datetime.timedelta(days=1))
        reference = (
            action.finding.reference if action.finding else action.force.short_name
        )
        event.add("summary", f"Due: {action.title} ({reference})")
        event.add(
            "description",
            f"{action.get_status_display()}, {action.percent_complete}% complete.\n"
            f"{site_url}{action.get_absolute_url()}",
        )
        event.add("url", f"{site_url}{action.get_absolute_url()}")
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()
