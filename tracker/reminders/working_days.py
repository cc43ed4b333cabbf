"""Working days in England and Wales, and the sweep's hour in London time."""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")


@functools.cache
def _bank_holidays(year: int) -> frozenset[date]:
    # Built once per year: the holidays package computes Easter and substitute
    # days on each call, and the sweep asks about the same few years all day.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(d: date) -> bool:
    """Monday to Friday and not an England and Wales bank holiday."""
    return d.weekday() < 5 and d not in _bank_holidays(d.year)


def previous_working_day(d: date) -> date:
    """`d` itself if it is a working day, else the working day before it."""
    while not is_working_day(d):
        d -= timedelta(days=1)
    return d


def next_working_day(d: date) -> date:
    """`d` itself if it is a working day, else the working day after it."""
    while not is_working_day(d):
        d += timedelta(days=1)
    return d


def add_working_days(d: date, n: int) -> date:
    """The date `n` working days after `d` (before it if `n` is negative); `d` if `n` is 0.

    `d` itself is never counted, so add_working_days(Friday, 1) is the next
    Monday (or Tuesday after a bank holiday Monday), whether or not `d` is a
    working day.
    """
    step = timedelta(days=1 if n >= 0 else -1)
    for _ in range(abs(n)):
        d += step
        while not is_working_day(d):
            d += step
    return d


def sweep_time_on(d: date, hour: int = 8) -> datetime:
    """`hour`:00 London time on `d`, as an aware datetime.

    zoneinfo gives the right offset on either side of the March and October
    changes (08:00 is 07:00 UTC in summer, 08:00 UTC in winter). An hour that
    does not exist (01:00 on the March change day) is moved forward through
    UTC, as clocks do; an hour that happens twice (01:00 in October) is the
    first of the two.
    """
    local = datetime(d.year, d.month, d.day, hour, tzinfo=LONDON)
    return local.astimezone(UTC).astimezone(LONDON)
