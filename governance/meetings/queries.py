"""Reads for the body pages."""

import datetime as dt

from django.db.models import Count, Prefetch, Q

from . import permissions
from .models import CooperationBody, Membership


def body_list(user) -> list[CooperationBody]:
    """The bodies ``user`` may read, each with its number of current seats, in one query."""
    today = dt.date.today()
    visible = permissions.visible_body_ids(user)
    bodies = CooperationBody.objects.select_related("convener").annotate(
        current_seats=Count(
            "memberships",
            filter=Q(memberships__valid_from__lte=today)
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
    """Current seats and earlier ones."""
    on = on or dt.date.today()
    current = [m for m in memberships if m.is_active(on)]
    return current, [m for m in memberships if not m.is_active(on)]
