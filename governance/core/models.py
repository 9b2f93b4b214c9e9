"""The audit trail shared by every app, and the abstract validity period used by several."""

import datetime as dt
import hashlib
import json

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import calendar

GENESIS_HASH = "0" * 64


class AuditImmutableError(Exception):
    """Raised when code tries to change or delete an audit row."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditImmutableError("Audit events are append-only.")

    def delete(self):
        raise AuditImmutableError("Audit events are append-only.")


class AuditEvent(models.Model):
    """One append-only entry in the audit trail.

    Rows copy the actor's name and the object's label so they survive deletions. Each row stores a
    SHA-256 hash over its own content and the previous row's hash; ``manage.py verify_audit`` recomputes
    the chain. The application refuses updates and deletes; on PostgreSQL a trigger refuses them too.
    """

    occurred_at = models.DateTimeField(_("tidpunkt"), default=timezone.now, db_index=True)
    # No database constraint and no cascade: deleting a user or a type must never touch an audit row.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("konto"),
    )
    actor_name = models.CharField(_("utförd av"), max_length=300)
    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("objekttyp"),
    )
    object_id = models.CharField(_("objektets id"), max_length=64, blank=True)
    object_label = models.CharField(_("objekt"), max_length=300, blank=True)
    action = models.CharField(_("händelse"), max_length=100, db_index=True)
    source_state = models.CharField(_("från läge"), max_length=50, blank=True)
    target_state = models.CharField(_("till läge"), max_length=50, blank=True)
    comment = models.TextField(_("kommentar"), blank=True)
    payload = models.JSONField(_("uppgifter"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    prev_hash = models.CharField(_("föregående kontrollsumma"), max_length=64)
    hash = models.CharField(_("kontrollsumma"), max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["content_type", "object_id", "id"])]
        verbose_name = _("händelse i granskningsloggen")
        verbose_name_plural = _("granskningslogg")

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_name}: {self.action} {self.object_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AuditImmutableError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditImmutableError("Audit events are append-only.")

    def compute_hash(self) -> str:
        """The hash over this row's content and the previous row's hash (``audit_hash``)."""
        return audit_hash(
            {
                "occurred_at": self.occurred_at,
                "actor_id": self.actor_id,
                "actor_name": self.actor_name,
                "content_type_id": self.content_type_id,
                "object_id": self.object_id,
                "object_label": self.object_label,
                "action": self.action,
                "source_state": self.source_state,
                "target_state": self.target_state,
                "comment": self.comment,
                "payload": self.payload,
                "prev_hash": self.prev_hash,
            }
        )


def _canonical_text(value):
    """Line ends as LF (CRLF and lone CR become LF), in strings nested anywhere in lists and dicts."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    if isinstance(value, dict):
        return {_canonical_text(k): _canonical_text(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical_text(v) for v in value]
    return value


def canonical_timestamp(value: dt.datetime) -> str:
    """UTC at millisecond precision, e.g. ``2026-11-23T18:04:05.123Z``: what ``dumpdata`` keeps of a timestamp."""
    value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def audit_hash(content: dict) -> str:
    """SHA-256 of the canonical JSON of an audit row's content (sorted keys, UTF-8, no ASCII escapes).

    Canonical so that a ``dumpdata``/``loaddata`` round trip (or a backup restored elsewhere) keeps every hash:
    the time is UTC at millisecond precision (``dumpdata`` cuts microseconds to milliseconds), and text has LF
    line ends (a round trip through some tools turns CRLF into LF). Changing this function changes every
    hash: existing rows must then be re-chained by a migration, as ``core/0005`` did.
    """
    content = dict(content)
    content["occurred_at"] = canonical_timestamp(content["occurred_at"])
    normalised = json.loads(json.dumps(_canonical_text(content), cls=DjangoJSONEncoder))
    canonical = json.dumps(normalised, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class AuditChainHead(models.Model):
    """A single row holding the newest audit hash and the number of rows; locked while a row is appended so the
    chain stays linear. ``verify_audit`` compares the chain's last row and length with it, so deleting the
    newest rows is detected; rewinding the head as well is caught by the anchors outside the database."""

    last_hash = models.CharField(_("senaste kontrollsumma"), max_length=64, default=GENESIS_HASH)
    count = models.PositiveBigIntegerField(_("antal händelser"), default=0)

    class Meta:
        verbose_name = _("granskningsloggens senaste länk")
        verbose_name_plural = _("granskningsloggens senaste länk")

    def __str__(self) -> str:
        return self.last_hash


class AuditCheck(models.Model):
    """The result of one run of the nightly audit-chain verification (``core.tasks.audit_chain_check``)."""

    checked_at = models.DateTimeField(_("kontrollerad"), default=timezone.now)
    rows_checked = models.PositiveIntegerField(_("kontrollerade rader"))
    intact = models.BooleanField(_("intakt"))
    broken_event_id = models.BigIntegerField(_("första brutna händelse"), null=True, blank=True)
    reason = models.CharField(_("orsak"), max_length=300, blank=True)

    class Meta:
        ordering = ["-checked_at"]
        verbose_name = _("kontroll av granskningsloggen")
        verbose_name_plural = _("kontroller av granskningsloggen")

    def __str__(self) -> str:
        state = _("intakt") if self.intact else _("BRUTEN vid %(id)s") % {"id": self.broken_event_id}
        return f"{self.checked_at:%Y-%m-%d %H:%M}: {state}"


class RequestKey(models.Model):
    """One submitted create form, by the hidden ``request_key`` it carried (``core.forms.RequestKeyMixin``).

    Inserted by ``core.services.request_once`` in the transaction of the write; the unique key makes a second
    submit of the same page (a double click) find the first's ``result_url`` instead of writing again.
    Bookkeeping, not history: rows older than a week are purged nightly (``request_keys_purge``).
    """

    key = models.UUIDField(_("beställningsnyckel"), unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("konto"),
    )
    action = models.CharField(_("åtgärd"), max_length=60)
    created_at = models.DateTimeField(_("skickad"), default=timezone.now, db_index=True)
    result_url = models.CharField(_("resultatsida"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("skickat formulär")
        verbose_name_plural = _("skickade formulär")

    def __str__(self) -> str:
        return f"{self.action} {self.key}"


class ValidityQuerySet(models.QuerySet):
    """Rows with ``valid_from``/``valid_to`` (inclusive; open-ended when ``valid_to`` is empty)."""

    def active(self, on: dt.date | None = None):
        on = on or calendar.today()
        return self.filter(valid_from__lte=on).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))

    current = active


class Validity(models.Model):
    """Abstract: a row valid from ``valid_from`` to ``valid_to`` (inclusive; open-ended when empty).

    Used by contact assignments, role assignments and memberships; ended rows are kept as history.
    """

    valid_from = models.DateField(_("gäller från"))
    valid_to = models.DateField(_("gäller till"), null=True, blank=True)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="%(app_label)s_%(class)s_valid_range",
            )
        ]

    def is_active(self, on: dt.date | None = None) -> bool:
        on = on or calendar.today()
        return self.valid_from <= on and (self.valid_to is None or self.valid_to >= on)


