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
