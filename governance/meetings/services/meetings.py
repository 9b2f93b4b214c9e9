"""Meetings: the annual plan, agendas, notices, answers, attendance and quorum, item outcomes and jäv."""

import datetime as dt
import io
import logging
import subprocess

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document

from governance.core import calendar
from governance.core.calendar import is_working_day, working_days_before
from governance.core.formatting import format_date_long
from governance.core.services import audit_record
from governance.core.transitions import transition_run

from .. import ical, permissions
from ..choices import (
    STANDARD_CLOSING,
    STANDARD_OPENING,
    VOTING_ROLES,
    AttendanceStatus,
    ItemKind,
    MeetingAction,
    MeetingState,
    MembershipRole,
    Rsvp,
)
from ..models import AgendaItem, Attendance, ConflictOfInterest, CooperationBody, Meeting, Membership

logger = logging.getLogger(__name__)

MONTHS_BY_FREQUENCY = {1: [10], 2: [3, 10], 3: [2, 6, 10], 4: [2, 5, 9, 11], 6: [1, 3, 5, 8, 10, 12]}


def _meeting_transition(
    *, acting_user, meeting: Meeting, transition: str, payload=None, check=None, expected_state=None
) -> Meeting:
    """One meeting transition through ``core.transitions.transition_run`` (rules: ``permissions.MEETING_RULES``).
    ``check(locked)`` validates and may set other fields of the locked row before it is saved."""
    return transition_run(
        acting_user=acting_user,
        obj=meeting,
        transition=transition,
        expected_state=expected_state,
        validate=check,
        payload=payload,
        select_related=("body",),
    )


def _standard_items(meeting: Meeting) -> None:
    items = [(key, title) for key, title in STANDARD_OPENING] + [
        (key, title) for key, title in STANDARD_CLOSING
    ]
    AgendaItem.objects.bulk_create(
        [
            AgendaItem(
                meeting=meeting,
                position=index,
                title=title,
                standard_key=key,
                kind=ItemKind.DECISION
                if key in ("minutes_checkers", "agenda", "previous_minutes")
                else ItemKind.INFORMATION,
            )
            for index, (key, title) in enumerate(items, start=1)
        ]
    )


def _first_possible_day(body: CooperationBody) -> dt.date:
    day = calendar.today() + dt.timedelta(days=1)
    while working_days_before(day, body.notice_working_days) < calendar.today() or not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def meeting_create(
    *,
    acting_user,
    body: CooperationBody,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: str = "",
    video_link: str = "",
) -> Meeting:
    """Plan one meeting with the standard opening and closing items. Not in the past, and it must end after it starts."""
    permissions.check_manage_body(acting_user, body)
    if starts_at <= timezone.now():
        raise ValidationError(_("Mötet kan inte läggas i det förflutna."))
    if ends_at <= starts_at:
        raise ValidationError(_("Mötet måste sluta efter att det börjar."))
    day = timezone.localtime(starts_at).date()
    if working_days_before(day, body.notice_working_days) < calendar.today():
        raise ValidationError(
            _(
                "Kallelsen hinner inte gå ut: mötet behöver ligga minst %(n)s arbetsdagar fram (tidigast %(date)s)."
            )
            % {"n": body.notice_working_days, "date": _first_possible_day(body)}
        )
    with transaction.atomic():
        meeting = Meeting.objects.create(
            body=body, starts_at=starts_at, ends_at=ends_at, place=place, video_link=video_link
        )
        _standard_items(meeting)
        audit_record(
            acting_user=acting_user,
            action=MeetingAction.MEETING_PLANNED,
            obj=meeting,
            payload={"starts_at": starts_at},
        )
    return meeting


