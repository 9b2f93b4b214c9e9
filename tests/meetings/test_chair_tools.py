"""Issue 10, the chair's part: extra meetings at short notice, moving a meeting in one step, removing agenda
items, attendance from the start time, justering recorded for a member without a login, Swedish plurals."""

import datetime as dt
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from governance.core import calendar
from governance.core.calendar import next_working_day, working_days_after
from governance.core.models import AuditEvent
from governance.meetings import services
from governance.meetings.models import (
    AgendaItem,
    CooperationBody,
    Meeting,
    Membership,
    MinutesApproval,
)
from governance.meetings.services.planning import MAX_REASON
from tests.meetings.helpers import decide_standard_items, notice_delivered


@pytest.fixture
def steering(db):
    return CooperationBody.objects.get(slug="styrgrupp")


def _at(day: dt.date, hour=13):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def _soon() -> dt.date:
    """A working day too close for the steering group's five working days' notice."""
    return working_days_after(next_working_day(calendar.today() + dt.timedelta(days=1)), 1)


def _planned(chair, steering, days=40):
    day = calendar.today() + dt.timedelta(days=days)
    return services.meeting_create(
        acting_user=chair, body=steering, starts_at=_at(day), ends_at=_at(day, 15), place="Stadshuset"
    )


# 1. Extra meeting at short notice


def test_short_notice_is_a_warning_the_chair_confirms_with_a_reason(chair, steering):
    day = _soon()
    before = (Meeting.objects.count(), AuditEvent.objects.count())
    with pytest.raises(services.ShortNotice, match="Kallelsen hinner inte gå ut 5 arbetsdagar före mötet"):
        services.meeting_create(acting_user=chair, body=steering, starts_at=_at(day), ends_at=_at(day, 15))
    with pytest.raises(ValidationError, match="Ange skälet"):
        services.meeting_create(
            acting_user=chair,
            body=steering,
            starts_at=_at(day),
            ends_at=_at(day, 15),
            short_notice_confirmed=True,
        )
    with pytest.raises(ValidationError, match="högst 300 tecken"):
        services.meeting_create(
            acting_user=chair,
            body=steering,
            starts_at=_at(day),
            ends_at=_at(day, 15),
            short_notice_confirmed=True,
            short_notice_reason="x" * (MAX_REASON + 1),
        )
    assert (Meeting.objects.count(), AuditEvent.objects.count()) == before
    meeting = services.meeting_create(
        acting_user=chair,
        body=steering,
        starts_at=_at(day),
        ends_at=_at(day, 15),
        short_notice_confirmed=True,
        short_notice_reason="Akut fråga om lokalerna",
    )
    assert meeting.is_extra and meeting.short_notice_reason == "Akut fråga om lokalerna"
    event = AuditEvent.objects.filter(action="meeting.planned", object_id=str(meeting.pk)).get()
    assert event.payload["short_notice"]["confirmed"] is True
    assert event.payload["short_notice"]["reason"] == "Akut fråga om lokalerna"
    assert "Kallelsen hinner inte gå ut" in event.payload["short_notice"]["warning"]
    # The notice may still go out after the ordinary deadline, and the kallelse says why.
    context = services.notice_context(meeting)
    assert "Extra möte med kort varsel. Skäl: Akut fråga om lokalerna." in context["rsvp_note"]
    assert notice_delivered(chair, meeting).state == "notice_sent"


def test_an_ordinary_meeting_ignores_the_short_notice_fields(chair, steering):
    day = calendar.today() + dt.timedelta(days=40)
    meeting = services.meeting_create(
        acting_user=chair,
        body=steering,
        starts_at=_at(day),
        ends_at=_at(day, 15),
        short_notice_reason="behövs inte",
        short_notice_confirmed=True,
    )
    assert not meeting.is_extra and meeting.short_notice_reason == ""


