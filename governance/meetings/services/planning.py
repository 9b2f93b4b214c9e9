"""Planning: one meeting, the year's meetings, and postponing, replanning, cancelling and holding a meeting."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from governance.core import calendar
from governance.core.calendar import (
    first_working_weekday_from,
    next_working_day,
    working_days_after,
    working_days_before,
)
from governance.core.services import audit_record

from .. import permissions
from ..choices import (
    STANDARD_CLOSING,
    STANDARD_OPENING,
    ItemKind,
    MeetingAction,
    MeetingState,
)
from ..models import AgendaItem, CooperationBody, Meeting
from .common import _meeting_transition

MONTHS_BY_FREQUENCY = {1: [10], 2: [3, 10], 3: [2, 6, 10], 4: [2, 5, 9, 11], 6: [1, 3, 5, 8, 10, 12]}


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
    """The first day a meeting planned today can still be noticed in time: from the next working day on
    or after today, ``notice_working_days`` working days ahead (and never today itself)."""
    today = calendar.today()
    return max(
        working_days_after(next_working_day(today), body.notice_working_days),
        next_working_day(today + dt.timedelta(days=1)),
    )


MAX_REASON = 300


def _reason(reason: str | None, *, missing: str) -> str:
    """A cancellation's, postponement's or short notice's reason: required, at most ``MAX_REASON`` characters."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(missing)
    if len(reason) > MAX_REASON:
        raise ValidationError(_("Skälet får vara högst %(n)s tecken.") % {"n": MAX_REASON})
    return reason


class ShortNotice(ValidationError):
    """The meeting is closer than the body's notice time: a warning the chair confirms with a reason."""


def short_notice_warning(body: CooperationBody, day: dt.date) -> str | None:
    """The warning for a meeting on ``day`` whose notice cannot go out ``notice_working_days`` working days
    ahead, or ``None`` when there is time."""
    deadline = working_days_before(day, body.notice_working_days)
    if deadline >= calendar.today():
        return None
    return ngettext(
        "Kallelsen hinner inte gå ut %(n)s arbetsdag före mötet (den skulle ha skickats senast %(deadline)s; "
        "tidigast ordinarie dag är %(date)s).",
        "Kallelsen hinner inte gå ut %(n)s arbetsdagar före mötet (den skulle ha skickats senast %(deadline)s; "
        "tidigast ordinarie dag är %(date)s).",
        body.notice_working_days,
    ) % {"n": body.notice_working_days, "deadline": deadline, "date": _first_possible_day(body)}


def _short_notice(
    body: CooperationBody, starts_at: dt.datetime, *, reason: str | None, confirmed: bool
) -> dict | None:
    """``None`` when the notice has time; otherwise the confirmed warning and its reason (for the meeting and
    the audit row). Unconfirmed, it raises ``ShortNotice`` with the warning; confirmed, it needs a reason."""
    warning = short_notice_warning(body, timezone.localtime(starts_at).date())
    if warning is None:
        return None
    if not confirmed:
        raise ShortNotice(
            warning
            + " "
            + _("Ange skälet och bekräfta för att ändå planera mötet som ett extra möte med kort varsel.")
        )
    try:
        reason = _reason(reason, missing=_("Ange skälet till att mötet hålls med kort varsel."))
    except ValidationError as exc:
        raise ValidationError({"short_notice_reason": exc.messages}) from exc
    return {"warning": warning, "reason": reason, "confirmed": True}


def _check_times(starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    """Not in the past, and ending after it starts; the errors are keyed by the field (``starts_at``,
    ``ends_at``) so that a form can show them next to its date and end time."""
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("Mötet kan inte läggas i det förflutna.")})
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("Mötet måste sluta efter att det börjar.")})


