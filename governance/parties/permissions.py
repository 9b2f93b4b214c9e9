"""Every grant and check of the parties app.

``acting_user=None`` means the system itself (a management command run by an operator, a data load).
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


def is_system(user) -> bool:
    return user is None


def can_manage_registry(user) -> bool:
    """Host administrators manage organisations, bodies and population figures."""
    return is_system(user) or (user.is_active and user.has_perm("parties.change_organisation"))


def check_manage_registry(user) -> None:
    if not can_manage_registry(user):
        raise PermissionDenied(_("Du får inte ändra partsregistret."))


def can_manage_contacts(user, organisation) -> bool:
    return can_manage_registry(user) or (user.is_active and user.has_perm("parties.change_contactassignment"))


def check_manage_contacts(user, organisation) -> None:
    if not can_manage_contacts(user, organisation):
        raise PermissionDenied(_("Du får inte ändra kontaktbanken för %(org)s.") % {"org": organisation})
