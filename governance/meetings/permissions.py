"""Every grant and check of the meetings app.

Chair, vice chair and secretary of a body get ``manage_body`` on it; every member (ledamot, ersättare,
adjungerad too) gets ``view_body``. KSL officers and host administrators see every body (global
``view_all_bodies``, through their groups). Object checks use ``accept_global_perms=False``.
"""

import contextvars
import datetime as dt
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from governance.core import calendar
from governance.core.permissions import object_grants_sync, object_ids_with
from governance.core.transitions import Rule

from .choices import MeetingAction, MeetingState, MembershipRole
from .models import CooperationBody, CooperationBodyUserObjectPermission, Membership

MANAGING_ROLES = {MembershipRole.CHAIR, MembershipRole.VICE_CHAIR, MembershipRole.SECRETARY}
CODENAMES = {"manage_body", "view_body"}


def membership_grants_sync(user, *, on: dt.date | None = None) -> dict[str, int]:
    """Make ``user``'s body permissions match their active memberships."""
    active = Membership.objects.active(on or calendar.today()).filter(person__user=user)
    wanted = set()
    for membership in active:
        wanted.add(("view_body", membership.body_id))
        if membership.role in MANAGING_ROLES:
            wanted.add(("manage_body", membership.body_id))
    return object_grants_sync(
        user,
        app_label="meetings",
        perm_model=CooperationBodyUserObjectPermission,
        codenames=CODENAMES,
        wanted=wanted,
        model=CooperationBody,
    )


def can_see_all_bodies(user) -> bool:
    return user.is_active and user.has_perm("meetings.view_all_bodies")


def can_view_body(user, body: CooperationBody) -> bool:
    return user.is_authenticated and (
        can_see_all_bodies(user)
        or user.has_perm("meetings.view_body", body)
        or user.has_perm("meetings.manage_body", body)
    )


def can_manage_body(user, body: CooperationBody) -> bool:
    return user.is_authenticated and user.is_active and user.has_perm("meetings.manage_body", body)


def visible_body_ids(user) -> set[int] | None:
    """Ids of the bodies ``user`` may read, in one query; ``None`` means all."""
    if not user.is_authenticated:
        return set()
    if can_see_all_bodies(user):
        return None
    return object_ids_with(user, CooperationBody, CODENAMES)


def can_manage_memberships(user) -> bool:
    """KSL appoints the municipal seats and the host administers the bodies; ``None`` is the system."""
    return user is None or (user.is_active and user.has_perm("meetings.change_membership"))


def check_manage_memberships(user) -> None:
    if not can_manage_memberships(user):
        raise PermissionDenied(_("Du får inte ändra ledamöter i samverkansorganen."))


def managed_body_ids(user) -> set[int]:
    """Ids of the bodies whose meetings ``user`` prepares, in one query (shared with ``visible_body_ids`` and
    the object checks within a request: ``core.permissions.object_grants``)."""
    if not user.is_authenticated:
        return set()
    return object_ids_with(user, CooperationBody, {"manage_body"})


def check_manage_body(user, body: CooperationBody) -> None:
    """``None`` is the system (scheduled jobs and data loads)."""
    if user is not None and not can_manage_body(user, body):
        raise PermissionDenied(
            _("Endast ordföranden och sekreteraren i %(body)s förbereder dess möten.") % {"body": body}
        )


def check_report_followup(user) -> None:
    """The host's administrators and those who see every body report the quarterly follow-up."""
    if user is not None and not (user.has_perm("meetings.add_followupreport") or can_see_all_bodies(user)):
        raise PermissionDenied(_("Du får inte rapportera uppföljningen."))


_system_load: contextvars.ContextVar[bool] = contextvars.ContextVar("meetings_system_load", default=False)


@contextmanager
def system_load():
    """A data load (the demo meetings, ``services.demo_meetings_load``) runs as the system (``acting_user=None``)
    and may record what happened at a meeting: held, minutes drawn up. Scheduled jobs never enter this, so
    outside it the system still cannot hold a meeting or draw up its minutes."""
    token = _system_load.set(True)
    try:
        yield
    finally:
        _system_load.reset(token)


def check_backdate(user) -> None:
    """Only the system, in a data load, records a meeting in the past; no user may backdate a meeting."""
    if user is not None or not _system_load.get():
        raise PermissionDenied(_("Ett möte kan inte läggas i efterhand."))


def _manages(user, meeting) -> bool:
    """The body's chair, vice chair and secretary; ``None`` is the system (scheduled notices, data loads)."""
    return user is None or can_manage_body(user, meeting.body)


def _manages_in_person(user, meeting) -> bool:
    """The body's chair, vice chair and secretary themselves: no scheduled job cancels or moves a meeting, or
    publishes or corrects its minutes (holding and drafting: ``_records_the_meeting``)."""
    return user is not None and can_manage_body(user, meeting.body)


def _records_the_meeting(user, meeting) -> bool:
    """Holding a meeting and drawing up its minutes: the body's managers in person, or the system in a data
    load (``system_load``); never a scheduled job."""
    if user is None:
        return _system_load.get()
    return can_manage_body(user, meeting.body)


def _approves(user, meeting) -> bool:
    """The chair and the chosen justerare complete the justering (the service checks whose approval it is)."""
    if user is None:
        return True
    if not user.is_authenticated:
        return False
    if can_manage_body(user, meeting.body):
        return (
            True  # the last approval may be one the chair or secretary records for a member without a login
        )
    return _is_checker(user, meeting) or _is_chair(user, meeting)


