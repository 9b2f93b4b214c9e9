"""What the menu may link to for this user, so no menu link answers 403."""

from django.utils.functional import SimpleLazyObject

from governance.parties.permissions import can_view_registry


def navigation(request) -> dict:
    """``nav.registry``: the parties, agreements and costs, and the consultation compilations. Evaluated
    only when a template asks (one query for a logged-in user)."""
    user = getattr(request, "user", None)
    return {
        "nav": SimpleLazyObject(lambda: _Navigation(registry=bool(user) and can_view_registry(user))),
    }


class _Navigation:
    def __init__(self, *, registry: bool):
        self.registry = registry
