"""Every check of the webhooks app.

Endpoints belong to the user who registered them: only that user sees, changes or retries them; anyone
else learns nothing (404). Who may register at all is the parties app's rule (people of the cooperation's
parties), registered in ``registry``. Whether a delivery is created is the owning app's ``can_view`` for the
object (``registry``), evaluated for the endpoint's owner when the event happens.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from . import registry


def can_use_webhooks(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active and registry.may_register(user)


def check_use_webhooks(user) -> None:
    if not can_use_webhooks(user):
        raise PermissionDenied(_("Webhooks är till för personer hos samverkansparterna."))


def can_manage_endpoint(user, endpoint) -> bool:
    return can_use_webhooks(user) and endpoint.owner_id == user.pk


def check_manage_endpoint_or_404(user, endpoint) -> None:
    """Another user's endpoint does not exist for you."""
    if not can_manage_endpoint(user, endpoint):
        raise Http404


def may_receive(owner, source, obj) -> bool:
    """Whether the endpoint's owner may see ``obj`` now (an inactive account receives nothing)."""
    return owner.is_active and bool(source.can_view(owner, obj))
