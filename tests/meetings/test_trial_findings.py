"""Findings from a new user's trial of the meeting pages: planning keeps the input and names the field, the
opening and closing stay in place, a paper joins the item announced for it, justering gives feedback, the
quorum sentence, short notice and the notice's place."""

import datetime as dt
import io
import re
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from docx import Document

from governance.core import calendar
from governance.core.calendar import next_working_day, working_days_after
from governance.core.models import AuditEvent
from governance.meetings import services
from governance.meetings.models import CooperationBody, Meeting, Membership
from tests.meetings.helpers import decide_standard_items


@pytest.fixture
def steering(db):
    return CooperationBody.objects.get(slug="styrgrupp")


def _at(day: dt.date, hour=13):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def _planned(chair, steering, days=40, **kwargs):
    day = calendar.today() + dt.timedelta(days=days)
    kwargs.setdefault("place", "Stadshuset")
    return services.meeting_create(
        acting_user=chair, body=steering, starts_at=_at(day), ends_at=_at(day, 15), **kwargs
    )


# 1. Planning a meeting: the input stays and each error names its field


def _summary(text: str) -> str:
    match = re.search(r'<div class="error-summary" role="alert">.*?</div>', text, re.S)
    assert match, "no error summary on the page"
    return match.group(0)


@pytest.mark.parametrize(
    ("change", "field", "label", "message"),
    [
        ({"start": "15:00", "end": "14:00"}, "end", "Slutar", "Mötet måste sluta efter att det börjar."),
        ({"video_link": "inte en länk"}, "video_link", "Länk till videomöte", "Ange en giltig URL."),
        ({"date": "2001-01-01"}, "date", "Datum", "Mötet kan inte läggas i det förflutna."),
    ],
)
def test_planning_errors_keep_the_input_and_name_the_field(
    client, chair, steering, change, field, label, message
):
    client.force_login(chair)
    day = calendar.today() + dt.timedelta(days=45)
    data = {
        "date": day.isoformat(),
        "start": "10:30",
        "end": "12:00",
        "place": "Kommunhuset, sal B",
        "video_link": "",
        "request_key": str(uuid.uuid4()),
        **change,
    }
    before = (Meeting.objects.count(), AuditEvent.objects.count())
    response = client.post(reverse("meetings:body_action", args=["styrgrupp", "meeting"]), data)
    assert response.status_code == 400
    assert (Meeting.objects.count(), AuditEvent.objects.count()) == before
    text = response.text
    summary = _summary(text)
    if "giltig" in message:
        # Django's own wording for a bad URL; what matters is that the field is named.
        assert f"{label}: " in summary and 'href="#id_video_link"' in summary
    else:
        assert f'<a href="#id_{field}">{label}: {message}</a>' in summary
    assert f'value="{data["date"]}"' in text
    assert 'value="Kommunhuset, sal B"' in text
    assert f'value="{data["start"]}"' in text and f'value="{data["end"]}"' in text


def test_a_missing_short_notice_reason_is_named_on_its_field(client, chair, steering):
    client.force_login(chair)
    day = working_days_after(next_working_day(calendar.today() + dt.timedelta(days=1)), 1)
    data = {"date": day.isoformat(), "start": "13:00", "end": "15:00", "place": "Stadshuset"}
    response = client.post(
        reverse("meetings:body_action", args=["styrgrupp", "meeting"]),
        {**data, "short_notice_confirmed": "on", "request_key": str(uuid.uuid4())},
    )
    assert response.status_code == 400
    assert "Skäl till kort varsel: Ange skälet till att mötet hålls med kort varsel." in _summary(
        response.text
    )
    assert 'value="Stadshuset"' in response.text


def test_replanning_with_an_end_before_the_start_keeps_the_input(client, chair, steering):
    meeting = _planned(chair, steering)
    services.meeting_postpone(acting_user=chair, meeting=meeting, reason="Lokalen")
    client.force_login(chair)
    day = calendar.today() + dt.timedelta(days=50)
    response = client.post(
        reverse("meetings:meeting_replan", args=[meeting.pk]),
        {
            "date": day.isoformat(),
            "start": "14:00",
            "end": "13:00",
            "place": "Nya salen",
            "expected_state": "postponed",
        },
    )
    assert response.status_code == 400
    assert "Slutar: Mötet måste sluta efter att det börjar." in _summary(response.text)
    assert 'value="Nya salen"' in response.text and f'value="{day.isoformat()}"' in response.text
    meeting.refresh_from_db()
    assert meeting.state == "postponed"


