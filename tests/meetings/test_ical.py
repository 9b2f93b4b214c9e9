"""The meetings' calendars as RFC 5545 text: the invitation, the properties, escaping and folding, time zones.

Every calendar is parsed back with icalendar and checked by ``ical_check.check_ics`` (a second, strict check
of the raw bytes)."""

import datetime as dt
import zoneinfo

import pytest
from django.conf import settings
from django.urls import reverse

from governance.core import calendar
from governance.meetings import ical, services
from governance.meetings.models import CooperationBody, Meeting
from governance.parties.models import Person
from tests.meetings.ical_check import IcsError, check_ics

TZ = zoneinfo.ZoneInfo("Europe/Stockholm")
NOW = dt.datetime(2026, 11, 23, 21, 30, 5, tzinfo=dt.UTC)


@pytest.fixture
def steering(db):
    return CooperationBody.objects.get(slug="styrgrupp")


def _meeting(steering, chair, *, days=40, place="Stadshuset") -> Meeting:
    day = calendar.today() + dt.timedelta(days=days)
    return services.meeting_create(
        acting_user=chair,
        body=steering,
        starts_at=dt.datetime.combine(day, dt.time(13), tzinfo=TZ),
        ends_at=dt.datetime.combine(day, dt.time(15, 30), tzinfo=TZ),
        place=place,
    )


def _event(parsed):
    (event,) = parsed.walk("VEVENT")
    return event


def test_invitation_is_a_publish_with_organizer_url_timezone_and_stamp(steering, chair):
    meeting = _meeting(steering, chair)
    data = ical.invitation(meeting, now=NOW)
    parsed = check_ics(data)
    event = _event(parsed)
    assert parsed["METHOD"] == "PUBLISH" and parsed["PRODID"] == ical.PRODID and parsed["VERSION"] == "2.0"
    assert str(event["UID"]) == f"meeting-{meeting.pk}@origo.example"
    assert event["SEQUENCE"] == 0 and event["STATUS"] == "CONFIRMED"
    assert event.DTSTAMP == NOW  # the generation time, in UTC
    assert b"DTSTAMP:20261123T213005Z\r\n" in data
    # Local time with the zone's VTIMEZONE in the same calendar.
    assert event.start == meeting.starts_at and event.start.tzinfo.key == "Europe/Stockholm"
    assert event.end == meeting.ends_at
    assert f"DTSTART;TZID=Europe/Stockholm:{meeting.starts_at.astimezone(TZ):%Y%m%dT%H%M%S}".encode() in data
    assert [tz.tz_name for tz in parsed.timezones] == ["Europe/Stockholm"]
    assert parsed.get_missing_tzids() == set()
    assert str(event["URL"]) == settings.SITE_URL.rstrip("/") + reverse("meetings:meeting", args=[meeting.pk])
    assert str(event["URL"]).startswith("http")
    # The chair organises; a PUBLISH names no attendees (their addresses stay private: the notice is bcc).
    assert str(event["ORGANIZER"]) == "mailto:sara.stalhammar@stockholm.example"
    assert event["ORGANIZER"].params["CN"] == "Sara Stålhammar"
    assert "ATTENDEE" not in event
    assert event["CREATED"].dt <= event.DTSTAMP.replace(year=2100)  # present, in UTC
    assert str(event["LOCATION"]) == "Stadshuset"
    assert "1. Mötets öppnande" in str(event["DESCRIPTION"])


def test_dtstamp_is_now_when_no_time_is_given(steering, chair):
    from django.utils import timezone

    meeting = _meeting(steering, chair)
    before = timezone.now().replace(microsecond=0)
    event = _event(check_ics(ical.invitation(meeting)))
    after = timezone.now()
    assert before <= event.DTSTAMP <= after


