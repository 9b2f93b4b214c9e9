from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.core.choices import AuditAction


class BasisRule(models.TextChoices):
    PREVIOUS_YEAR_END = "previous_year_end", _("31 december året före kostnadsåret")
    FIXED_DATE = "fixed_date", _("Fast datum i avtalet")


class ShareKind(models.TextChoices):
    FIXED = "fixed", _("Fast andel för en part")
    POPULATION_POOL = "population_pool", _("Kommunernas andel efter folkmängd")


class PartyRole(models.TextChoices):
    FINANCING = "financing", _("Finansierande part")
    HOST = "host", _("Huvudman")
    COOPERATING = "cooperating", _("Samverkande part")


class ScenarioMode(models.TextChoices):
    REDISTRIBUTE = "redistribute", _("Fördela om på de kommuner som ansluter")
    UNFUNDED = "unfunded", _("Lämna ofinansierat")


class AgreementAction(AuditAction):
    """Audit actions of agreements and their cost models."""

    AGREEMENT_CREATED = "agreement.created", _("avtal skapat")
    COST_MODEL_UPDATED = "cost_model.updated", _("kostnadsmodell ändrad")
    COST_SPLIT_UPDATED = "cost_split.updated", _("fördelning inom part ändrad")
