"""Decision documents: KSL's batch of memo drafts for every recipient. Requesting, rendering and templates
are ``governance.documents.services``; what each kind contains is ``decisions.document_kinds``."""

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from governance.documents import services as document_services
from governance.documents.choices import DocumentKind
from governance.documents.models import GeneratedDocument

from .. import memo_paper, permissions
from ..choices import WAITING_STATES
from ..models import AdoptionCase, Recommendation


def documents_request_batch(*, acting_user, recommendation, batch_key: uuid.UUID | None = None) -> uuid.UUID:
    """KSL: one memo draft per recipient whose case still waits for a decision, one task each; returns the
    batch key. The same key twice (a double click) makes one batch."""

    if not permissions.can_view_dashboard(acting_user):
        raise PermissionDenied(_("Endast KSL skapar utkast för alla mottagare."))
    batch_key = batch_key or uuid.uuid4()
    with transaction.atomic():
        # One batch per key, even on a double click.
        Recommendation.objects.select_for_update().get(pk=recommendation.pk)
        cases = AdoptionCase.objects.filter(
            recommendation=recommendation,
            state__in=WAITING_STATES,
        ).select_related("organisation", "recommendation__agreement")
        if GeneratedDocument.objects.filter(batch_key=batch_key).exists():
            return batch_key
        if not cases.exists():
            raise ValidationError(
                _("Alla mottagare har redan beslutat: det finns inga ärenden att skriva utkast för.")
            )
        return document_services.documents_request_batch(
            acting_user=acting_user,
            kind=DocumentKind.MEMO,
            requests=[(f"case:{case.pk}", memo_paper.memo_defaults(case, None).__dict__) for case in cases],
            batch_key=batch_key,
        )
