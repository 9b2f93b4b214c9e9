"""The cooperation's governing bodies (steering group, reference forum) and their memberships."""

import datetime as dt

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from governance.agreements.models import Agreement
from governance.parties.models import Organisation, Person, ValidityQuerySet

from .choices import BodyKind, MembershipRole


class CooperationBody(models.Model):
    """A body that governs the centre: the steering group (styrgrupp) or the reference forum (referensforum).

    The convener (Stockholms stad for Origo) chairs and convenes. ``meetings_per_year`` drives the annual
    plan; ``notice_working_days`` is how many working days before a meeting the notice must go out.
    """

    slug = models.SlugField(_("kortnamn"), max_length=60, unique=True)
    name = models.CharField(_("namn"), max_length=200)
    kind = models.CharField(_("typ"), max_length=20, choices=BodyKind.choices)
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bodies",
        verbose_name=_("avtal"),
    )
    convener = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="convened_bodies",
        verbose_name=_("sammankallande"),
    )
    meetings_per_year = models.PositiveSmallIntegerField(
        _("möten per år"), default=4, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    notice_working_days = models.PositiveSmallIntegerField(
        _("kallelse senast (arbetsdagar före)"), default=5, validators=[MaxValueValidator(30)]
    )

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("samverkansorgan")
        verbose_name_plural = _("samverkansorgan")
        permissions = [
            ("manage_body", _("Hantera organets möten, dagordningar och protokoll")),
            ("view_body", _("Läsa organets möten och handlingar")),
            ("view_all_bodies", _("Se alla samverkansorgan")),
        ]

    def __str__(self) -> str:
        return self.name


class CooperationBodyUserObjectPermission(UserObjectPermissionBase):
    """Direct-foreign-key object permission of a user on a cooperation body."""

    content_object = models.ForeignKey(CooperationBody, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("behörighet för användare på samverkansorgan")


class CooperationBodyGroupObjectPermission(GroupObjectPermissionBase):
    """Direct-foreign-key object permission of a group on a cooperation body."""

    content_object = models.ForeignKey(CooperationBody, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("behörighet för grupp på samverkansorgan")


class MembershipQuerySet(ValidityQuerySet):
    pass


class Membership(models.Model):
    """A person's seat in a body for a term (``valid_from``–``valid_to``), representing an organisation.

    Chair, vice chair and secretary manage the body's meetings; every member reads its papers. Grants follow
    memberships through ``meetings.services``; ended memberships are kept to show who sat when.
    """

    body = models.ForeignKey(CooperationBody, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="seats", verbose_name=_("företräder")
    )
    role = models.CharField(_("roll"), max_length=20, choices=MembershipRole.choices)
    valid_from = models.DateField(_("mandatperiod från"))
    valid_to = models.DateField(_("mandatperiod till"), null=True, blank=True)
    appointed_by = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("utsedd av")
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["body", "role", "organisation__municipality_code", "organisation__name"]
        verbose_name = _("ledamotskap")
        verbose_name_plural = _("ledamotskap")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="membership_valid_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person}, {self.get_role_display().lower()} i {self.body} ({self.organisation.display_name})"

    def is_active(self, on: dt.date | None = None) -> bool:
        on = on or dt.date.today()
        return self.valid_from <= on and (self.valid_to is None or self.valid_to >= on)
