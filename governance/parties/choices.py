from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.core.choices import AuditAction


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


class PartyAction(AuditAction):
    """Audit actions of the party register, the contact bank, population figures and roles."""

    ORGANISATION_CREATED = "organisation.created", _("organisation skapad")
    ORGANISATION_UPDATED = "organisation.updated", _("organisation ändrad")
    ORGANISATION_NAME_RECORDED = "organisation_name.recorded", _("tidigare namn registrerat")
    BODY_CREATED = "body.created", _("organ skapat")
    BODY_UPDATED = "body.updated", _("organ ändrat")
    PERSON_CREATED = "person.created", _("person skapad")
    PERSON_UPDATED = "person.updated", _("person ändrad")
    USER_CREATED = "user.created", _("användare skapad")
    CONTACT_ASSIGNED = "contact.assigned", _("kontaktperson utsedd")
    CONTACT_ENDED = "contact.ended", _("kontaktperson avslutad")
    POPULATION_IMPORTED = "population.imported", _("folkmängd importerad")
    ROLE_ASSIGNED = "role.assigned", _("roll tilldelad")
    ROLE_ENDED = "role.ended", _("roll avslutad")
    ROLE_GRANTS_SYNCED = "role.grants_synced", _("behörigheter efter roller uppdaterade")
