"""The diarium: series, the counters that number them, diary cases (ärenden) and registered documents."""

import re

from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.parties.models import Organisation

from .choices import Direction

SERIES_PATTERN = re.compile(r"^[A-ZÅÄÖ][A-ZÅÄÖ0-9]{1,11}$")
series_validator = RegexValidator(
    SERIES_PATTERN, _("Serien skrivs med 2–12 versaler eller siffror och börjar med en bokstav, t.ex. KSL.")
)
#: "OSL 26 kap. 1 §", "OSL 21 kap. 7 §", "OSL 18 kap. 1 a §".
SECRECY_PATTERN = re.compile(r"^OSL \d{1,2} kap\. \d{1,3}( [a-z])? §$")
secrecy_validator = RegexValidator(
    SECRECY_PATTERN, _("Sekretess anges som ”OSL 26 kap. 1 §” (lag, kapitel, paragraf).")
)
YEAR_VALIDATORS = [MinValueValidator(1900), MaxValueValidator(2200)]


class DiarySeries(models.Model):
    """One organisation's diary series (e.g. "KSL", "DAN"): the prefix of its diary numbers."""

    code = models.CharField(_("serie"), max_length=12, unique=True, validators=[series_validator])
    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="diary_series", verbose_name=_("organisation")
    )
    name = models.CharField(_("namn"), max_length=200)

    class Meta:
        ordering = ["code"]
        verbose_name = _("diarieserie")
        verbose_name_plural = _("diarieserier")

    def __str__(self) -> str:
        return f"{self.code} ({self.name})"


class DiaryCounter(models.Model):
    """The last case number given out in one series and year; locked while the next one is taken."""

    series = models.ForeignKey(
        DiarySeries, on_delete=models.PROTECT, related_name="+", verbose_name=_("serie")
    )
    year = models.PositiveSmallIntegerField(_("år"), validators=YEAR_VALIDATORS)
    last_number = models.PositiveIntegerField(_("senaste nummer"), default=0)

    class Meta:
        verbose_name = _("diarieräknare")
        verbose_name_plural = _("diarieräknare")
        constraints = [models.UniqueConstraint(fields=["series", "year"], name="one_counter_per_series_year")]

    def __str__(self) -> str:
        return f"{self.series.code} {self.year}: {self.last_number}"


class DiaryCase(models.Model):
    """A diary case (ärende): one registered matter, numbered per series and year (``KSL 2012/14``).

    ``matter_key`` names the matter (``decisions.adoptioncase:12``, ``meetings.cooperationbody:3:2013``) so
    registering again finds the same case; ``subject_type``/``subject_id`` point at the object generically (the
    diarium imports none of the apps above it). Names are copied so they survive deletions.
    """

    series = models.ForeignKey(
        DiarySeries, on_delete=models.PROTECT, related_name="cases", verbose_name=_("serie")
    )
    year = models.PositiveSmallIntegerField(_("år"), validators=YEAR_VALIDATORS)
    number = models.PositiveIntegerField(_("löpnummer"), validators=[MinValueValidator(1)])
    matter_key = models.CharField(_("ärendenyckel"), max_length=120, unique=True)
    title = models.CharField(_("ärendemening"), max_length=300)
    organisation_name = models.CharField(_("organisation"), max_length=200)
    own_reference = models.CharField(
        _("eget diarienummer"), max_length=60, blank=True, help_text=_("Organisationens egen Dnr, om någon.")
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
    opened_on = models.DateField(_("upplagt"))
    last_document = models.PositiveIntegerField(_("senaste handling"), default=0)

    class Meta:
        ordering = ["series__code", "-year", "-number"]
        verbose_name = _("diarieärende")
        verbose_name_plural = _("diarieärenden")
        constraints = [
            models.UniqueConstraint(fields=["series", "year", "number"], name="unique_diary_case_number"),
        ]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="diary_case_subject")]

    def __str__(self) -> str:
        return self.diary_number

    @property
    def diary_number(self) -> str:
        return f"{self.series.code} {self.year}/{self.number}"


class DiaryEntry(models.Model):
    """A registered document (diarieförd handling): number within its case, date, direction, sender or
    recipient, and an optional secrecy mark (OSL). The entry itself is always visible in the register; with a
    secrecy mark its ``title`` and file only to those who may read the underlying object, others see
    ``public_title``. ``key`` names what registered it, so a reload registers once."""

    case = models.ForeignKey(
        DiaryCase, on_delete=models.PROTECT, related_name="entries", verbose_name=_("ärende")
    )
    number = models.PositiveIntegerField(_("handlingsnummer"), validators=[MinValueValidator(1)])
    key = models.CharField(_("registreringsnyckel"), max_length=120, unique=True)
    registered_on = models.DateField(_("datum"), db_index=True)
    direction = models.CharField(_("riktning"), max_length=10, choices=Direction.choices)
    counterpart = models.CharField(_("avsändare/mottagare"), max_length=300, blank=True)
    title = models.CharField(_("rubrik"), max_length=300)
    public_title = models.CharField(_("rubrik utan sekretess"), max_length=300)
    secrecy = models.CharField(
        _("sekretess"),
        max_length=40,
        blank=True,
        validators=[secrecy_validator],
        help_text=_("T.ex. OSL 26 kap. 1 §"),
    )
    document_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handlingens typ"),
    )
    document_id = models.PositiveBigIntegerField(_("handlingens id"), null=True, blank=True)
    file_name = models.CharField(_("fil i lagringen"), max_length=300, blank=True)
    file_label = models.CharField(_("filnamn"), max_length=200, blank=True)
    sha256 = models.CharField(
        _("kontrollsumma (SHA-256)"),
        max_length=64,
        blank=True,
        validators=[RegexValidator(r"^[0-9a-f]{64}$", _("En SHA-256 är 64 hexadecimala tecken."))],
    )
    registered_by_name = models.CharField(_("registrerad av"), max_length=300)
    registered_at = models.DateTimeField(_("registrerad"), default=timezone.now)

    class Meta:
        ordering = ["-registered_on", "-pk"]
        verbose_name = _("diarieförd handling")
        verbose_name_plural = _("diarieförda handlingar")
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="unique_diary_document_number"),
            models.CheckConstraint(
                condition=Q(sha256="") | Q(file_name__gt=""), name="diary_checksum_needs_file"
            ),
        ]

    def __str__(self) -> str:
        return self.diary_number

    @property
    def diary_number(self) -> str:
        return f"{self.case.diary_number}-{self.number}"

    @property
    def is_secret(self) -> bool:
        return bool(self.secrecy)