def meeting_create(
    *,
    acting_user,
    body: CooperationBody,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: str = "",
    video_link: str = "",
    short_notice_reason: str | None = None,
    short_notice_confirmed: bool = False,
    system_backdate: bool = False,
    is_demo_data: bool = False,
) -> Meeting:
    """Plan one meeting with the standard opening and closing items. Not in the past, and it must end after it
    starts.

    A meeting closer than the body's ``notice_working_days`` is a warning (``ShortNotice``): with
    ``short_notice_confirmed`` and a ``short_notice_reason`` it is planned as an extra meeting, and the audit
    row keeps the confirmed warning and the reason.

    ``system_backdate`` records a meeting that has already happened (the demo meetings); only the system may
    pass it (``acting_user=None`` inside ``permissions.system_load()``), anyone else gets ``PermissionDenied``.
    """
    permissions.check_manage_body(acting_user, body)
    short = None
    if system_backdate:
        permissions.check_backdate(acting_user)
        if ends_at <= starts_at:
            raise ValidationError(_("Mötet måste sluta efter att det börjar."))
    else:
        _check_times(starts_at, ends_at)
        short = _short_notice(body, starts_at, reason=short_notice_reason, confirmed=short_notice_confirmed)
    with transaction.atomic():
        meeting = Meeting.objects.create(
            body=body,
            starts_at=starts_at,
            ends_at=ends_at,
            place=place,
            video_link=video_link,
            is_extra=short is not None,
            short_notice_reason=short["reason"] if short else "",
            is_demo_data=is_demo_data,
        )
        _standard_items(meeting)
        payload = {"starts_at": starts_at}
        if short:
            payload["short_notice"] = short
        if system_backdate:
            payload["recorded_afterwards"] = True
        if is_demo_data:
            payload["demo"] = True
        audit_record(
            acting_user=acting_user,
            action=MeetingAction.MEETING_PLANNED,
            obj=meeting,
            payload=payload,
        )
    return meeting


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
    """The year's meetings from the body's frequency, on working days; dates already past, or too close for
    the notice, are skipped."""
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
            day = first_working_weekday_from(dt.date(year, month, 8), weekday)  # the second such weekday
            starts_at = dt.datetime.combine(day, start, tzinfo=tz)
            # Past dates, and dates too close for the notice (an extra meeting is planned one by one).
            if day in existing or starts_at <= timezone.now() or short_notice_warning(body, day):
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


def meeting_hold(*, acting_user, meeting: Meeting, expected_state: str | None = None) -> Meeting:
    def check(locked):
        # Not before it has begun: a meeting marked held at 20.55 for 21.00 lost its queued notice.
        if locked.starts_at > timezone.now():
            starts = timezone.localtime(locked.starts_at)
            raise ValidationError(
                _("Mötet har inte börjat ännu (det börjar %(day)s kl. %(time)s).")
                % {"day": starts.date().isoformat(), "time": starts.strftime("%H.%M")}
            )

    return _meeting_transition(
        acting_user=acting_user,
        meeting=meeting,
        transition="hold",
        check=check,
        expected_state=expected_state,
    )


def meeting_cancel(
    *, acting_user, meeting: Meeting, reason: str, expected_state: str | None = None
) -> Meeting:
    """Cancel a planned or noticed meeting: its calendar SEQUENCE is bumped, and members who were sent the
    invitation get the cancellation (``METHOD:CANCEL``) by mail (``notices._cancellation_queue``)."""
    from .notices import _cancellation_queue

    reason = _reason(reason, missing=_("Ange varför mötet ställs in."))
    return _meeting_transition(
        acting_user=acting_user,
        meeting=meeting,
        transition="cancel",
        payload={"reason": reason},
        check=_bump_sequence,
        after=lambda locked: _cancellation_queue(locked, reason=reason),
        expected_state=expected_state,
    )


def _bump_sequence(locked: Meeting) -> None:
    """The calendars show the meeting differently (time, place or status): its SEQUENCE goes up, once."""
    locked.ical_sequence += 1


