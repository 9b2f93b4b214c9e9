"""Notices (kallelser): who is called, the deadline, requesting and sending the notice, and the members' answers."""

import contextlib
import datetime as dt
import logging
import subprocess

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
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

from .. import ical, permissions, registration
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


def notice_mail_prefix(meeting: Meeting) -> str:
    """The outbox purpose key of the meeting's notices, without the version (``notice:meeting:12``)."""
    return f"notice:meeting:{meeting.pk}"


def notice_mail(meeting: Meeting):
    """The newest notice mail of the meeting in the outbox (queued, being sent, sent or failed), or ``None``:
    what the meeting page shows while the meeting is planned ("kallelsen är köad", "misslyckades")."""
    from governance.core.services import mail_latest

    return mail_latest(notice_mail_prefix(meeting))


def _notice_queued_message() -> str:
    return _("Kallelsen är redan köad och skickas så snart e-postservern tar emot den.")


def meeting_notice_request(
    *, acting_user, meeting: Meeting, today: dt.date | None = None, expected_state: str | None = None
) -> None:
    """The chair asks for the notice: it is put in the outbox (``_notice_queue``) and goes out after the
    commit. A second request while it is queued or being sent writes nothing (``NoticeAlreadySent``)."""
    permissions.check_manage_body(acting_user, meeting.body)
    _notice_queue(acting_user=acting_user, meeting=meeting, today=today, expected_state=expected_state)


def meeting_notice_send(*, acting_user, meeting: Meeting, today: dt.date | None = None) -> Meeting:
    """Queue the notice (see ``_notice_queue``) unless it is sent or queued already; returns the meeting,
    which is "kallelse skickad" once the mail has been delivered."""
    if acting_user is not None:
        permissions.check_manage_body(acting_user, meeting.body)
    with contextlib.suppress(NoticeAlreadySent):
        _notice_queue(acting_user=acting_user, meeting=meeting, today=today)
    return Meeting.objects.select_related("body").get(pk=meeting.pk)


def notice_send_once(*, meeting_id: int) -> int:
    """The ``meetings.notice_send`` task (kept for messages enqueued before the outbox): queue the meeting's
    notice unless it is sent or queued already. Returns how many notices this call queued (0 or 1)."""
    meeting = Meeting.objects.select_related("body").get(pk=meeting_id)
    if meeting.state == MeetingState.PLANNED:
        with contextlib.suppress(NoticeAlreadySent):  # queued or sent meanwhile: nothing to do
            _notice_queue(acting_user=None, meeting=meeting)
            return 1
    logger.info("Notice for meeting %s not queued: the meeting is %s", meeting_id, meeting.state)
    return 0


