"""Consultations (remisser): KSL sends one with its questions, each recipient municipality answers
(remissvar, by its officials or by a body's decision), KSL writes its assessment."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from governance.core import calendar
from governance.core.services import actor_display_name, audit_record
from governance.parties.choices import OrganisationKind
from governance.parties.models import Body, Organisation

from .. import permissions, registration
from ..choices import DecisionAction, Position, ResponseDecider
from ..models import (
    ConsultationAnswer,
    ConsultationQuestion,
    ConsultationResponse,
    ConsultationRound,
)
from .creating import RESERVED_SLUGS, create_with_slug, unique_slug
from .decision_checks import paragraph_normalise

MAX_TITLE = 300
MAX_REGISTRATION_NUMBER = 60
MAX_DESCRIPTION = 20_000
MAX_QUESTIONS = 30
MAX_QUESTION_CHARS = 2000
MAX_ANSWER_CHARS = 10_000
MAX_SUMMARY_CHARS = 10_000
MAX_DECISION_REFERENCE = 40
MAX_ASSESSMENT_CHARS = 20_000
# Late answers are taken (and flagged late) for this many days after the deadline; then answering closes.
ANSWER_GRACE_DAYS = 30


def answering_closed(consultation: ConsultationRound, today: dt.date | None = None) -> bool:
    """Answering has closed: the deadline has passed and KSL has written its assessment, or the grace period
    after the deadline (``ANSWER_GRACE_DAYS``) has run out. Before that a late answer is accepted and flagged
    late. An assessment written before the deadline (a first reading) closes nothing: the municipalities keep
    the time they were given."""
    today = today or calendar.today()
    if consultation.assessment and today > consultation.deadline:
        return True
    return today > consultation.deadline + dt.timedelta(days=ANSWER_GRACE_DAYS)


def _unique_slug(title: str) -> str:
    return unique_slug(ConsultationRound, title, fallback="remiss")


def consultation_create(
    *,
    acting_user,
    title: str,
    deadline: dt.date | None,
    questions: list[str | tuple[str, bool]],
    slug: str = "",
    registration_number: str = "",
    sent_on: dt.date | None = None,
    description: str = "",
    recipients: list[Organisation] | None = None,
    sender: Organisation | None = None,
    is_demo_data: bool = False,
    notify: bool = True,
    timetable_question: int | None = None,
) -> ConsultationRound:
    """Send a consultation: questions numbered 1..n (a question given as ``(text, True)``, or numbered by
    ``timetable_question``, concerns the timetable), recipients default to every municipality, the sender
    to KSL. ``sent_on`` may not lie in the future (the mails go out today). After the commit the
    recipients' contact persons are e-mailed (``decisions.consultation_notify``)."""
    permissions.check_manage_recommendations(acting_user)
    today = calendar.today()
    sent_on = sent_on or today
    title, registration_number = (title or "").strip(), (registration_number or "").strip()
    description = (description or "").strip()
    items = [(q, False) if isinstance(q, str) else (q[0], bool(q[1])) for q in questions or []]
    items = [(text.strip(), timetable) for text, timetable in items if text and text.strip()]
    if timetable_question is not None and 1 <= timetable_question <= len(items):
        items = [(text, flag or n == timetable_question) for n, (text, flag) in enumerate(items, start=1)]
    if recipients is None:
        recipients = list(Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY))
    errors = []
    if not title:
        errors.append(_("Rubrik: ange en rubrik."))
    elif len(title) > MAX_TITLE:
        errors.append(_("Rubrik: högst %(n)s tecken.") % {"n": MAX_TITLE})
    if slug in RESERVED_SLUGS:
        errors.append(_("Kortnamn: ”%(slug)s” är reserverat för sidan för nya.") % {"slug": slug})
    if slug and slugify(slug) != slug:
        errors.append(_("Kortnamn: endast små bokstäver a–z, siffror och bindestreck."))
    if len(registration_number) > MAX_REGISTRATION_NUMBER:
        errors.append(_("Diarienummer: högst %(n)s tecken.") % {"n": MAX_REGISTRATION_NUMBER})
    if timetable_question is not None and not 1 <= timetable_question <= len(items):
        errors.append(
            _("Fråga som gäller tidplanen: ange ett nummer mellan 1 och %(n)s (antalet frågor).")
            % {"n": len(items)}
            if items
            else _("Fråga som gäller tidplanen: det finns inga frågor att välja.")
        )
    if len(description) > MAX_DESCRIPTION:
        errors.append(_("Beskrivning: högst %(n)s tecken.") % {"n": MAX_DESCRIPTION})
    if sent_on > today:
        errors.append(_("Skickad: kan inte ligga i framtiden; remissen skickas och e-postas i dag."))
    if deadline is None:
        errors.append(_("Svar senast: ange datum."))
    else:
        if deadline < sent_on:
            errors.append(_("Svar senast: kan inte vara före dagen remissen skickas."))
        if deadline < today:
            errors.append(_("Svar senast: datumet har redan passerat."))
    if not items:
        errors.append(_("Frågor: ange minst en fråga."))
    elif len(items) > MAX_QUESTIONS:
        errors.append(_("Frågor: högst %(n)s frågor.") % {"n": MAX_QUESTIONS})
    if any(len(text) > MAX_QUESTION_CHARS for text, _t in items):
        errors.append(_("Frågor: varje fråga får vara högst %(n)s tecken.") % {"n": MAX_QUESTION_CHARS})
    if not recipients:
        errors.append(_("Mottagare: välj minst en mottagare."))
    if errors:
        raise ValidationError(errors)
    if sender is None:
        sender = Organisation.objects.filter(kind=OrganisationKind.ASSOCIATION).order_by("pk").first()
        if sender is None:
            raise ValidationError(_("Avsändare: KSL finns inte i partsregistret."))
    with transaction.atomic():
        if slug and ConsultationRound.objects.filter(slug=slug).exists():
            raise ValidationError(_("Kortnamn: ”%(slug)s” används redan.") % {"slug": slug})
        consultation = create_with_slug(
            ConsultationRound,
            taken_message=_(
                "Kortnamn: en remiss med samma namn sparades just; ladda om listan och kontrollera."
            ),
            slug=slug or _unique_slug(title),
            title=title,
            sender=sender,
            registration_number=registration_number,
            sent_on=sent_on,
            deadline=deadline,
            description=description,
            is_demo_data=is_demo_data,
        )
        consultation.recipients.set(recipients)
        registration.consultation_sent(
            acting_user=acting_user, consultation=consultation, recipients=recipients
        )
        ConsultationQuestion.objects.bulk_create(
            [
                ConsultationQuestion(consultation=consultation, number=n, text=text, is_timetable=timetable)
                for n, (text, timetable) in enumerate(items, start=1)
            ]
        )
        audit_record(
            acting_user=acting_user,
            action=DecisionAction.CONSULTATION_CREATED,
            obj=consultation,
            payload={
                "slug": consultation.slug,
                "deadline": deadline,
                "questions": len(items),
                "recipients": len(recipients),
            },
        )
        if notify:
            consultation_id = consultation.pk

            def enqueue():
                from ..tasks import consultation_notify

                consultation_notify.delay(consultation_id)

            transaction.on_commit(enqueue)
    return consultation


