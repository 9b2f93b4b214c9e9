"""Decision documents: KSL's batch of memo drafts for every recipient. Requesting, rendering and templates
are ``governance.documents.services``; what each kind contains is ``decisions.document_kinds``.

The request only records the batch (one row, under the batch key) and enqueues one job; the job computes each
case's pre-filled fields (the cost allocation once, from the cache) and queues a version per case in short
transactions. So the request answers at once and holds no lock while 290 memos are prepared."""

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, transaction
from django.utils.translation import gettext as _

from governance.documents import services as document_services
from governance.documents.choices import BatchStatus, DocumentKind
from governance.documents.models import DocumentBatch, GeneratedDocument

from .. import memo_paper, permissions
from ..choices import WAITING_STATES
from ..models import AdoptionCase, Recommendation
from ..queries import memo_exists

#: Cases whose pre-filled fields are computed before their versions are queued, in one short write each.
PREPARE_CHUNK = 25


def _waiting_cases(recommendation_id: int, *, new_versions: bool = True, except_batch_key=None):
    """The cases a batch drafts for: those still waiting for a decision; with ``new_versions`` False only
    those without a memo (a version of ``except_batch_key``, the batch itself, does not count)."""
    cases = AdoptionCase.objects.filter(recommendation_id=recommendation_id, state__in=WAITING_STATES)
    if not new_versions:
        cases = cases.exclude(memo_exists(except_batch_key=except_batch_key))
    return cases


def documents_request_batch(
    *, acting_user, recommendation, batch_key: uuid.UUID | None = None, new_versions: bool = False
) -> uuid.UUID:
    """KSL: a batch of memo drafts, one per recipient whose case still waits for a decision and has no memo
    yet (``new_versions``: a new version for those that have one too); returns the batch key at once and fills
    the batch in the background (``memo_batch_prepare``). The same key twice (a double click) makes one
    batch."""

    if not permissions.can_view_dashboard(acting_user):
        raise PermissionDenied(_("Endast KSL skapar utkast för alla mottagare."))
    batch_key = batch_key or uuid.uuid4()
    with transaction.atomic():
        # One batch per key, even on a double click.
        Recommendation.objects.select_for_update().get(pk=recommendation.pk)
        if (
            DocumentBatch.objects.filter(key=batch_key).exists()
            or GeneratedDocument.objects.filter(batch_key=batch_key).exists()
        ):
            return batch_key
        expected = _waiting_cases(recommendation.pk, new_versions=new_versions).count()
        if not expected:
            if not new_versions and _waiting_cases(recommendation.pk).exists():
                raise ValidationError(
                    _(
                        "Alla ärenden som inte beslutats har redan ett tjänsteutlåtande. Kryssa i rutan för "
                        "nya versioner om du vill skapa nya utkast för dem."
                    )
                )
            raise ValidationError(
                _("Alla mottagare har redan beslutat: det finns inga ärenden att skriva utkast för.")
            )
        batch, created = document_services.document_batch_create(
            acting_user=acting_user,
            kind=DocumentKind.MEMO,
            key=batch_key,
            origin_key=f"recommendation:{recommendation.pk}",
            expected=expected,
            options={"new_versions": bool(new_versions)},
        )
        if created:
            from ..tasks import memo_batch_prepare

            transaction.on_commit(lambda pk=batch.pk: memo_batch_prepare.delay(pk))
    return batch_key


def memo_batch_prepare(*, batch_id: int) -> int:
    """The batch job's body: queue a memo version per waiting case of the batch's recommendation, then mark
    the batch ready; returns how many versions it holds. Run twice, or again after a database error halfway,
    it queues each version once. Anything else that goes wrong marks the batch failed with the reason (the
    versions queued already go on)."""
    batch = DocumentBatch.objects.select_related("created_by").get(pk=batch_id)
    if batch.status != BatchStatus.PREPARING:
        return GeneratedDocument.objects.filter(batch_key=batch.key).count()
    try:
        _origin, recommendation_id = batch.origin_key.split(":")
        new_versions = bool(batch.options.get("new_versions", True))  # a batch from before the choice: all
        cases = list(
            _waiting_cases(int(recommendation_id), new_versions=new_versions, except_batch_key=batch.key)
            .select_related("organisation", "recommendation__agreement__cost_model")
            .order_by("pk")
        )
        for start in range(0, len(cases), PREPARE_CHUNK):
            requests = [
                (f"case:{case.pk}", memo_paper.memo_defaults(case, None).__dict__)
                for case in cases[start : start + PREPARE_CHUNK]
            ]
            document_services.documents_request_batch(
                acting_user=batch.created_by, kind=batch.kind, requests=requests, batch_key=batch.key
            )
    except OperationalError:
        raise  # a locked database: the task tries again and resumes where it stopped
    except (ValidationError, PermissionDenied, ValueError, LookupError) as exc:
        reason = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
        document_services.document_batch_fail(
            batch_id=batch.pk,
            reason=_("Utkasten kunde inte förberedas: %(reason)s") % {"reason": reason},
        )
        return GeneratedDocument.objects.filter(batch_key=batch.key).count()
    document_services.document_batch_prepared(batch_id=batch.pk)
    return len(cases)