def _notice_queue(
    *, acting_user, meeting: Meeting, today: dt.date | None = None, expected_state: str | None = None
):
    """Put the notice (kallelse) in the outbox: one mail to every member and deputy (bcc), with the agenda as
    .docx (and PDF where LibreOffice exists) and an iCalendar invitation, and a ``meeting.notice_requested``
    audit row, in one transaction under the meeting's lock. Refused after the deadline.

    The meeting becomes "kallelse skickad" (``notice_sent_at``, the ``meeting.notice_sent`` audit row, the
    attendance list) only when the mail has been delivered: ``notice_mail_sent``, run by the outbox in the
    transaction that marks the mail sent. While the mail is queued or being sent a new request raises
    ``NoticeAlreadySent`` and writes nothing (the purpose key ``notice:meeting:<id>:v<n>`` is unique); after
    a failed mail a new request queues the next version. Returns the outbox row."""
    from governance.core.services import mail_is_open, mail_key_next, mail_queue
    from governance.documents import rendering as documents

    from .minutes import notice_context

    today = today or calendar.today()

    def check(current: Meeting) -> None:
        if current.state == MeetingState.NOTICE_SENT:
            raise NoticeAlreadySent(_("Kallelsen är redan skickad."))
        if mail_is_open(notice_mail(current)):
            raise NoticeAlreadySent(_notice_queued_message())
        _check_expected_state(current, expected_state)
        if current.state != MeetingState.PLANNED:
            raise ValidationError(_("Kallelsen är redan skickad eller mötet är inte planerat."))
        if notice_too_late(current, today):
            raise ValidationError(_too_late_message(current))

    check(meeting)
    recipients = notice_recipients(meeting)
    if not recipients:
        raise ValidationError(_("Organet har inga ledamöter att kalla."))
    addresses = sorted({m.person.email for m in recipients if m.person.email})
    if not addresses:
        raise ValidationError(_("Ingen av ledamöterna har en e-postadress; kallelsen kan inte skickas."))
    from governance.documents.services import template_for

    # Everything that can fail (rendering, PDF) happens before anything is recorded.
    docx = documents.render_docx(template_for("notice")[0], notice_context(meeting))
    try:
        pdf = documents.convert_to_pdf(docx) if documents.soffice_path() else None
    except (documents.DocumentError, OSError, subprocess.TimeoutExpired):
        pdf = None  # the .docx is the notice; the PDF is a convenience copy
    invite = ical.invitation(meeting)
    moved_from = noticed_time_moved(meeting)
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().select_related("body").get(pk=meeting.pk)
        check(locked)
        subject, body = _notice_text(locked, moved_from)
        attachments = [("kallelse.docx", docx, DOCX)]
        if pdf:
            attachments.append(("kallelse.pdf", pdf, "application/pdf"))
        attachments.append(("mote.ics", invite, "text/calendar; method=PUBLISH"))
        mail, _created = mail_queue(
            purpose_key=mail_key_next(notice_mail_prefix(locked)),
            subject=subject,
            body=body,
            bcc=addresses,
            attachments=attachments,
            obj=locked,
        )
        audit_record(
            acting_user=acting_user,
            action=MeetingAction.MEETING_NOTICE_REQUESTED,
            obj=locked,
            payload={"recipients": len(addresses), "mail": mail.purpose_key},
        )
    return mail


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _notice_text(locked: Meeting, moved_from) -> tuple[str, str]:
    from django.urls import reverse

    context = {
        "meeting": locked,
        "body": locked.body,
        "time": f"{timezone.localtime(locked.starts_at):%H.%M}",
        "place": locked.place or locked.video_link,
        "moved_from": timezone.localtime(moved_from) if moved_from else None,
        "url": settings.SITE_URL.rstrip("/") + reverse("meetings:meeting", args=[locked.pk]),
    }
    subject = render_to_string("meetings/email/notice_subject.txt", context).strip()
    return subject, render_to_string("meetings/email/notice.txt", context)


def notice_mail_sent(sender, mail, **kwargs) -> None:
    """Receiver of ``core.services.mail_sent`` (connected in ``MeetingsConfig.ready``): the notice mail has been
    delivered, so the meeting is now "kallelse skickad": the transition with its audit row, ``notice_sent_at``
    (the time of delivery) and the attendance list, in the transaction that marks the mail sent. A meeting
    that is no longer planned (cancelled, or moved after the mail was queued) is left alone."""
    prefix, _sep, _version = mail.purpose_key.rpartition(":")
    if not prefix.startswith("notice:meeting:"):
        return
    current = Meeting.objects.select_for_update().select_related("body").filter(pk=int(prefix.split(":")[2]))
    meeting = current.first()
    if meeting is None or meeting.state != MeetingState.PLANNED:
        logger.info("Notice mail %s delivered; meeting not planned any more, left alone", mail.purpose_key)
        return
    if (
        _meeting_events(meeting, [MeetingAction.MEETING_REPLANNED])
        .filter(occurred_at__gt=mail.created_at)
        .exists()
    ):
        logger.warning(
            "Notice mail %s delivered after the meeting moved; a new notice is needed", mail.purpose_key
        )
        return
    recipients = notice_recipients(meeting)
    locked = _meeting_transition(
        acting_user=None,
        meeting=meeting,
        transition="send_notice",
        payload={
            "recipients": len(mail.bcc) + len(mail.to),
            "deadline": notice_deadline(meeting),
            "mail": mail.purpose_key,
        },
    )
    Meeting.objects.filter(pk=locked.pk).update(notice_sent_at=mail.sent_at)
    registration.notice_sent(acting_user=None, meeting=locked, sent_at=mail.sent_at)
    Attendance.objects.bulk_create(
        [Attendance(meeting=locked, membership=m) for m in recipients], ignore_conflicts=True
    )