# 2. The opening stays first and the closing last


def test_the_opening_and_the_closing_stay_in_place(chair, steering):
    meeting = _planned(chair, steering)
    budget = services.agenda_item_add(acting_user=chair, meeting=meeting, title="Budget")
    items = {i.standard_key or i.title: i for i in meeting.items.all()}
    events = AuditEvent.objects.count()
    for key, direction, words in [
        ("minutes_checkers", "up", "före ”Mötets öppnande”"),
        ("other", "down", "efter ”Mötets avslutande”"),
        ("opening", "down", "står alltid först"),
        ("closing", "up", "står alltid sist"),
    ]:
        with pytest.raises(ValidationError, match=words):
            services.agenda_item_move(acting_user=chair, item=items[key], direction=direction)
    assert AuditEvent.objects.count() == events
    order = list(meeting.items.order_by("position").values_list("standard_key", flat=True))
    assert order[0] == "opening" and order[-1] == "closing"
    # Anything between them still moves.
    services.agenda_item_move(acting_user=chair, item=budget, direction="down")
    services.agenda_item_move(acting_user=chair, item=items["minutes_checkers"], direction="down")
    order = list(meeting.items.order_by("position").values_list("standard_key", "title"))
    assert order[0][0] == "opening" and order[-1][0] == "closing" and order[-2][1] == "Budget"


def test_the_page_shows_only_the_moves_allowed(client, chair, steering):
    meeting = _planned(chair, steering)
    client.force_login(chair)
    page = client.get(reverse("meetings:meeting", args=[meeting.pk])).text
    for shown in (
        "Flytta ned Val av justerare",
        "Flytta upp Övriga frågor",
        "Flytta upp Godkännande av dagordningen",
    ):
        assert f'aria-label="{shown}"' in page
    for hidden in (
        "Flytta upp Mötets öppnande",
        "Flytta ned Mötets öppnande",
        "Flytta upp Val av justerare",
        "Flytta ned Övriga frågor",
        "Flytta upp Mötets avslutande",
        "Flytta ned Mötets avslutande",
    ):
        assert f'aria-label="{hidden}"' not in page
    first = meeting.items.get(standard_key="minutes_checkers")
    response = client.post(
        reverse("meetings:meeting_move", args=[meeting.pk]), {"item": first.pk, "direction": "up"}
    )
    assert response.status_code == 400 and "Inget ärende kan flyttas före" in response.text


def test_a_paper_joins_the_item_announced_for_it(client, chair, steering):
    from governance.decisions.models import Recommendation

    meeting = _planned(chair, steering)
    announced = services.agenda_item_add(
        acting_user=chair, meeting=meeting, title="Läget i kommunernas anslutning", kind="discussion"
    )
    count = meeting.items.count()
    recommendation = Recommendation.objects.get(slug="origo-2016")
    client.force_login(chair)
    response = client.post(
        reverse("meetings:meeting_paper_add", args=[meeting.pk]),
        {"provider": "adoption_summary", "source": recommendation.pk},
        follow=True,
    )
    assert response.status_code == 200
    assert "Handlingen ligger under ärendet ”Läget i kommunernas anslutning”" in response.text
    assert meeting.items.count() == count
    announced.refresh_from_db()
    assert announced.source == recommendation and announced.paper_name.startswith("anslutning-origo-2016")
    assert announced.kind == "discussion"
    event = AuditEvent.objects.latest("pk")
    assert event.action == "agenda.paper_attached" and event.object_id == str(announced.pk)
    # The item has its paper now: the next paper for the same source is a new item.
    services.agenda_paper_add(
        acting_user=chair, meeting=meeting, provider_key="adoption_summary", source_id=recommendation.pk
    )
    assert meeting.items.count() == count + 1


def test_the_demo_agenda_announces_the_paper_under_its_name(steering):
    services.demo_meetings_load()
    meeting = Meeting.objects.filter(is_demo_data=True, body=steering, state="planned").get()
    item = meeting.items.get(title="Läget i kommunernas anslutning")
    assert not item.paper and "läggs till här" in item.description


# 3. Justering gives feedback; the chair is listed


def _statuses(meeting):
    members = Membership.objects.active(meeting.date).filter(body=meeting.body)
    return {m.pk: ("present", None) for m in members if m.role in ("chair", "member")}


