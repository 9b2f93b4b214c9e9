"""The parties of a cooperation: organisations, their bodies, people, contact persons and population."""

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from governance.core.models import Validity

from .choices import BodyKind, ContactRole, OrganisationKind, Role

municipality_code_validator = RegexValidator(r"^\d{4}$", _("Kommunkoden ska vara fyra siffror, t.ex. 0162."))


class Organisation(models.Model):
    """A party (samverkanspart): a municipality, the region, the police, the county board, KSL, ….

    Municipalities carry their official four-digit code. ``registration_number_pattern`` describes how the
    organisation writes its diarienummer, with ``{year}`` and ``{n}`` placeholders (e.g. ``KS {year}/{n}``).
    Exactly one organisation may be the host (huvudman) of the centre.
    """

    name = models.CharField(_("namn"), max_length=200, unique=True)
    short_name = models.CharField(
        _("kortnamn"), max_length=100, blank=True, help_text=_("Namnet i löpande text, t.ex. ”Danderyd”.")
    )
    kind = models.CharField(_("typ"), max_length=20, choices=OrganisationKind.choices)
    municipality_code = models.CharField(
        _("kommunkod"),
        max_length=4,
        blank=True,
        null=True,
        unique=True,
        validators=[municipality_code_validator],
    )
    is_host = models.BooleanField(_("huvudman"), default=False)
    registration_number_pattern = models.CharField(
        _("mönster för diarienummer"), max_length=100, blank=True, help_text=_("T.ex. ”KS {year}/{n}”.")
    )
    former_names = models.CharField(_("tidigare namn"), max_length=300, blank=True)

    class Meta:
        ordering = ["kind", "municipality_code", "name"]
        permissions = [
            ("work_on_municipality", _("Handlägga organisationens ärenden och dokument")),
            ("read_municipality", _("Läsa organisationens ärenden och dokument")),
            ("oversee_municipalities", _("Se alla kommuners ärenden (KSL)")),
        ]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisationer")
        constraints = [
            models.UniqueConstraint(
                fields=["is_host"], condition=Q(is_host=True), name="one_host_organisation"
            ),
            models.CheckConstraint(
                condition=Q(kind=OrganisationKind.MUNICIPALITY, municipality_code__isnull=False)
                | (~Q(kind=OrganisationKind.MUNICIPALITY) & Q(municipality_code__isnull=True)),
                name="municipality_code_iff_municipality",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def is_municipality(self) -> bool:
        return self.kind == OrganisationKind.MUNICIPALITY

    def format_registration_number(self, *, year: int, number: int) -> str:
        pattern = self.registration_number_pattern or "{year}/{n}"
        return pattern.format(year=year, n=number)


class OrganisationName(models.Model):
    """A name an organisation had before, up to and including ``valid_until``.

    ``Organisation.name`` is the name of today; each row here is an earlier one with the last day it was
    used (Stockholms läns landsting until 2018-12-31, then Region Stockholm). A document dated before that
    day names the organisation by the older name (``queries.name_on``). Loaded with the registry
    (``services.registry_load``); ``Organisation.former_names`` is only the free-text label on the party page.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="historic_names", verbose_name=_("organisation")
    )
    name = models.CharField(_("namn"), max_length=200)
    valid_until = models.DateField(_("gällde till och med"))

    class Meta:
        ordering = ["organisation__name", "valid_until"]
        verbose_name = _("tidigare namn")
        verbose_name_plural = _("tidigare namn")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "valid_until"], name="one_name_per_end_date")
        ]

    def __str__(self) -> str:
        return f"{self.name} (t.o.m. {self.valid_until})"


class Body(models.Model):
    """A body inside an organisation: kommunfullmäktige, kommunstyrelse, a nämnd or a förvaltning.

    ``administration`` is the förvaltning that prepares a nämnd's cases (Danderyd: Socialnämnden ←
    Socialkontoret, Kommunstyrelsen ← Kommunledningskontoret); memos name it as their author.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="bodies", verbose_name=_("organisation")
    )
    name = models.CharField(_("namn"), max_length=200)
    kind = models.CharField(_("typ"), max_length=20, choices=BodyKind.choices)
    administration = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="served_bodies",
        limit_choices_to={"kind": BodyKind.ADMINISTRATION},
        verbose_name=_("beredande förvaltning"),
        help_text=_("Förvaltningen som bereder organets ärenden och skriver dess tjänsteutlåtanden."),
    )

    class Meta:
        ordering = ["organisation__name", "kind", "name"]
        verbose_name = _("organ")
        verbose_name_plural = _("organ")
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="unique_body_name")]

    def __str__(self) -> str:
        return f"{self.name}, {self.organisation.display_name}"


