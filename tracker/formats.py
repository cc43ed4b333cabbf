"""How a date reads, on every page, export and email: "1 May 2017"; with its weekday
where a reminder names a day ("Monday 1 May 2017"); and a moment as "1 May 2017 at
3:15pm", in the time of Europe/London (GOV.UK's style)."""

import datetime

from django.utils import timezone


def long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def weekday_date(day: datetime.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def clock_time(moment: datetime.datetime | datetime.time) -> str:
    """3:15pm, 9am, midday, midnight."""
    if moment.hour == 0 and moment.minute == 0:
        return "midnight"
    if moment.hour == 12 and moment.minute == 0:
        return "midday"
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes}{'am' if moment.hour < 12 else 'pm'}"


def long_datetime(moment: datetime.datetime) -> str:
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{long_date(moment)} at {clock_time(moment)}"