def cancellation_mail_prefix(meeting: Meeting) -> str:
    """The outbox purpose key of the meeting's cancellation (``cancel:meeting:12``): a meeting is cancelled once."""
    return f"cancel:meeting:{meeting.pk}"


def members_have_invitation(meeting: Meeting) -> bool:
    """Whether a notice (with its calendar invitation) has gone out or is on its way: then the members have
    the meeting in their calendars and must be sent its cancellation."""
    from governance.core.models import OutgoingMail

    return (
        OutgoingMail.objects.filter(purpose_key__startswith=notice_mail_prefix(meeting) + ":")
        .exclude(status=OutgoingMail.Status.FAILED)
        .exists()
    )


def _cancellation_queue(locked: Meeting, *, reason: str) -> dict:
    """Inside the cancelling transaction (``meeting_cancel``), with the meeting already cancelled and its
    SEQUENCE bumped: when the members were sent an invitation, queue one mail to the called members (bcc) with
    the calendar ``METHOD:CANCEL`` that takes the meeting out of their calendars. Returns what the audit row
    keeps (the mail's purpose key, or nothing when no invitation had gone out)."""
    from django.urls import reverse

    from governance.core.services import mail_queue

    if not members_have_invitation(locked):
        return {}
    addresses = sorted({m.person.email for m in notice_recipients(locked) if m.person.email})
    if not addresses:
        return {}
    context = {
        "body": locked.body,
        "date": locked.date,
        "time": f"{timezone.localtime(locked.starts_at):%H.%M}",
        "reason": reason,
        "url": settings.SITE_URL.rstrip("/") + reverse("meetings:meeting", args=[locked.pk]),
    }
    mail, _created = mail_queue(
        purpose_key=cancellation_mail_prefix(locked),
        subject=render_to_string("meetings/email/cancellation_subject.txt", context).strip(),
        body=render_to_string("meetings/email/cancellation.txt", context),
        bcc=addresses,
        attachments=[("mote.ics", ical.cancellation(locked), "text/calendar; method=CANCEL")],
        obj=locked,
    )
    return {"cancellation_mail": mail.purpose_key, "cancellation_recipients": len(addresses)}


def notices_send_due(*, today: dt.date | None = None) -> dict[str, int]:
    """Daily: queue the notices whose last day is today and that nobody has sent or queued yet. ``queued``
    counts the mails put in the outbox (delivered by it), ``failed`` the notices that could not be made."""
    today = today or calendar.today()
    counts = {"queued": 0, "already_queued": 0, "failed": 0}
    for meeting in Meeting.objects.filter(
        state=MeetingState.PLANNED, starts_at__date__gt=today
    ).select_related("body"):
        # On its last day; a meeting planned at short notice is past that day already, so at once.
        if notice_deadline(meeting) == today or (
            meeting.is_short_notice and notice_deadline(meeting) < today
        ):
            try:
                _notice_queue(acting_user=None, meeting=meeting, today=today)
                counts["queued"] += 1
            except NoticeAlreadySent:
                counts["already_queued"] += 1
            except Exception:  # one meeting's failure must not stop the others' notices
                logger.exception("Notice for meeting %s could not be queued", meeting.pk)
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
