from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.core.choices import AuditAction


class CaseState(models.TextChoices):
    RECEIVED = "received", _("Mottagen")
    IN_PREPARATION = "in_preparation", _("Under beredning")
    PROPOSED = "proposed", _("Förslag till beslut")
    IN_DECISION = "in_decision", _("Under beslut")
    DECIDED = "decided", _("Beslutad")
    SIGNED = "signed", _("Avtal undertecknat")
    IN_FORCE = "in_force", _("Avtalet gäller")
    ENDED = "ended", _("Avslutad")
    RENEWED = "renewed", _("Förnyad")
    DECLINED = "declined", _("Avböjd")
    WITHDRAWN = "withdrawn", _("Återkallad")


#: The states in which a case waits for its municipality: its deadline applies, it may be overdue, reminded,
#: drafted for and its chain edited.
WAITING_STATES = (
    CaseState.RECEIVED,
    CaseState.IN_PREPARATION,
    CaseState.PROPOSED,
    CaseState.IN_DECISION,
)
OPEN_STATES = [
    CaseState.RECEIVED,
    CaseState.IN_PREPARATION,
    CaseState.PROPOSED,
    CaseState.IN_DECISION,
    CaseState.DECIDED,
    CaseState.SIGNED,
]
FINAL_STATES = [CaseState.ENDED, CaseState.RENEWED, CaseState.DECLINED, CaseState.WITHDRAWN]
# The stages of the KSL dashboard's matrix, in order.
STAGES = [
    CaseState.RECEIVED,
    CaseState.IN_PREPARATION,
    CaseState.PROPOSED,
    CaseState.IN_DECISION,
    CaseState.DECIDED,
    CaseState.SIGNED,
    CaseState.IN_FORCE,
]


class StepRole(models.TextChoices):
    PREPARES = "prepares", _("Bereder")
    PROPOSES = "proposes", _("Föreslår")
    DECIDES = "decides", _("Beslutar")
    INFORMED = "informed", _("Informeras")


class DecisionOutcome(models.TextChoices):
    APPROVE = "approve", _("Bifall")
    APPROVE_WITH_RESERVATIONS = "approve_with_reservations", _("Bifall med reservationer")
    DECLINE = "decline", _("Avslag")
    REFER_BACK = "refer_back", _("Återremiss")
    POSTPONE = "postpone", _("Bordläggning")


class ResponseDecider(models.TextChoices):
    """Who adopted a consultation response: the officials, or a body by decision (date and §)."""

    OFFICIALS = "officials", _("Tjänstemannasvar")
    BODY = "body", _("Beslut i organ")


class Position(models.TextChoices):
    POSITIVE = "positive", _("Positiv")
    POSITIVE_WITH_RESERVATIONS = "positive_with_reservations", _("Positiv med reservationer")
    PART_ONLY = "part_only", _("Endast del av förslaget")
    NEGATIVE = "negative", _("Negativ")
    NO_ANSWER = "no_answer", _("Inget svar")


#: Action names written before the closed lists (rows are never rewritten): old name → current action.
LEGACY_ACTIONS = {
    "case.chain_set": "case.chain_changed",
    "case.start_preparation": "case.preparation_started",
    "case.propose": "case.proposed",
    "case.record_intermediate_decision": "case.intermediate_decision_recorded",
    "case.record_final_decision": "case.final_decision_recorded",
    "case.refer_back": "case.referred_back",
    "case.decline": "case.declined",
    "case.sign": "case.signed",
    "case.enter_into_force": "case.entered_into_force",
    "case.end": "case.ended",
    "case.renew": "case.renewed",
    "case.withdraw": "case.withdrawn",
}


