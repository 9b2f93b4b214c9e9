"""Who may read what a diary entry points at.

The diarium imports none of the apps above it. An app that registers documents tells the diarium, in its
``AppConfig.ready()``, how to decide whether a user may read one of its objects (``reader_register``); the
register then shows a secret entry's real title and file only to those users.
"""

from collections.abc import Callable
from typing import Any

from django.db import models

_READERS: dict[str, Callable[[Any, Any], bool]] = {}


def reader_register(model: type[models.Model], may_read: Callable[[Any, Any], bool]) -> None:
    """``may_read(user, obj)`` decides whether ``user`` may read ``obj`` (an instance of ``model``)."""
    _READERS[model._meta.label_lower] = may_read


def reader_for(label_lower: str) -> Callable[[Any, Any], bool] | None:
    return _READERS.get(label_lower)
