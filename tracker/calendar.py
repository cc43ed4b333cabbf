"""The private iCalendar feed: a person's deadlines as all-day events."""

import datetime

from django.utils import timezone
from icalendar import Calendar, Event

from .models import Action, User
from .selectors import concerning, visible_actions


def calendar_actions(user: User):
    """The open actions whose deadlines belong in this person's calendar.

    Everyone gets what they own or contribute to; a force lead gets all of their
    force's deadlines; an inspector gets the inspectorate's deadlines for the
    forces they are the contact for: `concerning`, through the visibility door.
    """
    ids = (
        visible_actions(user)
        .filter(
            concerning(user, inspectorate_deadlines_only=True), deadline__isnull=False
        )
        .exclude(status__in=Action.CLOSED_STATUSES)
        .values("pk")
    )
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
