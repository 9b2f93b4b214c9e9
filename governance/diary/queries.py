"""Reads of the diarium: the register with its filters, a subject's diary numbers, the rows of the exports."""

import datetime as dt
import re
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from . import permissions
from .models import DiaryCase, DiaryEntry, DiarySeries

#: "DAND 2012/1" or "DAND 2012/1-4".
DIARY_NUMBER = re.compile(r"^([A-ZÅÄÖ][A-ZÅÄÖ0-9]{1,11}) (\d{4})/(\d{1,9})(?:-(\d{1,9}))?$", re.ASCII)


@dataclass(frozen=True)
class RegisterFilter:
    """The register's search: free text, series code, year, direction, and a date range."""

    text: str = ""
    series: str = ""
    year: int | None = None
    direction: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def register_entries(filters: RegisterFilter) -> QuerySet[DiaryEntry]:
    """The filtered register, newest first. The text searches the diary number's parts, the neutral title,
    the counterpart and the case's title, never a secret entry's real title (that would reveal it)."""
    entries = DiaryEntry.objects.select_related(
        "case__series__organisation", "case__subject_type", "document_type"
    ).order_by("-registered_on", "-pk")
    if filters.series:
        entries = entries.filter(case__series__code=filters.series)
    if filters.year:
        entries = entries.filter(case__year=filters.year)
    if filters.direction:
        entries = entries.filter(direction=filters.direction)
    if filters.date_from:
        entries = entries.filter(registered_on__gte=filters.date_from)
    if filters.date_to:
        entries = entries.filter(registered_on__lte=filters.date_to)
    number = DIARY_NUMBER.match(" ".join(filters.text.split()).upper())
    if number:  # a whole diary number: that case, or that document
        series, year, case_number, document = number.groups()
        entries = entries.filter(
            case__series__code=series, case__year=int(year), case__number=int(case_number)
        )
        return entries.filter(number=int(document)) if document else entries
    for word in filters.text.split()[:8]:
        match = (
            Q(public_title__icontains=word)
            | Q(counterpart__icontains=word)
            | Q(case__title__icontains=word)
            | Q(case__own_reference__icontains=word)
            | Q(case__series__code__iexact=word)
            | Q(case__series__name__icontains=word)  # "Danderyd" finds Danderyd's series
            | (Q(secrecy="") & Q(title__icontains=word))
        )
        if _digits(word) and len(word) == 4:  # a year: "DAND 2012"
            match |= Q(case__year=int(word))
        if "/" in word:  # "2012/14" or "2012/14-3"
            year, _sep, rest = word.partition("/")
            number, _sep, document = rest.partition("-")
            if _digits(year) and _digits(number):
                exact = Q(case__year=int(year), case__number=int(number))
                if _digits(document):
                    exact &= Q(number=int(document))
                match |= exact
        entries = entries.filter(match)
    return entries


def _digits(text: str) -> bool:
    """ASCII digits only, short enough for a number column ("²" and "٣" are digits to ``str.isdigit``)."""
    return text.isascii() and text.isdigit() and len(text) <= 9


def series_choices() -> list[str]:
    return list(DiarySeries.objects.order_by("code").values_list("code", flat=True))


def year_choices() -> list[int]:
    return sorted(set(DiaryCase.objects.values_list("year", flat=True)), reverse=True)


@dataclass(frozen=True)
class EntryRow:
    """One register row as a user may see it: the real title and the file only when allowed."""

    entry: DiaryEntry
    title: str
    readable: bool
    downloadable: bool = False


def visible_rows(user, entries) -> list[EntryRow]:
    entries = list(entries)
    reader = permissions.EntryReader(user)
    reader.prepare(entries)  # one query per owning model, not per entry
    rows = []
    for entry in entries:
        readable = reader(entry)
        rows.append(
            EntryRow(
                entry=entry,
                title=entry.title if readable else entry.public_title,
                readable=readable,
                downloadable=bool(entry.file_name) and reader(entry, file=True),
            )
        )
    return rows


def export_rows(user, entries) -> tuple[list[str], list[list]]:
    """Header and rows of the CSV/XLSX export, titles as the user may see them."""
    header = [
        "Diarienummer",
        "Datum",
        "Riktning",
        "Avsändare/mottagare",
        "Rubrik",
        "Sekretess",
        "Ärende",
        "Eget dnr",
        "Registrerad av",
    ]
    rows = [
        [
            row.entry.diary_number,
            row.entry.registered_on.isoformat(),
            str(row.entry.get_direction_display()),
            row.entry.counterpart,
            row.title,
            row.entry.secrecy,
            row.entry.case.title,
            row.entry.case.own_reference,
            row.entry.registered_by_name,
        ]
        for row in visible_rows(user, entries)
    ]
    return header, rows


def cases_for(subject) -> list[DiaryCase]:
    """The diary cases of an object (a case, a meeting's body), with their entries, in two queries."""
    content_type = ContentType.objects.get_for_model(subject)
    return list(
        DiaryCase.objects.filter(subject_type=content_type, subject_id=subject.pk)
        .select_related("series")
        .prefetch_related("entries")
        .order_by("series__code", "year", "number")
    )


def entries_for_subject(subject) -> list[DiaryEntry]:
    """The entries of the diary cases about ``subject`` (an adoption case), in one query."""
    content_type = ContentType.objects.get_for_model(subject)
    return list(
        DiaryEntry.objects.filter(case__subject_type=content_type, case__subject_id=subject.pk)
        .select_related("case__series")
        .order_by("case__series__code", "case__year", "case__number", "number")
    )


def entries_for_documents(documents: list[tuple[type, list[int]]]) -> list[DiaryEntry]:
    """The entries that registered any of ``documents`` (pairs of a model and ids: a meeting, its minutes
    versions, its agenda items), in one query (plus the content types, cached)."""
    match = Q(pk__in=[])
    for model, ids in documents:
        if ids:
            match |= Q(document_type=ContentType.objects.get_for_model(model), document_id__in=ids)
    return list(
        DiaryEntry.objects.filter(match).select_related("case__series").order_by("registered_on", "pk")
    )


def entry_detail(pk: int) -> DiaryEntry:
    return DiaryEntry.objects.select_related(
        "case__series__organisation", "case__subject_type", "document_type"
    ).get(pk=pk)
