"""Every grant and check of the agreements app."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


def can_manage_agreements(user) -> bool:
    """Host administrators maintain agreements and cost models; ``None`` is the system (data loads)."""
    return user is None or (user.is_active and user.has_perm("agreements.change_costmodel"))


def check_manage_agreements(user) -> None:
    if not can_manage_agreements(user):
        raise PermissionDenied(_("Du får inte ändra avtal eller kostnadsmodeller."))


def can_set_cost_split(user, organisation) -> bool:
    """How a party's amount is divided among its own bodies is that party's decision (Ekerö split its share
    between two nämnder): its clerks set it, and the host administrators who maintain the cost models."""
    from governance.parties.permissions import can_work_on

    if can_manage_agreements(user):
        return True
    return user.is_authenticated and can_work_on(user, organisation)


def check_set_cost_split(user, organisation) -> None:
    if not can_set_cost_split(user, organisation):
        raise PermissionDenied(_("Du får inte ändra fördelningen inom %(org)s.") % {"org": organisation.name})


def cost_split_organisation_ids(user) -> set[int] | None:
    """The parties whose split ``user`` may set (``None``: all), for the cost page's links, in one query."""
    from governance.parties.permissions import workable_organisation_ids

    if can_manage_agreements(user):
        return None
    return workable_organisation_ids(user)


def can_create_agreement(user) -> bool:
    """Host administrators, and KSL officers, who register the agreement they recommend the municipalities
    to join (the permission to create recommendations: KSL's role)."""
    return can_manage_agreements(user) or (user.is_active and user.has_perm("decisions.add_recommendation"))


def check_create_agreement(user) -> None:
    if not can_create_agreement(user):
        raise PermissionDenied(_("Du får inte skapa avtal."))