def _is_checker(user, meeting) -> bool:
    """Whether ``user`` is one of the meeting's chosen justerare (from the page's read when it has one)."""
    if meeting.has_read("minutes_checkers"):
        return any(c.person.user_id == user.pk for c in meeting.minutes_checkers.all())
    return meeting.minutes_checkers.filter(person__user=user).exists()


def _is_chair(user, meeting) -> bool:
    """Whether ``user`` chairs the body on the meeting's day (from the page's members when it has read them)."""
    if meeting.members_read is not None:
        return any(
            m.role == MembershipRole.CHAIR and m.person.user_id == user.pk for m in meeting.members_read
        )
    return (
        Membership.objects.active(meeting.date)
        .filter(body=meeting.body, person__user=user, role=MembershipRole.CHAIR)
        .exists()
    )


_PREPARES = _lazy("Endast ordföranden och sekreteraren förbereder organets möten.")

#: Who may run each transition of a meeting, and what it records (``core.transitions``).
MEETING_RULES = {
    # The notice also goes out from the daily job on its last day (``notices_send_due``), so the system may.
    "send_notice": Rule(_manages, MeetingAction.MEETING_NOTICE_SENT, _PREPARES),
    "hold": Rule(_records_the_meeting, MeetingAction.MEETING_HELD, _PREPARES),
    "draft_minutes": Rule(_records_the_meeting, MeetingAction.MINUTES_DRAFTED, _PREPARES),
    "approve_minutes": Rule(
        _approves,
        MeetingAction.MINUTES_APPROVED,
        _lazy("Endast ordföranden och de valda justerarna justerar protokollet."),
    ),
    "publish": Rule(_manages_in_person, MeetingAction.MINUTES_PUBLISHED, _PREPARES),
    "correct_minutes": Rule(_manages_in_person, MeetingAction.MINUTES_CORRECTED, _PREPARES),
    "cancel": Rule(_manages_in_person, MeetingAction.MEETING_CANCELLED, _PREPARES),
    "postpone": Rule(_manages_in_person, MeetingAction.MEETING_POSTPONED, _PREPARES),
    "replan": Rule(_manages_in_person, MeetingAction.MEETING_REPLANNED, _PREPARES),
}

#: The states in which the agenda, the attendance and the items may still change (before the minutes).
AGENDA_OPEN_STATES = (MeetingState.PLANNED, MeetingState.NOTICE_SENT, MeetingState.HELD)


def can_answer_notice(user, meeting, *, members: list | None = None) -> bool:
    """A member called to the meeting answers the notice until the meeting is held. A page that has read the
    meeting's members (``services.notice_recipients``: the body's memberships active on the meeting's date)
    passes them, and no query is made."""
    if not user.is_authenticated or meeting.state not in (MeetingState.PLANNED, MeetingState.NOTICE_SENT):
        return False
    members = meeting.members_read if members is None else members
    if members is not None:
        return any(m.person.user_id == user.pk for m in members)
    return Membership.objects.active(meeting.date).filter(body=meeting.body, person__user=user).exists()


def can_edit_agenda(user, meeting) -> bool:
    """Items are added, moved and carried over by the body's managers until the minutes are drawn up."""
    return meeting.state in AGENDA_OPEN_STATES and can_manage_body(user, meeting.body)


def can_request_notice(user, meeting) -> bool:
    return meeting.state == MeetingState.PLANNED and can_manage_body(user, meeting.body)


def can_remove_item(user, meeting) -> bool:
    """Items are removed before the meeting is held (afterwards the minutes say what happened to them)."""
    return meeting.state in (MeetingState.PLANNED, MeetingState.NOTICE_SENT) and can_manage_body(
        user, meeting.body
    )


def can_record_attendance(user, meeting, *, now=None) -> bool:
    """From the meeting's start time on, until the minutes are drawn up (``attendance_record`` decides)."""
    from django.utils import timezone

    return (
        meeting.state in AGENDA_OPEN_STATES
        and (now or timezone.now()) >= meeting.starts_at
        and can_manage_body(user, meeting.body)
    )


def can_approve_in_person(user, meeting) -> bool:
    """The chair and the chosen justerare approve themselves (the page offers the button only to them), once
    per version: not again after they have approved the current version."""
    if not user.is_authenticated or meeting.state != MeetingState.MINUTES_DRAFTED:
        return False
    approves = _is_checker(user, meeting) or _is_chair(user, meeting)
    return approves and my_approval(user, meeting) is None


def my_approval(user, meeting):
    """The user's own approval (justering) of the meeting's current minutes version, or ``None``."""
    from .models import MinutesApproval

    if not user.is_authenticated:
        return None
    version = meeting.current_minutes()
    if version is None:
        return None
    if "approvals" in getattr(version, "_prefetched_objects_cache", {}):  # the page's read, with the people
        return next((a for a in version.approvals.all() if a.membership.person.user_id == user.pk), None)
    return MinutesApproval.objects.filter(minutes=version, membership__person__user=user).first()


def can_record_approval(user, meeting) -> bool:
    """The chair and the secretary record the justering of a member without a login."""
    return meeting.state == MeetingState.MINUTES_DRAFTED and can_manage_body(user, meeting.body)


def can_record_outcomes(user, meeting) -> bool:
    """Decisions and notes are written once the meeting is held, and still while the drawn-up minutes wait for
    their first justering (the page's form, like the service: "Antecknades." can then become a decision)."""
    if not can_manage_body(user, meeting.body):
        return False
    if meeting.state == MeetingState.HELD:
        return True
    if meeting.state != MeetingState.MINUTES_DRAFTED:
        return False
    version = meeting.current_minutes()
    return version is not None and not version.approvals.exists()  # the page's prefetched approvals, if read
