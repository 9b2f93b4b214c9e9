"""Generated documents (one row per version) and the templates host administrators upload."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from governance.core.formatting import file_name

from .choices import BatchStatus, DocumentKind, DocumentStatus
from .registry import kind_entry

FILE_STEMS = {
    DocumentKind.MEMO: "tjansteutlatande",
    DocumentKind.CONSULTATION_RESPONSE: "remissvar",
    DocumentKind.COMPILATION: "sammanstallning",
    DocumentKind.AGREEMENT: "avtal",
    DocumentKind.NOTICE: "kallelse",
    DocumentKind.MINUTES: "protokoll",
    DocumentKind.EXTRACT: "protokollsutdrag",
}


def generated_path(instance, filename: str) -> str:
    return (
        f"documents/{instance.kind}/{instance.subject_key.replace(':', '-')}/v{instance.version}-{filename}"
    )


class GeneratedDocument(ConcurrentTransitionMixin, models.Model):
    """One generated version of a document (.docx, and a PDF copy where LibreOffice is installed).

    Each generation is a new version: who asked, when, which template (and its sha256), the edited fields,
    the status of the background job and the file's sha256. ``request_key`` makes a double submit or a task
    delivered twice store one version. The subject (a case, a response, …) is generic: the documents app does
    not know the apps that own subjects; ``subject_key`` (``case:12``) names it for the kind's registry entry.

    States: queued → running → done | failed; failed → queued when a failed version is rendered again;
    running → queued when the stale-job sweep finds its worker gone.
    The status field is protected: only the transitions, run by ``documents.services`` through
    ``core.transitions.transition_run``, change it.
    """

    kind = models.CharField(_("dokument"), max_length=30, choices=DocumentKind.choices)
    subject_key = models.CharField(
        max_length=60,
        help_text=_("T.ex. case:12, response:3, consultation:1, agreement:2."),
        verbose_name=_("avser"),
    )
    subject_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("avser typ"),
    )
    subject_id = models.PositiveBigIntegerField(_("avser id"), null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    version = models.PositiveIntegerField(_("version"))
    request_key = models.UUIDField(_("beställningsnyckel"), unique=True)
    batch_key = models.UUIDField(_("omgång"), null=True, blank=True, db_index=True)
    status = FSMField(
        _("status"),
        max_length=10,
        choices=DocumentStatus.choices,
        default=DocumentStatus.QUEUED,
        protected=True,
    )
    error = models.TextField(_("orsak"), blank=True)
    params = models.JSONField(_("ifyllda uppgifter"), default=dict, blank=True)
    template_name = models.CharField(_("mall"), max_length=200, blank=True)
    template_sha256 = models.CharField(_("mallens kontrollsumma (SHA-256)"), max_length=64, blank=True)
    file = models.FileField(_("fil (.docx)"), upload_to=generated_path, blank=True)
    pdf = models.FileField(_("PDF-kopia"), upload_to=generated_path, blank=True)
    pdf_note = models.CharField(_("anmärkning om PDF"), max_length=300, blank=True)
    sha256 = models.CharField(_("kontrollsumma (SHA-256)"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("beställd av (konto)"),
    )
    created_by_name = models.CharField(_("skapad av"), max_length=300)
    created_at = models.DateTimeField(_("skapad"), default=timezone.now)
    finished_at = models.DateTimeField(_("klar"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-version"]
        verbose_name = _("genererat dokument")
        verbose_name_plural = _("genererade dokument")
        constraints = [
            models.UniqueConstraint(
                fields=["subject_key", "kind", "version"], name="one_version_number_per_subject"
            )
        ]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="document_subject_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.subject_key} v{self.version} ({self.get_status_display()})"

    @property
    def filename(self) -> str:
        """The file's name without extension: kind, subject and version, e.g. ``tjansteutlatande-danderyd-v1``
        or ``avtal-origo-2016-v2`` (å, ä and ö as a, a and o; the kind's registration names the subject, the
        subject key names it where no app registered the kind or the subject is gone)."""
        entry = kind_entry(self.kind)
        subject = self.subject if entry is not None else None
        label = entry.file_part(subject) if subject is not None else self.subject_key.replace(":", "-")
        return file_name(FILE_STEMS[self.kind], label, version=self.version)

    @transition(field=status, source=DocumentStatus.QUEUED, target=DocumentStatus.RUNNING)
    def start(self):
        """The worker picked the version up."""
        self.error = ""

    @transition(field=status, source=DocumentStatus.RUNNING, target=DocumentStatus.DONE)
    def finish(self):
        """The .docx (and the PDF copy, where possible) is stored."""
        self.finished_at = timezone.now()

    @transition(
        field=status, source=[DocumentStatus.QUEUED, DocumentStatus.RUNNING], target=DocumentStatus.FAILED
    )
    def fail(self):
        """The template or its data could not be rendered; ``error`` says why."""
        self.finished_at = timezone.now()

    @transition(field=status, source=DocumentStatus.RUNNING, target=DocumentStatus.QUEUED)
    def requeue(self):
        """The worker that took the version is gone (killed, restarted) and the task's hard time limit has
        passed: the stale-job sweep (``services.documents_sweep_stale``) queues it again."""
        self.error = ""

    @transition(field=status, source=DocumentStatus.FAILED, target=DocumentStatus.QUEUED)
    def retry(self):
        """A failed version is rendered again (the task delivered once more)."""
        self.finished_at = None


class DocumentBatch(models.Model):
    """A batch of versions requested in one go (KSL's memo drafts for every recipient).

    The request records the batch and nothing more, so it answers at once; a background job (of the app that
    owns ``origin_key``, e.g. ``recommendation:4``) then queues one version per subject under ``key`` and marks
    the batch ready. ``key`` makes a double click one batch. The progress page shows the batch from the first
    moment: "Förbereds" until its versions exist, then their progress.
    """

    key = models.UUIDField(_("omgång"), unique=True)
    kind = models.CharField(_("dokument"), max_length=30, choices=DocumentKind.choices)
    origin_key = models.CharField(_("underlag"), max_length=60)
    expected = models.PositiveIntegerField(_("antal dokument"), default=0)
    #: What the owning app's job was asked for besides the origin (decisions: ``{"new_versions": true}`` when
    #: cases that already have a memo get a new version too).
    options = models.JSONField(_("val"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.PREPARING
    )
    error = models.TextField(_("orsak"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("beställd av (konto)"),
    )
    created_by_name = models.CharField(_("beställd av"), max_length=300)
    created_at = models.DateTimeField(_("beställd"), default=timezone.now)
    prepared_at = models.DateTimeField(_("köad"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("omgång dokument")
        verbose_name_plural = _("omgångar dokument")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.origin_key} ({self.get_status_display()})"


def template_upload_path(instance, filename: str) -> str:
    return f"templates/{instance.kind}/{timezone.now():%Y%m%d%H%M%S}.docx"


class DocumentTemplate(models.Model):
    """A replacement .docx template uploaded by a host administrator; the newest active one of a kind is used."""

    kind = models.CharField(_("dokument"), max_length=30, choices=DocumentKind.choices)
    file = models.FileField(_("fil (.docx)"), upload_to=template_upload_path)
    sha256 = models.CharField(_("kontrollsumma (SHA-256)"), max_length=64)
    original_name = models.CharField(_("filnamn"), max_length=200)
    uploaded_by_name = models.CharField(_("uppladdad av"), max_length=300)
    uploaded_at = models.DateTimeField(_("uppladdad"), default=timezone.now)
    is_active = models.BooleanField(_("används"), default=True)

    class Meta:
        ordering = ["kind", "-uploaded_at"]
        verbose_name = _("dokumentmall")
        verbose_name_plural = _("dokumentmallar")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"
