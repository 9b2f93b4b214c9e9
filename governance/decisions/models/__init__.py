"""Recommendations, consultations and the adoption case each municipality runs."""

import datetime as dt

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from governance.agreements.models import Agreement
from governance.core import calendar
from governance.parties.models import Body, Organisation

from ..choices import WAITING_STATES, CaseState, DecisionOutcome, Position, ResponseDecider, StepRole


class ConsultationRound(models.Model):
    """A consultation (remiss) that KSL sends to the municipalities before recommending, with its questions."""

    slug = models.SlugField(_("kortnamn"), max_length=60, unique=True)
    title = models.CharField(_("rubrik"), max_length=300)
    sender = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("avsändare")
    )
    registration_number = models.CharField(_("diarienummer"), max_length=60, blank=True)
    sent_on = models.DateField(_("skickad"))
    deadline = models.DateField(_("svar senast"))
    recipients = models.ManyToManyField(
        Organisation, related_name="consultations", verbose_name=_("mottagare")
    )
    description = models.TextField(_("beskrivning"), blank=True)
    assessment = models.TextField(_("KSL:s bedömning"), blank=True)
    assessed_at = models.DateTimeField(_("bedömning skriven"), null=True, blank=True)
    assessed_by_name = models.CharField(_("bedömning skriven av"), max_length=300, blank=True)
    is_demo_data = models.BooleanField(_("demodata"), default=False)

    class Meta:
        ordering = ["-sent_on"]
        verbose_name = _("remiss")
        verbose_name_plural = _("remisser")
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gte=models.F("sent_on")), name="consultation_deadline_after_sending"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def is_open(self, today: dt.date | None = None) -> bool:
        """Answers are still expected: the deadline has not passed."""
        return self.deadline >= (today or calendar.today())


class ConsultationQuestion(models.Model):
    """One numbered question of a consultation."""

    consultation = models.ForeignKey(
        ConsultationRound, on_delete=models.CASCADE, related_name="questions", verbose_name=_("remiss")
    )
    number = models.PositiveSmallIntegerField(_("nummer"))
    text = models.TextField(_("fråga"))
    is_timetable = models.BooleanField(_("gäller tidplanen"), default=False)

    class Meta:
        ordering = ["consultation", "number"]
        verbose_name = _("remissfråga")
        verbose_name_plural = _("remissfrågor")
        constraints = [
            models.UniqueConstraint(fields=["consultation", "number"], name="unique_question_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:60]}"


class ConsultationResponse(models.Model):
    """A municipality's answer (remissvar): position, answers per question, who adopted it."""

    consultation = models.ForeignKey(
        ConsultationRound, on_delete=models.CASCADE, related_name="responses", verbose_name=_("remiss")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="consultation_responses",
        verbose_name=_("kommun"),
    )
    position = models.CharField(_("ställningstagande"), max_length=30, choices=Position.choices)
    timetable_realistic = models.BooleanField(_("tidplanen realistisk"), null=True, blank=True)
    decided_by = models.CharField(
        _("beslutat av"), max_length=20, choices=ResponseDecider.choices, default=ResponseDecider.OFFICIALS
    )
    adopted_by = models.ForeignKey(
        Body, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("antaget av")
    )
    decision_date = models.DateField(_("beslutsdatum"), null=True, blank=True)
    decision_reference = models.CharField(_("beslutsreferens"), max_length=100, blank=True)
    answered_on = models.DateField(_("besvarad"), null=True, blank=True)
    answered_by_name = models.CharField(_("registrerat av"), max_length=300, blank=True)
    summary = models.TextField(_("sammanfattning"), blank=True)
    registration_number = models.CharField(
        _("diarienummer"), max_length=60, blank=True, help_text=_("Kommunens eget, inte KSL:s.")
    )
    signed_by_name = models.CharField(_("undertecknas av"), max_length=200, blank=True)
    signed_by_title = models.CharField(_("titel"), max_length=200, blank=True)

    class Meta:
        ordering = ["consultation", "organisation__municipality_code"]
        verbose_name = _("remissvar")
        verbose_name_plural = _("remissvar")
        constraints = [
            models.UniqueConstraint(fields=["consultation", "organisation"], name="one_response_per_party")
        ]

    def __str__(self) -> str:
        return f"{self.organisation.display_name}: {self.get_position_display()}"


class ConsultationAnswer(models.Model):
    """A response's answer to one question."""

    response = models.ForeignKey(
        ConsultationResponse, on_delete=models.CASCADE, related_name="answers", verbose_name=_("remissvar")
    )
    question = models.ForeignKey(
        ConsultationQuestion, on_delete=models.CASCADE, related_name="answers", verbose_name=_("fråga")
    )
    text = models.TextField(_("svar"))

    class Meta:
        ordering = ["question__number"]
        verbose_name = _("svar på remissfråga")
        verbose_name_plural = _("svar på remissfrågor")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="one_answer_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.response.organisation.display_name} {self.question.number}"


class ConsultationNotification(models.Model):
    """A consultation e-mailed to one recipient's contact persons; written only after the mail went out, so
    a recipient is never mailed twice and a failed mail is tried again."""

    consultation = models.ForeignKey(
        ConsultationRound, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("remiss")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("mottagare")
    )
    notified_at = models.DateTimeField(_("skickad"), default=timezone.now)
    recipients = models.TextField(_("e-postmottagare"), blank=True)

    class Meta:
        verbose_name = _("utskick av remiss")
        verbose_name_plural = _("utskick av remisser")
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "organisation"], name="one_notification_per_consultation_recipient"
            )
        ]

    def __str__(self) -> str:
        return f"{self.consultation} → {self.organisation}"


