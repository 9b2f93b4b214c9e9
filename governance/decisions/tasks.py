"""Background jobs of the decisions app. Each calls a service and is safe to run twice."""

from celery import shared_task

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


@shared_task(name="decisions.recommendation_notify", bind=True, max_retries=12, default_retry_delay=600)
def recommendation_notify(self, recommendation_id: int) -> dict[str, int]:
    """After sending: mail each recipient's contact persons once; a refused mail is retried later."""
    counts = services.recommendation_notify(recommendation_id=recommendation_id)
    if counts["failed"]:
        raise self.retry()
    return counts


@shared_task(name="decisions.consultation_notify", bind=True, max_retries=12, default_retry_delay=600)
def consultation_notify(self, consultation_id: int) -> dict[str, int]:
    """After a consultation is sent: mail each recipient's contact persons once; failures are retried."""
    counts = services.consultation_notify(consultation_id=consultation_id)
    if counts["failed"]:
        raise self.retry()
    return counts


@shared_task(name="decisions.notifications_sweep")
def notifications_sweep() -> dict[str, int]:
    """Daily: mail the recipients not reached yet (new contact persons, a mail server that was down)."""
    return services.notifications_sweep()
