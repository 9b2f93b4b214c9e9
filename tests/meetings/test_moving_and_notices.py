"""Moving a meeting starts from its own time; a cancelled meeting says so and offers no notice; "ny kallelse" and
"flyttat" only where the members had a notice for the old time; the notice mail links to the meeting; a second
click on "Skicka kallelsen" or "Justera protokollet" is not an error."""

import datetime as dt
import logging
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from governance.core import calendar
from governance.core.calendar import next_working_day, working_days_after
from governance.core.models import AuditEvent
from governance.meetings import services, tasks
from governance.meetings.models import CooperationBody, Meeting, Membership
from tests.meetings.test_trial_findings import _drafted


@pytest.fixture
def steering(db):
    return CooperationBody.objects.get(slug="styrgrupp")


def _at(day: dt.date, hour=13, minute=0):
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def _soon() -> dt.date:
    """A working day too close for the steering group's five working days' notice."""
    return working_days_after(next_working_day(calendar.today() + dt.timedelta(days=1)), 1)


def _planned(chair, steering, days=40, start=(10, 30), end=(12, 15), **kwargs):
    day = calendar.today() + dt.timedelta(days=days)
    kwargs.setdefault("place", "Stadshuset")
    return services.meeting_create(
        acting_user=chair, body=steering, starts_at=_at(day, *start), ends_at=_at(day, *end), **kwargs
    )


def _section(page: str, heading: str) -> str:
    match = re.search(rf"<h3>{heading}</h3>.*?</section>", page, re.S)
    assert match, f"no section {heading!r} on the page"
    return match.group(0)


def _messages(page: str) -> str:
    match = re.search(r'<ul class="messages".*?</ul>', page, re.S)
    return match.group(0) if match else ""


# 1. Moving and replanning start from the meeting's own date, times and reason for short notice


def test_moving_starts_from_the_meetings_own_time(client, chair, steering):
    meeting = _planned(chair, steering)
    client.force_login(chair)
    form = _section(
        client.get(reverse("meetings:meeting", args=[meeting.pk])).text, "Flytta mötet till en ny tid"
    )
    assert f'value="{meeting.date.isoformat()}"' in form
    assert 'value="10:30"' in form and 'value="12:15"' in form
    assert 'value="13:00"' not in form and 'value="15:00"' not in form


def test_moving_a_short_notice_meeting_keeps_its_reason(client, chair, steering):
    day = _soon()
    meeting = services.meeting_create(
        acting_user=chair,
        body=steering,
        starts_at=_at(day, 9),
        ends_at=_at(day, 11),
        short_notice_confirmed=True,
        short_notice_reason="Brådskande beslut",
    )
    client.force_login(chair)
    form = _section(
        client.get(reverse("meetings:meeting", args=[meeting.pk])).text, "Flytta mötet till en ny tid"
    )
    assert 'value="Brådskande beslut"' in form
    assert 'value="09:00"' in form and 'value="11:00"' in form


def test_replanning_starts_from_the_meetings_own_time(client, chair, steering):
    meeting = _planned(chair, steering)
    services.meeting_postpone(acting_user=chair, meeting=meeting, reason="Lokalen")
    client.force_login(chair)
    form = _section(client.get(reverse("meetings:meeting", args=[meeting.pk])).text, "Ny tid")
    assert f'value="{meeting.date.isoformat()}"' in form
    assert 'value="10:30"' in form and 'value="12:15"' in form and 'value="Stadshuset"' in form


# 2. A cancelled meeting: its reason, no notice, and a message after cancelling or postponing


def test_a_cancelled_meeting_shows_why_and_offers_no_notice(client, chair, steering):
    day = _soon()
    meeting = services.meeting_create(
        acting_user=chair,
        body=steering,
        starts_at=_at(day),
        ends_at=_at(day, 15),
        short_notice_confirmed=True,
        short_notice_reason="Brådskande beslut",
    )
    client.force_login(chair)
    response = client.post(
        reverse("meetings:meeting_cancel", args=[meeting.pk]),
        {"reason": "Ordföranden är sjuk", "expected_state": "planned"},
        follow=True,
    )
    assert response.status_code == 200
    page = response.text
    assert "Mötet är inställt." in _messages(page)
    assert "Inställt: Ordföranden är sjuk" in page
    assert "kallelsen skickas snarast" not in page and "Kallelse senast" not in page
    assert reverse("meetings:notice_docx", args=[meeting.pk]) not in page
    assert client.get(reverse("meetings:notice_docx", args=[meeting.pk])).status_code == 404


def test_postponing_says_so(client, chair, steering):
    meeting = _planned(chair, steering)
    client.force_login(chair)
    response = client.post(
        reverse("meetings:meeting_postpone", args=[meeting.pk]),
        {"reason": "Lokalen", "expected_state": "planned"},
        follow=True,
    )
    assert "Mötet är uppskjutet." in _messages(response.text)


# 3. "Ny kallelse" and "flyttat" only where a notice had gone out for the old time; 4. the link in the mail