class Recommendation(models.Model):
    """A KSL recommendation (rekommendation) that the municipalities join an agreement.

    Every recipient gets one adoption case. Generic: any KSL recommendation, not only Origo.
    """

    slug = models.SlugField(_("kortnamn"), max_length=60, unique=True)
    title = models.CharField(_("rubrik"), max_length=300)
    board_decision_date = models.DateField(_("KSL-styrelsens beslut"))
    issued_on = models.DateField(
        _("rekommendationens datum"),
        null=True,
        blank=True,
        help_text=_("Datum på KSL:s rekommendation, om det är ett annat än styrelsens beslut."),
    )
    registration_number = models.CharField(_("diarienummer"), max_length=60, blank=True)
    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, related_name="recommendations", verbose_name=_("avtal")
    )
    consultation = models.ForeignKey(
        ConsultationRound,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recommendations",
        verbose_name=_("remiss"),
    )
    answer_deadline = models.DateField(_("besked senast"))
    background = models.TextField(_("bakgrund"), blank=True)
    decision_points = models.TextField(
        _("föreslagna beslutssatser"),
        blank=True,
        help_text=_("De att-satser kommunerna rekommenderas att besluta, en per rad."),
    )
    recipients = models.ManyToManyField(
        Organisation, related_name="recommendations", verbose_name=_("mottagare")
    )
    sent_at = models.DateTimeField(_("skickad till kommunerna"), null=True, blank=True)
    is_demo_data = models.BooleanField(_("demodata"), default=False)

    class Meta:
        ordering = ["-board_decision_date"]
        verbose_name = _("rekommendation")
        verbose_name_plural = _("rekommendationer")
        constraints = [
            models.CheckConstraint(
                condition=Q(answer_deadline__gte=models.F("board_decision_date")),
                name="deadline_after_decision",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def dated(self) -> dt.date:
        """The date the municipalities cite ("KSL:s rekommendation 2012-06-05"): its own, else the board's."""
        return self.issued_on or self.board_decision_date

    @property
    def is_sent(self) -> bool:
        """Sent recommendations have their cases; a draft has none and may still be edited."""
        return self.sent_at is not None

    def points(self) -> list[str]:
        """The proposed decision points (att-satser), one per non-empty line."""
        return [line.strip() for line in self.decision_points.splitlines() if line.strip()]


def attachment_path(instance, filename: str) -> str:
    return f"recommendations/{instance.recommendation.slug}/{instance.sha256[:16]}-{filename}"


class RecommendationAttachment(models.Model):
    """A file sent with a recommendation (the agreement text, the board's minutes, the cost appendix)."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("rekommendation")
    )
    title = models.CharField(_("rubrik"), max_length=200)
    file = models.FileField(_("fil"), upload_to=attachment_path, max_length=300)
    filename = models.CharField(_("filnamn"), max_length=200)
    size = models.PositiveIntegerField(_("storlek (byte)"))
    sha256 = models.CharField(_("kontrollsumma (SHA-256)"), max_length=64)
    uploaded_at = models.DateTimeField(_("uppladdad"), default=timezone.now)
    uploaded_by_name = models.CharField(_("uppladdad av"), max_length=300)

    class Meta:
        ordering = ["recommendation", "id"]
        verbose_name = _("bilaga till rekommendation")
        verbose_name_plural = _("bilagor till rekommendationer")

    def __str__(self) -> str:
        return self.title


class AdoptionCase(ConcurrentTransitionMixin, models.Model):
    """A municipality's case (anslutningsärende) on one recommendation.

    States: received → in_preparation → proposed → in_decision (one decision per body of the decision chain)
    → decided → signed → in_force → ended | renewed; side exits declined and withdrawn. A body may refer the
    case back (återremiss: back to in_preparation) or postpone it (bordläggning: state unchanged). A case
    decided, declined or withdrawn in error is reopened (back to in_preparation) with a reason.
    The state field is protected: only the transitions, called by ``decisions.services``, change it.
    """

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="cases", verbose_name=_("rekommendation")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="adoption_cases", verbose_name=_("kommun")
    )
    state = FSMField(_("läge"), default=CaseState.RECEIVED, choices=CaseState.choices, protected=True)
    registration_number = models.CharField(_("diarienummer"), max_length=60, blank=True)
    deadline = models.DateField(_("besked senast"))
    previous_case = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_case",
        verbose_name=_("föregående ärende"),
    )
    last_moved_at = models.DateTimeField(_("senast ändrad"), default=timezone.now)
    notified_at = models.DateTimeField(
        _("kontaktpersonerna underrättade"),
        null=True,
        blank=True,
        help_text=_("När rekommendationen e-postades till kommunens kontaktpersoner (tomt: inte ännu)."),
    )
    is_demo_data = models.BooleanField(_("demodata"), default=False)

    class Meta:
        ordering = ["recommendation", "organisation__municipality_code"]
        verbose_name = _("anslutningsärende")
        verbose_name_plural = _("anslutningsärenden")
        constraints = [
            models.UniqueConstraint(fields=["recommendation", "organisation"], name="one_case_per_recipient")
        ]
        indexes = [models.Index(fields=["recommendation", "state"])]
        permissions = [("withdraw_adoptioncase", _("Återkalla anslutningsärenden (KSL)"))]

    def __str__(self) -> str:
        return f"{self.organisation.display_name}: {self.recommendation}"

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or calendar.today()
        return self.state in WAITING_STATES and self.deadline < today

    # Transitions. They only change the state; services lock, check permissions, validate and audit.
    @transition(field=state, source=CaseState.RECEIVED, target=CaseState.IN_PREPARATION)
    def start_preparation(self):
        """Beredning påbörjas."""

    @transition(field=state, source=CaseState.IN_PREPARATION, target=CaseState.PROPOSED)
    def propose(self):
        """Tjänsteutlåtande med förslag till beslut är klart."""

    @transition(field=state, source=[CaseState.PROPOSED, CaseState.IN_DECISION], target=CaseState.IN_DECISION)
    def record_intermediate_decision(self):
        """Ett organ i beslutskedjan har beslutat (bifall, bordläggning) och ärendet går vidare."""

    @transition(field=state, source=[CaseState.PROPOSED, CaseState.IN_DECISION], target=CaseState.DECIDED)
    def record_final_decision(self):
        """Det beslutande organet har beslutat att ingå avtalet."""

    @transition(
        field=state, source=[CaseState.PROPOSED, CaseState.IN_DECISION], target=CaseState.IN_PREPARATION
    )
    def refer_back(self):
        """Återremiss: ärendet går tillbaka till beredning."""

    @transition(field=state, source=[CaseState.PROPOSED, CaseState.IN_DECISION], target=CaseState.DECLINED)
    def decline(self):
        """Ett organ har avslagit förslaget."""

    @transition(field=state, source=CaseState.DECIDED, target=CaseState.SIGNED)
    def sign(self):
        """Kommunen har undertecknat avtalet."""

    @transition(field=state, source=CaseState.SIGNED, target=CaseState.IN_FORCE)
    def enter_into_force(self):
        """Avtalsperioden har börjat."""

    @transition(field=state, source=CaseState.IN_FORCE, target=CaseState.ENDED)
    def end(self):
        """Avtalsperioden är slut utan förnyelse."""

    @transition(field=state, source=CaseState.IN_FORCE, target=CaseState.RENEWED)
    def renew(self):
        """Avtalet har förnyats; ett nytt ärende följer förnyelsen."""

    @transition(
        field=state,
        source=[CaseState.RECEIVED, CaseState.IN_PREPARATION, CaseState.PROPOSED, CaseState.IN_DECISION],
        target=CaseState.WITHDRAWN,
    )
    def withdraw(self):
        """Ärendet återkallas (t.ex. när rekommendationen dras tillbaka)."""

    @transition(
        field=state,
        source=[CaseState.DECIDED, CaseState.DECLINED, CaseState.WITHDRAWN],
        target=CaseState.IN_PREPARATION,
    )
    def reopen(self):
        """Ett ärende som felaktigt registrerats som beslutat, avböjt eller återkallat öppnas igen."""


class DecisionStep(models.Model):
    """One body's place in a case's decision chain (cf. OParl Consultation): prepares, proposes, decides."""

    case = models.ForeignKey(
        AdoptionCase, on_delete=models.CASCADE, related_name="steps", verbose_name=_("ärende")
    )
    order = models.PositiveSmallIntegerField(_("ordning"), validators=[MinValueValidator(1)])
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="+", verbose_name=_("organ"))
    role = models.CharField(_("roll"), max_length=20, choices=StepRole.choices)

    class Meta:
        ordering = ["case", "order"]
        verbose_name = _("steg i beslutskedjan")
        verbose_name_plural = _("beslutskedja")
        constraints = [models.UniqueConstraint(fields=["case", "order"], name="unique_step_order")]

    def __str__(self) -> str:
        return f"{self.order}. {self.body.name} ({self.get_role_display().lower()})"


class UsualChainStep(models.Model):
    """One body of a municipality's usual decision chain (e.g. socialnämnden → KS → KF, or KS alone).

    A new case starts with a copy of it; the municipality's clerk edits the case's own chain.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="usual_chain", verbose_name=_("kommun")
    )
    order = models.PositiveSmallIntegerField(_("ordning"), validators=[MinValueValidator(1)])
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="+", verbose_name=_("organ"))
    role = models.CharField(_("roll"), max_length=20, choices=StepRole.choices)

    class Meta:
        ordering = ["organisation", "order"]
        verbose_name = _("steg i kommunens vanliga beslutsgång")
        verbose_name_plural = _("kommunernas vanliga beslutsgång")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "order"], name="unique_usual_step_order")
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.body.name} ({self.get_role_display().lower()})"


