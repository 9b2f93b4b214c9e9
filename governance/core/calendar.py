"""Swedish working days: deadlines that fall on a weekend or public holiday move to the next working day."""

import datetime as dt
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _swedish_holidays(year: int) -> holidays.HolidayBase:
    # include_sundays=False: the library would otherwise list every Sunday as a holiday.
    # "de_facto" adds midsommarafton, julafton and nyårsafton, which are not working days in practice.
    return holidays.Sweden(years=year, include_sundays=False, categories=("public", "de_facto"))


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _swedish_holidays(day.year)


def next_working_day(day: dt.date) -> dt.date:
    """``day`` itself if it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def working_days_before(day: dt.date, count: int) -> dt.date:
    """The date ``count`` working days before ``day``."""
    current = day
    remaining = count
    while remaining > 0:
        current -= dt.timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current