def _drafted(chair, steering, checkers):
    meeting = _planned(chair, steering)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=meeting.starts_at - dt.timedelta(days=80), ends_at=meeting.ends_at - dt.timedelta(days=80)
    )
    meeting.refresh_from_db()
    services.attendance_record(acting_user=chair, meeting=meeting, statuses=_statuses(meeting))
    services.meeting_hold(acting_user=chair, meeting=meeting)
    decide_standard_items(chair, meeting)
    return services.minutes_draft(acting_user=chair, meeting=meeting, checker_ids=[c.pk for c in checkers])


def test_justering_says_it_is_done_and_hides_the_button(client, chair, member, steering):
    seats = Membership.objects.active(calendar.today()).filter(body=steering).select_related("person")
    mikael = seats.get(person__user=member)
    anna = next(m for m in seats if m.person.full_name == "Anna Ahlström")
    meeting = _drafted(chair, steering, [mikael, anna])
    client.force_login(member)
    page = client.get(reverse("meetings:meeting", args=[meeting.pk])).text
    assert "Justera protokollet" in page
    chair_name = seats.get(role="chair").person.full_name
    assert (
        f"Justeras av: ordföranden {chair_name} och justerarna {mikael.person.full_name} och Anna Ahlström"
        in page
    )
    response = client.post(
        reverse("meetings:meeting_approve", args=[meeting.pk]),
        {"expected_state": "minutes_drafted"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Du har justerat protokollet, version 1." in response.text
    assert "Justera protokollet</button>" not in response.text
    assert re.search(r"Du justerade \d{4}-\d\d-\d\d \d\d:\d\d", response.text)
    # The chair has not approved yet: the chair still sees the button.
    client.force_login(chair)
    page = client.get(reverse("meetings:meeting", args=[meeting.pk])).text
    assert "Justera protokollet</button>" in page and "Du justerade" not in page


# 4. The quorum sentence in the minutes


def test_the_minutes_state_the_quorum_plainly(chair, steering):
    meeting = _planned(chair, steering)
    Meeting.objects.filter(pk=meeting.pk).update(
        quorum_recorded_at=timezone.now(), quorum_present=7, quorum_required=6
    )
    meeting.refresh_from_db()
    assert services.minutes_context(meeting)["quorum"] == (
        "Styrgruppen för Origo är beslutför: 7 av 10 ledamöter är närvarande (minst 6 krävs)."
    )
    Meeting.objects.filter(pk=meeting.pk).update(quorum_present=3)
    meeting.refresh_from_db()
    assert services.minutes_context(meeting)["quorum"] == (
        "Styrgruppen för Origo är inte beslutför: 3 av 10 ledamöter är närvarande (minst 6 krävs)."
    )


# 5. Short notice on the page; the notice's place


def test_a_short_notice_meeting_shows_no_past_deadline(client, chair, steering):
    day = working_days_after(next_working_day(calendar.today() + dt.timedelta(days=1)), 1)
    meeting = services.meeting_create(
        acting_user=chair,
        body=steering,
        starts_at=_at(day),
        ends_at=_at(day, 15),
        short_notice_confirmed=True,
        short_notice_reason="Brådskande beslut",
    )
    client.force_login(chair)
    page = client.get(reverse("meetings:meeting", args=[meeting.pk])).text
    assert "Kort varsel – kallelsen skickas snarast (skäl: Brådskande beslut)" in page
    assert "Kallelse senast" not in page
    ordinary = _planned(chair, steering)
    page = client.get(reverse("meetings:meeting", args=[ordinary.pk])).text
    assert "Kallelse senast" in page and "skickas snarast" not in page


def _notice_text(client, meeting) -> str:
    response = client.get(reverse("meetings:notice_docx", args=[meeting.pk]))
    return "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)


def test_the_notice_never_has_an_empty_place(client, chair, steering):
    client.force_login(chair)
    video = _planned(chair, steering, place="", video_link="https://meet.example.se/styrgrupp")
    text = _notice_text(client, video)
    assert "Videomöte: https://meet.example.se/styrgrupp" in text
    assert not re.search(r"^Plats:\s*$", text, re.M)
    unknown = _planned(chair, steering, days=60, place="")
    text = _notice_text(client, unknown)
    assert "Plats: Meddelas senare" in text
    page = client.get(reverse("meetings:meeting", args=[unknown.pk])).text
    assert "Meddelas senare" in page
