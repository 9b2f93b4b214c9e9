"""django-filter sets of the list endpoints (``?state=&organisation=&year=``)."""

import django_filters

from governance.decisions.choices import CaseState
from governance.decisions.models import AdoptionCase
from governance.meetings.choices import MeetingState
from governance.meetings.models import AgendaItem, Meeting, Membership
from governance.parties.choices import OrganisationKind
from governance.parties.models import Body, Organisation, PopulationFigure

YEAR_BOUNDS = {"min_value": 1900, "max_value": 2200}
#: Ids are positive and fit the database's integer (a larger number is a 400, not an overflow).
ID_BOUNDS = {"min_value": 1, "max_value": 2_147_483_647}


class OrganisationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices)
    municipality_code = django_filters.CharFilter(max_length=4)

    class Meta:
        model = Organisation
        fields = ["kind", "municipality_code"]


class BodyFilter(django_filters.FilterSet):
    organisation = django_filters.NumberFilter(field_name="organisation_id", **ID_BOUNDS)

    class Meta:
        model = Body
        fields = ["organisation"]


class PopulationFilter(django_filters.FilterSet):
    organisation = django_filters.NumberFilter(field_name="organisation_id", **ID_BOUNDS)
    year = django_filters.NumberFilter(field_name="reference_date__year", **YEAR_BOUNDS)

    class Meta:
        model = PopulationFigure
        fields = ["organisation", "year"]


class CaseFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=CaseState.choices)
    organisation = django_filters.NumberFilter(field_name="organisation_id", **ID_BOUNDS)
    recommendation = django_filters.CharFilter(field_name="recommendation__slug", max_length=60)
    year = django_filters.NumberFilter(field_name="deadline__year", **YEAR_BOUNDS)

    class Meta:
        model = AdoptionCase
        fields = ["state", "organisation", "recommendation", "year"]


class MeetingFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=MeetingState.choices)
    body = django_filters.CharFilter(field_name="body__slug", max_length=60)
    year = django_filters.NumberFilter(field_name="starts_at__year", **YEAR_BOUNDS)

    class Meta:
        model = Meeting
        fields = ["state", "body", "year"]


class MembershipFilter(django_filters.FilterSet):
    body = django_filters.CharFilter(field_name="body__slug", max_length=60)
    organisation = django_filters.NumberFilter(field_name="organisation_id", **ID_BOUNDS)

    class Meta:
        model = Membership
        fields = ["body", "organisation"]


class AgendaItemFilter(django_filters.FilterSet):
    meeting = django_filters.NumberFilter(field_name="meeting_id", **ID_BOUNDS)

    class Meta:
        model = AgendaItem
        fields = ["meeting"]
