"""Reads of the API: the same rows the pages show to the same people, as querysets a list can page and filter.

Each function narrows with the owning app's own checks (``permissions.py``); none decides anything new.
"""

from django.db.models import Q

from governance.agreements.models import Agreement
from governance.decisions import permissions as decision_permissions
from governance.decisions.models import AdoptionCase, ConsultationResponse, ConsultationRound, Recommendation
from governance.meetings import permissions as meeting_permissions
from governance.meetings.choices import MeetingState
from governance.meetings.models import AgendaItem, CooperationBody, Meeting, Membership, MinutesVersion
from governance.parties.models import Body, Organisation, PopulationFigure


def organisations():
    return Organisation.objects.order_by("kind", "municipality_code", "name")


def bodies():
    return Body.objects.order_by("organisation_id", "name", "pk")


def population_figures():
    return PopulationFigure.objects.order_by("organisation_id", "reference_date", "pk")


def agreements():
    return Agreement.objects.select_related("previous").order_by("period_start", "pk")


def recommendations(user):
    """As the public list: sent recommendations, and drafts too for whom manages them (KSL)."""
    rows = Recommendation.objects.select_related("agreement", "consultation").order_by(
        "-board_decision_date", "pk"
    )
    if not (user.is_authenticated and decision_permissions.can_manage_recommendations(user)):
        rows = rows.filter(sent_at__isnull=False)
    return rows


def consultations():
    return ConsultationRound.objects.order_by("-sent_on", "-pk")


def consultation_responses(consultation):
    return (
        ConsultationResponse.objects.filter(consultation=consultation)
        .select_related("consultation")
        .prefetch_related("answers__question")
        .order_by("organisation__municipality_code", "pk")
    )


def cases(user):
    """The cases ``user`` may read (``decisions.permissions.visible_case_filter``)."""
    return (
        AdoptionCase.objects.filter(**decision_permissions.visible_case_filter(user))
        .select_related("recommendation")
        .order_by("recommendation_id", "organisation_id", "pk")
    )


def _visible_bodies_filter(user, prefix: str) -> Q:
    ids = meeting_permissions.visible_body_ids(user)
    return Q() if ids is None else Q(**{f"{prefix}__in": ids})


def cooperation_bodies(user):
    return (
        CooperationBody.objects.filter(_visible_bodies_filter(user, "pk"))
        .select_related("agreement")
        .order_by("name", "pk")
    )


def memberships(user):
    return (
        Membership.objects.filter(_visible_bodies_filter(user, "body_id"))
        .select_related("body", "person")
        .order_by("body_id", "valid_from", "pk")
    )


def meetings(user):
    return (
        Meeting.objects.filter(_visible_bodies_filter(user, "body_id"))
        .select_related("body")
        .order_by("starts_at", "pk")
    )


def agenda_items(user):
    return AgendaItem.objects.filter(_visible_bodies_filter(user, "meeting__body_id")).order_by(
        "meeting_id", "position", "pk"
    )


def minutes_versions(user):
    """Members read every version of their bodies' minutes; published and approved ones are public."""
    rows = MinutesVersion.objects.order_by("meeting_id", "version", "pk")
    ids = meeting_permissions.visible_body_ids(user) if user.is_authenticated else set()
    if ids is None:  # who sees every body
        return rows
    return rows.filter(
        Q(meeting__state=MeetingState.PUBLISHED, approved_at__isnull=False) | Q(meeting__body_id__in=ids)
    )