def _second_weekday(year: int, month: int, weekday: int) -> dt.date:
    """The first working day that falls on ``weekday`` on or after the 8th of the month."""
    day = dt.date(year, month, 8)
    while day.weekday() != weekday or not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def meetings_plan_year(
    *,
    acting_user,
    body: CooperationBody,
    year: int,
    weekday: int = 1,
    start: dt.time = dt.time(13),
    minutes: int = 120,
    place: str = "",
    video_link: str = "",
) -> list[Meeting]:
    """The year's meetings from the body's frequency, on working days; dates already past are skipped."""
    permissions.check_manage_body(acting_user, body)
    months = MONTHS_BY_FREQUENCY.get(body.meetings_per_year) or [
        1 + int((i + 0.5) * 12 / body.meetings_per_year) for i in range(body.meetings_per_year)
    ]
    tz = timezone.get_current_timezone()
    planned = []
    with transaction.atomic():
        CooperationBody.objects.select_for_update().get(pk=body.pk)  # two clicks plan the year once
        existing = set(
            timezone.localtime(m.starts_at).date()
            for m in Meeting.objects.filter(body=body, starts_at__year=year).exclude(
                state=MeetingState.CANCELLED
            )
        )
        for month in months:
            day = _second_weekday(year, month, weekday)
            starts_at = dt.datetime.combine(day, start, tzinfo=tz)
            if day in existing or starts_at <= timezone.now():
                continue
            planned.append(
                meeting_create(
                    acting_user=acting_user,
                    body=body,
                    starts_at=starts_at,
                    ends_at=starts_at + dt.timedelta(minutes=minutes),
                    place=place,
                    video_link=video_link,
                )
            )
    if not planned:
        raise ValidationError(_("Inga möten att planera: årets datum har passerat eller är redan planerade."))
    return planned


def _next_position(meeting: Meeting) -> int:
    """Before the closing items (övriga frågor, mötets avslutande)."""
    closing = (
        meeting.items.filter(standard_key__in=[key for key, _t in STANDARD_CLOSING])
        .order_by("position")
        .first()
    )
    if closing is None:
        last = meeting.items.order_by("-position").first()
        return (last.position + 1) if last else 1
    position = closing.position
    for item in meeting.items.filter(position__gte=position).order_by("-position"):
        item.position += 1
        item.save(update_fields=["position"])
    return position


def _check_agenda_open(meeting: Meeting) -> None:
    if meeting.state not in (MeetingState.PLANNED, MeetingState.NOTICE_SENT, MeetingState.HELD):
        raise ValidationError(_("Dagordningen kan inte ändras när protokollet är upprättat."))


def agenda_item_add(
    *,
    acting_user,
    meeting: Meeting,
    title: str,
    kind: str = ItemKind.INFORMATION,
    presenter: str = "",
    minutes_allotted: int | None = None,
    description: str = "",
    paper=None,
    **links,
) -> AgendaItem:
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().select_related("body").get(pk=meeting.pk)
        permissions.check_manage_body(acting_user, meeting.body)
        _check_agenda_open(meeting)
        if not (title or "").strip():
            raise ValidationError(_("Ange en rubrik."))
        if kind not in ItemKind.values:
            raise ValidationError(_("Okänd typ av ärende."))
        item = AgendaItem(
            meeting=meeting,
            position=_next_position(meeting),
            title=title.strip(),
            kind=kind,
            presenter=presenter,
            minutes_allotted=minutes_allotted,
            description=description,
            **links,
        )
        if paper is not None:
            name = paper.name[-150:]
            item.paper.save(name, paper, save=False)
            item.paper_name = name
        item.save()
        if meeting.state == MeetingState.NOTICE_SENT:
            Meeting.objects.filter(pk=meeting.pk).update(ical_sequence=meeting.ical_sequence + 1)
        audit_record(
            acting_user=acting_user,
            action=MeetingAction.AGENDA_ITEM_ADDED,
            obj=item,
            object_label=f"{meeting}: {item.title}",
        )
    return item


