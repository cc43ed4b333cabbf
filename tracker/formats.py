"""How a date reads in messages and emails: "1 May 2017", or with its weekday
where a reminder names a day ("Monday 1 May 2017")."""

import datetime


def long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def weekday_date(day: datetime.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"
