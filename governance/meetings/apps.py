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

        from .webhook_events import register as webhook_events_register

        webhook_events_register()

        from governance.core.services import mail_sent

        from .services.notices import notice_mail_sent

        mail_sent.connect(notice_mail_sent, dispatch_uid="meetings.notice_mail_sent")

        from .registration import readers_register

        readers_register()
