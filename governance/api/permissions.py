"""Every check of the API app. Resources reuse the checks of the apps they show (their ``permissions.py``);
these are the API's own: who manages which token."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


def can_manage_token(user, token) -> bool:
    """A user creates, lists and revokes only their own tokens (``None`` is the system)."""
    return user is None or (user.is_authenticated and user.is_active and token.user_id == user.pk)


def check_manage_token(user, token) -> None:
    if not can_manage_token(user, token):
        raise PermissionDenied(_("Du får bara hantera dina egna API-nycklar."))


def can_have_tokens(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active
