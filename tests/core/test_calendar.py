import datetime as dt

from governance.core.calendar import is_working_day, next_working_day, working_days_before


def test_weekends_and_holidays_move_to_the_next_working_day():
    assert next_working_day(dt.date(2025, 6, 18)) == dt.date(2025, 6, 18)  # Wednesday
    assert next_working_day(dt.date(2025, 6, 20)) == dt.date(2025, 6, 23)  # midsommarafton → Monday
    assert next_working_day(dt.date(2012, 12, 24)) == dt.date(2012, 12, 27)  # julafton, juldag, annandag
    assert next_working_day(dt.date(2025, 12, 31)) == dt.date(2026, 1, 2)  # nyårsafton, nyårsdagen
    assert next_working_day(dt.date(2025, 6, 6)) == dt.date(2025, 6, 9)  # nationaldagen (Friday)


def test_working_days_before():
    # 7 Jan, 5 Jan, 2 Jan, 30 Dec, 29 Dec: skips trettondedagen, the weekend, nyårsdagen and nyårsafton
    assert working_days_before(dt.date(2026, 1, 8), 5) == dt.date(2025, 12, 29)
    assert not is_working_day(dt.date(2026, 1, 6))


def test_today_is_the_local_date_in_stockholm(settings):
    from unittest import mock

    from django.utils import timezone

    from governance.core import calendar

    # 23:30 UTC on 31 December is already 1 January in Stockholm
    late = dt.datetime(2025, 12, 31, 23, 30, tzinfo=dt.UTC)
    with mock.patch.object(timezone, "now", return_value=late):
        assert calendar.today() == dt.date(2026, 1, 1)


def test_working_days_after_and_the_first_working_weekday():
    from governance.core.calendar import first_working_weekday_from, working_days_after

    assert working_days_after(dt.date(2025, 12, 23), 1) == dt.date(2025, 12, 29)  # over jul
    assert working_days_before(dt.date(2025, 12, 29), 1) == dt.date(2025, 12, 23)
    assert working_days_before(dt.date(2025, 12, 29), 0) == dt.date(2025, 12, 29)
    # the first Friday on or after 1 June 2025 that is a working day: 6 June is nationaldagen
    assert first_working_weekday_from(dt.date(2025, 6, 1), 4) == dt.date(2025, 6, 13)
