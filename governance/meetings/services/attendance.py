"""Attendance and quorum (beslutförhet)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.core.services import audit_record

from .. import permissions
from ..choices import (
    VOTING_ROLES,
    AttendanceStatus,
    MeetingAction,
    MeetingState,
    MembershipRole,
)
from ..models import Attendance, Meeting, Membership
from .common import _minutes_open, _rerender_open_minutes
from .notices import notice_recipients


def voting_seats(meeting: Meeting) -> int:
    """How many voting members (chair, vice chair, members) the body has on the meeting's day."""
    return Membership.objects.active(meeting.date).filter(body=meeting.body, role__in=VOTING_ROLES).count()


def quorum(meeting: Meeting, attendances: list[Attendance]) -> tuple[int, int]:
    """(present, required): more than half of the voting members; deputies count when they stand in."""
    seats = voting_seats(meeting)
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
    """Record who was present and who stood in for whom, then the quorum (shown before any decision).
    From the meeting's start time on (not earlier the same day), until the minutes are approved."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().select_related("body").get(pk=meeting.pk)
        permissions.check_manage_body(acting_user, meeting.body)
        if meeting.state not in (
            MeetingState.NOTICE_SENT,
            MeetingState.HELD,
            MeetingState.PLANNED,
        ) and not _minutes_open(meeting):
            raise ValidationError(_("Närvaron kan inte ändras när protokollet är justerat."))
        if timezone.now() < meeting.starts_at:
            start = timezone.localtime(meeting.starts_at)
            raise ValidationError(
                _("Närvaron registreras från mötets start, %(date)s kl. %(time)s.")
                % {"date": start.date(), "time": f"{start:%H.%M}"}
            )
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
