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


def start_page(user) -> dict:
    """What the start page shows this user: their organisation, its contact persons and its cost share."""
    from governance.agreements.costs import AllocationError
    from governance.agreements.queries import (
        agreement_ids_for,
        agreement_list,
        cost_allocation,
        default_cost_year,
    )
    from governance.parties.models import RoleAssignment
    from governance.parties.queries import current_contacts, person_for_user

    agreements = agreement_list()
    context: dict = {"agreements": agreements, "person": None, "my_share": None, "contacts": [], "roles": []}
    if user.is_authenticated:
        context["roles"] = list(
            RoleAssignment.objects.active().filter(user=user).select_related("organisation")
        )
    person = person_for_user(user)
    if person is None:
        return context
    context["person"] = person
    organisation = person.organisation
    context["contacts"] = current_contacts(organisation)
    member_of = agreement_ids_for(organisation)
    current = next((a for a in reversed(agreements) if a.pk in member_of), None)
    if current is not None and organisation.is_municipality:
        try:
            allocation = cost_allocation(agreement=current, year=default_cost_year(current))
        except AllocationError:
            allocation = None
        if allocation is not None:
            context["my_share"] = {
                "agreement": current,
                "year": allocation.year,
                "line": next(line for line in allocation.lines if line.organisation_id == organisation.pk),
            }
    return context
