"""Reads of the audit trail."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType

from .models import GENESIS_HASH, AuditChainHead, AuditEvent


@dataclass(frozen=True)
class ChainBreak:
    """The first problem found; ``event_id`` is None when it is not about one row (the head, the anchor)."""

    event_id: int | None
    reason: str


def audit_chain_verify(*, batch_size: int = 2000, anchor: bool = True) -> tuple[int, ChainBreak | None]:
    """Recompute the hash chain in order; return the number of rows checked and the first problem found.

    Besides each row's link and hash, the chain must end where ``AuditChainHead`` says: the row at position
    ``head.count`` has ``head.last_hash`` (so deleting the newest rows is detected) and no row follows it that the
    head does not know of. With ``anchor``, the newest line of the anchor file (``core.anchors``) must be validly
    signed and the chain must still hold a row at its position with its hash (so deleting rows *and* rewinding
    the head is detected too). The head is read before the walk, so rows appended meanwhile do not count as
    broken.
    """
    from .anchors import AnchorError, anchor_last

    last_anchor = None
    if anchor:
        try:
            last_anchor = anchor_last()
        except AnchorError as exc:
            return 0, ChainBreak(None, f"senaste ankaret i {settings.AUDIT_ANCHOR_PATH}: {exc}")
    head = AuditChainHead.objects.filter(pk=1).values("count", "last_hash").first() or {
        "count": 0,
        "last_hash": GENESIS_HASH,
    }
    previous = GENESIS_HASH
    previous_id = None
    checked = 0
    anchored_hash = GENESIS_HASH if last_anchor is not None and last_anchor.count == 0 else None
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=batch_size):
        if event.prev_hash != previous:
            return checked, ChainBreak(event.id, "prev_hash matchar inte föregående rads hash")
        if event.compute_hash() != event.hash:
            return checked, ChainBreak(event.id, "radens innehåll matchar inte dess hash")
        previous, previous_id = event.hash, event.id
        checked += 1
        if checked == head["count"] and event.hash != head["last_hash"]:
            return checked, ChainBreak(
                event.id,
                f"rad nummer {checked} har inte kedjans huvud ({head['last_hash'][:12]}…): "
                "raden eller huvudet är ändrat",
            )
        if last_anchor is not None and checked == last_anchor.count:
            anchored_hash = event.hash
    if checked < head["count"]:
        return checked, ChainBreak(
            previous_id,
            f"antalet rader ({checked}) är mindre än kedjans huvud anger ({head['count']}): "
            "de senaste raderna saknas",
        )
    if checked > head["count"]:
        # Rows appended since the head was read move the head too; rows the head never counted do not.
        now = AuditChainHead.objects.filter(pk=1).values("count").first() or {"count": 0}
        if now["count"] < checked:
            return checked, ChainBreak(
                previous_id,
                f"antalet rader ({checked}) är större än kedjans huvud anger ({now['count']}): "
                "rader har lagts till utanför kedjan",
            )
    if last_anchor is not None:
        if checked < last_anchor.count:
            return checked, ChainBreak(
                previous_id,
                f"kedjan har {checked} rader men ankaret från {last_anchor.at} anger {last_anchor.count}: "
                "rader efter ankaret har tagits bort",
            )
        if anchored_hash != last_anchor.head_hash:
            return checked, ChainBreak(
                None,
                f"rad nummer {last_anchor.count} matchar inte ankaret från {last_anchor.at}: "
                "kedjan har skrivits om",
            )
    return checked, None


def audit_events_for(obj, *, limit: int = 200):
    """The newest audit rows about one object."""
    content_type = ContentType.objects.get_for_model(obj)
    return list(
        AuditEvent.objects.filter(content_type=content_type, object_id=str(obj.pk)).order_by("-id")[:limit]
    )