class Decision(models.Model):
    """A decision (beslut §) by a body on a case: meeting date, paragraph, text and outcome."""

    case = models.ForeignKey(
        AdoptionCase, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("ärende")
    )
    step = models.ForeignKey(
        DecisionStep,
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("organ i beslutskedjan"),
    )
    meeting_date = models.DateField(_("sammanträdesdatum"))
    paragraph = models.CharField(
        _("paragraf"), max_length=40, help_text=_("T.ex. ”§ 103” eller ”Utl. 2012:109 RVII”.")
    )
    text = models.TextField(_("beslutstext"))
    outcome = models.CharField(_("utfall"), max_length=30, choices=DecisionOutcome.choices)
    posted_on = models.DateField(
        _("protokollet anslaget"),
        null=True,
        blank=True,
        help_text=_("Dagen då justeringen av protokollet tillkännagavs på kommunens anslagstavla."),
    )
    recorded_by_name = models.CharField(_("registrerat av"), max_length=300)
    recorded_at = models.DateTimeField(_("registrerat"), default=timezone.now)
    voided_at = models.DateTimeField(_("makulerat"), null=True, blank=True)
    void_reason = models.CharField(_("skäl till makulering"), max_length=300, blank=True)

    class Meta:
        ordering = ["case", "meeting_date", "id"]
        verbose_name = _("beslut")
        verbose_name_plural = _("beslut")
        constraints = [
            models.UniqueConstraint(
                fields=["step", "meeting_date"],
                condition=Q(voided_at__isnull=True),
                name="one_decision_per_body_and_meeting",
            )
        ]

    def __str__(self) -> str:
        return f"{self.step.body.name} {self.meeting_date} {self.paragraph}: {self.get_outcome_display()}"

    @property
    def appeal_ends_on(self) -> dt.date | None:
        """The last day to appeal (laglighetsprövning, KL 13 kap. 5 §): three weeks from the day the minutes'
        approval was posted, moved to the next working day if it falls on a holiday (lag 1930:173)."""
        return calendar.appeal_period_end(self.posted_on) if self.posted_on else None

    @property
    def final_on(self) -> dt.date | None:
        """The day the decision vinner laga kraft if nobody appeals: the day after the appeal period."""
        return calendar.final_on(self.posted_on) if self.posted_on else None