def _move(client, meeting, days=50):
    day = calendar.today() + dt.timedelta(days=days)
    return client.post(
        reverse("meetings:meeting_reschedule", args=[meeting.pk]),
        {
            "date": day.isoformat(),
            "start": "10:30",
            "end": "12:15",
            "reason": "Lokalen är upptagen",
            "expected_state": meeting.state,
        },
        follow=True,
    )


def _send_notice(meeting_id, capture) -> int:
    with capture(execute=True):
        return tasks.notice_send(meeting_id)


def test_moving_before_any_notice_plans_the_new_time_quietly(
    client, chair, steering, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://origo.example.se/"
    meeting = _planned(chair, steering)
    client.force_login(chair)
    response = _move(client, meeting)
    assert response.status_code == 200
    assert "Mötet har fått en ny tid." in _messages(response.text)
    assert "ny kallelse" not in response.text
    assert "flyttat från" in response.text  # the record on the page
    assert _send_notice(meeting.pk, django_capture_on_commit_callbacks) == 1
    (message,) = mail.outbox
    assert "flyttat" not in message.body
    assert f"https://origo.example.se/organ/moten/{meeting.pk}/" in message.body
    assert reverse("meetings:meeting", args=[meeting.pk]) == f"/organ/moten/{meeting.pk}/"


def test_moving_after_the_notice_asks_for_a_new_one(
    client, chair, steering, django_capture_on_commit_callbacks
):
    meeting = _planned(chair, steering)
    old = timezone.localtime(meeting.starts_at)
    assert _send_notice(meeting.pk, django_capture_on_commit_callbacks) == 1
    meeting.refresh_from_db()
    client.force_login(chair)
    response = _move(client, meeting)
    assert "Mötet är flyttat. Skicka en ny kallelse." in _messages(response.text)
    mail.outbox.clear()
    assert _send_notice(meeting.pk, django_capture_on_commit_callbacks) == 1
    (message,) = mail.outbox
    assert f"Mötet är flyttat från {old:%Y-%m-%d %H:%M}." in message.body
    # The kallelse downloaded afterwards says the same as the one that was sent.
    meeting.refresh_from_db()
    assert services.noticed_time_moved(meeting) == old


# 5. Two clicks: the task, the notice button and the justering button


def test_the_second_notice_task_does_nothing_quietly(
    chair, steering, caplog, django_capture_on_commit_callbacks
):
    meeting = _planned(chair, steering)
    stale = Meeting.objects.get(pk=meeting.pk)  # what a second, concurrent delivery read: still planned
    with caplog.at_level(logging.INFO, logger="governance.meetings"):
        assert _send_notice(meeting.pk, django_capture_on_commit_callbacks) == 1
        assert _send_notice(meeting.pk, django_capture_on_commit_callbacks) == 0
        events = AuditEvent.objects.count()
        # The race: the other delivery had read the meeting before the first one sent it.
        assert services.meeting_notice_send(acting_user=None, meeting=stale).state == "notice_sent"
    assert AuditEvent.objects.count() == events
    assert len(mail.outbox) == 1
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert any(r.levelno == logging.INFO and str(meeting.pk) in r.getMessage() for r in caplog.records)


def test_a_second_click_on_send_notice_says_it_was_sent(
    client, chair, steering, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(tasks.notice_send, "delay", lambda pk: tasks.notice_send(pk))
    meeting = _planned(chair, steering)
    client.force_login(chair)
    url = reverse("meetings:meeting_notice", args=[meeting.pk])
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, {"expected_state": "planned"})
    assert first.status_code == 302
    meeting.refresh_from_db()
    assert meeting.state == "notice_sent"
    events = AuditEvent.objects.count()
    second = client.post(url, {"expected_state": "planned"})  # the page the second click came from
    assert second.status_code == 302 and second["Location"] == reverse("meetings:meeting", args=[meeting.pk])
    page = client.get(second["Location"]).text
    assert "Kallelsen är redan skickad." in _messages(page)
    assert AuditEvent.objects.count() == events and len(mail.outbox) == 1


@pytest.mark.parametrize("last", [False, True])
def test_a_second_justering_says_it_is_done(client, chair, member, steering, last):
    seats = Membership.objects.active(calendar.today()).filter(body=steering).select_related("person")
    mikael = seats.get(person__user=member)
    anna = next(m for m in seats if m.person.full_name == "Anna Ahlström")
    meeting = _drafted(chair, steering, [mikael, anna])
    if last:  # the member's approval completes the justering: the meeting is no longer "drafted"
        services.minutes_approve(acting_user=chair, meeting=meeting)
        services.minutes_approval_record(
            acting_user=chair, meeting=meeting, membership_id=anna.pk, note="På papper"
        )
    client.force_login(member)
    url = reverse("meetings:meeting_approve", args=[meeting.pk])
    assert client.post(url, {"expected_state": "minutes_drafted"}).status_code == 302
    events = AuditEvent.objects.count()
    second = client.post(url, {"expected_state": "minutes_drafted"})
    assert second.status_code == 302 and second["Location"] == reverse("meetings:meeting", args=[meeting.pk])
    assert "Du har redan justerat den här versionen." in _messages(client.get(second["Location"]).text)
    assert AuditEvent.objects.count() == events