class OutgoingMail(models.Model):
    """One e-mail in the outbox: written in the transaction of the change it reports, delivered afterwards.

    States: queued → sending → sent | queued (an attempt failed: ``last_error``, ``next_attempt_at`` after a
    growing pause) … → failed (after ``core.services.MAIL_MAX_ATTEMPTS`` attempts); a retry
    (``core.services.mail_retry``) brings failed → queued. "sending" is a lease: a row whose worker died
    becomes due again at ``next_attempt_at`` and is sent again (at least once; the Message-ID derived from
    ``purpose_key`` lets receivers drop the copy). ``purpose_key`` is unique, so the same message is never
    queued twice (e.g. ``notice:meeting:12:v1``, ``case-notification:45:v1``, ``reminder:7``, ``digest:3``).
    The business object it belongs to is kept as type, id and label, so its page can say sent only when sent.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("köad")
        SENDING = "sending", _("skickas")
        SENT = "sent", _("skickad")
        FAILED = "failed", _("misslyckades")

    purpose_key = models.CharField(_("ändamål"), max_length=200, unique=True)
    status = models.CharField(_("läge"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    subject = models.CharField(_("ämne"), max_length=300)
    body = models.TextField(_("text"))
    from_email = models.CharField(_("avsändare"), max_length=300)
    to = models.JSONField(_("mottagare"), default=list, blank=True)
    bcc = models.JSONField(_("dolda mottagare"), default=list, blank=True)
    attachments = models.JSONField(
        _("bilagor"), default=list, blank=True, help_text=_("Namn, typ och innehåll (base64).")
    )
    attempts = models.PositiveSmallIntegerField(_("försök"), default=0)
    next_attempt_at = models.DateTimeField(_("nästa försök"), default=timezone.now)
    last_error = models.CharField(_("senaste fel"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("köad"), default=timezone.now)
    sent_at = models.DateTimeField(_("skickad"), null=True, blank=True)
    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("objekttyp"),
    )
    object_id = models.CharField(_("objektets id"), max_length=64, blank=True)
    object_label = models.CharField(_("objekt"), max_length=300, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["content_type", "object_id"]),
        ]
        verbose_name = _("utgående e-post")
        verbose_name_plural = _("utgående e-post")

    def __str__(self) -> str:
        return f"{self.purpose_key}: {self.get_status_display()}"


class DataGeneration(models.Model):
    """How many committed transactions have changed data (``core.caching``): row 1 counts every commit that
    wrote to any table but bookkeeping ones, row 2 only those that wrote to the tables a cost allocation reads.
    A kept page is valid for the generation it was rendered at; a change anywhere makes every kept page stale at
    once, in every process."""

    value = models.BigIntegerField(_("generation"), default=0)

    class Meta:
        verbose_name = _("datagenerering")
        verbose_name_plural = _("datagenereringar")

    def __str__(self) -> str:
        return str(self.value)
