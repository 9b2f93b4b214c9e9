"""iCalendar (RFC 5545) for meetings: the invitation attached to a notice, the cancellation sent when a noticed
meeting is cancelled, and the feeds per body and per member (subscribed with the calendar token).

Which iTIP method (RFC 5546), and why:

- The invitation attached to the notice is ``METHOD:PUBLISH`` with an ORGANIZER and no ATTENDEE. The members
  answer the notice on the meeting page (``rsvp_answer``), not by e-mail: a ``METHOD:REQUEST`` would make their
  mail programs offer "Accept/Decline" buttons that send ``REPLY`` mails nobody records, and a REQUEST must list
  every ATTENDEE, which would show each member's address to all the others (the notice goes out as bcc).
- A cancelled meeting is sent as ``METHOD:CANCEL`` (STATUS:CANCELLED, the bumped SEQUENCE, the same UID) to the
  members who were called. A CANCEL lists the attendees being removed; the published event had none, so it
  has none either (and the addresses stay private).
- The feeds (subscriptions) carry no METHOD: they are a copy of the calendar, not a scheduling message (RFC 5545
  3.7.2; a subscribed calendar must not be a REQUEST or CANCEL). A cancelled or postponed meeting stays in
  them with STATUS:CANCELLED, so the calendar programs take it out.

Times are in ``settings.TIME_ZONE`` (Europe/Stockholm) with its VTIMEZONE in the same calendar; DTSTAMP is
the time the calendar was generated (UTC); SEQUENCE is ``Meeting.ical_sequence``, bumped by the services when
the time, place, status or agenda of a noticed meeting changes; CREATED is the time the meeting was planned
(its ``meeting.planned`` audit row). icalendar escapes the text, folds the lines at 75 octets and ends them
with CRLF.
"""

import datetime as dt
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Min
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from governance.core.models import AuditEvent

from .choices import MeetingAction, MeetingState, MembershipRole
from .models import Meeting, Membership

PRODID = "-//Origo samverkan//governance//SV"
#: The right-hand side of every event UID (``meeting-<pk>@UID_DOMAIN``). Fixed on purpose: a UID must never
#: change, or every subscribed calendar would show each meeting twice. It names the system, not a host.
UID_DOMAIN = "origo.example"

PUBLISH = "PUBLISH"
CANCEL = "CANCEL"

#: Who organises a meeting in the calendars: the chair, else the secretary (the first with an e-mail address).
ORGANIZER_ROLES = (MembershipRole.CHAIR, MembershipRole.SECRETARY)

#: Meetings that will not take place at their time: the calendars show them as cancelled.
NOT_TAKING_PLACE = (MeetingState.CANCELLED, MeetingState.POSTPONED)


def meeting_uid(meeting) -> str:
    return f"meeting-{meeting.pk}@{UID_DOMAIN}"


def meeting_url(meeting) -> str:
    """The absolute address of the meeting's page (``settings.SITE_URL``)."""
    return settings.SITE_URL.rstrip("/") + reverse("meetings:meeting", args=[meeting.pk])


def _address(name: str, email: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = vText(name)
    return address


def _system_organizer(body) -> vCalAddress:
    """The system's sender address, on the body's behalf, when the body has no chair or secretary with e-mail."""
    _name, email = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return _address(body.name, email or "noreply@" + UID_DOMAIN)


def organizers(meetings) -> dict[int, vCalAddress]:
    """For each meeting's pk its ORGANIZER: the chair (else the secretary) seated on the meeting's day who has
    an e-mail address, else the system's sender address in the body's name. One query for all the meetings."""
    meetings = list(meetings)
    seats = (
        Membership.objects.filter(
            body_id__in={m.body_id for m in meetings}, role__in=ORGANIZER_ROLES, person__email__gt=""
        )
        .select_related("person")
        .order_by("valid_from", "pk")
    )
    by_body: dict[int, list] = {}
    for seat in seats:
        by_body.setdefault(seat.body_id, []).append(seat)
    result = {}
    for meeting in meetings:
        seated = [s for s in by_body.get(meeting.body_id, []) if s.is_active(meeting.date)]
        seated.sort(key=lambda s: ORGANIZER_ROLES.index(s.role))
        result[meeting.pk] = (
            _address(seated[0].person.full_name, seated[0].person.email)
            if seated
            else _system_organizer(meeting.body)
        )
    return result


def created_times(meetings) -> dict[int, dt.datetime]:
    """For each meeting's pk the time it was planned (its ``meeting.planned`` audit row). One query."""
    rows = (
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(Meeting),
            object_id__in=[str(m.pk) for m in meetings],
            action=MeetingAction.MEETING_PLANNED,
        )
        .values("object_id")
        .annotate(first=Min("occurred_at"))
    )
    return {int(row["object_id"]): row["first"] for row in rows}


