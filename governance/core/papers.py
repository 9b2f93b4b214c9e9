"""Agenda paper providers: documents another app can put on a meeting's agenda, without meetings importing it.

An app registers a provider in its ``AppConfig.ready()``::

    paper_provider_register(
        "adoption_summary",
        "Läget i kommunernas anslutning",
        options=lambda user: [(recommendation.pk, recommendation.title), ...],
        build=lambda source_id: ("anslutning.docx", b"...", recommendation),
    )

``options(user)`` lists what the user may choose; ``build(id)`` makes the paper from one of them and returns
``(filename, content, source object)``, or raises ``LookupError`` for an unknown id. The meetings app offers
every provider on the agenda form and links the item to the source object generically (a content type and an
id), so it depends on this registry only.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured

Options = Callable[[Any], list[tuple[int, str]]]
Build = Callable[[int], tuple[str, bytes, Any]]


@dataclass(frozen=True)
class PaperProvider:
    key: str
    label: str
    options: Options
    build: Build
    describe: Callable[[Any], str] | None = None

    def description(self, source) -> str:
        """The item's description for ``source`` (the provider's own wording, or the source's name)."""
        return self.describe(source) if self.describe else str(source)


_PROVIDERS: dict[str, PaperProvider] = {}


def paper_provider_register(
    key: str, label: str, options: Options, build: Build, *, describe: Callable[[Any], str] | None = None
) -> PaperProvider:
    """Register (or, when ``ready()`` runs again, replace) the provider ``key``."""
    if not key or not key.replace("_", "").isalnum():
        raise ImproperlyConfigured(f"Paper provider key {key!r}: letters, digits and _ only.")
    provider = PaperProvider(key=key, label=str(label), options=options, build=build, describe=describe)
    _PROVIDERS[key] = provider
    return provider


def paper_providers() -> list[PaperProvider]:
    """Every registered provider, in the order they were registered."""
    return list(_PROVIDERS.values())


def paper_provider(key: str) -> PaperProvider:
    try:
        return _PROVIDERS[key]
    except KeyError as exc:
        raise LookupError(key) from exc