def consultation_response_record(
    *,
    acting_user,
    consultation: ConsultationRound,
    organisation: Organisation,
    position: str,
    timetable_realistic: bool | None,
    answers: dict[int, str],
    decided_by: str = ResponseDecider.OFFICIALS,
    adopted_by: Body | None = None,
    decision_date: dt.date | None = None,
    decision_reference: str = "",
    answered_on: dt.date | None = None,
    summary: str = "",
    registration_number: str = "",
    signed_by_name: str = "",
    signed_by_title: str = "",
) -> ConsultationResponse:
    """Record (or replace) a municipality's response and its answers per question number.

    ``decided_by`` BODY needs the organisation's own body, the decision date (not before the consultation
    was sent, not in the future) and the § (``decision_reference``). An answer after the deadline is
    accepted and shown as late (``answered_on`` after the deadline; the audit row says ``late``).
    Only the municipality's own clerks answer (and the system, loading recorded answers): KSL may not.
    Answering closes when KSL has written its assessment or ``ANSWER_GRACE_DAYS`` after the deadline
    (``answering_closed``); a person's answer is then refused. The system may still load recorded history.
    """
    permissions.check_answer_consultation(acting_user, consultation, organisation)
    if acting_user is not None and answering_closed(consultation):
        raise ValidationError(
            _("Remissen är avslutad: svar tas inte längre emot och tidigare svar kan inte ändras.")
        )
    decision_reference = paragraph_normalise(decision_reference)  # "§45" → "§ 45", "SN §77" → "SN § 77"
    summary = (summary or "").strip()
    registration_number = (registration_number or "").strip()
    signed_by_name, signed_by_title = (signed_by_name or "").strip(), (signed_by_title or "").strip()
    answers = {number: (text or "").strip() for number, text in answers.items()}
    today = calendar.today()
    errors = []
    if position not in Position.values:
        errors.append(_("Ställningstagande: välj ett ställningstagande."))
    if decided_by not in ResponseDecider.values:
        errors.append(_("Beslutat av: välj tjänstemannasvar eller beslut i organ."))
    if adopted_by is not None and adopted_by.organisation_id != organisation.pk:
        errors.append(_("Organet som antog svaret ska tillhöra %(org)s.") % {"org": organisation})
    if decided_by == ResponseDecider.BODY:
        if adopted_by is None:
            errors.append(_("Organ: ange vilket organ som beslutade svaret."))
        # Recorded history (the system) may lack the date and §; a person always gives them.
        if decision_date is None and acting_user is not None:
            errors.append(_("Beslutsdatum: ange datum för organets beslut."))
        if not decision_reference and acting_user is not None:
            errors.append(_("Paragraf: ange beslutets paragraf (§)."))
    else:
        adopted_by, decision_date, decision_reference = None, None, ""
    if decision_date is not None and decision_date < consultation.sent_on:
        errors.append(_("Beslutsdatum: kan inte vara före remissen skickades."))
    if decision_date is not None and decision_date > today:
        errors.append(_("Beslutsdatum: kan inte ligga i framtiden."))
    if len(decision_reference) > MAX_DECISION_REFERENCE:
        errors.append(_("Paragraf: högst %(n)s tecken.") % {"n": MAX_DECISION_REFERENCE})
    if len(registration_number) > MAX_REGISTRATION_NUMBER:
        errors.append(_("Diarienummer: högst %(n)s tecken.") % {"n": MAX_REGISTRATION_NUMBER})
    if len(signed_by_name) > 200 or len(signed_by_title) > 200:
        errors.append(_("Undertecknas av: högst 200 tecken för namn och titel."))
    if len(summary) > MAX_SUMMARY_CHARS:
        errors.append(_("Sammanfattning: högst %(n)s tecken.") % {"n": MAX_SUMMARY_CHARS})
    questions = {q.number: q for q in consultation.questions.all()}
    unknown = sorted(set(answers) - set(questions))
    if unknown:
        errors.append(_("Okända frågor: %(n)s.") % {"n": ", ".join(map(str, unknown))})
    for number in sorted(answers):
        if len(answers[number]) > MAX_ANSWER_CHARS:
            errors.append(
                _("Svar på fråga %(q)s: högst %(n)s tecken.") % {"q": number, "n": MAX_ANSWER_CHARS}
            )
    if errors:
        raise ValidationError(errors)
    answered_on = answered_on or today
    late = answered_on > consultation.deadline
    with transaction.atomic():
        locked = ConsultationRound.objects.select_for_update().get(pk=consultation.pk)
        if acting_user is not None and answering_closed(locked):
            raise ValidationError(
                _("Remissen är avslutad: svar tas inte längre emot och tidigare svar kan inte ändras.")
            )
        response, created = ConsultationResponse.objects.update_or_create(
            consultation=consultation,
            organisation=organisation,
            defaults={
                "position": position,
                "timetable_realistic": timetable_realistic,
                "decided_by": decided_by,
                "adopted_by": adopted_by,
                "decision_date": decision_date,
                "decision_reference": decision_reference,
                "answered_on": answered_on,
                "answered_by_name": actor_display_name(acting_user) if acting_user is not None else "",
                "summary": summary,
                "registration_number": registration_number,
                "signed_by_name": signed_by_name,
                "signed_by_title": signed_by_title,
            },
        )
        response.answers.all().delete()
        ConsultationAnswer.objects.bulk_create(
            [
                ConsultationAnswer(response=response, question=questions[number], text=text)
                for number, text in sorted(answers.items())
                if text
            ]
        )
        registration.consultation_response_recorded(acting_user=acting_user, response=response)
        audit_record(
            acting_user=acting_user,
            action=DecisionAction.CONSULTATION_RESPONSE_RECORDED
            if created
            else DecisionAction.CONSULTATION_RESPONSE_REPLACED,
            obj=response,
            payload={
                "position": position,
                "timetable_realistic": timetable_realistic,
                "decided_by": decided_by,
                "adopted_by": adopted_by.name if adopted_by else "",
                "decision_date": decision_date,
                "decision_reference": decision_reference,
                "registration_number": registration_number,
                "signed_by": signed_by_name,
                "answers": sum(1 for text in answers.values() if text),
                "late": late,
            },
        )
    return response


def consultation_assess(
    *, acting_user, consultation: ConsultationRound, assessment: str
) -> ConsultationRound:
    """KSL's assessment of the answers (may be rewritten; each change is audited)."""
    permissions.check_manage_recommendations(acting_user)
    assessment = (assessment or "").strip()
    if not assessment:
        raise ValidationError(_("Bedömning: skriv KSL:s bedömning."))
    if len(assessment) > MAX_ASSESSMENT_CHARS:
        raise ValidationError(_("Bedömning: högst %(n)s tecken.") % {"n": MAX_ASSESSMENT_CHARS})
    with transaction.atomic():
        locked = ConsultationRound.objects.select_for_update().get(pk=consultation.pk)
        if locked.assessment == assessment:
            return locked
        before = locked.assessment
        locked.assessment = assessment
        locked.assessed_at = timezone.now()
        locked.assessed_by_name = actor_display_name(acting_user)
        locked.save(update_fields=["assessment", "assessed_at", "assessed_by_name"])
        audit_record(
            acting_user=acting_user,
            action=DecisionAction.CONSULTATION_ASSESSED,
            obj=locked,
            payload={"before": before, "after": assessment},
        )
    return locked