def agenda_item_move(*, acting_user, item: AgendaItem, direction: str) -> AgendaItem:
    """Move an item one step up or down (two positions swap; the unique order is kept)."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().select_related("body").get(pk=item.meeting_id)
        permissions.check_manage_body(acting_user, meeting.body)
        _check_agenda_open(meeting)
        item = AgendaItem.objects.get(pk=item.pk, meeting=meeting)
        neighbour = (
            meeting.items.filter(position__lt=item.position).order_by("-position").first()
            if direction == "up"
            else meeting.items.filter(position__gt=item.position).order_by("position").first()
        )
        if neighbour is None:
            raise ValidationError(_("Ärendet står redan först eller sist."))
        first, second = item.position, neighbour.position
        item.position = 0
        item.save(update_fields=["position"])
        neighbour.position = first
        neighbour.save(update_fields=["position"])
        item.position = second
        item.save(update_fields=["position"])
        audit_record(
            acting_user=acting_user,
            action=MeetingAction.AGENDA_ITEM_MOVED,
            obj=item,
            payload={"direction": direction},
        )
    return item


def _adoption_paper(recommendation) -> tuple[str, bytes]:
    from governance.decisions.queries import dashboard

    board = dashboard(recommendation)
    document = Document()
    document.add_heading(f"Läget i kommunernas anslutning: {recommendation.title}", level=1)
    document.add_paragraph(
        f"Underlag {format_date_long(calendar.today())}. Besked senast {recommendation.answer_deadline}. "
        + ", ".join(f"{label}: {count}" for _v, label, count in board.counts if count)
        + f". Försenade: {board.overdue}."
    )
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["Kommun", "Läge", "Senaste beslut"], strict=True):
        cell.text = text
    for row in board.rows:
        cells = table.add_row().cells
        cells[0].text = row.case.organisation.display_name
        cells[1].text = str(row.case.get_state_display()) + (" (försenad)" if row.overdue else "")
        cells[2].text = row.last_decision.isoformat() if row.last_decision else ""
    out = io.BytesIO()
    document.save(out)
    return f"anslutning-{recommendation.slug}-{calendar.today()}.docx", out.getvalue()


def agenda_adoption_summary_add(*, acting_user, meeting: Meeting, recommendation) -> AgendaItem:
    """One action: the item "Läget i kommunernas anslutning" with the current adoption summary as its paper."""
    name, content = _adoption_paper(recommendation)
    return agenda_item_add(
        acting_user=acting_user,
        meeting=meeting,
        title="Läget i kommunernas anslutning",
        kind=ItemKind.INFORMATION,
        description=f"Lägesrapport om {recommendation.title}.",
        paper=ContentFile(content, name=name),
        recommendation=recommendation,
    )


def _follow_up_paper(report) -> tuple[str, bytes]:
    """The report as a paper: a table per category with a bar drawn in the text, so the chart travels with
    the document and stays readable by screen readers. Cells below 5 show "<5" and no bar."""
    from ..choices import FigureCategory
    from .followup import SMALL_CELL, suppressed

    document = Document()
    document.add_heading(f"Uppföljning {report.year} kvartal {report.quarter}", level=1)
    document.add_paragraph(
        "Endast sammanräknade uppgifter. Celler under 5 visas som <5 och ritas inte, så att ingen kan räknas fram."
    )
    figures = list(report.figures.all())
    for category, label in FigureCategory.choices:
        rows = [f for f in figures if f.category == category]
        if not rows:
            continue
        document.add_heading(str(label), level=2)
        largest = max((f.value for f in rows if f.value >= SMALL_CELL), default=1)
        table = document.add_table(rows=1, cols=3)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, ["Grupp", "Antal", "Diagram"], strict=True):
            cell.text = text
        for figure in rows:
            cells = table.add_row().cells
            cells[0].text = figure.label
            cells[1].text = suppressed(figure.value)
            cells[2].text = (
                "█" * max(1, round(30 * figure.value / largest)) if figure.value >= SMALL_CELL else ""
            )
    out = io.BytesIO()
    document.save(out)
    return f"uppfoljning-{report.year}-q{report.quarter}.docx", out.getvalue()


def agenda_follow_up_add(*, acting_user, meeting: Meeting, report) -> AgendaItem:
    name, content = _follow_up_paper(report)
    return agenda_item_add(
        acting_user=acting_user,
        meeting=meeting,
        title=f"Uppföljning {report.year} kvartal {report.quarter}",
        kind=ItemKind.INFORMATION,
        description="Centrets uppföljning (endast sammanräknade uppgifter; celler under 5 visas som <5).",
        follow_up_report=report,
        paper=ContentFile(content, name=name),
    )


def agenda_carry_over(*, acting_user, meeting: Meeting) -> list[AgendaItem]:
    """Bring the open items of the body's previous meeting onto this agenda (once)."""
    previous = (
        Meeting.objects.filter(body=meeting.body, starts_at__lt=meeting.starts_at)
        .exclude(state__in=[MeetingState.CANCELLED, MeetingState.POSTPONED])
        .order_by("-starts_at")
        .first()
    )
    if previous is None:
        raise ValidationError(_("Det finns inget tidigare möte."))
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().select_related("body").get(pk=meeting.pk)
        permissions.check_manage_body(acting_user, meeting.body)
        return _carry(acting_user, meeting, previous)


