"""Which audit actions produce which webhook event, and who may receive it.

The webhooks app knows no case, document or meeting: the app that owns the objects registers, in its
``AppConfig.ready()``, each event source with ``event_source_register``: the event, the audit actions that
produce it, the model the audit row names, ``can_view(user, obj)`` from that app's own ``permissions.py``
(exactly the object page's check) and ``payload(obj, audit_event)`` (plain JSON: ids, state, organisation,
labels, the page's address). Who may register endpoints at all is registered the same way
(``registrar_rule_set``, by parties).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models


@dataclass(frozen=True)
class EventSource:
    """One way an event arises: an audit action on a model."""

    event: str
    actions: frozenset[str]
    model: type[models.Model]
    can_view: Callable[[Any, Any], bool]
    payload: Callable[[Any, Any], dict]


_SOURCES: dict[str, list[EventSource]] = {}
_REGISTRAR: list[Callable[[Any], bool]] = []


def event_source_register(
    event: str,
    *,
    actions,
    model: type[models.Model],
    can_view: Callable[[Any, Any], bool],
    payload: Callable[[Any, Any], dict],
) -> None:
    """Register that the audit ``actions`` on ``model`` produce ``event``. Registering the same event and
    model again replaces the earlier registration (a reloaded app config)."""
    from .choices import WebhookEvent

    if event not in WebhookEvent.values:
        raise ImproperlyConfigured(f"Unknown webhook event {event!r}.")
    source = EventSource(
        event=event,
        actions=frozenset(str(a) for a in actions),
        model=model,
        can_view=can_view,
        payload=payload,
    )
    for action in source.actions:
        entries = [s for s in _SOURCES.get(action, []) if (s.event, s.model) != (event, model)]
        _SOURCES[action] = [*entries, source]


def sources_for(action: str) -> list[EventSource]:
    """The event sources an audit row with ``action`` feeds (usually none)."""
    return _SOURCES.get(action, [])


def registered_events() -> set[str]:
    return {source.event for sources in _SOURCES.values() for source in sources}


def registrar_rule_set(rule: Callable[[Any], bool]) -> None:
    """Who may register endpoints (``rule(user) -> bool``); set by the parties app."""
    _REGISTRAR[:] = [rule]


def may_register(user) -> bool:
    return bool(_REGISTRAR) and _REGISTRAR[0](user)


def page_url(path: str) -> str:
    """The absolute address of a page (``SITE_URL`` + ``path``), for payloads."""
    from django.conf import settings

    return f"{settings.SITE_URL.rstrip('/')}{path}"
