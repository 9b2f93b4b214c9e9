"""Consultation responses (remissvar)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from governance.core.services import audit_record
from governance.parties.models import Body, Organisation

from ..choices import DecisionAction, Position
from ..models import (
    ConsultationAnswer,
    ConsultationResponse,
    ConsultationRound,
)


def consultation_response_record(
    *,
    acting_user,
    consultation: ConsultationRound,
    organisation: Organisation,
    position: str,
    timetable_realistic: bool | None,
    adopted_by: Body | None,
    decision_reference: str,
    answered_on: dt.date | None,
    summary: str,
    answers: dict[int, str],
) -> ConsultationResponse:
    """Record (or replace) a municipality's consultation response and its answers per question number."""
    from governance.parties import permissions as party_permissions

    if acting_user is not None and not party_permissions.can_work_on(acting_user, organisation):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("Du får inte svara på remissen för %(org)s.") % {"org": organisation})
    if position not in Position.values:
        raise ValidationError(_("Välj ett ställningstagande."))
    if adopted_by is not None and adopted_by.organisation_id != organisation.pk:
        raise ValidationError(_("Organet som antog svaret ska tillhöra %(org)s.") % {"org": organisation})
    questions = {q.number: q for q in consultation.questions.all()}
    unknown = sorted(set(answers) - set(questions))
    if unknown:
        raise ValidationError(_("Okända frågor: %(n)s.") % {"n": ", ".join(map(str, unknown))})
    with transaction.atomic():
        ConsultationRound.objects.select_for_update().get(pk=consultation.pk)
        response, created = ConsultationResponse.objects.update_or_create(
            consultation=consultation,
            organisation=organisation,
            defaults={
                "position": position,
                "timetable_realistic": timetable_realistic,
                "adopted_by": adopted_by,
                "decision_reference": decision_reference,
                "answered_on": answered_on,
                "summary": summary,
            },
        )
        response.answers.all().delete()
        ConsultationAnswer.objects.bulk_create(
            [
                ConsultationAnswer(response=response, question=questions[number], text=text)
                for number, text in sorted(answers.items())
                if text.strip()
            ]
        )
        audit_record(
            acting_user=acting_user,
            action=DecisionAction.CONSULTATION_RESPONSE_RECORDED
            if created
            else DecisionAction.CONSULTATION_RESPONSE_REPLACED,
            obj=response,
            payload={
                "position": position,
                "timetable_realistic": timetable_realistic,
                "answers": len(answers),
            },
        )
    return response
