"""Background jobs of the decisions app. Each calls a service and is safe to run twice."""

from celery import shared_task
from django.db import OperationalError as DatabaseOperationalError
from django.utils.translation import gettext as _

from governance.documents import services as document_services
from governance.documents.tasks import RENDER_MAX_RETRIES, EnqueuedOnCommit, retry_countdown

from . import services


@shared_task(name="decisions.reminders_send")
def reminders_send() -> dict[str, int]:
    """Daily: deadline reminders to the contact persons (never twice for the same deadline and day)."""
    return services.reminders_send()


@shared_task(name="decisions.digest_send")
def digest_send() -> dict[str, int]:
    """Weekly: the digest to KSL (once per recommendation and ISO week)."""
    return services.digest_send()


@shared_task(name="decisions.cases_advance_periods")
def cases_advance_periods() -> dict[str, int]:
    """Daily: signed cases enter into force, cases end or are renewed with their agreement period."""
    return services.cases_advance_periods()


@shared_task(name="decisions.recommendation_notify")
def recommendation_notify(recommendation_id: int) -> dict[str, int]:
    """After sending: queue one mail per recipient's contact persons in the outbox, which delivers and retries."""
    return services.recommendation_notify(recommendation_id=recommendation_id)


@shared_task(name="decisions.consultation_notify")
def consultation_notify(consultation_id: int) -> dict[str, int]:
    """After a consultation is sent: queue one mail per recipient in the outbox, which delivers and retries."""
    return services.consultation_notify(consultation_id=consultation_id)


@shared_task(name="decisions.notifications_sweep")
def notifications_sweep() -> dict[str, int]:
    """Daily: mail the recipients not reached yet (new contact persons, a mail server that was down)."""
    return services.notifications_sweep()


@shared_task(
    bind=True,
    name="decisions.memo_batch_prepare",
    acks_late=True,
    base=EnqueuedOnCommit,
    max_retries=RENDER_MAX_RETRIES,
)
def memo_batch_prepare(self, batch_id: int) -> int:
    """KSL's batch of memo drafts: queue one version per waiting case (safe to run twice). A locked database
    is tried again with backoff; after the last try the batch is marked failed with the reason."""
    try:
        return services.memo_batch_prepare(batch_id=batch_id)
    except DatabaseOperationalError as exc:
        if self.request.called_directly:
            raise
        if self.request.retries < self.max_retries:
            raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc
        document_services.document_batch_fail(
            batch_id=batch_id,
            reason=_("Databasen var upptagen även efter %(n)s nya försök (%(error)s). Starta omgången igen.")
            % {"n": self.max_retries, "error": exc},
        )
        return 0
