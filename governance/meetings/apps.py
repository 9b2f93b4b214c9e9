from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "governance.meetings"
    label = "meetings"
    verbose_name = _("Möten")

    def ready(self):
        from governance.core.transitions import rules_register

        from .models import Meeting
        from .permissions import MEETING_RULES

        rules_register(Meeting, MEETING_RULES)
