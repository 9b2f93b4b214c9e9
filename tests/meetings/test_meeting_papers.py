"""The steering group's meeting papers as a municipal registrar reads them: the kallelse (dated the day it
was sent, signed by the chair, the secretary with name and title, an agenda table whose columns hold their
words), the protokoll (quorum sentence, justeringens plats och tid, "Vid protokollet", signature lines for the
chair and each justerare, "Justerat den") and the protokollsutdrag (the day of justering, who it is sent to,
"Rätt utdraget intygar"); and a decision item is never justerat with only "Antecknades."."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from docx import Document
from docx.shared import Cm

from governance.core import calendar
from governance.core.formatting import format_date_long
from governance.core.models import AuditEvent
from governance.documents import rendering
from governance.documents.services import template_for
from governance.meetings import services
from governance.meetings.models import AgendaItem, Meeting, MinutesApproval
from governance.meetings.services.demo import PLACE

LINE = "_" * 36


@pytest.fixture
def demo(db):
    """The demo meetings (``services.demo_meetings_load``), made afresh: the held one and the next one."""
    Meeting.objects.filter(is_demo_data=True).delete()
    services.demo_meetings_load(acting_user=None)
    held = Meeting.objects.get(is_demo_data=True, state="minutes_drafted")
    upcoming = Meeting.objects.get(is_demo_data=True, body__slug="styrgrupp", state="planned")
    return held, upcoming


def _lines(content: bytes) -> list[str]:
    """Every paragraph of the document, tables' cells included, in order; the no-break spaces that keep
    "§ 6" and "13.00" together read as spaces."""
    document = Document(io.BytesIO(content))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines += [cell.text for cell in row.cells]
    return [line.replace("\u00a0", " ") for line in lines]


def _notice(meeting) -> bytes:
    return rendering.render_docx(template_for("notice")[0], services.notice_context(meeting))


def _minutes(meeting) -> bytes:
    with services.current_version(meeting).file.open("rb") as handle:
        return handle.read()


def _plan_item(meeting) -> AgendaItem:
    return meeting.items.get(title__startswith="Verksamhetsplan")


def _approve_all(meeting, users):
    for user in users:
        meeting = services.minutes_approve(acting_user=user, meeting=meeting)
    return meeting


# Kallelse


def test_the_notice_is_dated_the_day_it_is_sent_and_names_the_secretary(demo):
    _held, upcoming = demo
    lines = _lines(_notice(upcoming))
    header = Document(io.BytesIO(_notice(upcoming))).tables[0]
    today = calendar.today()
    assert header.rows[0].cells[1].text == "KALLELSE"
    assert header.rows[1].cells[1].text == today.isoformat()  # a preview: today
    sent = timezone.now() - dt.timedelta(days=3)
    Meeting.objects.filter(pk=upcoming.pk).update(notice_sent_at=sent)
    upcoming.refresh_from_db()
    header = Document(io.BytesIO(_notice(upcoming))).tables[0]
    assert header.rows[1].cells[1].text == timezone.localtime(sent).date().isoformat()
    assert header.rows[1].cells[1].text != upcoming.date.isoformat()
    # Signed by the chair; the secretary with name and title (the membership with the role "sekreterare").
    assert "Sara Stålhammar" in lines and "Ordförande" in lines
    at = lines.index("Tove Svensson")
    assert lines[at - 1] == "Frågor om kallelsen besvaras av sekreteraren:"
    assert lines[at + 1] == "Utvecklingssekreterare"


def test_the_agenda_table_gives_each_column_room_for_its_words(demo):
    _held, upcoming = demo
    document = Document(io.BytesIO(_notice(upcoming)))
    agenda = document.tables[1]
    assert [c.text for c in agenda.rows[0].cells] == ["Nr", "Ärende", "Föredragande", "Tid"]
    widths = [column.width for column in agenda.columns]
    assert widths[0] <= Cm(1.3) and widths[1] == max(widths)  # the number narrow, the title wide
    assert sum(widths) <= Cm(16.05)  # within the margins
    rows = [[c.text.replace("\u00a0", " ") for c in row.cells] for row in agenda.rows[1:]]
    assert ["3", "Godkännande av dagordningen (beslut)", "", ""] in rows
    assert any(
        r[1] == "Lägesrapport från verksamheten (information)" and r[2] == "Verksamhetschefen" for r in rows
    )
    # No long word in a narrow column: the type went into the title column, the presenter's column holds
    # "Verksamhetschefen" (17 letters, about 3.6 cm in 12 pt Times) with its cell margins.
    assert widths[2] >= Cm(4.0)
    longest_narrow = max(
        (len(word) for r in rows for text in (r[0], r[3]) for word in text.split()), default=0
    )
    assert longest_narrow <= 3


# Protokoll


def test_the_minutes_state_justering_place_and_time_signatures_and_justerat_den(demo):
    held, _upcoming = demo
    lines = _lines(_minutes(held))
    day = held.approval_date
    assert day is not None and day > calendar.today() and held.approval_place == PLACE
    assert f"Justeringens plats och tid: {PLACE}, {day.isoformat()}" in lines
    paragraphs = [i.paragraph for i in held.items.order_by("position")]
    assert f"Paragrafer: § {paragraphs[0]}–{paragraphs[-1]}" in lines
    # "Vid protokollet", then the secretary's signature line, name and title.
    at = lines.index("Vid protokollet")
    signed = [line for line in lines[at + 1 :] if line]
    assert signed[:3] == [LINE, "Tove Svensson", "Utvecklingssekreterare"]
    assert signed[3] == "Justeras"
    # The chair's and each justerare's signature line.
    checkers = sorted(c.person.full_name for c in held.minutes_checkers.select_related("person"))
    blocks = [signed[i : i + 3] for i in range(4, 4 + 3 * 3, 3)]
    assert blocks[0] == [LINE, "Sara Stålhammar", "Ordförande"]
    assert sorted(b[1] for b in blocks[1:]) == checkers and all(
        b[0] == LINE and b[2] == "Justerare" for b in blocks[1:]
    )
    assert signed[13] == "Justerat den " + "_" * 24  # not justerat yet: a blank to fill in
    # "Val av justerare" without a written decision states who was chosen (the justerare are data).
    checkers_item = held.items.get(standard_key="minutes_checkers")
    AgendaItem.objects.filter(pk=checkers_item.pk).update(outcome="")
    chosen = " och ".join(c.person.full_name for c in held.minutes_checkers.select_related("person"))
    item = next(i for i in services.minutes_context(held)["items"] if i["title"] == "Val av justerare")
    assert (
        item["outcome"] == f"Styrgruppen för Origo utsåg {chosen} att jämte ordföranden justera protokollet."
    )
    assert services.decisions_missing(held) == []


def test_the_justerade_minutes_carry_the_day_of_justering(demo, chair, member, ksl_officer):
    held, _upcoming = demo
    held = _approve_all(held, [chair, member, ksl_officer])
    assert held.state == "minutes_approved"
    version = services.current_version(held)
    approved_on = format_date_long(timezone.localtime(version.approved_at).date())  # "den 23 november 2026"
    lines = _lines(_minutes(held))
    assert f"Justerat {approved_on}" in lines
    assert version.snapshot["approved_text"] == f"Justerat {approved_on}"


def test_the_quorum_sentence_says_whether_the_group_is_beslutfor(demo):
    held, _upcoming = demo
    assert (held.quorum_present, held.quorum_required) == (7, 6)
    quorum = "Styrgruppen för Origo är beslutför: 7 av 10 ledamöter är närvarande (minst 6 krävs)."
    assert quorum in _lines(_minutes(held))
    Meeting.objects.filter(pk=held.pk).update(quorum_present=6)
    held.refresh_from_db()
    assert services.minutes_context(held)["quorum"] == (
        "Styrgruppen för Origo är beslutför: 6 av 10 ledamöter är närvarande (minst 6 krävs)."
    )
    Meeting.objects.filter(pk=held.pk).update(quorum_present=5)
    held.refresh_from_db()
    assert services.minutes_context(held)["quorum"] == (
        "Styrgruppen för Origo är inte beslutför: 5 av 10 ledamöter är närvarande (minst 6 krävs)."
    )


def test_the_reference_forum_is_beslutfort(demo):
    from governance.meetings.services.attendance import voting_seats

    forum = Meeting.objects.get(is_demo_data=True, body__slug="referensforum")
    seats = voting_seats(forum)
    required = seats // 2 + 1
    Meeting.objects.filter(pk=forum.pk).update(
        quorum_recorded_at=timezone.now(), quorum_present=required, quorum_required=required
    )
    forum.refresh_from_db()
    assert services.minutes_context(forum)["quorum"] == (
        f"Referensforum för Origo är beslutfört: {required} av {seats} ledamöter är närvarande "
        f"(minst {required} krävs)."
    )
    Meeting.objects.filter(pk=forum.pk).update(quorum_present=required - 1)
    forum.refresh_from_db()
    assert services.minutes_context(forum)["quorum"].startswith(
        "Referensforum för Origo är inte beslutfört: "
    )


# Justering refused for a decision without a decision text


@pytest.mark.parametrize("outcome", ["Antecknades.", ""])
def test_a_decision_item_with_only_antecknades_cannot_be_justerat(client, demo, chair, outcome):
    held, _upcoming = demo
    plan = _plan_item(held)
    services.item_outcome_record(acting_user=chair, item=plan, outcome=outcome)
    events, approvals = AuditEvent.objects.count(), MinutesApproval.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.minutes_approve(acting_user=chair, meeting=held)
    message = refused.value.messages[0]
    assert message.startswith("Protokollet kan inte justeras: ")
    assert f"§ {plan.paragraph} {plan.title} är ett beslutsärende men har ingen beslutstext" in message
    assert AuditEvent.objects.count() == events and MinutesApproval.objects.count() == approvals
    held.refresh_from_db()
    assert held.state == "minutes_drafted" and services.current_version(held).approved_at is None
    # The page shows the message (400), nothing stored.
    client.force_login(chair)
    response = client.post(
        reverse("meetings:meeting_approve", args=[held.pk]), {"expected_state": "minutes_drafted"}
    )
    assert response.status_code == 400 and f"§ {plan.paragraph} {plan.title}" in response.text
    assert AuditEvent.objects.count() == events and MinutesApproval.objects.count() == approvals
    # Marked as information, it may be justerat with "Antecknades.".
    services.item_outcome_record(acting_user=chair, item=plan, outcome="Antecknades.", kind="information")
    event = AuditEvent.objects.filter(action="agenda.outcome_recorded").latest("pk")
    assert event.payload["kind"] == {"before": "decision", "after": "information"}
    services.minutes_approve(acting_user=chair, meeting=held)
    assert MinutesApproval.objects.count() == approvals + 1


def test_every_undecided_item_is_named(demo, chair, member):
    held, _upcoming = demo
    agenda = held.items.get(standard_key="agenda")
    plan = _plan_item(held)
    services.item_outcome_record(acting_user=chair, item=agenda, outcome="")
    services.item_outcome_record(acting_user=chair, item=plan, outcome="antecknades")
    assert services.decisions_missing(held) == [
        f"§ {agenda.paragraph} Godkännande av dagordningen",
        f"§ {plan.paragraph} {plan.title}",
    ]
    with pytest.raises(ValidationError, match="är beslutsärenden men har ingen beslutstext"):
        services.minutes_approve(acting_user=member, meeting=held)


# Protokollsutdrag


def test_the_extract_is_certified_and_says_when_justerat_and_to_whom(demo, chair, member, ksl_officer):
    held, _upcoming = demo
    plan = _plan_item(held)
    services.item_outcome_record(
        acting_user=chair,
        item=plan,
        outcome=plan.outcome,
        dispatch="Stockholms stad, socialförvaltningen\n\nKommunförbundet Stockholms Län\n",
    )
    event = AuditEvent.objects.filter(action="agenda.outcome_recorded").latest("pk")
    assert (
        event.payload["dispatch"]["after"]
        == "Stockholms stad, socialförvaltningen\nKommunförbundet Stockholms Län"
    )
    held = _approve_all(held, [chair, member, ksl_officer])
    approved_on = format_date_long(timezone.localtime(services.current_version(held).approved_at).date())
    lines = _lines(services.extract_render(meeting=held, paragraph=plan.paragraph))
    assert "PROTOKOLLSUTDRAG" in lines and f"§ {plan.paragraph} {plan.title}" in lines
    assert any(line.startswith(f"Protokollet justerat {approved_on}. Justerare: ") for line in lines)
    at = lines.index("Expedieras till")
    assert lines[at + 1 : at + 3] == [
        "Stockholms stad, socialförvaltningen",
        "Kommunförbundet Stockholms Län",
    ]
    at = lines.index("Rätt utdraget intygar")
    assert [line for line in lines[at + 1 :] if line][:3] == [LINE, "Tove Svensson", "Utvecklingssekreterare"]
    # An item that names nobody goes to the organisations the voting members represent.
    report = held.items.get(title="Lägesrapport från verksamheten")
    lines = _lines(services.extract_render(meeting=held, paragraph=report.paragraph))
    at = lines.index("Expedieras till")
    recipients = lines[at + 1 : lines.index("Rätt utdraget intygar")]
    assert "Stockholms stad" in recipients and "Kommunförbundet Stockholms Län" in recipients
    assert len(set(filter(None, recipients))) == len(list(filter(None, recipients)))


# Setting the justering's place and day when the minutes are drawn up


def test_the_justering_place_and_day_are_set_with_the_minutes_and_audited(client, chair, demo):
    held, _upcoming = demo
    event = AuditEvent.objects.filter(action="minutes.drafted", object_id=str(held.pk)).latest("pk")
    assert event.payload["approval_place"] == PLACE
    assert event.payload["approval_date"] == held.approval_date.isoformat()
    with pytest.raises(ValidationError) as refused:
        services.minutes_draft(
            acting_user=chair,
            meeting=held,
            checker_ids=[c.pk for c in held.minutes_checkers.all()],
            approval_date=held.date - dt.timedelta(days=1),
        )
    assert refused.value.message_dict["approval_date"] == ["Protokollet kan inte justeras före mötet."]


def _held(chair, steering):
    """A meeting of the steering group held 80 days ago, quorate, its standard decisions written."""
    from tests.meetings.helpers import decide_standard_items
    from tests.meetings.test_trial_findings import _planned, _statuses

    meeting = _planned(chair, steering)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=meeting.starts_at - dt.timedelta(days=80), ends_at=meeting.ends_at - dt.timedelta(days=80)
    )
    meeting.refresh_from_db()
    services.attendance_record(acting_user=chair, meeting=meeting, statuses=_statuses(meeting))
    meeting = services.meeting_hold(acting_user=chair, meeting=meeting)
    decide_standard_items(chair, meeting)
    return meeting


def test_the_page_sets_the_justering_place_and_day_with_the_minutes(client, chair, member, ksl_officer):
    from governance.meetings.models import CooperationBody

    steering = CooperationBody.objects.get(slug="styrgrupp")
    meeting = _held(chair, steering)
    checkers = [
        m.pk for m in services.notice_recipients(meeting) if m.person.user_id in (member.pk, ksl_officer.pk)
    ]
    client.force_login(chair)
    url = reverse("meetings:meeting_minutes", args=[meeting.pk])
    events = AuditEvent.objects.count()
    too_early = (meeting.date - dt.timedelta(days=1)).isoformat()
    response = client.post(
        url, {"checkers": checkers, "approval_place": "Stadshuset", "approval_date": too_early}
    )
    assert response.status_code == 400 and "Protokollet kan inte justeras före mötet." in response.text
    assert AuditEvent.objects.count() == events
    day = meeting.date + dt.timedelta(days=7)
    data = {"checkers": checkers, "approval_place": "Stadshuset", "approval_date": day.isoformat()}
    assert client.post(url, {**data, "expected_state": "held"}).status_code == 302
    meeting.refresh_from_db()
    assert (meeting.approval_place, meeting.approval_date) == ("Stadshuset", day)
    event = AuditEvent.objects.filter(action="minutes.drafted", object_id=str(meeting.pk)).latest("pk")
    assert (
        event.payload["approval_place"] == "Stadshuset" and event.payload["approval_date"] == day.isoformat()
    )
    assert f"Justeringens plats och tid: Stadshuset, {day.isoformat()}" in _lines(_minutes(meeting))
    page = client.get(reverse("meetings:meeting", args=[meeting.pk])).text
    assert f"Justeringens plats och tid: Stadshuset, {day.isoformat()}" in page
    assert "Kan inte justeras ännu" not in page


def test_the_page_warns_and_the_outcome_form_marks_an_item_as_information(client, demo, chair):
    held, _upcoming = demo
    plan = _plan_item(held)
    services.item_outcome_record(acting_user=chair, item=plan, outcome="Antecknades.")
    client.force_login(chair)
    page = client.get(reverse("meetings:meeting", args=[held.pk])).text
    assert "Kan inte justeras ännu" in page and f"§ {plan.paragraph} {plan.title}" in page
    prefix = f"item{plan.pk}"
    response = client.post(
        reverse("meetings:meeting_outcome", args=[held.pk]),
        {
            "item": plan.pk,
            f"{prefix}-outcome": "Antecknades.",
            f"{prefix}-kind": "information",
            f"{prefix}-dispatch": "Region Stockholm",
        },
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.kind == "information" and plan.dispatch == "Region Stockholm"
    assert "Kan inte justeras ännu" not in client.get(reverse("meetings:meeting", args=[held.pk])).text
