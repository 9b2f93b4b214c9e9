"""Reads for the party pages."""

import datetime as dt

from django.db.models import OuterRef, Prefetch, Subquery

from .models import ContactAssignment, Organisation, OrganisationName, PopulationFigure


def organisation_list():
    """Every organisation with its newest population figure, in one query."""
    newest = PopulationFigure.objects.filter(organisation=OuterRef("pk")).order_by("-reference_date")
    return list(
        Organisation.objects.annotate(
            latest_population=Subquery(newest.values("population")[:1]),
            latest_population_date=Subquery(newest.values("reference_date")[:1]),
        ).order_by("kind", "municipality_code", "name")
    )


def organisation_detail(pk: int) -> Organisation:
    return Organisation.objects.prefetch_related(
        "bodies",
        Prefetch(
            "contacts",
            queryset=ContactAssignment.objects.select_related("person").order_by("role", "-valid_from"),
        ),
        Prefetch("population_figures", queryset=PopulationFigure.objects.order_by("reference_date")),
    ).get(pk=pk)


def person_for_user(user):
    """The person record of a logged-in user, with organisation, or None."""
    if not user.is_authenticated:
        return None
    from .models import Person

    return Person.objects.select_related("organisation").filter(user=user).first()


def current_contacts(organisation: Organisation):
    return list(organisation.contacts.current().select_related("person"))


def name_on(organisation: Organisation, date: dt.date) -> str:
    """The organisation's name on ``date``: the earliest former name still valid that day, else today's.

    Uses ``organisation.historic_names`` when it was prefetched (no query), else one query.
    """
    cache = getattr(organisation, "_prefetched_objects_cache", {})
    if "historic_names" in cache:
        names = sorted(cache["historic_names"], key=lambda n: n.valid_until)
        return next((n.name for n in names if n.valid_until >= date), organisation.name)
    former = (
        OrganisationName.objects.filter(organisation=organisation, valid_until__gte=date)
        .order_by("valid_until")
        .values_list("name", flat=True)
        .first()
    )
    return former or organisation.name
