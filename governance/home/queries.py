"""Reads for the start page: what is the user's to do, across the apps.

This is the top layer: the only place (with ``load_origo``) that reads from every app.
"""

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from governance.agreements.costs import AllocationError
from governance.agreements.queries import (
    agreement_list,
    cost_allocation,
    default_cost_year,
)
from governance.core import calendar
from governance.decisions import permissions as case_permissions
from governance.decisions.choices import WAITING_STATES, CaseState, Position
from governance.decisions.models import (
    AdoptionCase,
    ConsultationResponse,
    ConsultationRound,
    Decision,
    DecisionStep,
    Recommendation,
)
from governance.decisions.queries import case_next_actions
from governance.meetings.choices import MeetingState, MembershipRole
from governance.meetings.models import Attendance, Meeting, Membership, MinutesApproval
from governance.meetings.permissions import managed_body_ids, visible_body_ids
from governance.parties.choices import OrganisationKind
from governance.parties.models import ContactAssignment, Organisation, RoleAssignment
from governance.parties.permissions import can_manage_registry, can_view_registry, workable_organisation_ids
from governance.parties.queries import current_contacts

#: The states of a case that wait for the municipality (its deadline applies to these).
WAITING = WAITING_STATES


def _current_round(today, prefix: str = "") -> Q:
    """A recommendation's round is *current* while it has been sent and the agreement it recommends has not
    ended (``agreement.period_end`` today or later). A case still waiting in a closed round (the agreement
    period is over) is history: it is neither a to-do nor "overdue" on the start page; the recommendation's
    dashboard still shows it. So "days overdue" never counts from a deadline years back."""
    return Q(
        **{
            f"{prefix}sent_at__isnull": False,
            f"{prefix}agreement__period_end__gte": today,
        }
    )


def _deadline_text(case, today) -> tuple[str, bool]:
    """'12 dagar kvar', 'sista dagen i dag' or '3 dagar försenat', counted in days from ``calendar.today()``."""
    days = (case.deadline - today).days
    if days > 0:
        return ngettext("%(n)s dag kvar", "%(n)s dagar kvar", days) % {"n": days}, False
    if days == 0:
        return _("sista dagen i dag"), False
    return ngettext("%(n)s dag försenat", "%(n)s dagar försenat", -days) % {"n": -days}, True


def _my_cases(readable: dict, today) -> list:
    """The open cases of the user's organisations in current rounds, each with its next step and deadline:
    waiting cases, decided ones (signature, anslag date) and signed or in-force ones still missing the final
    decision's anslag date. Four queries however many cases."""
    cases = list(
        AdoptionCase.objects.filter(
            **readable,
            state__in=[*WAITING, CaseState.DECIDED, CaseState.SIGNED, CaseState.IN_FORCE],
        )
        .filter(_current_round(today, "recommendation__"))
        .select_related("organisation", "recommendation__agreement")
        .prefetch_related(
            Prefetch("steps", queryset=DecisionStep.objects.select_related("body")),
            Prefetch("decisions", queryset=Decision.objects.select_related("step")),
        )
        .order_by("deadline", "organisation__name")
    )
    rows = []
    for case in cases:
        case.next_actions = case_next_actions(case)
        if not case.next_actions:
            continue
        case.deadline_text, case.late = _deadline_text(case, today) if case.state in WAITING else ("", False)
        rows.append(case)
    return rows[:30]


def _open_consultations(organisation_ids: set[int], today) -> list:
    """Consultations sent to the user's organisations whose deadline has not passed, with whether answered."""
    if not organisation_ids:
        return []
    answered = ConsultationResponse.objects.filter(
        consultation=OuterRef("pk"), organisation_id__in=organisation_ids
    ).exclude(position=Position.NO_ANSWER)
    rounds = list(
        ConsultationRound.objects.filter(recipients__in=organisation_ids, deadline__gte=today)
        .annotate(answered=Exists(answered))
        .distinct()
        .order_by("deadline")
    )
    for consultation in rounds:
        consultation.days_left = (consultation.deadline - today).days
    return rounds


def _organisations(ids: set[int], known: dict[int, Organisation]) -> list[Organisation]:
    """The organisations ``ids``, by name: from ``known`` (those of the user's roles, read with them) when one
    is asked and known, else read (the database orders several by name, as everywhere)."""
    if len(ids) == 1 and next(iter(ids)) in known:
        return [known[next(iter(ids))]]
    return list(Organisation.objects.filter(pk__in=ids).order_by("name")) if ids else []