def test_short_notice_on_the_body_page(client, chair, steering):
    client.force_login(chair)
    day = _soon()
    url = reverse("meetings:body_action", args=["styrgrupp", "meeting"])
    data = {"date": day.isoformat(), "start": "13:00", "end": "15:00", "place": "Stadshuset"}
    data["request_key"] = str(uuid.uuid4())  # the same page, sent until it is right
    before = (Meeting.objects.count(), AuditEvent.objects.count())
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Kallelsen hinner inte gå ut 5 arbetsdagar före mötet" in response.text
    assert 'name="short_notice_confirmed"' in response.text and 'name="short_notice_reason"' in response.text
    response = client.post(url, {**data, "short_notice_reason": "Brådskande beslut"})
    assert response.status_code == 400 and "Kallelsen hinner inte gå ut" in response.text
    response = client.post(url, {**data, "short_notice_confirmed": "on"})
    assert response.status_code == 400 and "Ange skälet" in response.text
    assert (Meeting.objects.count(), AuditEvent.objects.count()) == before
    response = client.post(
        url, {**data, "short_notice_confirmed": "on", "short_notice_reason": "Brådskande beslut"}
    )
    assert response.status_code == 302
    meeting = Meeting.objects.latest("pk")
    assert meeting.is_extra and meeting.short_notice_reason == "Brådskande beslut"
    page = client.get(reverse("meetings:meeting", args=[meeting.pk])).text
    assert "extra möte" in page and "Extra möte med kort varsel. Skäl: Brådskande beslut" in page
    assert "extra möte" in client.get(reverse("meetings:body_detail", args=["styrgrupp"])).text


