"""Meetings: plan, agenda, notice deadline, quorum, § numbering, approval freezing, small-cell suppression."""

import datetime as dt
import io
import zoneinfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from docx import Document

from governance.core import calendar
from governance.core.formatting import format_date_long
from governance.core.models import AuditEvent
from governance.meetings import services
from governance.meetings.models import AgendaItem, CooperationBody, Meeting, Membership
from governance.meetings.services.minutes import current_version
from tests.meetings.helpers import decide_standard_items

TZ = zoneinfo.ZoneInfo("Europe/Stockholm")


@pytest.fixture
def steering(db):
    return CooperationBody.objects.get(slug="styrgrupp")


def _at(day: dt.date, hour=13):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


def _future_meeting(steering, chair, days=40):
    day = calendar.today() + dt.timedelta(days=days)
    return services.meeting_create(
        acting_user=chair, body=steering, starts_at=_at(day), ends_at=_at(day, 15), place="Stadshuset"
    )


def _text(content: bytes) -> str:
    """The document's text; the no-break spaces that keep "§ 13" and "6 000 000 kr" together read as spaces."""
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [" | ".join(c.text for c in row.cells) for row in table.rows]
    return "\n".join(parts).replace("\u00a0", " ")


def _as_held(meeting):
    """Move a planned meeting into the past and mark it held (what the calendar does to every meeting)."""
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=meeting.starts_at - dt.timedelta(days=80), ends_at=meeting.ends_at - dt.timedelta(days=80)
    )
    meeting.refresh_from_db()
    return meeting


def test_annual_plan_on_working_days(chair, steering):
    year = calendar.today().year + 1
    meetings = services.meetings_plan_year(acting_user=chair, body=steering, year=year, place="Origo")
    assert len(meetings) == 4
    for meeting in meetings:
        local = timezone.localtime(meeting.starts_at)
        assert local.weekday() == 1 and local.hour == 13
        assert [i.title for i in meeting.items.all()] == [
            "Mötets öppnande",
            "Val av justerare",
            "Godkännande av dagordningen",
            "Föregående protokoll",
            "Övriga frågor",
            "Mötets avslutande",
        ]
    with pytest.raises(ValidationError, match="redan planerade"):
        services.meetings_plan_year(acting_user=chair, body=steering, year=year)


def test_only_chair_or_secretary_plan(member, steering):
    with pytest.raises(PermissionDenied):
        _future_meeting(steering, member)


def test_a_meeting_in_the_past_is_refused(chair, steering):
    yesterday = calendar.today() - dt.timedelta(days=1)
    before = Meeting.objects.count()
    with pytest.raises(ValidationError, match="förflutna"):
        services.meeting_create(
            acting_user=chair, body=steering, starts_at=_at(yesterday), ends_at=_at(yesterday, 15)
        )
    assert Meeting.objects.count() == before


def test_agenda_items_go_before_the_closing_items_and_move(chair, steering):
    meeting = _future_meeting(steering, chair)
    item = services.agenda_item_add(
        acting_user=chair,
        meeting=meeting,
        title="Verksamhetsplan",
        kind="decision",
        presenter="Verksamhetschefen",
        minutes_allotted=20,
    )
    titles = [i.title for i in meeting.items.all()]
    assert titles[-3:] == ["Verksamhetsplan", "Övriga frågor", "Mötets avslutande"]
    services.agenda_item_move(acting_user=chair, item=item, direction="up")
    assert [i.title for i in meeting.items.all()][3:5] == ["Verksamhetsplan", "Föregående protokoll"]


def test_adoption_summary_item_has_the_summary_as_its_paper(chair, steering):
    from governance.decisions.models import Recommendation

    meeting = _future_meeting(steering, chair)
    recommendation = Recommendation.objects.get(slug="origo-2016")
    item = services.agenda_paper_add(
        acting_user=chair, meeting=meeting, provider_key="adoption_summary", source_id=recommendation.pk
    )
    assert item.title == "Läget i kommunernas anslutning"
    assert item.source == recommendation and item.description == f"Lägesrapport om {recommendation.title}."
    with item.paper.open("rb") as handle:
        text = _text(handle.read())
    assert "Läget i kommunernas anslutning: Förlängning av avtalet om Origo" in text
    assert "Försenade: 6" in text and "Sollentuna | Under beslut (försenad)" in text
    assert AuditEvent.objects.filter(action="agenda.item_added", object_id=str(item.pk)).exists()
    with pytest.raises(ValidationError, match="Okänd sorts handling"):
        services.agenda_paper_add(acting_user=chair, meeting=meeting, provider_key="nope", source_id=1)
    with pytest.raises(ValidationError, match="Välj vad handlingen ska gälla"):
        services.agenda_paper_add(
            acting_user=chair, meeting=meeting, provider_key="adoption_summary", source_id=10**9
        )


