"""The date today and Swedish working days.

``today()`` is the one way the code asks for the date: the local date in ``TIME_ZONE`` (Europe/Stockholm), not
the host's. ``datetime.date.today()`` and ``timezone.localdate()`` are banned elsewhere by ruff (TID251), so a
role that starts today starts today on a UTC host too.

Working days come from the ``holidays`` library's own functions: Swedish public holidays, with
``include_sundays=False`` (the library would otherwise list every Sunday as a holiday), plus the "de facto"
category: midsommarafton, julafton and nyårsafton, which are not working days in practice
(docs/adr/0005-working-days.md).
"""

import datetime as dt
from functools import lru_cache

import holidays
from django.utils import timezone


def today() -> dt.date:
    """The local date (Europe/Stockholm)."""
    return timezone.localdate()  # noqa: TID251 - the one sanctioned call


@lru_cache(maxsize=1)
def _calendar() -> holidays.HolidayBase:
    # One instance; it fills in each year the first time a date in that year is asked about.
    return holidays.Sweden(include_sundays=False, categories=(holidays.PUBLIC, holidays.DE_FACTO))


def is_working_day(day: dt.date) -> bool:
    return _calendar().is_working_day(day)


def next_working_day(day: dt.date) -> dt.date:
    """``day`` itself if it is a working day, else the first working day after it."""
    return _calendar().get_nth_working_day(day, 0)


def working_days_before(day: dt.date, count: int) -> dt.date:
    """The date ``count`` working days before ``day`` (``day`` itself when ``count`` is 0)."""
    return _calendar().get_nth_working_day(day, -count) if count else day


def working_days_after(day: dt.date, count: int) -> dt.date:
    """The date ``count`` working days after ``day`` (``day`` itself when ``count`` is 0)."""
    return _calendar().get_nth_working_day(day, count) if count else day


def first_working_weekday_from(day: dt.date, weekday: int) -> dt.date:
    """The first working day on or after ``day`` that falls on ``weekday`` (0 = Monday)."""
    day += dt.timedelta(days=(weekday - day.weekday()) % 7)
    while not is_working_day(day):
        day += dt.timedelta(days=7)
    return day


def appeal_period_end(posted_on: dt.date) -> dt.date:
    """The last day to appeal a municipal decision (laglighetsprövning, KL 13 kap. 5 §): three weeks from the
    day the approval of the minutes was posted on the notice board. A period ending on a Saturday, Sunday,
    public holiday, midsommarafton, julafton or nyårsafton ends on the next working day (lag 1930:173)."""
    return next_working_day(posted_on + dt.timedelta(weeks=3))


def final_on(posted_on: dt.date) -> dt.date:
    """The day a decision posted on ``posted_on`` vinner laga kraft if nobody appeals: the day after the
    appeal period (ADR 0007)."""
    return appeal_period_end(posted_on) + dt.timedelta(days=1)
