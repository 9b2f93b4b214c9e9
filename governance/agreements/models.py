"""Agreements between the parties and their cost models."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from governance.parties.models import Body, Organisation

from .choices import BasisRule, PartyRole, ShareKind


class Agreement(models.Model):
    """A jointly funded agreement (avtal), e.g. Origo 2013–2015 and its renewal 2016–2020.

    ``slug`` is the name used on the command line (``manage.py costs origo``). A renewal points to the
    agreement it continues through ``previous``.
    """

    slug = models.SlugField(_("kortnamn"), max_length=60, unique=True)
    title = models.CharField(_("titel"), max_length=300)
    short_title = models.CharField(_("kort titel"), max_length=100, help_text=_("T.ex. ”Origo”."))
    period_start = models.DateField(_("avtalsperiod från"))
    period_end = models.DateField(_("avtalsperiod till"))
    host = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="hosted_agreements", verbose_name=_("huvudman")
    )
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewal",
        verbose_name=_("förlänger"),
    )
    parties = models.ManyToManyField(
        Organisation, through="AgreementParty", related_name="agreements", verbose_name=_("parter")
    )
    is_demo_data = models.BooleanField(_("demodata"), default=False)

    class Meta:
        ordering = ["period_start", "slug"]
        verbose_name = _("avtal")
        verbose_name_plural = _("avtal")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gt=models.F("period_start")), name="agreement_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.short_title} {self.period_start:%Y}–{self.period_end:%Y}"

    def covers_year(self, year: int) -> bool:
        return self.period_start.year <= year <= self.period_end.year


class AgreementParty(models.Model):
    """An organisation's place in an agreement: financing, host or cooperating (not financing)."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("avtal")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="agreement_memberships", verbose_name=_("part")
    )
    role = models.CharField(_("roll"), max_length=20, choices=PartyRole.choices, default=PartyRole.FINANCING)

    class Meta:
        verbose_name = _("avtalspart")
        verbose_name_plural = _("avtalsparter")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "organisation"], name="unique_agreement_party")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class CostModel(models.Model):
    """How an agreement's annual budget is divided: fixed shares per party and a population-based pool.

    The pool is divided among the municipalities that are parties to the agreement by their population on
    the basis date: 31 December of the year before the cost year, or a fixed date set in the agreement.
    Amounts are whole kronor and always add up to the budget (docs/adr/0002-rounding.md).
    """

    agreement = models.OneToOneField(
        Agreement, on_delete=models.CASCADE, related_name="cost_model", verbose_name=_("avtal")
    )
    annual_budget = models.PositiveBigIntegerField(_("årsbudget (kr)"), validators=[MinValueValidator(1)])
    basis_rule = models.CharField(
        _("underlag för folkmängd"),
        max_length=20,
        choices=BasisRule.choices,
        default=BasisRule.PREVIOUS_YEAR_END,
    )
    fixed_basis_date = models.DateField(_("fast datum för folkmängd"), null=True, blank=True)

    class Meta:
        verbose_name = _("kostnadsmodell")
        verbose_name_plural = _("kostnadsmodeller")
        constraints = [
            models.CheckConstraint(condition=Q(annual_budget__gt=0), name="budget_positive"),
            models.CheckConstraint(
                condition=~Q(basis_rule=BasisRule.FIXED_DATE) | Q(fixed_basis_date__isnull=False),
                name="fixed_basis_needs_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Kostnadsmodell')} {self.agreement}"

    def clean(self):
        if self.basis_rule == BasisRule.FIXED_DATE and self.fixed_basis_date is None:
            raise ValidationError({"fixed_basis_date": _("Ange det fasta datumet för folkmängden.")})

    def basis_date_for(self, year: int) -> dt.date:
        if self.basis_rule == BasisRule.FIXED_DATE:
            return self.fixed_basis_date
        return dt.date(year - 1, 12, 31)


class CostShare(models.Model):
    """A percentage of the budget: fixed to one party (region 25 %), or the municipalities' pool (50 %)."""

    cost_model = models.ForeignKey(
        CostModel, on_delete=models.CASCADE, related_name="shares", verbose_name=_("kostnadsmodell")
    )
    kind = models.CharField(_("typ"), max_length=20, choices=ShareKind.choices)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("part"),
    )
    percent = models.DecimalField(
        _("andel (%)"),
        max_digits=7,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0.0001")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        ordering = ["kind", "-percent", "id"]
        verbose_name = _("kostnadsandel")
        verbose_name_plural = _("kostnadsandelar")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=ShareKind.FIXED) & Q(organisation__isnull=False))
                | (Q(kind=ShareKind.POPULATION_POOL) & Q(organisation__isnull=True)),
                name="fixed_share_names_party",
            ),
            models.UniqueConstraint(
                fields=["cost_model"], condition=Q(kind=ShareKind.POPULATION_POOL), name="one_population_pool"
            ),
            models.UniqueConstraint(
                fields=["cost_model", "organisation"],
                condition=Q(organisation__isnull=False),
                name="one_share_per_party",
            ),
        ]

    def __str__(self) -> str:
        who = self.organisation if self.organisation_id else _("Kommunerna efter folkmängd")
        return f"{who}: {self.percent} %"


class CostSplit(models.Model):
    """How one party's share is divided among its bodies, by weight (Ekerö: 1 + 1, i.e. equally)."""

    cost_model = models.ForeignKey(
        CostModel, on_delete=models.CASCADE, related_name="splits", verbose_name=_("kostnadsmodell")
    )
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="+", verbose_name=_("organ"))
    weight = models.PositiveIntegerField(_("vikt"), default=1, validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["id"]
        verbose_name = _("fördelning inom part")
        verbose_name_plural = _("fördelningar inom part")
        constraints = [models.UniqueConstraint(fields=["cost_model", "body"], name="unique_cost_split")]

    def __str__(self) -> str:
        return f"{self.body}: {self.weight}"


def signed_copy_path(instance, filename: str) -> str:
    return f"agreements/{instance.agreement.slug}/signed/{instance.organisation_id}-{instance.signed_on}.pdf"


class Signature(models.Model):
    """One party's signature of an agreement: who signed, when, and the signed copy (PDF)."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, related_name="signatures", verbose_name=_("avtal")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="signatures", verbose_name=_("part")
    )
    signatory_name = models.CharField(_("undertecknad av"), max_length=200)
    signatory_title = models.CharField(_("titel"), max_length=200, blank=True)
    signed_on = models.DateField(_("datum"))
    document = models.FileField(_("undertecknat exemplar (PDF)"), upload_to=signed_copy_path)
    sha256 = models.CharField(_("kontrollsumma (SHA-256)"), max_length=64)

    class Meta:
        ordering = ["agreement", "signed_on"]
        verbose_name = _("underskrift")
        verbose_name_plural = _("underskrifter")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "organisation"], name="one_signature_per_party")
        ]

    def __str__(self) -> str:
        return f"{self.organisation.display_name} {self.signed_on}: {self.signatory_name}"