def test_carried_over_items_keep_their_source(chair, steering):
    from governance.decisions.models import Recommendation

    first = _future_meeting(steering, chair, days=40)
    recommendation = Recommendation.objects.get(slug="origo-2016")
    item = services.agenda_paper_add(
        acting_user=chair, meeting=first, provider_key="adoption_summary", source_id=recommendation.pk
    )
    AgendaItem.objects.filter(pk=item.pk).update(is_open=True)
    second = _future_meeting(steering, chair, days=70)
    (carried,) = services.agenda_carry_over(acting_user=chair, meeting=second)
    assert carried.carried_from_id == item.pk and carried.source == recommendation


def test_notice_deadline_respects_holidays(chair, steering):
    # A meeting on Thursday 8 January 2026: five working days back skips trettondedagen (6 Jan), nyårsdagen,
    # nyårsafton and the weekend → Monday 29 December 2025.
    meeting = Meeting(body=steering, starts_at=_at(dt.date(2026, 1, 8)), ends_at=_at(dt.date(2026, 1, 8), 15))
    assert services.notice_deadline(meeting) == dt.date(2025, 12, 29)


def test_notice_is_sent_once_with_agenda_and_invitation(chair, steering, django_capture_on_commit_callbacks):
    meeting = _future_meeting(steering, chair)
    services.agenda_item_add(acting_user=chair, meeting=meeting, title="Budget 2027", kind="decision")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_notice_send(acting_user=chair, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.state == "notice_sent"
    message = mail.outbox[-1]
    assert message.subject == f"Kallelse: Styrgruppen för Origo {format_date_long(meeting.date)}"
    assert "Du kallas till Styrgruppen för Origo" in message.body and "kl. 13.00, Stadshuset." in message.body
    assert "&" not in message.body  # plain text, not HTML-escaped
    names = [a[0] for a in message.attachments]
    assert "kallelse.docx" in names and "mote.ics" in names
    recipients = set(message.bcc)
    assert "sara.stalhammar@stockholm.example" in recipients and "mikael.berg@botkyrka.example" in recipients
    docx = next(a[1] for a in message.attachments if a[0] == "kallelse.docx")
    text = _text(docx)
    assert (
        "KALLELSE" in text
        and "Styrgruppen för Origo" in text
        and "Budget 2027" in text
        and "Mötets öppnande" in text
    )
    ics = next(a[1] for a in message.attachments if a[0] == "mote.ics")
    assert "BEGIN:VEVENT" in (ics.decode() if isinstance(ics, bytes) else ics)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_notice_send(acting_user=chair, meeting=meeting)  # again: nothing
    assert len(mail.outbox) == 1
    assert (
        meeting.attendances.count() == Membership.objects.active(meeting.date).filter(body=steering).count()
    )


def test_the_first_possible_day_counts_working_days_from_the_next_working_day(steering, monkeypatch):
    from governance.meetings.services import planning

    monkeypatch.setattr(calendar, "today", lambda: dt.date(2026, 1, 3))  # a Saturday
    # From Monday 5 January: trettondedagen (6 Jan) is skipped, so five working days ahead is Tuesday 13 January,
    # whose notice deadline (Monday 5 January) is still ahead.
    assert planning._first_possible_day(steering) == dt.date(2026, 1, 13)
    assert calendar.working_days_before(dt.date(2026, 1, 13), steering.notice_working_days) >= dt.date(
        2026, 1, 3
    )
    assert calendar.working_days_before(dt.date(2026, 1, 12), steering.notice_working_days) < dt.date(
        2026, 1, 3
    )


def test_a_meeting_without_time_for_the_notice_is_refused(chair, steering):
    day = calendar.today() + dt.timedelta(days=2)
    with pytest.raises(ValidationError, match="Kallelsen hinner inte gå ut"):
        services.meeting_create(acting_user=chair, body=steering, starts_at=_at(day), ends_at=_at(day, 15))


def test_a_notice_after_the_deadline_is_refused(chair, steering):
    meeting = _future_meeting(steering, chair)
    soon = calendar.today() + dt.timedelta(days=3)  # the date moved (e.g. by the admin) after planning
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=_at(soon), ends_at=_at(soon, 15))
    meeting.refresh_from_db()
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="För sent: kallelsen skulle ha skickats senast"):
        services.meeting_notice_send(acting_user=chair, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.state == "planned" and AuditEvent.objects.count() == before
    with pytest.raises(ValidationError, match="För sent"):
        services.meeting_notice_request(acting_user=chair, meeting=meeting)


def test_notice_request_enqueues_on_commit(chair, steering, django_capture_on_commit_callbacks, monkeypatch):
    from governance.core import tasks as core_tasks
    from governance.core.models import OutgoingMail
    from governance.meetings import tasks

    enqueued = []
    monkeypatch.setattr(core_tasks.mail_deliver, "delay", enqueued.append)
    meeting = _future_meeting(steering, chair)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_notice_request(acting_user=chair, meeting=meeting)
    row = OutgoingMail.objects.get(purpose_key=f"notice:meeting:{meeting.pk}:v1")
    assert enqueued == [row.pk]  # the outbox's delivery, after the commit
    meeting.refresh_from_db()
    assert meeting.state == "planned"  # not "kallelse skickad" before the mail has gone out
    assert tasks.notice_send(meeting.pk) == 0  # the old task finds the notice queued: nothing more
    assert core_tasks.mail_deliver(row.pk) == "sent"  # the task body: one notice sent
    assert core_tasks.mail_deliver(row.pk) == "skipped"  # delivered twice: still one notice
    meeting.refresh_from_db()
    assert meeting.state == "notice_sent" and len([m for m in mail.outbox if m.bcc]) == 1


def _members(steering, on):
    return {
        m.person.full_name: m
        for m in Membership.objects.active(on).filter(body=steering).select_related("person")
    }


def test_quorum_counts_deputies_standing_in(chair, steering, ksl_officer):
    meeting = _future_meeting(steering, chair)
    meeting = _as_held(meeting)
    members = _members(steering, meeting.date)
    # Nine voting seats (chair, KSL, six municipal, police, region = 10? count them) → required = seats // 2 + 1.
    voting = [m for m in members.values() if m.role in ("chair", "vice_chair", "member")]
    required = len(voting) // 2 + 1
    from governance.parties.models import Organisation, Person

    haninge = Organisation.objects.get(municipality_code="0136")
    deputy_person = Person.objects.create(first_name="Ersa", last_name="Ersättare", organisation=haninge)
    deputy = services.membership_add(
        acting_user=ksl_officer,
        body=steering,
        person=deputy_person,
        organisation=haninge,
        role="deputy",
        valid_from=meeting.date,
        appointed_by=Organisation.objects.get(kind="association"),
    )
    present = voting[: required - 1]
    absent = voting[required - 1]
    statuses = {m.pk: ("present", None) for m in present}
    statuses[absent.pk] = ("absent", None)
    meeting = services.attendance_record(acting_user=chair, meeting=meeting, statuses=statuses)
    assert (meeting.quorum_present, meeting.quorum_required) == (required - 1, required)
    statuses[deputy.pk] = ("substitute", absent.pk)
    meeting = services.attendance_record(acting_user=chair, meeting=meeting, statuses=statuses)
    assert meeting.quorum_present == required
    with pytest.raises(ValidationError, match="är inte ersättare"):
        services.attendance_record(
            acting_user=chair, meeting=meeting, statuses={present[0].pk: ("substitute", absent.pk)}
        )


def _hold_with_quorum(meeting, chair, steering):
    meeting = _as_held(meeting)
    members = _members(steering, meeting.date)
    statuses = {
        m.pk: ("present", None)
        for m in members.values()
        if m.role in ("chair", "vice_chair", "member", "secretary")
    }
    services.attendance_record(acting_user=chair, meeting=meeting, statuses=statuses)
    return services.meeting_hold(acting_user=chair, meeting=meeting), members


def test_decisions_need_the_quorum_shown_first(chair, steering):
    meeting = _future_meeting(steering, chair)
    item = services.agenda_item_add(acting_user=chair, meeting=meeting, title="Budget", kind="decision")
    meeting = services.meeting_hold(acting_user=chair, meeting=_as_held(meeting))
    with pytest.raises(ValidationError, match="beslutförheten ska visas innan"):
        services.item_outcome_record(
            acting_user=chair, item=item, outcome="Styrgruppen beslutar att fastställa budgeten."
        )


def _draft(meeting, chair, members):
    checkers = [members["Mikael Berg"].pk, members["Karin Lindqvist"].pk]
    decide_standard_items(chair, meeting)
    return services.minutes_draft(acting_user=chair, meeting=meeting, checker_ids=checkers)


def test_paragraphs_are_numbered_through_the_year_and_restart_next_year(chair, steering):
    year = calendar.today().year + 1
    first = services.meeting_create(
        acting_user=chair,
        body=steering,
        starts_at=_at(dt.date(year, 3, 10)),
        ends_at=_at(dt.date(year, 3, 10), 15),
    )
    second = services.meeting_create(
        acting_user=chair,
        body=steering,
        starts_at=_at(dt.date(year, 11, 10)),
        ends_at=_at(dt.date(year, 11, 10), 15),
    )
    third = services.meeting_create(
        acting_user=chair,
        body=steering,
        starts_at=_at(dt.date(year + 1, 2, 9)),
        ends_at=_at(dt.date(year + 1, 2, 9), 15),
    )
    for meeting in (first, second, third):
        Meeting.objects.filter(pk=meeting.pk).update(
            starts_at=meeting.starts_at.replace(year=meeting.starts_at.year - 3),
            ends_at=meeting.ends_at.replace(year=meeting.ends_at.year - 3),
        )
    results = []
    for meeting in (first, second, third):
        members = _members(steering, calendar.today())
        statuses = {m.pk: ("present", None) for m in members.values() if m.role in ("chair", "member")}
        services.attendance_record(acting_user=chair, meeting=meeting, statuses=statuses)
        meeting = services.meeting_hold(acting_user=chair, meeting=meeting)
        _draft(meeting, chair, members)
        results.append(list(meeting.items.values_list("paragraph", flat=True)))
    assert results[0] == [1, 2, 3, 4, 5, 6]
    assert results[1] == [7, 8, 9, 10, 11, 12]
    assert results[2] == [1, 2, 3, 4, 5, 6]


def test_minutes_approval_freezes_and_a_correction_is_a_new_version(
    chair, steering, member, ksl_officer, ekero_clerk
):
    meeting = _future_meeting(steering, chair)
    item = services.agenda_item_add(acting_user=chair, meeting=meeting, title="Budget 2027", kind="decision")
    meeting, members = _hold_with_quorum(meeting, chair, steering)
    services.item_outcome_record(
        acting_user=chair,
        item=item,
        outcome="Styrgruppen beslutar att fastställa budgeten.",
        conflicts=[members["Karin Lindqvist"].pk],
    )
    meeting = _draft(meeting, chair, members)
    version = current_version(meeting)
    with version.file.open("rb") as handle:
        text = _text(handle.read())
    assert "PROTOKOLL" in text and "Styrgruppen beslutar att fastställa budgeten." in text
    assert "Jäv anmäldes av Karin Lindqvist" in text
    checker_line = next(
        line for line in text.splitlines() if line.startswith("Justerare: ") and " och " in line
    )
    assert "Mikael Berg" in checker_line and "Karin Lindqvist" in checker_line
    assert f"§ {item.__class__.objects.get(pk=item.pk).paragraph} Budget 2027" in text

    with pytest.raises(PermissionDenied, match="Endast ordföranden och de valda justerarna"):
        services.minutes_approve(acting_user=ekero_clerk, meeting=meeting)
    for user in (chair, member):
        services.minutes_approve(acting_user=user, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.state == "minutes_drafted"  # one checker left
    services.minutes_approve(acting_user=ksl_officer, meeting=meeting)
    meeting.refresh_from_db()
    version.refresh_from_db()
    assert meeting.state == "minutes_approved" and version.is_frozen
    assert version.approvals.count() == 3
    frozen_name = version.file.name

    with pytest.raises(ValidationError, match="Beslut och anteckningar förs"):
        services.item_outcome_record(acting_user=chair, item=item, outcome="Ändrat i efterhand")
    with pytest.raises(ValidationError, match="Ange skälet"):
        services.minutes_correct(acting_user=chair, meeting=meeting, reason="")
    meeting = services.minutes_correct(acting_user=chair, meeting=meeting, reason="Fel datum i § 3.")
    assert meeting.state == "minutes_drafted" and current_version(meeting).version == 2
    version.refresh_from_db()
    assert version.is_frozen and version.file.name == frozen_name

    extract = services.extract_render(
        meeting=meeting, paragraph=item.__class__.objects.get(pk=item.pk).paragraph
    )
    assert "PROTOKOLLSUTDRAG" in _text(extract) and "Budget 2027" in _text(extract)


def test_minutes_without_quorum_recorded_are_refused(chair, steering):
    meeting = services.meeting_hold(acting_user=chair, meeting=_as_held(_future_meeting(steering, chair)))
    with pytest.raises(ValidationError, match="Registrera närvaron och beslutförheten"):
        services.minutes_draft(acting_user=chair, meeting=meeting, checker_ids=[1, 2])


def test_carry_over_open_items(chair, steering):
    # No other meeting (e.g. a demo meeting from ``load_origo``) may lie between the two.
    Meeting.objects.filter(body=steering, is_demo_data=True).delete()
    first = _future_meeting(steering, chair, days=30)
    item = services.agenda_item_add(acting_user=chair, meeting=first, title="Lokalfrågan", kind="discussion")
    _hold_with_quorum(first, chair, steering)
    services.item_outcome_record(acting_user=chair, item=item, outcome="Diskuterades.", is_open=True)
    second = _future_meeting(steering, chair, days=60)
    carried = services.agenda_carry_over(acting_user=chair, meeting=second)
    assert [i.title for i in carried] == ["Lokalfrågan"] and carried[0].carried_from_id == item.pk
    with pytest.raises(ValidationError, match="inga öppna frågor"):
        services.agenda_carry_over(acting_user=chair, meeting=second)


def test_small_cells_are_suppressed(host_admin):
    report = services.followup_report_record(
        acting_user=host_admin,
        year=2025,
        quarter=1,
        figures=[
            ("gender", "Flickor/unga kvinnor", 23),
            ("gender", "Pojkar/unga män", 4),
            ("municipality", "Danderyd", 0),
        ],
    )
    assert [services.suppressed(f.value) for f in report.figures.all()] == ["23", "<5", "<5"]
    with pytest.raises(ValidationError, match="Kvartalet ska vara 1–4"):
        services.followup_report_record(acting_user=host_admin, year=2025, quarter=5, figures=[])


def test_ical_feed_content(chair, steering):
    from governance.meetings.ical import calendar_for

    meeting = _future_meeting(steering, chair)
    text = calendar_for([meeting], name="Styrgruppen").decode()
    assert (
        "SUMMARY:Styrgruppen för Origo" in text
        and f"UID:meeting-{meeting.pk}@" in text
        and "LOCATION:Stadshuset" in text
    )


def test_import_followup_command(db, tmp_path, capsys):
    from django.core.management import CommandError, call_command

    good = tmp_path / "q.csv"
    good.write_text(
        "category;label;value\ngender;Flickor/unga kvinnor;23\ngender;Pojkar/unga män;2\n", encoding="utf-8"
    )
    call_command("import_followup", str(good), "--year", "2025", "--quarter", "3")
    assert "Pojkar/unga män <5" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("category;label;value\ngender;X;många\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Rad 2"):
        call_command("import_followup", str(bad), "--year", "2025", "--quarter", "4")


def test_postpone_and_replan(chair, steering):
    meeting = _future_meeting(steering, chair)
    with pytest.raises(ValidationError, match="Ange varför"):
        services.meeting_postpone(acting_user=chair, meeting=meeting, reason="")
    meeting = services.meeting_postpone(acting_user=chair, meeting=meeting, reason="Ordföranden är sjuk.")
    assert meeting.state == "postponed"
    day = calendar.today() + dt.timedelta(days=70)
    meeting = services.meeting_replan(
        acting_user=chair, meeting=meeting, starts_at=_at(day), ends_at=_at(day, 15)
    )
    meeting.refresh_from_db()
    # Two changes the calendars show: postponed (not at its time), then the new time.
    assert meeting.state == "planned" and meeting.date == day and meeting.ical_sequence == 2
    assert meeting.items.count() == 6  # the agenda is kept


def test_follow_up_attached_to_the_agenda_with_its_charts(chair, steering, host_admin):
    report = services.followup_report_record(
        acting_user=host_admin,
        year=2025,
        quarter=1,
        figures=[
            ("gender", "Flickor/unga kvinnor", 20),
            ("gender", "Pojkar/unga män", 3),
            ("reason", "Hot", 10),
        ],
    )
    meeting = _future_meeting(steering, chair)
    item = services.agenda_follow_up_add(acting_user=chair, meeting=meeting, report=report)
    with item.paper.open("rb") as handle:
        text = _text(handle.read())
    assert "Uppföljning 2025 kvartal 1" in text
    assert "Flickor/unga kvinnor | 20 | " + "█" * 30 in text
    assert "Pojkar/unga män | <5 | " in text and "| 3 |" not in text
    assert "Hot | 10 | " + "█" * 30 in text


def test_a_notice_that_cannot_be_rendered_is_not_recorded_as_sent(chair, steering, monkeypatch):
    from governance.documents import rendering

    meeting = _future_meeting(steering, chair)
    before = AuditEvent.objects.count()

    def broken(*args, **kwargs):
        raise rendering.DocumentError("Mallen kunde inte fyllas i.")

    monkeypatch.setattr(rendering, "render_docx", broken)
    with pytest.raises(rendering.DocumentError):
        services.meeting_notice_send(acting_user=chair, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.state == "planned" and meeting.attendances.count() == 0
    assert AuditEvent.objects.count() == before
    assert (
        services.notices_send_due(today=services.notice_deadline(meeting))["failed"] == 1
    )  # logged, not raised


def test_a_correction_can_change_outcomes_until_someone_approves(chair, steering, member, ksl_officer):
    meeting = _future_meeting(steering, chair)
    item = services.agenda_item_add(acting_user=chair, meeting=meeting, title="Budget 2027", kind="decision")
    meeting, members = _hold_with_quorum(meeting, chair, steering)
    services.item_outcome_record(acting_user=chair, item=item, outcome="Budgeten fastställs.")
    meeting = _draft(meeting, chair, members)
    for user in (chair, member, ksl_officer):
        services.minutes_approve(acting_user=user, meeting=meeting)
    meeting = services.minutes_correct(
        acting_user=chair, meeting=Meeting.objects.get(pk=meeting.pk), reason="Fel belopp."
    )
    services.item_outcome_record(
        acting_user=chair, item=item, outcome="Budgeten fastställs till 6 000 000 kr."
    )
    with current_version(meeting).file.open("rb") as handle:
        assert "Budgeten fastställs till 6 000 000 kr." in _text(handle.read())
    services.minutes_approve(acting_user=chair, meeting=meeting)
    with pytest.raises(ValidationError, match="ändras bara innan protokollet justerats"):
        services.item_outcome_record(acting_user=chair, item=item, outcome="Ändrat efter justering.")
    with pytest.raises(ValidationError, match="redan justerat"):
        services.minutes_approve(acting_user=chair, meeting=meeting)


def test_only_the_notice_may_be_sent_by_the_system(chair, steering):
    """Per-transition rules: the daily job sends notices, but no job cancels a meeting."""
    from governance.core.transitions import transitions_available

    meeting = _future_meeting(steering, chair)
    with pytest.raises(PermissionDenied):
        services.meeting_cancel(acting_user=None, meeting=meeting, reason="Ingen")
    assert "cancel" in transitions_available(chair, meeting)
    assert "cancel" not in transitions_available(None, meeting) and "send_notice" in transitions_available(
        None, meeting
    )
    meeting.refresh_from_db()
    assert meeting.state == "planned"
    assert not AuditEvent.objects.filter(action="meeting.cancelled").exists()


@pytest.mark.parametrize("service", ["meeting_cancel", "meeting_postpone"])
def test_an_overlong_reason_is_refused_and_nothing_changes(service, steering, chair):
    from django.core.exceptions import ValidationError

    from governance.core.models import AuditEvent

    meeting = _future_meeting(steering, chair)
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="högst 300 tecken"):
        getattr(services, service)(acting_user=chair, meeting=meeting, reason="x" * 301)
    meeting.refresh_from_db()
    assert meeting.state == "planned" and AuditEvent.objects.count() == before
