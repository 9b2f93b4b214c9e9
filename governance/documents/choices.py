"""Choices of the documents app: the kinds of document, a version's status and the audit actions."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.core.choices import AuditAction


class DocumentKind(models.TextChoices):
    """Every kind of generated document; the apps that own the subjects register how to build each."""

    MEMO = "memo", _("Tjänsteutlåtande")
    CONSULTATION_RESPONSE = "consultation_response", _("Remissvar")
    COMPILATION = "compilation", _("Sammanställning av remissvar")
    AGREEMENT = "agreement", _("Avtal med kostnadsbilaga")
    NOTICE = "notice", _("Kallelse med föredragningslista")
    MINUTES = "minutes", _("Protokoll")
    EXTRACT = "extract", _("Protokollsutdrag")


class DocumentStatus(models.TextChoices):
    QUEUED = "queued", _("I kö")
    RUNNING = "running", _("Skapas")
    DONE = "done", _("Klar")
    FAILED = "failed", _("Misslyckades")


class BatchStatus(models.TextChoices):
    """A batch: recorded at once by the request, filled with its versions by a background job."""

    PREPARING = "preparing", _("Förbereds")
    READY = "ready", _("Utkasten är köade")
    FAILED = "failed", _("Kunde inte förberedas")


class DocumentAction(AuditAction):
    """Audit actions of generated documents and document templates."""

    DOCUMENT_REQUESTED = "document.requested", _("dokument beställt")
    DOCUMENT_STARTED = "document.started", _("dokument påbörjat")
    DOCUMENT_GENERATED = "document.generated", _("dokument skapat")
    DOCUMENT_FAILED = "document.failed", _("dokument kunde inte skapas")
    DOCUMENT_REQUEUED = "document.requeued", _("dokument köat igen")
    DOCUMENT_RESENT = "document.resent", _("dokument skickat till bakgrundsjobbet igen")
    DOCUMENT_BATCH_REQUESTED = "document_batch.requested", _("omgång dokument beställd")
    DOCUMENT_BATCH_PREPARED = "document_batch.prepared", _("omgång dokument köad")
    DOCUMENT_BATCH_FAILED = "document_batch.failed", _("omgång dokument kunde inte förberedas")
    DOCUMENT_TEMPLATE_UPLOADED = "document_template.uploaded", _("dokumentmall uppladdad")
    DOCUMENT_TEMPLATE_DEFAULT_RESTORED = "document_template.default_restored", _("standardmall återställd")
