"""Webhooks in the administration: read-only (endpoints and deliveries are written by the services, from the
owners' pages); the secret is never shown here."""

from django.contrib import admin

from governance.core.admin import ReadOnlyAdmin

from .models import WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdmin):
    list_display = ("name", "url", "owner", "active", "created_at")
    list_filter = ("active",)
    search_fields = ("name", "url", "owner__username")
    exclude = ("secret",)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = (
        "event",
        "endpoint",
        "state",
        "attempts",
        "last_status",
        "next_attempt_at",
        "delivered_at",
    )
    list_filter = ("state", "event")
    search_fields = ("event_id", "endpoint__name", "endpoint__url")
    list_select_related = ("endpoint",)