def test_replan_to_a_short_notice_date_needs_confirmation(client, chair, steering):
    meeting = _planned(chair, steering)
    services.meeting_postpone(acting_user=chair, meeting=meeting, reason="Lokalen")
    day = _soon()
    client.force_login(chair)
    url = reverse("meetings:meeting_replan", args=[meeting.pk])
    data = {"date": day.isoformat(), "start": "10:00", "end": "12:00", "expected_state": "postponed"}
    events = AuditEvent.objects.count()
    response = client.post(url, data)
    assert response.status_code == 400 and "Kallelsen hinner inte gå ut" in response.text
    meeting.refresh_from_db()
    assert meeting.state == "postponed" and AuditEvent.objects.count() == events
    response = client.post(url, {**data, "short_notice_confirmed": "on", "short_notice_reason": "Ny lokal"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.state == "planned" and meeting.short_notice_reason == "Ny lokal"
    event = AuditEvent.objects.filter(action="meeting.replanned", object_id=str(meeting.pk)).latest("pk")
    assert event.payload["short_notice"]["reason"] == "Ny lokal"


# 2. Postpone to a new date in one step


def test_reschedule_moves_a_meeting_in_one_step(chair, steering, member):
    meeting = _planned(chair, steering)
    old = meeting.starts_at
    new_day = calendar.today() + dt.timedelta(days=60)
    with pytest.raises(PermissionDenied):
        services.meeting_reschedule(
            acting_user=member,
            meeting=meeting,
            starts_at=_at(new_day),
            ends_at=_at(new_day, 15),
            reason="Krockar",
        )
    with pytest.raises(ValidationError, match="Ange varför mötet flyttas"):
        services.meeting_reschedule(
            acting_user=chair, meeting=meeting, starts_at=_at(new_day), ends_at=_at(new_day, 15), reason=" "
        )
    notice_delivered(chair, meeting)
    services.rsvp_answer(acting_user=member, meeting=meeting, answer="attending")
    meeting = services.meeting_reschedule(
        acting_user=chair,
        meeting=meeting,
        starts_at=_at(new_day),
        ends_at=_at(new_day, 15),
        reason="Krockar med budgetberedningen",
        expected_state="notice_sent",
    )
    # A new notice is needed, and the answers to the old one no longer hold.
    assert meeting.notice_sent_at is None and not meeting.attendances.exclude(rsvp="").exists()
    assert meeting.state == "planned" and meeting.postponed_from == old and meeting.starts_at == _at(new_day)
    actions = list(
        AuditEvent.objects.filter(object_id=str(meeting.pk), action__startswith="meeting.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions[-2:] == ["meeting.postponed", "meeting.replanned"]
    postponed = AuditEvent.objects.filter(object_id=str(meeting.pk), action="meeting.postponed").get()
    assert postponed.payload["reason"] == "Krockar med budgetberedningen"
    replanned = AuditEvent.objects.filter(object_id=str(meeting.pk), action="meeting.replanned").get()
    assert replanned.payload["answers_cleared"] == 1 and replanned.source_state == "postponed"


def test_reschedule_on_the_page(client, chair, steering):
    meeting = _planned(chair, steering)
    client.force_login(chair)
    page = client.get(reverse("meetings:meeting", args=[meeting.pk])).text
    assert (
        "Flytta mötet till en ny tid" in page
        and reverse("meetings:meeting_reschedule", args=[meeting.pk]) in page
    )
    url = reverse("meetings:meeting_reschedule", args=[meeting.pk])
    new_day = calendar.today() + dt.timedelta(days=60)
    data = {"date": new_day.isoformat(), "start": "09:00", "end": "11:00", "expected_state": "planned"}
    events = AuditEvent.objects.count()
    assert client.post(url, data).status_code == 400  # no reason
    response = client.post(url, {**data, "date": _soon().isoformat(), "reason": "Sjukdom"})
    assert response.status_code == 400 and "Kallelsen hinner inte gå ut" in response.text
    meeting.refresh_from_db()
    assert (
        meeting.state == "planned" and meeting.postponed_from is None and AuditEvent.objects.count() == events
    )
    assert client.post(url, {**data, "reason": "Sjukdom"}).status_code == 302
    page = client.get(reverse("meetings:meeting", args=[meeting.pk])).text
    old = timezone.localtime(meeting.starts_at)
    assert f"flyttat från {old:%Y-%m-%d %H:%M}" in page
    assert (
        f"flyttat från {old:%Y-%m-%d}" in client.get(reverse("meetings:body_detail", args=["styrgrupp"])).text
    )


# 3. Removing agenda items


def test_agenda_item_remove_renumbers_and_protects_the_standard_items(chair, member, steering):
    meeting = _planned(chair, steering)
    first = services.agenda_item_add(acting_user=chair, meeting=meeting, title="Budget")
    services.agenda_item_add(acting_user=chair, meeting=meeting, title="Lokaler")
    with pytest.raises(PermissionDenied):
        services.agenda_item_remove(acting_user=member, item=first)
    opening = meeting.items.get(standard_key="opening")
    with pytest.raises(ValidationError, match="kan inte tas bort"):
        services.agenda_item_remove(acting_user=chair, item=opening)
    services.agenda_item_remove(acting_user=chair, item=first)
    items = list(meeting.items.order_by("position"))
    assert [i.position for i in items] == list(range(1, len(items) + 1))
    assert "Budget" not in [i.title for i in items] and "Lokaler" in [i.title for i in items]
    event = AuditEvent.objects.filter(action="agenda.item_removed").latest("pk")
    assert event.payload["title"] == "Budget" and event.object_id == str(meeting.pk)
    # Previous minutes (a standard item, but not needed at every meeting) may go.
    services.agenda_item_remove(acting_user=chair, item=meeting.items.get(standard_key="previous_minutes"))


def test_no_item_is_removed_once_the_meeting_is_held(chair, steering):
    meeting = _planned(chair, steering)
    item = services.agenda_item_add(acting_user=chair, meeting=meeting, title="Budget")
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=meeting.starts_at - dt.timedelta(days=80), ends_at=meeting.ends_at - dt.timedelta(days=80)
    )
    services.meeting_hold(acting_user=chair, meeting=meeting)
    with pytest.raises(ValidationError, match="innan mötet hålls"):
        services.agenda_item_remove(acting_user=chair, item=item)
    assert AgendaItem.objects.filter(pk=item.pk).exists()


def test_remove_and_move_on_the_page(client, chair, member, steering):
    meeting = _planned(chair, steering)
    item = services.agenda_item_add(acting_user=chair, meeting=meeting, title="Budget")
    client.force_login(chair)
    page = client.get(reverse("meetings:meeting", args=[meeting.pk])).text
    assert reverse("meetings:meeting_item_remove", args=[meeting.pk]) in page
    assert reverse("meetings:meeting_move", args=[meeting.pk]) in page and "Ta bort Budget" in page
    assert "Ta bort Mötets öppnande" not in page
    url = reverse("meetings:meeting_item_remove", args=[meeting.pk])
    opening = meeting.items.get(standard_key="opening")
    events = AuditEvent.objects.count()
    response = client.post(url, {"item": opening.pk})
    assert response.status_code == 400 and "kan inte tas bort" in response.text
    assert client.post(url, {"item": "abc"}).status_code == 400
    assert AuditEvent.objects.count() == events
    client.force_login(member)
    assert client.post(url, {"item": item.pk}).status_code == 403
    client.force_login(chair)
    assert client.post(url, {"item": item.pk}).status_code == 302
    assert not AgendaItem.objects.filter(pk=item.pk).exists()


# 4. Attendance from the start time


def _today_meeting(chair, steering, starts_at):
    meeting = _planned(chair, steering)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=2)
    )
    meeting.refresh_from_db()
    return meeting


def _statuses(meeting):
    members = Membership.objects.active(meeting.date).filter(body=meeting.body)
    return {m.pk: ("present", None) for m in members if m.role in ("chair", "member")}


def test_attendance_is_recorded_from_the_start_time(client, chair, steering):
    later = _today_meeting(chair, steering, timezone.now() + dt.timedelta(minutes=30))
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="Närvaron registreras från mötets start"):
        services.attendance_record(acting_user=chair, meeting=later, statuses=_statuses(later))
    assert not later.attendances.exists() and AuditEvent.objects.count() == events
    client.force_login(chair)
    page = client.get(reverse("meetings:meeting", args=[later.pk])).text
    assert "Spara närvaron" not in page
    response = client.post(reverse("meetings:meeting_attendance", args=[later.pk]), {})
    assert response.status_code == 400 and "Närvaron registreras från mötets start" in response.text

    started = _today_meeting(chair, steering, timezone.now() - dt.timedelta(minutes=5))
    page = client.get(reverse("meetings:meeting", args=[started.pk])).text
    assert "Spara närvaron" in page
    members = Membership.objects.active(started.date).filter(body=steering, role__in=["chair", "member"])
    present = list(members)[:7]
    data = {f"status_{m.pk}": "present" for m in present}
    response = client.post(reverse("meetings:meeting_attendance", args=[started.pk]), data)
    assert response.status_code == 302
    started.refresh_from_db()
    assert (started.quorum_present, started.quorum_required) == (7, 6)
    assert AuditEvent.objects.filter(action="meeting.attendance_recorded", object_id=str(started.pk)).exists()
    page = client.get(reverse("meetings:meeting", args=[started.pk])).text
    assert "Beslutfört: 7 närvarande, 6 krävs<" in page


