"""Every grant and check of the agreements app."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


def can_manage_agreements(user) -> bool:
    """Host administrators maintain agreements and cost models; ``None`` is the system (data loads)."""
    return user is None or (user.is_active and user.has_perm("agreements.change_costmodel"))


def check_manage_agreements(user) -> None:
    if not can_manage_agreements(user):
        raise PermissionDenied(_("Du får inte ändra avtal eller kostnadsmodeller."))
