from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("Kommun")
    REGION = "region", _("Region")
    POLICE = "police", _("Polismyndighet")
    COUNTY_BOARD = "county_board", _("Länsstyrelse")
    ASSOCIATION = "association", _("Kommunförbund")
    VOLUNTARY = "voluntary", _("Frivilligorganisation")


class BodyKind(models.TextChoices):
    COUNCIL = "council", _("Kommunfullmäktige")
    EXECUTIVE_BOARD = "executive_board", _("Kommunstyrelse")
    COMMITTEE = "committee", _("Nämnd")
    ADMINISTRATION = "administration", _("Förvaltning")
    BOARD = "board", _("Styrelse")


class ContactRole(models.TextChoices):
    CONTACT_PERSON = "contact_person", _("Kontaktperson")
    DEPUTY_CONTACT = "deputy_contact", _("Ersättare för kontaktperson")
    CLERK = "clerk", _("Handläggare")
    REGISTRAR = "registrar", _("Registrator")


class Role(models.TextChoices):
    KSL_OFFICER = "ksl_officer", _("KSL-handläggare")
    MUNICIPAL_CLERK = "municipal_clerk", _("Kommunens handläggare")
    CONTACT_PERSON = "contact_person", _("Kontaktperson")
    HOST_ADMIN = "host_admin", _("Värdadministratör")