def meeting_postpone(
    *, acting_user, meeting: Meeting, reason: str, expected_state: str | None = None
) -> Meeting:
    """Postpone a meeting (uppskjutet); it keeps its agenda and may be given a new time with ``meeting_replan``."""
    reason = _reason(reason, missing=_("Ange varför mötet skjuts upp."))
    return _meeting_transition(
        acting_user=acting_user,
        meeting=meeting,
        transition="postpone",
        payload={"reason": reason},
        check=_bump_sequence,  # the calendars show it as not taking place at its time
        expected_state=expected_state,
    )


def _new_time(locked, starts_at, ends_at, short) -> int:
    """Give the locked meeting its new time: the old one is kept as "flyttat från", a new notice is needed and
    the answers to the old notice no longer hold (returns how many were cleared)."""
    cleared = locked.attendances.exclude(rsvp="").update(rsvp="", rsvp_at=None)
    locked.postponed_from = locked.starts_at
    locked.starts_at, locked.ends_at = starts_at, ends_at
    locked.notice_sent_at = None
    _bump_sequence(locked)
    locked.short_notice_reason = short["reason"] if short else ""
    return cleared


def meeting_replan(
    *,
    acting_user,
    meeting: Meeting,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    expected_state: str | None = None,
    short_notice_reason: str | None = None,
    short_notice_confirmed: bool = False,
    place: str | None = None,
    video_link: str | None = None,
) -> Meeting:
    """A postponed meeting gets a new time (not in the past) and is planned again; a new notice is needed.
    A new time closer than the notice time is a warning confirmed with a reason, as in ``meeting_create``.
    A place or video link given (not ``None``) replaces the old one: a meeting moved may also move room."""
    _check_times(starts_at, ends_at)
    place = None if place is None else place.strip()
    if place is not None and len(place) > Meeting._meta.get_field("place").max_length:
        raise ValidationError({"place": _("Plats: högst 200 tecken.")})
    short = _short_notice(
        meeting.body, starts_at, reason=short_notice_reason, confirmed=short_notice_confirmed
    )
    payload = {"starts_at": starts_at, "moved_from": meeting.starts_at}
    if short:
        payload["short_notice"] = short

    def check(locked):
        payload["moved_from"] = locked.starts_at
        payload["answers_cleared"] = _new_time(locked, starts_at, ends_at, short)
        if place is not None and place != locked.place:
            payload["place"] = {"before": locked.place, "after": place}
            locked.place = place
        if video_link is not None and video_link != locked.video_link:
            payload["video_link"] = {"before": locked.video_link, "after": video_link}
            locked.video_link = video_link

    return _meeting_transition(
        acting_user=acting_user,
        meeting=meeting,
        transition="replan",
        payload=payload,
        check=check,
        expected_state=expected_state,
    )


def meeting_reschedule(
    *,
    acting_user,
    meeting: Meeting,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    reason: str,
    expected_state: str | None = None,
    short_notice_reason: str | None = None,
    short_notice_confirmed: bool = False,
) -> Meeting:
    """Postpone a planned (or noticed) meeting to a new time in one step: ``postpone`` with the reason, then
    ``replan`` to the new time, in one transaction (two audit rows). The old time is kept as "flyttat från"
    and a new notice is needed. The calendar SEQUENCE goes up once (by the replan: one change of time)."""
    reason = _reason(reason, missing=_("Ange varför mötet flyttas."))
    _check_times(starts_at, ends_at)
    short = _short_notice(
        meeting.body, starts_at, reason=short_notice_reason, confirmed=short_notice_confirmed
    )
    with transaction.atomic():
        postponed = _meeting_transition(
            acting_user=acting_user,
            meeting=meeting,
            transition="postpone",
            payload={"reason": reason, "new_starts_at": starts_at},
            expected_state=expected_state,
        )
        return meeting_replan(
            acting_user=acting_user,
            meeting=postponed,
            starts_at=starts_at,
            ends_at=ends_at,
            expected_state=MeetingState.POSTPONED,
            short_notice_reason=short["reason"] if short else None,
            short_notice_confirmed=short is not None,
        )
