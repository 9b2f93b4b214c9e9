"""Who may read what a diary entry points at.

The diarium imports none of the apps above it. An app that registers documents tells the diarium, in its
``AppConfig.ready()``, how to decide whether a user may read one of its objects (``reader_register``); the
register then shows a secret entry's real title and file only to those users.

``readable_ids(user, ids)`` answers the same rule for many objects at once (the ids among ``ids`` that
``user`` may read, in a fixed number of queries), so the register and its exports ask each app once per
page, not once per entry. It must agree with ``may_read``; an id of an object that no longer exists is not
readable.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.db import models

_READERS: dict[str, Callable[[Any, Any], bool]] = {}
_MANY_READERS: dict[str, Callable[[Any, set[int]], Iterable[int]]] = {}


def reader_register(
    model: type[models.Model],
    may_read: Callable[[Any, Any], bool],
    *,
    readable_ids: Callable[[Any, set[int]], Iterable[int]] | None = None,
) -> None:
    """``may_read(user, obj)`` decides whether ``user`` may read ``obj`` (an instance of ``model``);
    ``readable_ids(user, ids)``, if given, the same for many ids at once."""
    _READERS[model._meta.label_lower] = may_read
    if readable_ids is None:
        _MANY_READERS.pop(model._meta.label_lower, None)
    else:
        _MANY_READERS[model._meta.label_lower] = readable_ids


def reader_for(label_lower: str) -> Callable[[Any, Any], bool] | None:
    return _READERS.get(label_lower)


def many_reader_for(label_lower: str) -> Callable[[Any, set[int]], Iterable[int]] | None:
    return _MANY_READERS.get(label_lower)
