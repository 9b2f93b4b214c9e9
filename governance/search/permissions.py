"""Who may search, and which entries each user finds: exactly the rules of the pages the entries link to."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from governance.decisions.permissions import visible_case_filter
from governance.diary.permissions import can_view_register
from governance.meetings.permissions import visible_body_ids
from governance.parties import permissions as party_permissions
from governance.parties.choices import OrganisationKind
from governance.parties.models import Organisation

from .choices import Audience


def can_search(user) -> bool:
    """The people of the parties (as the diarium)."""
    return can_view_register(user)


def check_search(user) -> None:
    if not can_search(user):
        raise PermissionDenied(_("Sökningen är till för personer hos samverkansparterna."))


def visible_entries_q(user) -> Q:
    """A filter for the entries ``user`` may find, built from the apps' own rules (a few queries, once)."""
    if not can_search(user):
        return Q(pk__in=[])
    cases = visible_case_filter(user)
    visible = Q(audience=Audience.ORGANISATION)
    if cases:
        visible &= Q(organisation_id__in=cases["organisation_id__in"])
    bodies = visible_body_ids(user)
    visible_bodies = Q(audience=Audience.BODY)
    if bodies is not None:
        visible_bodies &= Q(cooperation_body_id__in=bodies)
    visible |= visible_bodies | Q(audience=Audience.REGISTER)
    # A secret diary entry's real title: the series' registrars (``diary.permissions.is_registrar_of``).
    if user.is_superuser or user.has_perm("diary.change_diaryentry"):
        visible |= Q(audience=Audience.REGISTRAR)
    else:
        series_orgs = set(party_permissions.workable_organisation_ids(user))
        if party_permissions.can_oversee_all(user):
            series_orgs |= set(
                Organisation.objects.filter(kind=OrganisationKind.ASSOCIATION).values_list("pk", flat=True)
            )
        if series_orgs:
            visible |= Q(audience=Audience.REGISTRAR, organisation_id__in=series_orgs)
    return visible
