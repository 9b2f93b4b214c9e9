from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "governance.search"
    label = "search"
    verbose_name = _("Sök")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from governance.core.models import AuditEvent

        from .services import entries_refresh_for_audit_event, entries_refresh_for_deleted_row
        from .sources import FOLLOW_DELETES

        post_save.connect(
            entries_refresh_for_audit_event, sender=AuditEvent, dispatch_uid="search.audit_event_saved"
        )
        for model in FOLLOW_DELETES:
            post_delete.connect(
                entries_refresh_for_deleted_row,
                sender=model,
                dispatch_uid=f"search.{model._meta.label_lower}_deleted",
            )