class Reminder(models.Model):
    """A reminder e-mailed about a case's deadline; unique per case, deadline and day, so never sent twice."""

    case = models.ForeignKey(
        AdoptionCase, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("ärende")
    )
    deadline = models.DateField(_("besked senast"))
    sent_on = models.DateField(_("skickad"))
    recipients = models.TextField(_("mottagare"), blank=True)

    class Meta:
        verbose_name = _("påminnelse")
        verbose_name_plural = _("påminnelser")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "deadline", "sent_on"], name="one_reminder_per_deadline_and_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.deadline} ({self.sent_on})"


class Digest(models.Model):
    """The weekly digest to KSL about one recommendation; unique per ISO week."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="digests", verbose_name=_("rekommendation")
    )
    week = models.CharField(_("vecka"), max_length=8, help_text=_("ISO-vecka, t.ex. 2012-W38"))
    recipients = models.TextField(_("mottagare"), blank=True)

    class Meta:
        verbose_name = _("veckosammanfattning")
        verbose_name_plural = _("veckosammanfattningar")
        constraints = [models.UniqueConstraint(fields=["recommendation", "week"], name="one_digest_per_week")]

    def __str__(self) -> str:
        return f"{self.recommendation} {self.week}"


# The upload paths of the generated documents and templates, which moved to governance.documents; the
# decisions migrations that created them still name these functions.


def generated_path(instance, filename: str) -> str:
    return (
        f"documents/{instance.kind}/{instance.subject_key.replace(':', '-')}/v{instance.version}-{filename}"
    )


def template_upload_path(instance, filename: str) -> str:
    return f"templates/{instance.kind}/{timezone.now():%Y%m%d%H%M%S}.docx"


from .profiles import DocumentProfile  # noqa: E402,F401
