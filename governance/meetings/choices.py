from django.db import models
from django.utils.translation import gettext_lazy as _


class BodyKind(models.TextChoices):
    STEERING_GROUP = "steering_group", _("Styrgrupp")
    REFERENCE_FORUM = "reference_forum", _("Referensforum")


class MembershipRole(models.TextChoices):
    CHAIR = "chair", _("Ordförande")
    VICE_CHAIR = "vice_chair", _("Vice ordförande")
    MEMBER = "member", _("Ledamot")
    DEPUTY = "deputy", _("Ersättare")
    SECRETARY = "secretary", _("Sekreterare")
    ADJUNCT = "adjunct", _("Adjungerad")
