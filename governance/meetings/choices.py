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


class MeetingState(models.TextChoices):
    PLANNED = "planned", _("Planerat")
    NOTICE_SENT = "notice_sent", _("Kallelse skickad")
    HELD = "held", _("Genomfört")
    MINUTES_DRAFTED = "minutes_drafted", _("Protokoll upprättat")
    MINUTES_APPROVED = "minutes_approved", _("Protokoll justerat")
    PUBLISHED = "published", _("Publicerat")
    CANCELLED = "cancelled", _("Inställt")
    POSTPONED = "postponed", _("Uppskjutet")


class ItemKind(models.TextChoices):
    INFORMATION = "information", _("Information")
    DISCUSSION = "discussion", _("Diskussion")
    DECISION = "decision", _("Beslut")


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Närvarande")
    ABSENT = "absent", _("Frånvarande")
    SUBSTITUTE = "substitute", _("Tjänstgör som ersättare")


class Rsvp(models.TextChoices):
    ATTENDING = "attending", _("Kommer")
    NOT_ATTENDING = "not_attending", _("Kommer inte")
    SENDING_SUBSTITUTE = "sending_substitute", _("Skickar ersättare")


class FigureCategory(models.TextChoices):
    GENDER = "gender", _("Kontakter efter kön")
    AGE_BAND = "age_band", _("Kontakter efter ålder")
    MUNICIPALITY = "municipality", _("Kontakter efter hemkommun")
    REASON = "reason", _("Skäl till kontakt")
    PROFESSIONALS = "professionals", _("Yrkesverksamma efter kommun")
    OUTREACH = "outreach", _("Utåtriktade aktiviteter")


STANDARD_OPENING = [
    ("opening", "Mötets öppnande"),
    ("minutes_checkers", "Val av justerare"),
    ("agenda", "Godkännande av dagordningen"),
    ("previous_minutes", "Föregående protokoll"),
]
STANDARD_CLOSING = [
    ("other", "Övriga frågor"),
    ("closing", "Mötets avslutande"),
]
VOTING_ROLES = {MembershipRole.CHAIR, MembershipRole.VICE_CHAIR, MembershipRole.MEMBER}
