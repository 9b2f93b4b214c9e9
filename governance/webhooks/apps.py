from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "governance.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self):
        from django.db.models.signals import post_save

        from governance.core.models import AuditEvent

        from .services import deliveries_create_for_audit_event

        post_save.connect(
            deliveries_create_for_audit_event, sender=AuditEvent, dispatch_uid="webhooks.audit_event_saved"
        )