def _carry(acting_user, meeting: Meeting, previous: Meeting) -> list[AgendaItem]:
    already = set(meeting.items.exclude(carried_from=None).values_list("carried_from_id", flat=True))
    carried = []
    for item in previous.items.filter(is_open=True).exclude(pk__in=already):
        carried.append(
            agenda_item_add(
                acting_user=acting_user,
                meeting=meeting,
                title=item.title,
                kind=item.kind,
                presenter=item.presenter,
                description=item.description,
                carried_from=item,
                recommendation=item.recommendation,
                case=item.case,
            )
        )
    if not carried:
        raise ValidationError(_("Det finns inga öppna frågor från föregående möte."))
    return carried


def notice_deadline(meeting: Meeting) -> dt.date:
    """The last day the notice may go out: N working days before the meeting (Swedish holidays respected)."""
    return working_days_before(meeting.date, meeting.body.notice_working_days)


def notice_recipients(meeting: Meeting) -> list[Membership]:
    return list(
        Membership.objects.active(meeting.date)
        .filter(body=meeting.body)
        .select_related("person__user", "organisation")
        .order_by("role", "person__last_name")
    )


def meeting_notice_send(*, acting_user, meeting: Meeting, today: dt.date | None = None) -> Meeting:
    """Send the notice (kallelse) by e-mail to every member and deputy, with the agenda as .docx (and PDF where
    LibreOffice exists) and an iCalendar invitation. Refused after the deadline. Idempotent: a notice is sent once."""
    from governance.documents import rendering as documents

    from .minutes import notice_context

    today = today or calendar.today()
    if meeting.state == MeetingState.NOTICE_SENT:
        return meeting
    deadline = notice_deadline(meeting)
    if today > deadline:
        raise ValidationError(
            _("För sent: kallelsen skulle ha skickats senast %(date)s (%(n)s arbetsdagar före mötet).")
            % {"date": deadline, "n": meeting.body.notice_working_days}
        )
    recipients = notice_recipients(meeting)
    if not recipients:
        raise ValidationError(_("Organet har inga ledamöter att kalla."))
    from governance.documents.services import template_for

    # Everything that can fail (rendering, PDF) happens before anything is recorded as sent.
    docx = documents.render_docx(template_for("notice")[0], notice_context(meeting))
    try:
        pdf = documents.convert_to_pdf(docx) if documents.soffice_path() else None
    except (documents.DocumentError, OSError, subprocess.TimeoutExpired):
        pdf = None  # the .docx is the notice; the PDF is a convenience copy
    invite = ical.invitation(meeting)
    with transaction.atomic():
        locked = _meeting_transition(
            acting_user=acting_user,
            meeting=meeting,
            transition="send_notice",
            payload={"recipients": len(recipients), "deadline": deadline},
        )
        Meeting.objects.filter(pk=locked.pk).update(notice_sent_at=timezone.now())
        Attendance.objects.bulk_create(
            [Attendance(meeting=locked, membership=m) for m in recipients], ignore_conflicts=True
        )
        _queue_notice_mail(locked, recipients, docx, pdf, invite)
    return locked


