from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.core.choices import AuditAction


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
#: Standard items that stay on every agenda: the meeting is opened, justerare are chosen, the agenda is
#: approved and the meeting is closed (``agenda_item_remove`` refuses them).
PROTECTED_ITEMS = {"opening", "minutes_checkers", "agenda", "closing"}
STANDARD_CLOSING = [
    ("other", "Övriga frågor"),
    ("closing", "Mötets avslutande"),
]
VOTING_ROLES = {MembershipRole.CHAIR, MembershipRole.VICE_CHAIR, MembershipRole.MEMBER}


class MeetingAction(AuditAction):
    """Audit actions of the cooperation bodies, their meetings, minutes and follow-up."""

    COOPERATION_BODY_CREATED = "cooperation_body.created", _("samverkansorgan skapat")
    MEMBERSHIP_ADDED = "membership.added", _("ledamot tillsatt")
    MEMBERSHIP_ENDED = "membership.ended", _("mandat avslutat")
    MEMBERSHIP_GRANTS_SYNCED = "membership.grants_synced", _("behörigheter efter mandat uppdaterade")
    MEETING_PLANNED = "meeting.planned", _("möte planerat")
    MEETING_NOTICE_REQUESTED = "meeting.notice_requested", _("kallelse begärd")
    MEETING_NOTICE_SENT = "meeting.notice_sent", _("kallelse skickad")
    MEETING_ANSWERED = "meeting.answered", _("svar på kallelsen")
    MEETING_ATTENDANCE_RECORDED = "meeting.attendance_recorded", _("närvaro registrerad")
    MEETING_HELD = "meeting.held", _("möte genomfört")
    MEETING_CANCELLED = "meeting.cancelled", _("möte inställt")
    MEETING_POSTPONED = "meeting.postponed", _("möte uppskjutet")
    MEETING_REPLANNED = "meeting.replanned", _("möte planerat på nytt")
    AGENDA_ITEM_ADDED = "agenda.item_added", _("ärende tillagt på dagordningen")
    AGENDA_PAPER_ATTACHED = "agenda.paper_attached", _("handling bifogad till ett ärende på dagordningen")
    AGENDA_ITEM_MOVED = "agenda.item_moved", _("ärende flyttat på dagordningen")
    AGENDA_ITEM_REMOVED = "agenda.item_removed", _("ärende borttaget från dagordningen")
    AGENDA_OUTCOME_RECORDED = "agenda.outcome_recorded", _("beslut eller anteckning registrerad")
    MINUTES_DRAFTED = "minutes.drafted", _("protokoll upprättat")
    MINUTES_APPROVAL_GIVEN = "minutes.approval_given", _("protokoll justerat av en justerare")
    MINUTES_APPROVAL_RECORDED = (
        "minutes.approval_recorded",
        _("justering registrerad för en ledamot utan inloggning"),
    )
    MINUTES_APPROVED = "minutes.approved", _("protokoll justerat")
    MINUTES_PUBLISHED = "minutes.published", _("protokoll publicerat")
    MINUTES_CORRECTED = "minutes.corrected", _("protokoll rättat")
    FOLLOWUP_RECORDED = "followup.recorded", _("uppföljning registrerad")
    CALENDAR_TOKEN_ROTATED = "calendar_token.rotated", _("kalenderlänk skapad")
