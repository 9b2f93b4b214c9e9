from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.core.choices import AuditAction


class Direction(models.TextChoices):
    """Which way a registered document went (OSL 5 kap.): received, drawn up, or sent."""

    INCOMING = "incoming", _("Inkommande")
    DRAWN_UP = "drawn_up", _("Upprättad")
    OUTGOING = "outgoing", _("Utgående")


class DiaryAction(AuditAction):
    """Audit actions of the diarium."""

    DIARY_CASE_OPENED = "diary_case.opened", _("diarieärende upplagt")
    DIARY_CASE_REFERENCE_RECORDED = "diary_case.reference_recorded", _("eget diarienummer noterat")
    DIARY_ENTRY_REGISTERED = "diary_entry.registered", _("handling diarieförd")
    DIARY_ENTRY_SECRECY_CHANGED = "diary_entry.secrecy_changed", _("sekretessmarkering ändrad")
