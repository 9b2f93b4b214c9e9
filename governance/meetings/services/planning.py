"""Planning: one meeting, the year's meetings, and postponing, replanning, cancelling and holding a meeting."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

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
            day = first_working_weekday_from(dt.date(year, month, 8), weekday)  # the second such weekday
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


def meeting_hold(*, acting_user, meeting: Meeting, expected_state: str | None = None) -> Meeting:
    def check(locked):
        if locked.date > calendar.today():
            raise ValidationError(_("Mötet har inte hållits ännu."))

    return _meeting_transition(
        acting_user=acting_user,
        meeting=meeting,
        transition="hold",
        check=check,
        expected_state=expected_state,
    )


MAX_REASON = 300


def _reason(reason: str | None, *, missing: str) -> str:
    """A cancellation's or postponement's reason: required, at most ``MAX_REASON`` characters."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(missing)
    if len(reason) > MAX_REASON:
        raise ValidationError(_("Skälet får vara högst %(n)s tecken.") % {"n": MAX_REASON})
    return reason


def meeting_cancel(
    *, acting_user, meeting: Meeting, reason: str, expected_state: str | None = None
) -> Meeting:
    reason = _reason(reason, missing=_("Ange varför mötet ställs in."))
    return _meeting_transition(
        acting_user=acting_user,
        meeting=meeting,
        transition="cancel",
        payload={"reason": reason},
        expected_state=expected_state,
    )


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
        expected_state=expected_state,
    )


def meeting_replan(
    *,
    acting_user,
    meeting: Meeting,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    expected_state: str | None = None,
) -> Meeting:
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
        expected_state=expected_state,
    )
