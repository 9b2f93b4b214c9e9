"""Swedish formatting for pages and documents: amounts, dates, genitives (Babel)."""

import datetime as dt
import re
import unicodedata

from babel.dates import format_date
from babel.numbers import format_decimal
from num2words.lang_SV import Num2Word_SV

LOCALE = "sv_SE"
NBSP = "\u00a0"


def format_number(value: int) -> str:
    """``45612`` → ``"45 612"`` with a non-breaking space as thousands separator."""
    if type(value) is int and value >= 0:
        # What Babel gives for a whole number, without Babel's pattern machinery (a cost page formats two
        # per party, issue 15); ``tests/core/test_formatting_fast.py`` holds them equal.
        return f"{value:,}".replace(",", NBSP)
    return format_decimal(value, locale=LOCALE, group_separator=True).replace("\u202f", NBSP)


def format_amount(value: int) -> str:
    """``45612`` → ``"45 612 kr"``; every space non-breaking so the amount never wraps."""
    return f"{format_number(value)}{NBSP}kr"


_BIG_UNITS = re.compile(r"(miljoner|miljarder|miljon(?!er)|miljard(?!er))(?=\S)")


class _SwedishWords(Num2Word_SV):
    """num2words' Swedish with the words it gets wrong put right: 40 is "fyrtio", not "förtio"."""

    def setup(self):
        super().setup()
        self.mid_numwords = [(n, "fyrtio" if word == "förtio" else word) for n, word in self.mid_numwords]


_SWEDISH = _SwedishWords()


def number_in_words(value: int) -> str:
    """A whole number in Swedish words, as in the memo's amounts: ``51834`` → ``"femtioettusen
    åttahundratrettiofyra"``, ``45612`` → ``"fyrtiofemtusen sexhundratolv"``, ``1000001`` → ``"en miljon ett"``.

    num2words writes "förtio", "femtioetttusen" and "en miljonett": 40 is "fyrtio" (``_SwedishWords``),
    Swedish drops the third of three consecutive t's in a compound (ett + tusen → ettusen), and writes
    miljon/miljard as separate words. Tested against an independent speller on 0–10 000 000."""
    words = _SWEDISH.to_cardinal(int(value))
    words = _BIG_UNITS.sub(r"\1 ", words)
    return words.replace("ttt", "tt")


def amount_in_words(value: int) -> str:
    """``51834`` → ``"femtioettusen åttahundratrettiofyra kronor"``."""
    return f"{number_in_words(value)} kronor"


def format_percent(value) -> str:
    """``Decimal("25.00")`` → ``"25 %"``; ``Decimal("1.5")`` → ``"1,5 %"``."""
    return f"{format_decimal(value, format='#,##0.####', locale=LOCALE)}{NBSP}%"


def format_date_iso(value: dt.date) -> str:
    """Dates in headers and tables: ``2012-09-12``."""
    return value.isoformat()


def format_date_long(value: dt.date) -> str:
    """Dates in running text: ``den 12 september 2012``."""
    return "den " + format_date(value, format="d MMMM y", locale=LOCALE)


def genitive(name: str) -> str:
    """Swedish genitive: ``Danderyd`` → ``Danderyds``, ``Stockholms stad`` → ``Stockholms stads``;
    no extra s after s, x or z (``Täby kommuns``, ``Nynäshamns``, ``Vaxholms`` but ``Alingsås``); an
    abbreviation takes a colon (``KSL`` → ``KSL:s``, ``SKR:s``)."""
    stripped = name.rstrip()
    if not stripped:
        return name
    if len(stripped) > 1 and stripped.isupper() and stripped.isalpha():
        return f"{stripped}:s"
    if stripped[-1].lower() in "sxz":
        return stripped
    return stripped + "s"


_TRANSLITERATE = str.maketrans(
    {"å": "a", "ä": "a", "ö": "o", "Å": "A", "Ä": "A", "Ö": "O", "é": "e", "ü": "u"}
)


def file_slug(text: str, max_length: int = 60) -> str:
    """A name part for a file: ``Danderyds kommun`` → ``danderyds-kommun``, ``Origo 2013–2015`` →
    ``origo-2013-2015``, ``Ekerö`` → ``ekero``; at most ``max_length`` characters, cut between words."""
    text = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(slug) > max_length:
        slug = slug[: max_length + 1].rsplit("-", 1)[0] if "-" in slug[:max_length] else slug[:max_length]
    return slug


def file_name(stem: str, *parts, version: int | None = None) -> str:
    """A download's name without extension: ``file_name("tjansteutlatande", "Danderyd", version=1)`` →
    ``tjansteutlatande-danderyd-v1``. Empty parts are left out."""
    pieces = [file_slug(str(stem)), *(file_slug(str(part)) for part in parts)]
    if version is not None:
        pieces.append(f"v{version}")
    return "-".join(piece for piece in pieces if piece)
