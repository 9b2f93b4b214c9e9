import datetime as dt
from decimal import Decimal

import pytest

from governance.core.formatting import (
    amount_in_words,
    format_amount,
    format_date_iso,
    format_date_long,
    format_percent,
    genitive,
    number_in_words,
)


def test_amounts_use_non_breaking_spaces():
    assert format_amount(45612) == "45\u00a0612\u00a0kr"
    assert format_amount(6_000_000) == "6\u00a0000\u00a0000\u00a0kr"
    assert format_amount(0) == "0\u00a0kr"


def test_dates():
    assert format_date_iso(dt.date(2012, 9, 12)) == "2012-09-12"
    assert format_date_long(dt.date(2012, 9, 12)) == "den 12 september 2012"
    assert format_date_long(dt.date(2016, 1, 1)) == "den 1 januari 2016"


def test_percent():
    assert format_percent(Decimal("25.0000")) == "25\u00a0%"
    assert format_percent(Decimal("12.5")) == "12,5\u00a0%"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Danderyd", "Danderyds"),
        ("Stockholms stad", "Stockholms stads"),
        ("Ekerö", "Ekerös"),
        ("Danderyds kommun", "Danderyds kommuns"),
        ("Vaxholms stad", "Vaxholms stads"),
        ("Nynäshamns", "Nynäshamns"),
        ("Alingsås", "Alingsås"),
        ("Halmstadx", "Halmstadx"),
        ("Fritz", "Fritz"),
        ("Kommunförbundet Stockholms Län", "Kommunförbundet Stockholms Läns"),
        ("KSL", "KSL:s"),  # an abbreviation takes a colon
    ],
)
def test_genitive(name, expected):
    assert genitive(name) == expected


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (51_834, "femtioettusen åttahundratrettiofyra"),  # not "femtioetttusen": no third t in a row
        (1_000_001, "en miljon ett"),  # miljon is a word of its own
        (1_000, "ettusen"),
        (2_051_834, "två miljoner femtioettusen åttahundratrettiofyra"),
        (45_612, "fyrtiofemtusen sexhundratolv"),  # not num2words' "förtio"
        (40, "fyrtio"),
        (1_040_040, "en miljon fyrtiotusenfyrtio"),
    ],
)
def test_numbers_in_words_follow_swedish_spelling(value, words):
    assert number_in_words(value) == words
    assert amount_in_words(value) == f"{words} kronor"


_ONES = "noll ett två tre fyra fem sex sju åtta nio tio elva tolv tretton fjorton femton sexton sjutton arton nitton"
_ONES = _ONES.split()
_TENS = {
    2: "tjugo",
    3: "trettio",
    4: "fyrtio",
    5: "femtio",
    6: "sextio",
    7: "sjuttio",
    8: "åttio",
    9: "nittio",
}


def _below_1000(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    words = f"{_ONES[hundreds]}hundra" if hundreds else ""
    if rest >= 20:
        words += _TENS[rest // 10] + (_ONES[rest % 10] if rest % 10 else "")
    elif rest:
        words += _ONES[rest]
    return words


def _reference(n: int) -> str:
    """An independent speller from the Swedish rules (Språkrådet): the numbers below a million written
    together, a third t in a row dropped, miljon/miljoner as words of their own. Spaces are not compared."""
    if n == 0:
        return "noll"
    millions, rest = divmod(n, 1_000_000)
    thousands, rest = divmod(rest, 1000)
    head = ("en miljon" if millions == 1 else f"{_below_1000(millions)} miljoner") if millions else ""
    tail = ((_below_1000(thousands) + "tusen") if thousands else "") + _below_1000(rest)
    return (head + tail.replace("ttt", "tt")).replace(" ", "")


def test_numbers_in_words_are_right_from_0_to_10_000_000():
    """Every number below 20 000, every thousand and every 997th number up to ten million."""
    import itertools

    values = itertools.chain(range(20_000), range(0, 10_000_001, 1000), range(0, 10_000_001, 997))
    wrong = [v for v in values if number_in_words(v).replace(" ", "") != _reference(v)]
    assert wrong == []
