"""The archive package of a cooperation body's minutes for a year (FGS Ärendehantering / CITS ERMS): the
diary case of the body's meetings that year with its records (kallelser, papers, justerade protokoll, with
their files and checksums), and the decisions of the justerade protokoll as actions.

Packing, the XML and the verification are the diarium's (``diary.archive``, ``diary.erms``).
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.core import calendar
from governance.core.formatting import file_name
from governance.diary import archive, erms
from governance.diary.models import DiaryCase

from . import permissions
from .choices import ItemKind
from .models import AgendaItem, CooperationBody
from .registration import body_year_matter


def can_archive(user, body: CooperationBody) -> bool:
    """Those who manage the body (the convener's chair and secretary, the host's administrators)."""
    return user is None or permissions.can_manage_body(user, body)


def archive_years(body: CooperationBody) -> list[int]:
    """The years of the body's meetings that have a diary case, newest first (one query). The year is the
    meetings' year in the matter key, not the diary case's own year (the year of its first registration:
    a December kallelse for a January meeting opens the January year's case in December)."""
    prefix = body_year_matter(body, 0)[:-1]
    keys = DiaryCase.objects.filter(matter_key__startswith=prefix).values_list("matter_key", flat=True)
    years = {
        int(key[len(prefix) :])
        for key in keys
        if key[len(prefix) :].isascii() and key[len(prefix) :].isdigit()
    }
    return sorted(years, reverse=True)


def minutes_package(
    *, acting_user, body: CooperationBody, year: int, created_at: dt.datetime | None = None
) -> tuple[str, bytes]:
    """The file name and the zip of the body's minutes of ``year``. Raises ``PermissionDenied``, or a
    ``ValidationError`` (Swedish) when nothing of that year is registered."""
    if not can_archive(acting_user, body):
        raise PermissionDenied(_("Du får inte ta ut arkivpaket för %(body)s.") % {"body": body.name})
    diary_case = (
        DiaryCase.objects.select_related("series").filter(matter_key=body_year_matter(body, year)).first()
    )
    if diary_case is None:
        raise ValidationError(
            _("%(body)s har inga diarieförda handlingar %(year)s.") % {"body": body.name, "year": year}
        )
    records, files = archive.diary_records(diary_case)
    items = (
        AgendaItem.objects.filter(
            meeting__body=body,
            meeting__starts_at__year=year,
            meeting__minutes_versions__approved_at__isnull=False,
            kind=ItemKind.DECISION,
            paragraph__isnull=False,
        )
        .exclude(outcome="")
        .select_related("meeting")
        .distinct()
        .order_by("paragraph")
    )
    actions = tuple(
        erms.ErmsAction(
            text=f"§ {item.paragraph} {item.title}: {item.outcome}",
            on=item.meeting.date,
            agents=(
                erms.ErmsAgent(
                    name=body.name, agent_type="authorising_person", organisation=body.convener.name
                ),
            ),
        )
        for item in items
    )
    finished = year < calendar.today().year
    last = max((r.registered_on for r in records), default=diary_case.opened_on)
    ermscase = erms.ErmsCase(
        system_id=f"cooperation-body-{body.pk}-{year}",
        diary_number=diary_case.diary_number,
        own_reference=diary_case.own_reference,
        title=diary_case.title,
        status="closed" if finished else "in_progress",
        opened_on=diary_case.opened_on,
        closed_on=last if finished else None,
        agency=body.convener.name,
        agents=(
            erms.ErmsAgent(name=body.convener.name, agent_type="owner"),
            erms.ErmsAgent(name=body.name, agent_type="creator"),
        ),
        actions=actions,
        records=tuple(records),
        description=f"Kallelser, handlingar och justerade protokoll för {body.name} {year}.",
    )
    content = archive.package_build(ermscase, files, created_at=created_at or timezone.now())
    return f"{file_name('arkivpaket', body.name, year)}.zip", content
