"""Choices shared by every app: the base of the closed lists of audit actions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    """Base of every app's closed list of audit actions (``<app>.choices.<Thing>Action``).

    ``core.services.audit_record`` accepts only members of a subclass. Values are ``noun.past_participle``
    (``case.proposed``, ``meeting.notice_sent``); labels are the Swedish words shown in histories.
    """

    @classmethod
    def label_for(cls, value: str) -> str:
        """The Swedish label of any app's action ``value`` (the value itself for a name no list has)."""
        for subclass in all_audit_actions():
            if value in subclass.values:
                return str(subclass(value).label)
        return value


def all_audit_actions() -> list[type[AuditAction]]:
    """Every closed list of audit actions, in the order the apps defined them."""
    found, pending = [], list(AuditAction.__subclasses__())
    while pending:
        subclass = pending.pop(0)
        found.append(subclass)
        pending.extend(subclass.__subclasses__())
    return found


class CoreAction(AuditAction):
    """Audit actions of the core app (admin writes, the system's own jobs)."""

    ADMIN_CREATED = "admin.created", _("skapad i administrationen")
    ADMIN_CHANGED = "admin.changed", _("ändrad i administrationen")
    ADMIN_DELETED = "admin.deleted", _("borttagen i administrationen")
    MAIL_RETRIED = "mail.retried", _("e-post köad igen efter misslyckade försök")
