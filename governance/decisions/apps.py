from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecisionsConfig(AppConfig):
    name = "governance.decisions"
    label = "decisions"
    verbose_name = _("Beslut")

    def ready(self):
        from governance.core.transitions import rules_register

        from .models import AdoptionCase
        from .permissions import CASE_RULES

        rules_register(AdoptionCase, CASE_RULES)

        from .document_kinds import document_kinds_register

        document_kinds_register()

        from .agenda_papers import register as papers_register

        papers_register()

        from .webhook_events import register as webhook_events_register

        webhook_events_register()

        from governance.core.services import mail_sent

        from .services.notifications import notification_mail_sent

        mail_sent.connect(notification_mail_sent, dispatch_uid="decisions.notification_mail_sent")

        from .registration import readers_register

        readers_register()