def _queue_notice_mail(locked, recipients, docx, pdf, invite) -> None:
    addresses = sorted({m.person.email for m in recipients if m.person.email})
    subject = f"Kallelse: {locked.body.name} {format_date_long(locked.date)}"
    body = (
        f"Du kallas till {locked.body.name} {format_date_long(locked.date)} kl. "
        f"{timezone.localtime(locked.starts_at):%H.%M}, {locked.place or locked.video_link}.\n\n"
        "Föredragningslistan finns bifogad. Svara om du kommer på mötets sida i Origo samverkan.\n"
    )

    def send():
        message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [], bcc=addresses)
        message.attach(
            "kallelse.docx", docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        )
        if pdf:
            message.attach("kallelse.pdf", pdf, "application/pdf")
        message.attach("mote.ics", invite, "text/calendar; method=PUBLISH")
        message.send()

    if addresses:
        transaction.on_commit(send)


def notices_send_due(*, today: dt.date | None = None) -> dict[str, int]:
    """Daily: send the notices whose last day is today and that nobody has sent yet."""
    today = today or calendar.today()
    counts = {"sent": 0, "failed": 0}
    for meeting in Meeting.objects.filter(
        state=MeetingState.PLANNED, starts_at__date__gt=today
    ).select_related("body"):
        if notice_deadline(meeting) == today:
            try:
                meeting_notice_send(acting_user=None, meeting=meeting, today=today)
                counts["sent"] += 1
            except Exception:  # one meeting's failure must not stop the others' notices
                logger.exception("Notice for meeting %s could not be sent", meeting.pk)
                counts["failed"] += 1
    return counts


def rsvp_answer(*, acting_user, meeting: Meeting, answer: str) -> Attendance:
    """A member answers the notice: attending, not attending or sending a substitute."""
    if answer not in Rsvp.values:
        raise ValidationError(_("Välj ett svar."))
    membership = (
        Membership.objects.active(meeting.date).filter(body=meeting.body, person__user=acting_user).first()
    )
    if membership is None:
        raise PermissionDenied(_("Du är inte kallad till mötet."))
    if meeting.state not in (MeetingState.PLANNED, MeetingState.NOTICE_SENT):
        raise ValidationError(_("Mötet har redan hållits."))
    with transaction.atomic():
        attendance, _created = Attendance.objects.select_for_update().get_or_create(
            meeting=meeting, membership=membership
        )
        attendance.rsvp = answer
        attendance.rsvp_at = timezone.now()
        attendance.save(update_fields=["rsvp", "rsvp_at"])
        audit_record(
            acting_user=acting_user,
            action=MeetingAction.MEETING_ANSWERED,
            obj=meeting,
            payload={"answer": answer},
        )
    return attendance


def quorum(meeting: Meeting, attendances: list[Attendance]) -> tuple[int, int]:
    """(present, required): more than half of the voting members; deputies count when they stand in."""
    seats = Membership.objects.active(meeting.date).filter(body=meeting.body, role__in=VOTING_ROLES).count()
    voting = {
        a.membership_id
        for a in attendances
        if a.membership.role in VOTING_ROLES and a.status == AttendanceStatus.PRESENT
    }
    standing_in = {
        a.stands_in_for_id
        for a in attendances
        if a.status == AttendanceStatus.SUBSTITUTE and a.stands_in_for_id and a.stands_in_for_id not in voting
    }
    return len(voting) + len(standing_in), seats // 2 + 1