def _todo(user, known_organisations: dict[int, Organisation]) -> dict:
    """The user's open cases with their next step and deadline, open consultations, coming meetings (with
    whether they have answered), and for KSL the recommendations with open cases. ``known_organisations``:
    those already read (with the user's roles)."""

    today = calendar.today()
    todo = {}
    readable = case_permissions.visible_case_filter(user)
    if readable:  # a municipality's own people (KSL sees the dashboards instead)
        todo["todo_cases"] = _my_cases(readable, today)
        workable = workable_organisation_ids(user)
        todo["consultations"] = _open_consultations(workable or readable["organisation_id__in"], today)
        for consultation in todo["consultations"]:
            consultation.can_answer = bool(workable)  # clerks answer; contact persons read the compilation
        todo["usual_chain_organisations"] = [
            organisation
            for organisation in _organisations(workable, known_organisations)
            if organisation.kind == OrganisationKind.MUNICIPALITY
        ]
    if case_permissions.can_view_dashboard(user):
        oversight = list(
            Recommendation.objects.filter(sent_at__isnull=False)
            .select_related("agreement")
            .annotate(
                open=Count("cases", filter=Q(cases__state__in=WAITING)),
                overdue=Count("cases", filter=Q(cases__state__in=WAITING, cases__deadline__lt=today)),
            )
            .filter(open__gt=0)
            .order_by("-board_decision_date")
        )
        for recommendation in oversight:  # a closed round has cases without an answer, none "overdue"
            recommendation.round_closed = recommendation.agreement.period_end < today
            if recommendation.round_closed:
                recommendation.overdue = 0
        todo["oversight"] = oversight
    bodies = visible_body_ids(user)
    meetings = Meeting.objects.filter(
        starts_at__date__gte=today, state__in=[MeetingState.PLANNED, MeetingState.NOTICE_SENT]
    ).select_related("body")
    if bodies is not None:
        meetings = meetings.filter(body_id__in=bodies)
    answered = Attendance.objects.filter(meeting=OuterRef("pk"), membership__person__user=user)
    meetings = list(meetings.annotate(answered=Exists(answered.exclude(rsvp=""))).order_by("starts_at")[:10])
    managed = managed_body_ids(user)
    for meeting in meetings:
        meeting.can_manage = meeting.body_id in managed
        if meeting.can_manage and meeting.state == MeetingState.PLANNED:
            meeting.notice_due = calendar.working_days_before(
                timezone.localtime(meeting.starts_at).date(), meeting.body.notice_working_days
            )
    todo["meetings"] = meetings

    todo["memberships"] = list(
        Membership.objects.active(today).filter(person__user=user).select_related("body", "organisation")
    )
    todo["minutes_to_approve"] = _minutes_to_approve(todo["memberships"])
    todo["minutes_work"] = _minutes_work(managed)
    if case_permissions.can_view_dashboard(user):
        todo["consultations_to_assess"] = _consultations_to_assess(today)
    if can_manage_registry(user):
        todo["parties_without_contact"] = _parties_without_contact(today)
    return todo


def _minutes_to_approve(memberships: list) -> list:
    """Drawn-up minutes whose current version waits for this user's justering: as the body's chair, or as a
    chosen justerare. Two queries."""
    mine = [m.pk for m in memberships]
    chair_of = [m.body_id for m in memberships if m.role == MembershipRole.CHAIR]
    if not mine:
        return []
    approved = MinutesApproval.objects.filter(
        minutes__meeting=OuterRef("pk"),
        minutes__version=OuterRef("minutes_version"),
        membership_id__in=mine,
    )
    return list(
        Meeting.objects.filter(state=MeetingState.MINUTES_DRAFTED)
        .filter(Q(minutes_checkers__in=mine) | Q(body_id__in=chair_of))
        .exclude(Exists(approved))
        .select_related("body")
        .distinct()
        .order_by("starts_at")
    )


def _minutes_work(managed: set[int]) -> list:
    """For those who prepare a body's meetings: held meetings without minutes, approved minutes not yet
    published. One query."""
    if not managed:
        return []
    return list(
        Meeting.objects.filter(
            body_id__in=managed, state__in=[MeetingState.HELD, MeetingState.MINUTES_APPROVED]
        )
        .select_related("body")
        .order_by("starts_at")
    )


def _consultations_to_assess(today) -> list:
    """KSL's consultations from the last three months without an assessment, with how many have answered."""
    return list(
        ConsultationRound.objects.filter(assessment="", deadline__gte=today - dt.timedelta(days=90))
        .annotate(
            answered=Count("responses", distinct=True),
            asked=Count("recipients", distinct=True),
            open=Q(deadline__gte=today),
        )
        .order_by("deadline")
    )


def _parties_without_contact(today) -> list:
    """Parties with no current contact person: every party must appoint one, and reminders cannot reach
    those without. For the host administrator, who keeps the register."""
    current = ContactAssignment.objects.current(today).filter(organisation=OuterRef("pk"))
    return list(Organisation.objects.exclude(Exists(current)).order_by("kind", "municipality_code", "name"))


def start_page(user) -> dict:
    """What the start page shows this user: their organisation, its contact persons and its cost share.

    At most 15 queries whoever asks (issue 16): the person record comes with the signed-in user, the
    organisations of their roles with the roles, their permissions and grants in one read per request
    (``core.permissions``), and each section reads its rows with what it shows of them (answered or not,
    party to an agreement or not) in one query."""

    person = getattr(user, "person", None) if user.is_authenticated else None  # read with the user
    agreements = agreement_list(party_id=person.organisation_id if person is not None else None)
    context: dict = {
        "agreements": agreements,
        "person": None,
        "my_share": None,
        "contacts": [],
        "roles": [],
        "todo_cases": [],
        "meetings": [],
        "oversight": [],
        "consultations": [],
        "usual_chain_organisations": [],
        "memberships": [],
        "can_view_costs": can_view_registry(user),
    }
    if user.is_authenticated:
        context["roles"] = list(
            RoleAssignment.objects.active().filter(user=user).select_related("organisation")
        )
    known = {role.organisation_id: role.organisation for role in context["roles"] if role.organisation_id}
    if user.is_authenticated:
        context.update(_todo(user, known))
    if person is None:
        return context
    context["person"] = person
    if person.organisation_id in known:
        person.organisation = known[person.organisation_id]
    organisation = person.organisation
    context["contacts"] = current_contacts(organisation)
    current = next((a for a in reversed(agreements) if a.has_party), None)
    if current is not None and organisation.is_municipality:
        try:
            allocation = cost_allocation(agreement=current, year=default_cost_year(current))
        except AllocationError:
            allocation = None
        line = allocation.line_for_organisation(organisation.pk) if allocation is not None else None
        if line is not None:
            context["my_share"] = {"agreement": current, "year": allocation.year, "line": line}
    return context
