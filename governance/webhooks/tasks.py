"""Background jobs of the webhooks app."""

from celery import shared_task

from . import services


@shared_task(name="webhooks.delivery_deliver", acks_late=True)
def delivery_deliver(delivery_id: int) -> str:
    """Enqueued after the commit that wrote the delivery: POST it once. Delivered twice, it POSTs once (the
    row is claimed first); a failure leaves it pending with its error and next attempt for the sweep."""
    return services.delivery_deliver(delivery_id=delivery_id)


@shared_task(name="webhooks.deliveries_deliver_due")
def deliveries_deliver_due() -> dict[str, int]:
    """Every minute: deliver the due deliveries (retries after a pause, a lost task, a dead worker)."""
    return services.deliveries_deliver_due()
