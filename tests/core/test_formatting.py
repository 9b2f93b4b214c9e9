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
        (45_612, "förtiofemtusen sexhundratolv"),
    ],
)
def test_numbers_in_words_follow_swedish_spelling(value, words):
    assert number_in_words(value) == words
    assert amount_in_words(value) == f"{words} kronor"
