"""Which app builds each kind of document, and who may generate and read it.

The documents app knows no subject (a case, a consultation response, an agreement): the app that owns the
subject registers each kind it generates, in its ``AppConfig.ready()``, with ``kind_register``. A subject is
named by ``subject_key`` (``<prefix>:<pk>``, e.g. ``case:12``).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models


@dataclass(frozen=True)
class KindEntry:
    """How one kind of document is built and who may generate and read it (``None`` is the system)."""

    kind: str
    prefix: str
    model: type[models.Model]
    build_context: Callable[[Any, dict], dict]
    may_generate: Callable[[Any, Any], bool]
    may_view: Callable[[Any, Any], bool]
    subject_label: Callable[[Any], str] = str
    subject_link: Callable[[Any], tuple[str, str]] | None = None
    sample_context: Callable[[], dict | None] | None = None
    may_follow_batch: Callable[[Any], bool] | None = None
    batch_url: Callable[[Any], str] | None = None
    #: The page a batch was requested from, by the batch's ``origin_key`` (``recommendation:4``): the batch
    #: page's way back from the first moment, before any version (and so any subject) exists.
    batch_origin_url: Callable[[str], str] | None = None
    file_label: Callable[[Any], str] | None = None
    #: The subject's relations ``may_view`` reads (e.g. a case's organisation), read with the subjects when
    #: many documents are checked at once (the admin's ``scope``), not one by one.
    subject_related: tuple[str, ...] = ()
    #: Called with the finished document (its file stored, not yet saved) and its subject, inside the
    #: transaction that finishes it: e.g. decisions registers a memo in the diarium.
    on_finished: Callable[[Any, Any], None] | None = None

    def file_part(self, subject) -> str:
        """What names the subject in the file's name (``danderyd`` in ``tjansteutlatande-danderyd-v1``)."""
        return (self.file_label or self.subject_label)(subject)


_KINDS: dict[str, KindEntry] = {}


def kind_register(
    kind: str,
    *,
    prefix: str,
    model: type[models.Model],
    build_context: Callable[[Any, dict], dict],
    may_generate: Callable[[Any, Any], bool],
    may_view: Callable[[Any, Any], bool],
    subject_label: Callable[[Any], str] = str,
    subject_link: Callable[[Any], tuple[str, str]] | None = None,
    sample_context: Callable[[], dict | None] | None = None,
    may_follow_batch: Callable[[Any], bool] | None = None,
    batch_url: Callable[[Any], str] | None = None,
    batch_origin_url: Callable[[str], str] | None = None,
    file_label: Callable[[Any], str] | None = None,
    on_finished: Callable[[Any, Any], None] | None = None,
    subject_related: tuple[str, ...] = (),
) -> None:
    """Register how ``kind`` is built from its subject (``build_context(subject, params)``) and who may
    generate (``may_generate(user, subject)``) and read (``may_view(user, subject)``) it. ``file_label(subject)``
    names the subject in the file's name when ``subject_label`` is too long for it."""
    from .choices import DocumentKind

    if kind not in DocumentKind.values:
        raise ImproperlyConfigured(f"Unknown document kind {kind!r}.")
    _KINDS[kind] = KindEntry(
        kind=kind,
        prefix=prefix,
        model=model,
        build_context=build_context,
        may_generate=may_generate,
        may_view=may_view,
        subject_label=subject_label,
        subject_link=subject_link,
        sample_context=sample_context,
        may_follow_batch=may_follow_batch,
        batch_url=batch_url,
        batch_origin_url=batch_origin_url,
        file_label=file_label,
        on_finished=on_finished,
        subject_related=subject_related,
    )


def subject_querysets() -> list:
    """For each model that is a registered kind's subject, its rows with what ``may_view`` reads
    (``subject_related``): the querysets for a ``GenericPrefetch`` of many documents' subjects."""
    related: dict[type[models.Model], set[str]] = {}
    for entry in _KINDS.values():
        related.setdefault(entry.model, set()).update(entry.subject_related)
    return [model._default_manager.select_related(*sorted(names)) for model, names in related.items()]


def kind_entry(kind: str) -> KindEntry | None:
    """The registration of ``kind``, or None when no app generates it as a GeneratedDocument."""
    return _KINDS.get(kind)


def subject_key(entry: KindEntry, subject) -> str:
    return f"{entry.prefix}:{subject.pk}"


def subject_for(entry: KindEntry, key: str):
    """The subject named by ``key`` (``case:12``); ``DoesNotExist`` when the key does not fit the kind."""
    prefix, _sep, number = key.partition(":")
    if prefix != entry.prefix or not (number.isascii() and number.isdigit()):
        raise entry.model.DoesNotExist(key)
    return entry.model._default_manager.get(pk=int(number))
