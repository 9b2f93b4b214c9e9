"""The webhook events a system may subscribe to, the states of a delivery, and the app's audit actions."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.core.choices import AuditAction


class WebhookEvent(models.TextChoices):
    """The events an endpoint may choose. The apps that own the objects register what produces each one
    (``registry.event_source_register``)."""

    CASE_STATE_CHANGED = "case.state_changed", _("Ett ärende bytte läge")
    DECISION_RECORDED = "decision.recorded", _("Ett beslut registrerades")
    DOCUMENT_GENERATED = "document.generated", _("Ett dokument skapades")
    MINUTES_PUBLISHED = "minutes.published", _("Ett protokoll publicerades")


class DeliveryState(models.TextChoices):
    """pending → delivered (a 2xx answer) | pending (a failed attempt, due again after a pause) … → failed
    (after the last attempt); ``delivery_retry`` brings failed → pending."""

    PENDING = "pending", _("väntar")
    DELIVERED = "delivered", _("levererad")
    FAILED = "failed", _("misslyckades")


class WebhookAction(AuditAction):
    """Audit actions of the webhooks app."""

    ENDPOINT_REGISTERED = "webhook.registered", _("webhook registrerad")
    ENDPOINT_CHANGED = "webhook.changed", _("webhook ändrad")
    ENDPOINT_DEACTIVATED = "webhook.deactivated", _("webhook avaktiverad")
    ENDPOINT_ACTIVATED = "webhook.activated", _("webhook aktiverad igen")
    ENDPOINT_SECRET_ROTATED = "webhook.secret_rotated", _("webhookens hemlighet bytt")
    ENDPOINT_DELETED = "webhook.deleted", _("webhook borttagen")
    DELIVERY_RETRIED = "webhook_delivery.retried", _("webhookleverans köad igen efter misslyckade försök")
