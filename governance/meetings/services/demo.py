"""Demo meetings "in the present": invented meetings of the steering group and the reference forum around today,
so the demo users have minutes to approve, an agenda to build and an annual meeting ahead.

Everything is made through the same services the pages use, as the system (``acting_user=None``) inside
``permissions.system_load()``, and marked ``is_demo_data`` (the pages show "Demodata").
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from governance.core import calendar
from governance.core.calendar import (
    first_working_weekday_from,
    is_working_day,
    next_working_day,
    working_days_before,
)

from .. import permissions
from ..choices import AttendanceStatus, ItemKind, MembershipRole
from ..models import CooperationBody, Meeting, Membership
from .agenda import agenda_item_add, item_outcome_record
from .attendance import attendance_record
from .minutes import minutes_draft
from .planning import meeting_create, meeting_hold

DEMO_NOTE = "Demodata: påhittat möte för att visa arbetsgången."
PLACE = "Origo, Stockholm (demo)"


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def _last_week(today: dt.date) -> dt.date:
    """A working day 5–9 days ago, as close to a week ago as possible."""
    for days in (7, 6, 8, 5, 9):
        day = today - dt.timedelta(days=days)
        if is_working_day(day):
            return day
    return working_days_before(today - dt.timedelta(days=4), 1)


def _next_month(body: CooperationBody, today: dt.date) -> dt.date:
    """The second Tuesday of next month (a working day), later if the notice would not have time."""
    first = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    day = first_working_weekday_from(first + dt.timedelta(days=7), 1)
    while working_days_before(day, body.notice_working_days) < calendar.today():
        day = first_working_weekday_from(day + dt.timedelta(days=1), 1)
    return day


def _coming_weeks(body: CooperationBody, today: dt.date) -> dt.date:
    """A Thursday three to four weeks ahead, with time for the notice."""
    day = first_working_weekday_from(today + dt.timedelta(days=21), 3)
    while working_days_before(day, body.notice_working_days) < calendar.today():
        day = first_working_weekday_from(day + dt.timedelta(days=1), 3)
    return day


def _create(body, day, hours, *, backdate=False) -> Meeting:
    return meeting_create(
        acting_user=None,
        body=body,
        starts_at=_at(day, hours[0]),
        ends_at=_at(day, hours[1]),
        place=PLACE,
        system_backdate=backdate,
        is_demo_data=True,
    )


def _add(meeting, title, kind=ItemKind.INFORMATION, presenter="", description=DEMO_NOTE):
    return agenda_item_add(
        acting_user=None,
        meeting=meeting,
        title=title,
        kind=kind,
        presenter=presenter,
        description=description,
    )


def _held_meeting(body: CooperationBody, today: dt.date) -> Meeting:
    """Last week's steering-group meeting: held, quorate, outcomes written, minutes waiting for justering."""
    day = _last_week(today)
    meeting = _create(body, day, (13, 15), backdate=True)
    report = _add(meeting, "Lägesrapport från verksamheten", presenter="Verksamhetschefen")
    plan = _add(meeting, f"Verksamhetsplan och budget {day.year + 1}", ItemKind.DECISION, "Verksamhetschefen")
    members = list(
        Membership.objects.active(day)
        .filter(body=body)
        .select_related("person")
        .order_by("role", "person__last_name")
    )
    voting = [m for m in members if m.role in (MembershipRole.CHAIR, MembershipRole.MEMBER)]
    with_login = [m for m in voting if m.role == MembershipRole.MEMBER and m.person.user_id]
    absent = [m for m in voting if m.role == MembershipRole.MEMBER and not m.person.user_id][-3:]
    statuses = {
        m.pk: (AttendanceStatus.ABSENT if m in absent else AttendanceStatus.PRESENT, None) for m in voting
    }
    statuses.update(
        {m.pk: (AttendanceStatus.PRESENT, None) for m in members if m.role == MembershipRole.SECRETARY}
    )
    attendance_record(acting_user=None, meeting=meeting, statuses=statuses)
    meeting = meeting_hold(acting_user=None, meeting=meeting)
    outcomes = {
        "Val av justerare": "Styrgruppen valde "
        + " och ".join(m.person.full_name for m in with_login[:2])
        + " att justera protokollet.",
        "Godkännande av dagordningen": "Dagordningen godkändes.",
        "Föregående protokoll": "Protokollet från föregående möte lades till handlingarna.",
    }
    for item in meeting.items.all():
        if item.title in outcomes:
            item_outcome_record(acting_user=None, item=item, outcome=outcomes[item.title])
    item_outcome_record(
        acting_user=None, item=report, outcome="Styrgruppen tackade för rapporten (demodata)."
    )
    item_outcome_record(
        acting_user=None,
        item=plan,
        outcome="Styrgruppen beslutade att godkänna förslaget till verksamhetsplan och budget (demodata).",
    )
    return minutes_draft(
        acting_user=None,
        meeting=meeting,
        checker_ids=[m.pk for m in with_login[:2]],
        approval_place=PLACE,
        approval_date=next_working_day(today + dt.timedelta(days=1)),
    )