# 5. Justering recorded for a member without a login


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


def _seat(steering, username=None, name=None):
    members = Membership.objects.active(calendar.today()).filter(body=steering).select_related("person")
    if username:
        return members.get(person__user__username=username)
    return next(m for m in members if m.person.full_name == name)


def test_chair_records_the_justering_of_a_member_without_login(client, chair, member, steering):
    anna = _seat(steering, name="Anna Ahlström")
    mikael = _seat(steering, username="ledamot")
    meeting = _drafted(chair, steering, [anna, mikael])
    with pytest.raises(PermissionDenied):
        services.minutes_approval_record(
            acting_user=member, meeting=meeting, membership_id=anna.pk, note="På papper"
        )
    with pytest.raises(ValidationError, match="kan logga in och justerar själv"):
        services.minutes_approval_record(
            acting_user=chair, meeting=meeting, membership_id=mikael.pk, note="På papper"
        )
    with pytest.raises(ValidationError, match="anteckning"):
        services.minutes_approval_record(acting_user=chair, meeting=meeting, membership_id=anna.pk, note=" ")
    with pytest.raises(ValidationError, match="högst 300"):
        services.minutes_approval_record(
            acting_user=chair, meeting=meeting, membership_id=anna.pk, note="x" * 301
        )
    assert not MinutesApproval.objects.filter(membership=anna).exists()

    client.force_login(chair)
    page = client.get(reverse("meetings:meeting", args=[meeting.pk])).text
    assert "Registrera justering för en ledamot utan inloggning" in page and "Anna Ahlström" in page
    url = reverse("meetings:meeting_approval_record", args=[meeting.pk])
    events = AuditEvent.objects.count()
    assert client.post(url, {"membership": anna.pk, "note": ""}).status_code == 400
    assert client.post(url, {"membership": mikael.pk, "note": "x"}).status_code == 400
    assert AuditEvent.objects.count() == events
    response = client.post(
        url,
        {"membership": anna.pk, "note": "Justerat på papper 2026-11-20", "expected_state": "minutes_drafted"},
    )
    assert response.status_code == 302
    approval = MinutesApproval.objects.get(membership=anna)
    assert approval.recorded_by == chair and approval.note == "Justerat på papper 2026-11-20"
    event = AuditEvent.objects.filter(action="minutes.approval_recorded").latest("pk")
    assert event.actor_id == chair.pk and event.payload["on_behalf_of"] == "Anna Ahlström"
    assert event.payload["note"] == "Justerat på papper 2026-11-20"
    page = client.get(reverse("meetings:meeting", args=[meeting.pk])).text
    assert (
        "registrerad av Sara Stålhammar (ordforande) för Anna Ahlström: Justerat på papper 2026-11-20" in page
    )
    assert "Registrera justering för en ledamot utan inloggning" not in page  # nobody left without a login
    # The chair and Mikael approve themselves; then the minutes are justerade.
    services.minutes_approve(acting_user=chair, meeting=meeting)
    meeting = services.minutes_approve(acting_user=member, meeting=meeting)
    assert meeting.state == "minutes_approved"