def test_text_is_escaped_folded_and_round_trips_with_swedish_and_a_long_agenda(steering, chair):
    place = "Kommunhuset, sal Ängen; plan 3 – Järfälla\\Solna"
    meeting = _meeting(steering, chair, place=place)
    titles = [
        "Budget 2027, del 1; drift och investeringar för Origo-samverkan i Stockholms län",
        "Återrapportering från Österåker, Södertälje och Upplands Väsby: åtgärder; uppföljning",
        "Å" * 120,  # 240 octets of two-octet characters: folding must not split one
    ] + [f"Ärende {n}: förslag, yttrande; beslut om ökad närvaro för unga i åk {n}" for n in range(20)]
    for title in titles:
        services.agenda_item_add(acting_user=chair, meeting=meeting, title=title, kind="decision")
    data = ical.invitation(meeting, now=NOW)
    event = _event(check_ics(data))
    assert (
        b"LOCATION:Kommunhuset\\, sal \xc3\x84ngen\\; plan 3 \xe2\x80\x93 J\xc3\xa4rf\xc3\xa4lla\\\\Solna"
        in data
    )
    assert str(event["LOCATION"]) == place
    description = str(event["DESCRIPTION"])
    assert description.startswith("Föredragningslista:\n1. Mötets öppnande\n")
    for title in titles:
        assert title in description
    assert len(description) > 1500 and data.count(b"\r\n ") >= 25  # really folded, every line ≤ 75 octets


def test_a_meeting_over_the_summer_time_change_keeps_its_local_times(steering, chair):
    meeting = _meeting(steering, chair)
    # Stored as UTC; a winter and a summer meeting both start at 13.00 Swedish time.
    winter = dt.datetime(2030, 1, 15, 12, tzinfo=dt.UTC)
    summer = dt.datetime(2030, 6, 15, 11, tzinfo=dt.UTC)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=winter, ends_at=winter + dt.timedelta(hours=2))
    other = _meeting(steering, chair, days=60)
    Meeting.objects.filter(pk=other.pk).update(starts_at=summer, ends_at=summer + dt.timedelta(hours=2))
    meetings = (
        Meeting.objects.filter(pk__in=[meeting.pk, other.pk]).select_related("body").order_by("starts_at")
    )
    data = ical.calendar_for(meetings, name="Test", now=NOW)
    parsed = check_ics(data)
    assert b"DTSTART;TZID=Europe/Stockholm:20300115T130000" in data
    assert b"DTSTART;TZID=Europe/Stockholm:20300615T130000" in data
    assert [e.start for e in parsed.walk("VEVENT")] == [winter, summer]
    (vtimezone,) = parsed.timezones
    offsets = {sub["TZOFFSETTO"].to_ical() for sub in vtimezone.subcomponents}
    assert offsets == {"+0100", "+0200"}
    assert "METHOD" not in parsed  # a feed is no scheduling message


def test_organizer_falls_back_to_the_secretary_and_then_to_the_system(steering, chair):
    meeting = _meeting(steering, chair)
    Person.objects.filter(memberships__body=steering, memberships__role="chair").update(email="")
    secretary = Person.objects.get(memberships__body=steering, memberships__role="secretary")
    Person.objects.filter(pk=secretary.pk).update(email="sekreterare@stockholm.example")
    organizer = ical.organizers([meeting])[meeting.pk]
    assert str(organizer) == "mailto:sekreterare@stockholm.example"
    assert organizer.params["CN"] == secretary.full_name
    Person.objects.filter(pk=secretary.pk).update(email="")
    organizer = ical.organizers([meeting])[meeting.pk]
    assert str(organizer) == "mailto:noreply@origo.example" and organizer.params["CN"] == steering.name
    check_ics(ical.invitation(meeting, now=NOW))


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (lambda d: d.replace(b"\r\n", b"\n"), "bare LF|CRLF"),
        (lambda d: d.replace(b"\r\n ", b""), "octets long"),
        (lambda d: d.replace(b"END:VEVENT\r\n", b""), "does not close|never closed"),
        (
            lambda d: d.replace(b"BEGIN:VTIMEZONE", b"BEGIN:X-GONE").replace(b"END:VTIMEZONE", b"END:X-GONE"),
            "TZID",
        ),
        (lambda d: d.replace(b"PRODID:", b"X-PRODID:"), "lacks PRODID"),
        (lambda d: d.replace(b"\r\nDTSTAMP:", b"\r\nX-DTSTAMP:"), "lacks DTSTAMP"),
        (lambda d: d.replace(b"213005Z", b"213005"), "not in UTC"),
    ],
)
def test_the_strict_check_refuses_broken_calendars(steering, chair, broken, message):
    meeting = _meeting(steering, chair)
    services.agenda_item_add(acting_user=chair, meeting=meeting, title="Lång " * 30, kind="decision")
    data = ical.invitation(meeting, now=NOW)
    check_ics(data)
    with pytest.raises(IcsError, match=message):
        check_ics(broken(data))
