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