class Person(models.Model):
    """A person who works for or represents an organisation; optionally linked to a login."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("inloggning"),
    )
    first_name = models.CharField(_("förnamn"), max_length=100)
    last_name = models.CharField(_("efternamn"), max_length=100)
    title = models.CharField(_("titel"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="people", verbose_name=_("organisation")
    )
    email = models.EmailField(_("e-post"), blank=True)
    phone = models.CharField(_("telefon"), max_length=50, blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("person")
        verbose_name_plural = _("personer")

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class ContactAssignment(Validity):
    """An entry in the contact bank: a person named by a party in a role, valid from/to.

    Ended entries are kept (``valid_to`` set) so the bank shows who was the contact when.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("organisation")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="contact_assignments", verbose_name=_("person")
    )
    role = models.CharField(_("roll"), max_length=20, choices=ContactRole.choices)
    email = models.EmailField(_("e-post"))
    phone = models.CharField(_("telefon"), max_length=50, blank=True)

    class Meta(Validity.Meta):
        ordering = ["organisation__name", "role", "-valid_from"]
        verbose_name = _("kontaktuppgift")
        verbose_name_plural = _("kontaktbank")

    def __str__(self) -> str:
        return f"{self.person} – {self.get_role_display()}, {self.organisation.display_name}"


class PopulationFigure(models.Model):
    """A municipality's population on a reference date (31 December), with its source (SCB)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="population_figures", verbose_name=_("kommun")
    )
    reference_date = models.DateField(_("referensdatum"))
    population = models.PositiveIntegerField(_("folkmängd"), validators=[MinValueValidator(1)])
    source = models.CharField(_("källa"), max_length=200, default="SCB")

    class Meta:
        ordering = ["reference_date", "organisation__municipality_code"]
        verbose_name = _("folkmängd")
        verbose_name_plural = _("folkmängd")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference_date"], name="one_population_per_date"
            ),
            models.CheckConstraint(condition=Q(population__gt=0), name="population_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation.display_name} {self.reference_date}: {self.population}"


class OrganisationUserObjectPermission(UserObjectPermissionBase):
    """Direct-foreign-key object permission of a user on an organisation (guardian's fast path)."""

    content_object = models.ForeignKey(Organisation, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("behörighet för användare på organisation")


class OrganisationGroupObjectPermission(GroupObjectPermissionBase):
    """Direct-foreign-key object permission of a group on an organisation."""

    content_object = models.ForeignKey(Organisation, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("behörighet för grupp på organisation")


class RoleAssignment(Validity):
    """A user's role, from/to dates: KSL officer, clerk or contact person of a municipality, host admin.

    Grants follow assignments: ``parties.services.role_assign`` and ``role_end`` grant and revoke at once,
    and the daily ``parties.role_assignments_sync`` task applies assignments whose dates start or end.
    Clerk and contact-person roles are scoped to one organisation; the others are global.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name=_("användare"),
    )
    role = models.CharField(_("roll"), max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("organisation"),
    )

    class Meta(Validity.Meta):
        ordering = ["user__username", "role", "-valid_from"]
        verbose_name = _("rolltilldelning")
        verbose_name_plural = _("rolltilldelningar")
        constraints = [
            *Validity.Meta.constraints,
            models.CheckConstraint(
                condition=Q(role__in=[Role.MUNICIPAL_CLERK, Role.CONTACT_PERSON], organisation__isnull=False)
                | (~Q(role__in=[Role.MUNICIPAL_CLERK, Role.CONTACT_PERSON]) & Q(organisation__isnull=True)),
                name="scoped_roles_name_organisation",
            ),
        ]

    def __str__(self) -> str:
        where = f", {self.organisation.display_name}" if self.organisation_id else ""
        return f"{self.user.get_username()}: {self.get_role_display()}{where}"
