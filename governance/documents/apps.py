from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "governance.documents"
    label = "documents"
    verbose_name = _("Dokument")

    def ready(self):
        from governance.core.transitions import rules_register

        from .models import GeneratedDocument
        from .permissions import DOCUMENT_RULES

        rules_register(GeneratedDocument, DOCUMENT_RULES)

        from .webhook_events import register as webhook_events_register

        webhook_events_register()
