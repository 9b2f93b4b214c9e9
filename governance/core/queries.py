"""Reads of the audit trail."""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType

from .models import GENESIS_HASH, AuditEvent


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    reason: str


def audit_chain_verify(*, batch_size: int = 2000) -> tuple[int, ChainBreak | None]:
    """Recompute the hash chain in order; return the number of rows checked and the first broken link."""
    previous = GENESIS_HASH
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=batch_size):
        if event.prev_hash != previous:
            return checked, ChainBreak(event.id, "prev_hash matchar inte föregående rads hash")
        if event.compute_hash() != event.hash:
            return checked, ChainBreak(event.id, "radens innehåll matchar inte dess hash")
        previous = event.hash
        checked += 1
    return checked, None


def audit_events_for(obj, *, limit: int = 200):
    """The newest audit rows about one object."""
    content_type = ContentType.objects.get_for_model(obj)
    return list(
        AuditEvent.objects.filter(content_type=content_type, object_id=str(obj.pk)).order_by("-id")[:limit]
    )
