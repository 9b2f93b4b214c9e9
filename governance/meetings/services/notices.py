"""Notices (kallelser): who is called, the deadline, requesting and sending the notice, and the members' answers."""

import datetime as dt
import logging
import subprocess

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from governance.core import calendar
from governance.core.calendar import (
    working_days_before,
)
from governance.core.services import audit_record

from .. import ical, permissions
from ..choices import (
    MeetingAction,
    MeetingState,
    Rsvp,
)
from ..models import Attendance, Meeting, Membership
from .common import _check_expected_state, _meeting_transition

logger = logging.getLogger(__name__)


class NoticeAlreadySent(ValidationError):
    """The notice has gone out already (a second click on "Skicka kallelsen"): not an error for the user."""


def _meeting_events(meeting: Meeting, actions):
    from django.contrib.contenttypes.models import ContentType

    from governance.core.models import AuditEvent

    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Meeting),
        object_id=str(meeting.pk),
        action__in=actions,
    ).order_by("id")


def noticed_time_moved(meeting: Meeting) -> dt.datetime | None:
    """For the meeting's notice (the one to send, or the last one sent): the time the members had been given
    notice of before, if the meeting has moved since (they need to hear that it moved). ``None`` when no
    notice had gone out before the move: the new time is then simply the meeting's time."""
    from django.utils.dateparse import parse_datetime

    events = list(
        _meeting_events(meeting, [MeetingAction.MEETING_NOTICE_SENT, MeetingAction.MEETING_REPLANNED]).only(
            "action", "payload"
        )
    )
    if meeting.state != MeetingState.PLANNED:
        # The current notice has gone out: what counts is what the members knew before it.
        sent = [i for i, e in enumerate(events) if e.action == MeetingAction.MEETING_NOTICE_SENT]
        events = events[: sent[-1]] if sent else events
    moved_from, since_notice = None, False
    for event in events:
        if event.action == MeetingAction.MEETING_NOTICE_SENT:
            moved_from, since_notice = None, True
        elif since_notice and (event.payload or {}).get("moved_from"):
            moved_from, since_notice = parse_datetime(event.payload["moved_from"]), False
    return moved_from


def cancel_reason(meeting: Meeting) -> str:
    """Why the meeting was cancelled (kept in the audit row of the cancellation)."""
    event = _meeting_events(meeting, [MeetingAction.MEETING_CANCELLED]).last()
    return (event.payload or {}).get("reason", "") if event else ""


def notice_deadline(meeting: Meeting) -> dt.date:
    """The last day the notice may go out: N working days before the meeting (Swedish holidays respected)."""
    return working_days_before(meeting.date, meeting.body.notice_working_days)


def notice_too_late(meeting: Meeting, today: dt.date) -> bool:
    """After the deadline; a meeting planned at short notice (confirmed with a reason) may still be noticed
    until its day."""
    if meeting.is_short_notice:
        return today > meeting.date
    return today > notice_deadline(meeting)


def _too_late_message(meeting: Meeting) -> str:
    n = meeting.body.notice_working_days
    return ngettext(
        "För sent: kallelsen skulle ha skickats senast %(date)s (%(n)s arbetsdag före mötet).",
        "För sent: kallelsen skulle ha skickats senast %(date)s (%(n)s arbetsdagar före mötet).",
        n,
    ) % {"date": notice_deadline(meeting), "n": n}


def notice_recipients(meeting: Meeting) -> list[Membership]:
    return list(
        Membership.objects.active(meeting.date)
        .filter(body=meeting.body)
        .select_related("person__user", "organisation")
        .order_by("role", "person__last_name")
    )