def attendance_record(
    *, acting_user, meeting: Meeting, statuses: dict[int, tuple[str, int | None]]
) -> Meeting:
    """Record who was present and who stood in for whom, then the quorum (shown before any decision)."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().select_related("body").get(pk=meeting.pk)
        permissions.check_manage_body(acting_user, meeting.body)
        if meeting.state not in (
            MeetingState.NOTICE_SENT,
            MeetingState.HELD,
            MeetingState.PLANNED,
        ) and not _minutes_open(meeting):
            raise ValidationError(_("Närvaron kan inte ändras när protokollet är justerat."))
        if meeting.date > calendar.today():
            raise ValidationError(_("Närvaron registreras vid mötet, %(date)s.") % {"date": meeting.date})
        members = {m.pk: m for m in notice_recipients(meeting)}
        errors = []
        for membership_id, (status, stands_in_for) in statuses.items():
            member = members.get(membership_id)
            if member is None:
                errors.append(_("Okänd ledamot."))
                continue
            if status not in AttendanceStatus.values:
                errors.append(_("Okänd närvaro för %(p)s.") % {"p": member.person})
            if status == AttendanceStatus.SUBSTITUTE:
                replaced = members.get(stands_in_for)
                if member.role != MembershipRole.DEPUTY:
                    errors.append(_("%(p)s är inte ersättare.") % {"p": member.person})
                elif replaced is None or replaced.role not in VOTING_ROLES:
                    errors.append(_("Ange vilken ledamot %(p)s ersätter.") % {"p": member.person})
                elif statuses.get(replaced.pk, ("",))[0] == AttendanceStatus.PRESENT:
                    errors.append(_("%(p)s är närvarande och kan inte ersättas.") % {"p": replaced.person})
        if errors:
            raise ValidationError(errors)
        for membership_id, (status, stands_in_for) in statuses.items():
            Attendance.objects.update_or_create(
                meeting=meeting,
                membership_id=membership_id,
                defaults={
                    "status": status,
                    "stands_in_for_id": stands_in_for if status == AttendanceStatus.SUBSTITUTE else None,
                },
            )
        attendances = list(meeting.attendances.select_related("membership"))
        present, required = quorum(meeting, attendances)
        meeting.quorum_present, meeting.quorum_required = present, required
        meeting.quorum_recorded_at = timezone.now()
        meeting.save(update_fields=["quorum_present", "quorum_required", "quorum_recorded_at"])
        _rerender_open_minutes(meeting)
        audit_record(
            acting_user=acting_user,
            action=MeetingAction.MEETING_ATTENDANCE_RECORDED,
            obj=meeting,
            payload={"present": present, "required": required},
        )
    return meeting


def meeting_hold(*, acting_user, meeting: Meeting) -> Meeting:
    def check(locked):
        if locked.date > calendar.today():
            raise ValidationError(_("Mötet har inte hållits ännu."))

    return _meeting_transition(
        acting_user=acting_user,
        meeting=meeting,
        transition="hold",
        check=check,
    )


def meeting_cancel(*, acting_user, meeting: Meeting, reason: str) -> Meeting:
    if not (reason or "").strip():
        raise ValidationError(_("Ange varför mötet ställs in."))
    if len(reason) > 300:
        raise ValidationError(_("Skälet får vara högst 300 tecken."))
    return _meeting_transition(
        acting_user=acting_user,
        meeting=meeting,
        transition="cancel",
        payload={"reason": reason},
    )


def _minutes_open(meeting: Meeting) -> bool:
    """A drafted version nobody has approved yet may still change (a correction starts such a version)."""
    if meeting.state != MeetingState.MINUTES_DRAFTED:
        return False
    version = meeting.minutes_versions.order_by("-version").first()
    return version is not None and not version.approvals.exists()


def _rerender_open_minutes(meeting: Meeting) -> None:
    if meeting.state == MeetingState.MINUTES_DRAFTED:
        from .minutes import _render_version

        _render_version(meeting, meeting.minutes_versions.order_by("-version").first())


def item_outcome_record(
    *, acting_user, item: AgendaItem, outcome: str, is_open: bool = False, conflicts: list[int] | None = None
) -> AgendaItem:
    """The decision or note of one item, and who was jävig. A decision needs a quorum shown first."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().select_related("body").get(pk=item.meeting_id)
        permissions.check_manage_body(acting_user, meeting.body)
        if meeting.state != MeetingState.HELD and not _minutes_open(meeting):
            raise ValidationError(
                _(
                    "Beslut och anteckningar förs när mötet är genomfört, och ändras bara innan protokollet justerats."
                )
            )
        item = AgendaItem.objects.get(pk=item.pk, meeting=meeting)
        if item.kind == ItemKind.DECISION and meeting.quorum_recorded_at is None:
            raise ValidationError(
                _("Registrera närvaron först: beslutförheten ska visas innan något beslut.")
            )
        if item.kind == ItemKind.DECISION and (meeting.quorum_present or 0) < (meeting.quorum_required or 1):
            raise ValidationError(_("Mötet är inte beslutfört; inga beslut kan fattas."))
        item.outcome = (outcome or "").strip()
        item.is_open = is_open
        item.save(update_fields=["outcome", "is_open"])
        members = {m.pk for m in notice_recipients(meeting)}
        item.conflicts.all().delete()
        for membership_id in conflicts or []:
            if membership_id not in members:
                raise ValidationError(_("Okänd ledamot i jävsanteckningen."))
            ConflictOfInterest.objects.create(item=item, membership_id=membership_id)
        _rerender_open_minutes(meeting)
        audit_record(
            acting_user=acting_user,
            action=MeetingAction.AGENDA_OUTCOME_RECORDED,
            obj=item,
            object_label=f"{meeting}: {item.title}",
            payload={"open": is_open, "conflicts": conflicts or []},
        )
    return item


