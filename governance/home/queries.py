"""Reads for the start page: what is the user's to do, across the apps.

This is the top layer: the only place (with ``load_origo``) that reads from every app.
"""

from django.db.models import Count, Q

from governance.agreements.costs import AllocationError
from governance.agreements.queries import (
    agreement_ids_for,
    agreement_list,
    cost_allocation,
    default_cost_year,
)
from governance.core import calendar
from governance.decisions import permissions as case_permissions
from governance.decisions.choices import CaseState
from governance.decisions.models import AdoptionCase, Recommendation
from governance.meetings.choices import MeetingState
from governance.meetings.models import Attendance, Meeting, Membership
from governance.meetings.permissions import managed_body_ids, visible_body_ids
from governance.parties.models import RoleAssignment
from governance.parties.permissions import can_view_registry
from governance.parties.queries import current_contacts, person_for_user


def _todo(user) -> dict:
    """The user's open cases, coming meetings (with whether they have answered), and for KSL the overdue."""

    today = calendar.today()
    waiting = [
        CaseState.RECEIVED,
        CaseState.IN_PREPARATION,
        CaseState.PROPOSED,
        CaseState.IN_DECISION,
        CaseState.DECIDED,
    ]
    todo = {}
    readable = case_permissions.visible_case_filter(user)
    if readable:  # a municipality's own people (KSL sees the dashboards instead)
        todo["todo_cases"] = list(
            AdoptionCase.objects.filter(**readable, state__in=waiting)
            .select_related("organisation", "recommendation")
            .order_by("deadline")[:20]
        )
    if case_permissions.can_view_dashboard(user):
        todo["oversight"] = list(
            Recommendation.objects.annotate(
                open=Count("cases", filter=Q(cases__state__in=waiting)),
                overdue=Count("cases", filter=Q(cases__state__in=waiting[:4], cases__deadline__lt=today)),
            ).filter(open__gt=0)
        )
    bodies = visible_body_ids(user)
    meetings = Meeting.objects.filter(
        starts_at__date__gte=today, state__in=[MeetingState.PLANNED, MeetingState.NOTICE_SENT]
    ).select_related("body")
    if bodies is not None:
        meetings = meetings.filter(body_id__in=bodies)
    meetings = list(meetings.order_by("starts_at")[:10])
    answered = set(
        Attendance.objects.filter(meeting__in=meetings, membership__person__user=user)
        .exclude(rsvp="")
        .values_list("meeting_id", flat=True)
    )
    managed = managed_body_ids(user)
    for meeting in meetings:
        meeting.answered = meeting.pk in answered
        meeting.can_manage = meeting.body_id in managed
    todo["meetings"] = meetings

    todo["memberships"] = list(
        Membership.objects.active(today).filter(person__user=user).select_related("body", "organisation")
    )
    return todo


def start_page(user) -> dict:
    """What the start page shows this user: their organisation, its contact persons and its cost share."""

    agreements = agreement_list()
    context: dict = {
        "agreements": agreements,
        "person": None,
        "my_share": None,
        "contacts": [],
        "roles": [],
        "todo_cases": [],
        "meetings": [],
        "oversight": [],
        "memberships": [],
        "can_view_costs": can_view_registry(user),
    }
    if user.is_authenticated:
        context["roles"] = list(
            RoleAssignment.objects.active().filter(user=user).select_related("organisation")
        )
        context.update(_todo(user))
    person = person_for_user(user)
    if person is None:
        return context
    context["person"] = person
    organisation = person.organisation
    context["contacts"] = current_contacts(organisation)
    member_of = agreement_ids_for(organisation)
    current = next((a for a in reversed(agreements) if a.pk in member_of), None)
    if current is not None and organisation.is_municipality:
        try:
            allocation = cost_allocation(agreement=current, year=default_cost_year(current))
        except AllocationError:
            allocation = None
        if allocation is not None:
            context["my_share"] = {
                "agreement": current,
                "year": allocation.year,
                "line": next(line for line in allocation.lines if line.organisation_id == organisation.pk),
            }
    return context
