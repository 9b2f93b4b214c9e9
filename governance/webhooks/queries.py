"""Reads for the webhook pages: a fixed number of queries however many endpoints and deliveries."""

from django.db.models import Count, Q

from .choices import DeliveryState
from .models import WebhookDelivery, WebhookEndpoint

#: The delivery log shows the newest this many.
LOG_LENGTH = 100


def endpoints_of(user) -> list[WebhookEndpoint]:
    """The user's endpoints with their counts of deliveries per state (one query)."""
    return list(
        WebhookEndpoint.objects.filter(owner=user).annotate(
            delivered_count=Count("deliveries", filter=Q(deliveries__state=DeliveryState.DELIVERED)),
            pending_count=Count("deliveries", filter=Q(deliveries__state=DeliveryState.PENDING)),
            failed_count=Count("deliveries", filter=Q(deliveries__state=DeliveryState.FAILED)),
        )
    )


def endpoint_for(pk: int) -> WebhookEndpoint | None:
    return WebhookEndpoint.objects.filter(pk=pk).first()


def delivery_log(endpoint: WebhookEndpoint, limit: int = LOG_LENGTH) -> list[WebhookDelivery]:
    """The endpoint's newest deliveries, newest first."""
    return list(endpoint.deliveries.order_by("-id")[:limit])


def delivery_for(endpoint: WebhookEndpoint, pk: int) -> WebhookDelivery | None:
    return endpoint.deliveries.filter(pk=pk).first()
