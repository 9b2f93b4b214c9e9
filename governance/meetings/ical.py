"""iCalendar (RFC 5545) for meetings: invitations attached to notices, and feeds per body and per member."""

from icalendar import Calendar, Event

from .choices import MeetingState

PRODID = "-//Origo samverkan//governance//SV"
#: The right-hand side of every event UID (``meeting-<pk>@UID_DOMAIN``). Fixed on purpose: a UID must never
#: change, or every subscribed calendar would show each meeting twice. It names the system, not a host.
UID_DOMAIN = "origo.example"


def _event(meeting) -> Event:
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@{UID_DOMAIN}")
    event.add("summary", meeting.body.name)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("dtstamp", meeting.starts_at)
    event.add("sequence", meeting.ical_sequence)
    location = ", ".join(filter(None, [meeting.place, meeting.video_link]))
    if location:
        event.add("location", location)
    titles = [f"{item.position}. {item.title}" for item in meeting.items.all()]
    if titles:
        event.add("description", "Föredragningslista:\n" + "\n".join(titles))
    event.add("status", "CANCELLED" if meeting.state == MeetingState.CANCELLED else "CONFIRMED")
    return event


def calendar_for(meetings, *, name: str, method: str | None = None) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    if method:
        calendar.add("method", method)
    for meeting in meetings:
        calendar.add_component(_event(meeting))
    return calendar.to_ical()


def invitation(meeting) -> bytes:
    return calendar_for([meeting], name=meeting.body.name, method="PUBLISH")
