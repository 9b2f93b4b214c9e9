"""Reads for the body pages."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, prefetch_related_objects

from governance.core import calendar

from . import permissions
from .choices import VOTING_ROLES, FigureCategory, MeetingState
from .models import (
    CalendarToken,
    ConflictOfInterest,
    CooperationBody,
    Membership,
    MinutesApproval,
    MinutesVersion,
)


def body_list(user) -> list[CooperationBody]:
    """The bodies ``user`` may read, each with its number of current seats, in one query."""
    today = calendar.today()
    visible = permissions.visible_body_ids(user)
    bodies = CooperationBody.objects.select_related("convener").annotate(
        current_seats=Count(
            "memberships",
            filter=Q(memberships__role__in=VOTING_ROLES)
            & Q(memberships__valid_from__lte=today)
            & (Q(memberships__valid_to__isnull=True) | Q(memberships__valid_to__gte=today)),
        )
    )
    if visible is not None:
        bodies = bodies.filter(pk__in=visible)
    return list(bodies.order_by("kind", "name"))


def body_detail(slug: str) -> CooperationBody:
    return (
        CooperationBody.objects.select_related("convener", "agreement")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("person", "organisation", "appointed_by").order_by(
                    "-valid_to", "role", "organisation__name"
                ),
            )
        )
        .get(slug=slug)
    )


def split_current(memberships, on: dt.date | None = None) -> tuple[list[Membership], list[Membership]]:
    """Current seats and earlier ones (terms not yet begun are in ``split_upcoming``)."""
    on = on or calendar.today()
    current = [m for m in memberships if m.is_active(on)]
    return current, [m for m in memberships if m.valid_to is not None and m.valid_to < on]


def split_upcoming(memberships, on: dt.date | None = None) -> list[Membership]:
    """Planned terms (rotation): seats whose term has not begun."""
    on = on or calendar.today()
    return sorted((m for m in memberships if m.valid_from > on), key=lambda m: m.valid_from)


@dataclass(frozen=True)
class CompositionRow:
    label: str
    max_seats: int
    filled: int
    appointed_by: str

    @property
    def vacancies(self) -> int:
        return max(self.max_seats - self.filled, 0)


def composition(body: CooperationBody, on: dt.date | None = None) -> list[CompositionRow]:
    """Each seat rule with its filled seats and vacancies today, in two queries."""
    on = on or calendar.today()
    rules = list(body.seat_rules.select_related("organisation", "appointed_by", "body"))
    seats = list(
        Membership.objects.active(on).filter(body=body, role__in=VOTING_ROLES).select_related("organisation")
    )
    rows = []
    for rule in rules:
        specific = rule.organisation_id is not None
        filled = sum(
            1
            for m in seats
            if (specific and m.organisation_id == rule.organisation_id)
            or (
                not specific
                and rule.applies_to(m.organisation)
                and not any(r.organisation_id == m.organisation_id for r in rules)
            )
        )
        rows.append(
            CompositionRow(
                rule.label,
                rule.max_seats,
                filled,
                rule.appointed_by.display_name if rule.appointed_by else "",
            )
        )
    return rows


@dataclass(frozen=True)
class FigureBar:
    label: str
    text: str
    width: float
    y: int


def followup_charts(report) -> list[tuple[str, list[FigureBar], int]]:
    """Horizontal bars per category. A suppressed cell (<5) gets no bar: its size must not show."""
    from .services.followup import SMALL_CELL, suppressed

    figures = list(report.figures.all())
    charts = []
    for category, label in FigureCategory.choices:
        rows = [f for f in figures if f.category == category]
        if not rows:
            continue
        largest = (
            max(f.value for f in rows if f.value >= SMALL_CELL)
            if any(f.value >= SMALL_CELL for f in rows)
            else 1
        )
        bars = [
            FigureBar(
                f.label,
                suppressed(f.value),
                round(300 * f.value / largest, 1) if f.value >= SMALL_CELL else 0,
                8 + i * 22,
            )
            for i, f in enumerate(rows)
        ]
        charts.append((label, bars, 16 + len(bars) * 22))
    return charts


def minutes_numbered(meeting) -> bool:
    """Whether the items carry § numbers yet (from the drawn-up minutes on)."""
    return meeting.state not in permissions.AGENDA_OPEN_STATES


def extracts_available(meeting) -> bool:
    return meeting.state in (MeetingState.MINUTES_APPROVED, MeetingState.PUBLISHED)


def calendar_token(user) -> str | None:
    """The user's calendar feed secret, or ``None`` before they have created one."""
    return CalendarToken.objects.filter(user=user).values_list("token", flat=True).first()


def conflicts_with_people():
    """Prefetch of the items' conflicts of interest with their members' names: one query whether or not
    there are any (``"conflicts__membership__person"`` takes three once there is one)."""
    return Prefetch("conflicts", queryset=ConflictOfInterest.objects.select_related("membership__person"))


def approvals_with_people():
    """Prefetch of minutes versions' approvals (justeringar) with their members' names: one query however
    many approvals (``"approvals__membership__person"`` takes three once there is one)."""
    return Prefetch("approvals", queryset=MinutesApproval.objects.select_related("membership__person"))


def meeting_page_read(meeting, *, members: list) -> None:
    """Keep on ``meeting`` what its page reads once: the members of the day (``services.notice_recipients``),
    the minutes versions with their approvals (and the approving members' people) and the justerare with
    their people. ``Meeting.current_minutes`` and ``Meeting.checkers``, the transition rules and checks in
    ``permissions`` and the justering helpers in ``services`` then answer from these, with no query."""
    prefetch_related_objects(
        [meeting],
        Prefetch(
            "minutes_versions", queryset=MinutesVersion.objects.prefetch_related(approvals_with_people())
        ),
        Prefetch("minutes_checkers", queryset=Membership.objects.select_related("person")),
    )
    meeting.members_read = members
