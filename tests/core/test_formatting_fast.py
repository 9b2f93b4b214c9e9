"""The whole-number fast path of ``format_number`` gives exactly what Babel gives (issue 15)."""

from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from governance.core.formatting import LOCALE, NBSP, format_amount, format_number


def _babel(value) -> str:
    return format_decimal(value, locale=LOCALE, group_separator=True).replace("\u202f", NBSP)


@given(st.integers(min_value=0, max_value=10**15))
def test_whole_numbers_as_babel_formats_them(value):
    assert format_number(value) == _babel(value)


def test_edges_and_other_kinds_still_go_through_babel():
    for value in (0, 9, 999, 1000, 45612, 1_000_000, 10_000_000_000):
        assert format_number(value) == _babel(value)
    assert format_number(-1234) == _babel(-1234)
    assert format_amount(45612) == f"45{NBSP}612{NBSP}kr"
