from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartiesConfig(AppConfig):
    name = "governance.parties"
    label = "parties"
    verbose_name = _("Parter")

    def ready(self):
        from governance.webhooks.registry import registrar_rule_set

        from .permissions import can_view_registry

        # Webhooks are for the people of the cooperation's parties, like the registry pages.
        registrar_rule_set(can_view_registry)