def _summary(meeting) -> str:
    name = meeting.body.name
    if meeting.is_demo_data:
        name = _("%(body)s (demo)") % {"body": name}  # invented data says so, also in a calendar
    if meeting.state == MeetingState.CANCELLED:
        return _("Inställt: %(body)s") % {"body": name}
    if meeting.state == MeetingState.POSTPONED:
        return _("Uppskjutet: %(body)s") % {"body": name}
    return name


def _status(meeting, method: str | None) -> str:
    """CANCELLED when it will not take place; in a feed TENTATIVE until the notice has gone out (a planned
    meeting may still move, and the public interface does not show it yet); CONFIRMED from the notice on, and
    in the invitation, which is the notice (made as it goes out)."""
    if meeting.state in NOT_TAKING_PLACE:
        return "CANCELLED"
    if meeting.state == MeetingState.PLANNED and method != PUBLISH:
        return "TENTATIVE"
    return "CONFIRMED"


def _event(
    meeting, *, stamp: dt.datetime, organizer: vCalAddress, created: dt.datetime | None, method: str | None
) -> Event:
    tz = ZoneInfo(settings.TIME_ZONE)
    location = ", ".join(filter(None, [meeting.place, meeting.video_link]))
    titles = [f"{item.position}. {item.title}" for item in meeting.items.all()]
    event = Event.new(
        uid=meeting_uid(meeting),
        stamp=stamp,
        start=meeting.starts_at.astimezone(tz),
        end=meeting.ends_at.astimezone(tz),
        sequence=meeting.ical_sequence,
        summary=_summary(meeting),
        status=_status(meeting, method),
        url=meeting_url(meeting),
        organizer=organizer,
        location=location or None,
        description=(_("Föredragningslista:") + "\n" + "\n".join(titles)) if titles else None,
        created=created.astimezone(dt.UTC) if created else None,
    )
    return event


def build(meetings, *, name: str, method: str | None = None, now: dt.datetime | None = None) -> Calendar:
    """The calendar of ``meetings`` (their ``body`` and ``items`` best fetched with them), generated at ``now``
    (DTSTAMP; default: the current time). ``method`` is ``PUBLISH``, ``CANCEL`` or ``None`` for a feed."""
    meetings = list(meetings)
    stamp = (now or timezone.now()).astimezone(dt.UTC)
    calendar = Calendar.new(prodid=PRODID, method=method)
    calendar.pop(
        "UID", None
    )  # Calendar.new gives the calendar a random UID; a feed's must not change per fetch
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    organizer_for, created = organizers(meetings), created_times(meetings)
    for meeting in meetings:
        calendar.add_component(
            _event(
                meeting,
                stamp=stamp,
                organizer=organizer_for[meeting.pk],
                created=created.get(meeting.pk),
                method=method,
            )
        )
    if meetings:
        first = min(timezone.localtime(m.starts_at).date() for m in meetings)
        last = max(timezone.localtime(m.ends_at).date() for m in meetings)
        calendar.add_missing_timezones(
            first_date=first - dt.timedelta(days=366), last_date=last + dt.timedelta(days=366)
        )
        for component in calendar.walk("VTIMEZONE"):
            component.pop("COMMENT", None)  # icalendar's English note on the range it covers
    return calendar


def calendar_for(meetings, *, name: str, method: str | None = None, now: dt.datetime | None = None) -> bytes:
    """The .ics bytes of ``build``."""
    return build(meetings, name=name, method=method, now=now).to_ical()


def invitation(meeting, *, now: dt.datetime | None = None) -> bytes:
    """The notice's calendar: ``METHOD:PUBLISH`` (see the module docstring for why not REQUEST)."""
    return calendar_for([meeting], name=meeting.body.name, method=PUBLISH, now=now)


def cancellation(meeting, *, now: dt.datetime | None = None) -> bytes:
    """The cancelled meeting's calendar: ``METHOD:CANCEL`` with STATUS:CANCELLED and the bumped SEQUENCE."""
    return calendar_for([meeting], name=meeting.body.name, method=CANCEL, now=now)
