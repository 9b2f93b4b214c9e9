"""Where a meeting's document enters or leaves, the services register it in the diarium
(``diary.services.diary_register``), one call each, inside their transactions.

A cooperation body's meetings of one year are one diary case in the convener's series ("STOS 2013/4");
in it: each kallelse sent (utgående, to the members), each paper put on an agenda (inkommande) and each
protokoll justerat (upprättad, with the frozen .docx).
"""

import hashlib

from django.utils import timezone

from governance.core import calendar
from governance.diary.choices import Direction
from governance.diary.registry import reader_register
from governance.diary.services import diary_register

from . import permissions


def body_year_matter(body, year: int) -> str:
    return f"meetings.cooperationbody:{body.pk}:{year}"


def _common(acting_user, meeting) -> dict:
    body = meeting.body
    year = meeting.date.year
    return {
        "acting_user": acting_user,
        "matter_key": body_year_matter(body, year),
        "organisation": body.convener,
        "case_title": f"{body.name}: sammanträden {year}",
        "subject": body,
    }


def notice_sent(*, acting_user, meeting, sent_at) -> None:
    """The kallelse, sent to the members and deputies."""
    diary_register(
        key=f"meeting:{meeting.pk}:notice:{meeting.ical_sequence}",
        registered_on=timezone.localtime(sent_at).date(),
        direction=Direction.OUTGOING,
        title=f"Kallelse till {meeting.body.name} {meeting.date:%Y-%m-%d}",
        counterpart=f"Ledamöter och ersättare i {meeting.body.name}",
        document=meeting,
        **_common(acting_user, meeting),
    )


def minutes_approved(*, acting_user, meeting, version) -> None:
    """The justerade protokoll (the frozen .docx of the version)."""
    diary_register(
        key=f"minutes_version:{version.pk}",
        registered_on=timezone.localtime(version.approved_at).date(),
        direction=Direction.DRAWN_UP,
        title=f"Protokoll {meeting.body.name} {meeting.date:%Y-%m-%d}"
        + (f" (version {version.version})" if version.version > 1 else ""),
        counterpart=meeting.body.name,
        document=version,
        file=version.file or None,
        file_label=f"protokoll-{meeting.date:%Y-%m-%d}-v{version.version}.docx",
        **_common(acting_user, meeting),
    )


def paper_added(*, acting_user, meeting, item) -> None:
    """A paper put on the agenda (handling till sammanträdet), received for the meeting."""
    if not item.paper:
        return
    tag = hashlib.sha256(item.paper.name.encode()).hexdigest()[:16]
    diary_register(
        key=f"agenda_item:{item.pk}:paper:{tag}",
        registered_on=calendar.today(),  # the day it arrived
        direction=Direction.INCOMING,
        title=f"Handling till {meeting.body.name} {meeting.date:%Y-%m-%d}: {item.title}",
        counterpart=item.presenter,
        document=item,
        file=item.paper,
        file_label=item.paper_name or item.paper.name.rsplit("/", 1)[-1],
        **_common(acting_user, meeting),
    )


def _readable_by_body(model, body_field: str, *, published: str | None = None):
    """``readable_ids`` for objects read by whoever may read their body (``permissions.can_view_body``), and
    by everyone where ``published`` (a meeting's state field) says the meeting is published; one query."""
    from django.db.models import Q

    from .choices import MeetingState

    def readable_ids(user, ids):
        rows = model._default_manager.filter(pk__in=ids)
        bodies = permissions.visible_body_ids(user)  # None: all
        if bodies is None:
            return rows.values_list("pk", flat=True)
        match = Q(**{f"{body_field}__in": bodies})
        if published:
            match |= Q(**{published: MeetingState.PUBLISHED})
        return rows.filter(match).values_list("pk", flat=True)

    return readable_ids


def readers_register() -> None:
    """Tell the diarium who may read the meetings app's objects (``MeetingsConfig.ready``), one at a time and
    many at once (the register's page, the exports)."""
    from .choices import MeetingState
    from .models import AgendaItem, CooperationBody, Meeting, MinutesVersion

    def body_reader(user, body):
        return user.is_authenticated and permissions.can_view_body(user, body)

    reader_register(CooperationBody, body_reader, readable_ids=_readable_by_body(CooperationBody, "pk"))
    reader_register(
        Meeting,
        lambda user, meeting: body_reader(user, meeting.body),
        readable_ids=_readable_by_body(Meeting, "body_id"),
    )
    reader_register(
        AgendaItem,
        lambda user, item: body_reader(user, item.meeting.body),
        readable_ids=_readable_by_body(AgendaItem, "meeting__body_id"),
    )
    reader_register(
        MinutesVersion,
        lambda user, version: (
            version.meeting.state == MeetingState.PUBLISHED or body_reader(user, version.meeting.body)
        ),
        readable_ids=_readable_by_body(MinutesVersion, "meeting__body_id", published="meeting__state"),
    )