def meeting_notice_request(
    *, acting_user, meeting: Meeting, today: dt.date | None = None, expected_state: str | None = None
) -> None:
    """The chair asks for the notice: checked now, sent by a Celery task after the commit."""
    permissions.check_manage_body(acting_user, meeting.body)
    today = today or calendar.today()
    if meeting.state == MeetingState.NOTICE_SENT:
        raise NoticeAlreadySent(_("Kallelsen är redan skickad."))
    _check_expected_state(meeting, expected_state)
    if meeting.state != MeetingState.PLANNED:
        raise ValidationError(_("Kallelsen är redan skickad eller mötet är inte planerat."))
    if notice_too_late(meeting, today):
        raise ValidationError(_too_late_message(meeting))
    from ..tasks import notice_send

    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.state == MeetingState.NOTICE_SENT:
            raise NoticeAlreadySent(_("Kallelsen är redan skickad."))
        _check_expected_state(locked, expected_state)
        if locked.state != MeetingState.PLANNED:
            raise ValidationError(_("Kallelsen är redan skickad eller mötet är inte planerat."))
        audit_record(acting_user=acting_user, action=MeetingAction.MEETING_NOTICE_REQUESTED, obj=locked)
        transaction.on_commit(lambda: notice_send.delay(locked.pk))


def meeting_notice_send(*, acting_user, meeting: Meeting, today: dt.date | None = None) -> Meeting:
    """Send the notice once (see ``_notice_send``); a notice already sent is left alone."""
    return _notice_send(acting_user=acting_user, meeting=meeting, today=today)[0]


def notice_send_once(*, meeting_id: int) -> int:
    """The ``meetings.notice_send`` task: send the meeting's notice unless it has gone out already (two clicks
    on "Skicka kallelsen", a redelivered message). Returns how many notices this call sent (0 or 1)."""
    meeting = Meeting.objects.select_related("body").get(pk=meeting_id)
    if meeting.state == MeetingState.PLANNED:
        meeting, sent = _notice_send(acting_user=None, meeting=meeting)
        if sent:
            return 1
    logger.info("Notice for meeting %s not sent: the meeting is %s", meeting_id, meeting.state)
    return 0


def _notice_send(*, acting_user, meeting: Meeting, today: dt.date | None = None) -> tuple[Meeting, bool]:
    """Send the notice (kallelse) by e-mail to every member and deputy, with the agenda as .docx (and PDF where
    LibreOffice exists) and an iCalendar invitation. Refused after the deadline. Idempotent: a notice is sent once."""
    from governance.documents import rendering as documents

    from .minutes import notice_context

    today = today or calendar.today()
    if meeting.state == MeetingState.NOTICE_SENT:
        return meeting, False
    deadline = notice_deadline(meeting)
    if notice_too_late(meeting, today):
        raise ValidationError(_too_late_message(meeting))
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
    moved_from = noticed_time_moved(meeting)
    with transaction.atomic():
        current = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if current.state == MeetingState.NOTICE_SENT:  # another delivery sent it meanwhile
            return current, False
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
        _queue_notice_mail(locked, recipients, docx, pdf, invite, moved_from)
    return locked, True


def _queue_notice_mail(locked, recipients, docx, pdf, invite, moved_from=None) -> None:
    from django.urls import reverse

    addresses = sorted({m.person.email for m in recipients if m.person.email})
    context = {
        "meeting": locked,
        "body": locked.body,
        "time": f"{timezone.localtime(locked.starts_at):%H.%M}",
        "place": locked.place or locked.video_link,
        "moved_from": timezone.localtime(moved_from) if moved_from else None,
        "url": settings.SITE_URL.rstrip("/") + reverse("meetings:meeting", args=[locked.pk]),
    }
    subject = render_to_string("meetings/email/notice_subject.txt", context).strip()
    body = render_to_string("meetings/email/notice.txt", context)

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
        # On its last day; a meeting planned at short notice is past that day already, so at once.
        if notice_deadline(meeting) == today or (
            meeting.is_short_notice and notice_deadline(meeting) < today
        ):
            try:
                _meeting, sent = _notice_send(acting_user=None, meeting=meeting, today=today)
                counts["sent"] += int(sent)
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
        # The meeting's row serialises answers to it: two clicks (or a retry) never create or record twice.
        Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
        attendance, _created = Attendance.objects.select_for_update().get_or_create(
            meeting=meeting, membership=membership
        )
        if attendance.rsvp == answer:  # the same answer again: already recorded, nothing to write
            return attendance
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