def _next_meeting(body: CooperationBody, today: dt.date) -> Meeting:
    """Next month's steering-group meeting: planned, the agenda partly built, no notice yet."""
    meeting = _create(body, _next_month(body, today), (13, 15))
    _add(meeting, "Lägesrapport från verksamheten", presenter="Verksamhetschefen")
    # Announced under the paper's name (core.papers, "adoption_summary"): "Lägg till ”Läget i kommunernas
    # anslutning”" on the page attaches the paper to this item instead of adding another one.
    _add(
        meeting,
        "Läget i kommunernas anslutning",
        ItemKind.DISCUSSION,
        "KSL",
        "Demodata: underlaget (lägesrapporten om anslutningen) läggs till här före kallelsen, "
        "med ”Lägg till ”Läget i kommunernas anslutning”” under dagordningen.",
    )
    return meeting


def _annual_meeting(body: CooperationBody, today: dt.date) -> Meeting:
    """The reference forum's annual meeting (årsmöte) in the coming weeks: planned, with its agenda."""
    meeting = _create(body, _coming_weeks(body, today), (9, 12))
    _add(meeting, "Årsmöte: verksamhetsberättelse för året som gått", presenter="Verksamhetschefen")
    _add(meeting, "Uppföljning: kontakter, ärenden och utåtriktade insatser", presenter="Verksamhetschefen")
    _add(meeting, "Synpunkter på verksamhetsplanen inför nästa år", ItemKind.DISCUSSION, "Ordföranden")
    return meeting


def demo_meetings_load(*, acting_user=None, today: dt.date | None = None) -> dict:
    """Create the demo meetings around ``today`` (default: today) for the steering group (``styrgrupp``) and
    the reference forum (``referensforum``) loaded by ``body_load``:

    - the steering group's meeting of last week (a working day 5–9 days ago): agenda, attendance (quorate),
      outcomes and minutes drawn up, waiting for the chair's and the two justerares' justering;
    - the steering group's meeting next month: planned, the agenda partly built, no notice sent;
    - the reference forum's annual meeting (årsmöte) in the coming weeks: planned with its agenda.

    Only the system loads demo data (``acting_user`` must be ``None``; anything else is ``PermissionDenied``).
    Idempotent: if any demo meeting exists, nothing is created and no audit row is written. All or nothing:
    one transaction. The services still check the real clock, so ``today`` (for tests) should be close to it.
    Returns ``{"created": n, "meetings": [ids]}``; bodies that are not loaded are skipped.
    """
    if acting_user is not None:
        from django.core.exceptions import PermissionDenied
        from django.utils.translation import gettext as _

        raise PermissionDenied(_("Demodata läses in av systemet."))
    today = today or calendar.today()
    bodies = {b.slug: b for b in CooperationBody.objects.filter(slug__in=["styrgrupp", "referensforum"])}
    if Meeting.objects.filter(is_demo_data=True).exists():
        return {"created": 0, "meetings": []}
    created = []
    with transaction.atomic(), permissions.system_load():
        steering = bodies.get("styrgrupp")
        if steering is not None:
            created += [_held_meeting(steering, today), _next_meeting(steering, today)]
        forum = bodies.get("referensforum")
        if forum is not None:
            created.append(_annual_meeting(forum, today))
    return {"created": len(created), "meetings": [m.pk for m in created]}