class DecisionAction(AuditAction):
    """Audit actions of consultations, recommendations and adoption cases."""

    CONSULTATION_CREATED = "consultation.created", _("remiss skapad")
    CONSULTATION_RESPONSE_RECORDED = "consultation_response.recorded", _("remissvar registrerat")
    CONSULTATION_RESPONSE_REPLACED = "consultation_response.replaced", _("remissvar ersatt")
    CONSULTATION_ASSESSED = "consultation.assessed", _("KSL:s bedömning av remissvaren skrevs")
    RECOMMENDATION_CREATED = "recommendation.created", _("Rekommendationen skapades")
    RECOMMENDATION_UPDATED = "recommendation.updated", _("Rekommendationen ändrades")
    RECOMMENDATION_SENT = "recommendation.sent", _("Rekommendationen skickades till kommunerna")
    RECOMMENDATION_ATTACHMENT_ADDED = "recommendation.attachment_added", _("Bilaga lades till")
    RECOMMENDATION_ATTACHMENT_REMOVED = "recommendation.attachment_removed", _("Bilaga togs bort")
    USUAL_CHAIN_CHANGED = "usual_chain.changed", _("Kommunens vanliga beslutsgång ändrades")
    DOCUMENT_PROFILE_CHANGED = "document_profile.changed", _("Kommunens dokumentprofil ändrades")
    CASE_CHAIN_CHANGED = "case.chain_changed", _("Beslutskedjan angavs")
    CASE_PREPARATION_STARTED = "case.preparation_started", _("Beredning påbörjades")
    CASE_PROPOSED = "case.proposed", _("Förslag till beslut lades fram")
    CASE_INTERMEDIATE_DECISION_RECORDED = "case.intermediate_decision_recorded", _("Beslut registrerat")
    CASE_FINAL_DECISION_RECORDED = "case.final_decision_recorded", _("Beslut att ingå avtalet registrerat")
    CASE_REFERRED_BACK = "case.referred_back", _("Återremiss registrerad")
    CASE_DECLINED = "case.declined", _("Avslag registrerat")
    CASE_SIGNED = "case.signed", _("Avtalet undertecknat")
    CASE_ENTERED_INTO_FORCE = "case.entered_into_force", _("Avtalet trädde i kraft")
    CASE_ENDED = "case.ended", _("Avtalsperioden avslutades")
    CASE_RENEWED = "case.renewed", _("Avtalet förnyades")
    CASE_WITHDRAWN = "case.withdrawn", _("Ärendet återkallades")
    CASE_REOPENED = "case.reopened", _("Ärendet öppnades igen")
    DECISION_POSTED = "decision.posted", _("Anslagsdatum för protokollet registrerades")
    CASE_REGISTRATION_NUMBER_SET = "case.registration_number_recorded", _("Diarienummer angavs")
    CASE_REGISTRATION_NUMBER_CHANGED = "case.registration_number_changed", _("Diarienummer ändrades")
    CASE_HISTORY_DATED = "case.history_dated", _("ärendets senaste händelse daterad")


class MemoTitle(models.TextChoices):
    """What an organisation calls its decision memo."""

    TJANSTEUTLATANDE = "Tjänsteutlåtande", _("Tjänsteutlåtande")
    TJANSTESKRIVELSE = "Tjänsteskrivelse", _("Tjänsteskrivelse")
    UTLATANDE = "Utlåtande", _("Utlåtande")


class MemoSection(models.TextChoices):
    """The parts of a memo an organisation orders and names in its document profile."""

    PROPOSALS = "proposals", _("Förslag till beslut")
    PRESENTER = "presenter", _("Föredragande")
    SUMMARY = "summary", _("Sammanfattning")
    BASIS = "basis", _("Beslutsunderlag")
    BACKGROUND = "background", _("Ärendet")
    COST = "cost", _("Kostnad")
    VIEWPOINTS = "viewpoints", _("Förvaltningens synpunkter")
    SIGNATURES = "signatures", _("Underskrifter")
    ATTACHMENTS = "attachments", _("Bilagor")
    DISPATCH = "dispatch", _("Expedieras")


class PointStyle(models.TextChoices):
    """How the att-satser are numbered."""

    PAREN = "1)", _("1) 2) 3)")
    DOT = "1.", _("1. 2. 3.")