def meeting_notice_request(*, acting_user, meeting: Meeting, today: dt.date | None = None) -> None:
    """The chair asks for the notice: checked now, sent by a Celery task after the commit."""
    permissions.check_manage_body(acting_user, meeting.body)
    today = today or calendar.today()
    if meeting.state != MeetingState.PLANNED:
        raise ValidationError(_("Kallelsen är redan skickad eller mötet är inte planerat."))
    if today > notice_deadline(meeting):
        raise ValidationError(
            _("För sent: kallelsen skulle ha skickats senast %(date)s (%(n)s arbetsdagar före mötet).")
            % {"date": notice_deadline(meeting), "n": meeting.body.notice_working_days}
        )
    from ..tasks import notice_send

    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.state != MeetingState.PLANNED:
            raise ValidationError(_("Kallelsen är redan skickad eller mötet är inte planerat."))
        audit_record(acting_user=acting_user, action=MeetingAction.MEETING_NOTICE_REQUESTED, obj=locked)
        transaction.on_commit(lambda: notice_send.delay(locked.pk))


def meeting_postpone(*, acting_user, meeting: Meeting, reason: str) -> Meeting:
    """Postpone a meeting (uppskjutet); it keeps its agenda and may be given a new time with ``meeting_replan``."""
    if not (reason or "").strip():
        raise ValidationError(_("Ange varför mötet skjuts upp."))
    return _meeting_transition(
        acting_user=acting_user,
        meeting=meeting,
        transition="postpone",
        payload={"reason": reason},
    )


def meeting_replan(*, acting_user, meeting: Meeting, starts_at: dt.datetime, ends_at: dt.datetime) -> Meeting:
    """A postponed meeting gets a new time (not in the past) and is planned again; a new notice is needed."""

    def check(locked):
        if starts_at <= timezone.now():
            raise ValidationError(_("Mötet kan inte läggas i det förflutna."))
        if ends_at <= starts_at:
            raise ValidationError(_("Mötet måste sluta efter att det börjar."))
        if (
            working_days_before(timezone.localtime(starts_at).date(), locked.body.notice_working_days)
            < calendar.today()
        ):
            raise ValidationError(_("Kallelsen hinner inte gå ut till den nya tiden."))
        locked.starts_at, locked.ends_at = starts_at, ends_at
        locked.notice_sent_at = None
        locked.ical_sequence += 1

    return _meeting_transition(
        acting_user=acting_user,
        meeting=meeting,
        transition="replan",
        payload={"starts_at": starts_at},
        check=check,
    )