def test_the_last_approval_recorded_by_the_chair_completes_the_justering(chair, member, steering):
    anna = _seat(steering, name="Anna Ahlström")
    mikael = _seat(steering, username="ledamot")
    meeting = _drafted(chair, steering, [anna, mikael])
    services.minutes_approve(acting_user=chair, meeting=meeting)
    services.minutes_approve(acting_user=member, meeting=meeting)
    meeting = services.minutes_approval_record(
        acting_user=chair, meeting=meeting, membership_id=anna.pk, note="Per e-post"
    )
    assert meeting.state == "minutes_approved"
    with pytest.raises(ValidationError):
        services.minutes_approval_record(
            acting_user=chair, meeting=meeting, membership_id=anna.pk, note="igen"
        )


# 6. Wording


def test_swedish_plurals_on_the_body_page(client, chair, steering):
    client.force_login(chair)
    text = client.get(reverse("meetings:body_detail", args=["styrgrupp"])).text
    assert "4 möten per år." in text and "Skapa årets 4 möten" in text
    forum = client.get(reverse("meetings:body_detail", args=["referensforum"])).text
    assert "1 möte per år." in forum and "1 möten" not in forum and "Skapa årets möte" in forum


#: Field names that are the same word in Swedish (their verbose_name is set and equals the name).
SAME_IN_SWEDISH = {"person", "version", "organisation"}


