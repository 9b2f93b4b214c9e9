"""Writes of the meetings app, split by subject; import from here."""

from .memberships import (
    CompositionError,
    body_load,
    membership_add,
    membership_end,
    membership_grants_sync_all,
)

__all__ = [
    "CompositionError",
    "body_load",
    "membership_add",
    "membership_end",
    "membership_grants_sync_all",
]