def test_every_meetings_field_in_the_admin_has_a_swedish_name():
    from django.apps import apps
    from django.contrib import admin

    missing = []
    for model in apps.get_app_config("meetings").get_models():
        if model not in admin.site._registry:
            continue
        for field in model._meta.concrete_fields:
            explicit = field.verbose_name != field.name.replace("_", " ")
            if field.name != "id" and not explicit and field.name not in SAME_IN_SWEDISH:
                missing.append(f"{model.__name__}.{field.name}")
    assert missing == []


def test_the_daily_job_sends_a_short_notice_meetings_notice_at_once(
    chair, steering, django_capture_on_commit_callbacks
):
    from django.core import mail

    day = _soon()
    meeting = services.meeting_create(
        acting_user=chair,
        body=steering,
        starts_at=_at(day),
        ends_at=_at(day, 15),
        short_notice_confirmed=True,
        short_notice_reason="Akut lokalfråga",
    )
    with django_capture_on_commit_callbacks(execute=True):
        counts = services.notices_send_due()
    meeting.refresh_from_db()
    assert counts["queued"] >= 1 and meeting.state == "notice_sent"
    assert any("Extra möte med kort varsel. Skäl: Akut lokalfråga" in m.body for m in mail.outbox)


def test_the_kallelse_says_the_meeting_is_extra_and_moved(client, chair, steering):
    import io

    from docx import Document

    meeting = _planned(chair, steering)
    old = timezone.localtime(meeting.starts_at).date()
    meeting = notice_delivered(chair, meeting)  # the members knew the old time
    meeting = services.meeting_reschedule(
        acting_user=chair,
        meeting=meeting,
        starts_at=_at(_soon()),
        ends_at=_at(_soon(), 15),
        reason="Lokalen är upptagen",
        short_notice_confirmed=True,
        short_notice_reason="Budgeten måste beslutas före årsskiftet",
    )
    client.force_login(chair)
    response = client.get(reverse("meetings:notice_docx", args=[meeting.pk]))
    assert response["Content-Disposition"] == (
        f'attachment; filename="kallelse-styrgruppen-for-origo-{meeting.date}.docx"'
    )
    content = response.content
    text = "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
    assert "Extra möte med kort varsel. Skäl: Budgeten måste beslutas före årsskiftet." in text
    from governance.core.formatting import format_date_long

    assert f"Mötet är flyttat från {format_date_long(old)}." in text


def test_the_annual_plan_skips_dates_too_close_for_the_notice(chair, steering, monkeypatch):
    year = calendar.today().year + 1
    # The day before the February meeting's notice deadline has passed (second Tuesday from 8 February).
    february = calendar.first_working_weekday_from(dt.date(year, 2, 8), 1)
    monkeypatch.setattr(calendar, "today", lambda: february - dt.timedelta(days=2))
    planned = services.meetings_plan_year(acting_user=chair, body=steering, year=year)
    assert [timezone.localtime(m.starts_at).month for m in planned] == [5, 9, 11]


def test_replan_takes_the_new_place_too(client, chair, steering):
    meeting = _planned(chair, steering)
    services.meeting_postpone(acting_user=chair, meeting=meeting, reason="Lokalen")
    day = calendar.today() + dt.timedelta(days=60)
    client.force_login(chair)
    response = client.post(
        reverse("meetings:meeting_replan", args=[meeting.pk]),
        {
            "date": day.isoformat(),
            "start": "10:00",
            "end": "12:00",
            "place": "Stadshuset, rum 2",
            "video_link": "",
            "expected_state": "postponed",
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.state == "planned" and meeting.place == "Stadshuset, rum 2"
    event = AuditEvent.objects.filter(action="meeting.replanned", object_id=str(meeting.pk)).latest("pk")
    assert event.payload["place"]["after"] == "Stadshuset, rum 2"
