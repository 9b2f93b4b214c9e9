"""Writes for recommendations, consultations and adoption cases.

Every case transition goes through ``_case_transition``: lock the row, compare the state the user saw
(conflict otherwise), check the transition permission, validate, run the transition, save, write exactly
one audit row in the same transaction, and queue side effects on commit.
"""

import datetime as dt
import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed

from governance.agreements.models import Agreement, Signature
from governance.core.calendar import next_working_day
from governance.core.services import actor_display_name, audit_record
from governance.parties.choices import BodyKind, OrganisationKind
from governance.parties.models import Body, Organisation

from . import permissions
from .choices import CaseState, DecisionOutcome, Position, StepRole
from .models import (
    AdoptionCase,
    ConsultationAnswer,
    ConsultationResponse,
    ConsultationRound,
    Decision,
    DecisionStep,
    Recommendation,
)


class CaseConflict(Exception):
    """The case changed since the user loaded it (or a concurrent transition won); answer 409."""


def _default_chain(organisation: Organisation) -> list[tuple[Body, str]]:
    """Socialnämnden prepares, kommunstyrelsen proposes, kommunfullmäktige decides — where those bodies exist."""
    bodies = {body.kind: body for body in organisation.bodies.all() if body.kind != BodyKind.ADMINISTRATION}
    committee = next((b for b in organisation.bodies.all() if b.name == "Socialnämnden"), None)
    chain = []
    if committee:
        chain.append((committee, StepRole.PREPARES))
    if BodyKind.EXECUTIVE_BOARD in bodies:
        chain.append((bodies[BodyKind.EXECUTIVE_BOARD], StepRole.PROPOSES))
    if BodyKind.COUNCIL in bodies:
        chain.append((bodies[BodyKind.COUNCIL], StepRole.DECIDES))
    if chain and all(role != StepRole.DECIDES for _b, role in chain):
        chain[-1] = (chain[-1][0], StepRole.DECIDES)
    return chain


def recommendation_create(
    *,
    acting_user,
    slug: str,
    title: str,
    board_decision_date: dt.date,
    registration_number: str,
    agreement: Agreement,
    answer_deadline: dt.date,
    background: str = "",
    consultation: ConsultationRound | None = None,
    recipients: list[Organisation] | None = None,
    is_demo_data: bool = False,
) -> Recommendation:
    """Create a recommendation and one adoption case per recipient (default: every municipality).

    A recommendation for a renewal links each new case to the same municipality's case of the agreement
    it renews.
    """
    permissions.check_manage_recommendations(acting_user)
    if answer_deadline < board_decision_date:
        raise ValidationError(_("Sista dag för besked kan inte vara före KSL-styrelsens beslut."))
    if recipients is None:
        recipients = list(
            Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY).prefetch_related("bodies")
        )
    if not recipients:
        raise ValidationError(_("En rekommendation behöver minst en mottagare."))
    with transaction.atomic():
        recommendation = Recommendation.objects.create(
            slug=slug,
            title=title,
            board_decision_date=board_decision_date,
            registration_number=registration_number,
            agreement=agreement,
            answer_deadline=answer_deadline,
            background=background,
            consultation=consultation,
        )
        recommendation.recipients.set(recipients)
        previous = {}
        if agreement.previous_id:
            previous = {
                case.organisation_id: case
                for case in AdoptionCase.objects.filter(recommendation__agreement_id=agreement.previous_id)
            }
        deadline = next_working_day(answer_deadline)
        for organisation in recipients:
            case = AdoptionCase.objects.create(
                recommendation=recommendation,
                organisation=organisation,
                deadline=deadline,
                previous_case=previous.get(organisation.pk),
                is_demo_data=is_demo_data,
            )
            DecisionStep.objects.bulk_create(
                [
                    DecisionStep(case=case, order=index, body=body, role=role)
                    for index, (body, role) in enumerate(_default_chain(organisation), start=1)
                ]
            )
        audit_record(
            acting_user=acting_user,
            action="recommendation.created",
            obj=recommendation,
            payload={
                "recipients": len(recipients),
                "answer_deadline": answer_deadline,
                "case_deadline": deadline,
            },
        )
    return recommendation


def case_chain_set(*, acting_user, case: AdoptionCase, steps: list[tuple[Body, str]]) -> AdoptionCase:
    """Replace a case's decision chain (bodies in order, with their role). Exactly one body decides."""
    with transaction.atomic():
        case = AdoptionCase.objects.select_for_update().select_related("organisation").get(pk=case.pk)
        permissions.check_transition(acting_user, case, "propose")  # the clerks who prepare the case
        if case.decisions.exists():
            raise ValidationError(_("Beslutskedjan kan inte ändras när beslut redan har registrerats."))
        if not steps:
            raise ValidationError(_("Beslutskedjan behöver minst ett organ."))
        if sum(1 for _b, role in steps if role == StepRole.DECIDES) != 1:
            raise ValidationError(_("Exakt ett organ i beslutskedjan ska besluta."))
        if any(body.organisation_id != case.organisation_id for body, _r in steps):
            raise ValidationError(
                _("Alla organ i beslutskedjan ska tillhöra %(org)s.") % {"org": case.organisation}
            )
        case.steps.all().delete()
        DecisionStep.objects.bulk_create(
            [
                DecisionStep(case=case, order=i, body=body, role=role)
                for i, (body, role) in enumerate(steps, start=1)
            ]
        )
        audit_record(
            acting_user=acting_user,
            action="case.chain_set",
            obj=case,
            payload={"steps": [{"body": body.name, "role": role} for body, role in steps]},
        )
    return case


def _case_transition(
    *,
    acting_user,
    case: AdoptionCase,
    transition: str,
    permission: str | None = None,
    expected_state: str | None = None,
    comment: str = "",
    payload: dict | None = None,
    validate=None,
    after=None,
) -> AdoptionCase:
    """Run one transition under the rules in the module docstring. ``validate(case)`` raises ValidationError;
    ``after(case)`` writes related rows inside the same transaction."""
    try:
        with transaction.atomic():
            locked = (
                AdoptionCase.objects.select_for_update()
                .select_related("organisation", "recommendation__agreement")
                .get(pk=case.pk)
            )
            if expected_state is not None and locked.state != expected_state:
                raise CaseConflict(
                    _(
                        "Ärendet har ändrats av någon annan (det är nu ”%(state)s”). Ladda om sidan och försök igen."
                    )
                    % {"state": locked.get_state_display()}
                )
            permissions.check_transition(acting_user, locked, permission or transition)
            method = getattr(locked, transition)
            if not can_proceed(method):
                raise ValidationError(
                    _("Det går inte i läget ”%(state)s”.") % {"state": locked.get_state_display()}
                )
            if validate is not None:
                validate(locked)
            source = locked.state
            method()
            locked.last_moved_at = timezone.now()
            locked.save()
            extra = after(locked) if after is not None else None
            audit_record(
                acting_user=acting_user,
                action=f"case.{transition}",
                obj=locked,
                source_state=source,
                target_state=locked.state,
                comment=comment,
                payload={**(payload or {}), **(extra or {})},
            )
    except ConcurrentTransition as exc:
        raise CaseConflict(
            _("Ärendet ändrades samtidigt av någon annan. Ladda om sidan och försök igen.")
        ) from exc
    return locked


def case_start_preparation(*, acting_user, case, expected_state=None, comment="") -> AdoptionCase:
    return _case_transition(
        acting_user=acting_user,
        case=case,
        transition="start_preparation",
        expected_state=expected_state,
        comment=comment,
    )


def case_propose(*, acting_user, case, expected_state=None, comment="") -> AdoptionCase:
    def validate(locked):
        if not locked.steps.filter(role=StepRole.DECIDES).exists():
            raise ValidationError(_("Ange beslutskedjan innan förslaget läggs fram."))

    return _case_transition(
        acting_user=acting_user,
        case=case,
        transition="propose",
        expected_state=expected_state,
        comment=comment,
        validate=validate,
    )


def case_decision_record(
    *,
    acting_user,
    case: AdoptionCase,
    step: DecisionStep,
    meeting_date: dt.date | None,
    paragraph: str,
    text: str,
    outcome: str,
    expected_state: str | None = None,
) -> AdoptionCase:
    """Record a body's decision. The deciding body's approval decides the case; its refusal declines it;
    återremiss sends it back to preparation; bordläggning and the other bodies' decisions move it on."""
    paragraph, text = (paragraph or "").strip(), (text or "").strip()
    errors = []
    if step is None or step.case_id != case.pk:
        errors.append(_("Välj ett organ i ärendets beslutskedja."))
    if meeting_date is None:
        errors.append(_("Ange sammanträdesdatum."))
    if not paragraph:
        errors.append(_("Ange paragraf (§)."))
    if not text:
        errors.append(_("Ange beslutstext."))
    if outcome not in DecisionOutcome.values:
        errors.append(_("Välj beslutets utfall."))
    if meeting_date is not None and meeting_date < case.recommendation.board_decision_date:
        errors.append(
            _("Beslutet (%(date)s) kan inte vara före rekommendationen (%(rec)s).")
            % {"date": meeting_date, "rec": case.recommendation.board_decision_date}
        )
    if meeting_date is not None and meeting_date > timezone.localdate():
        errors.append(_("Sammanträdesdatum kan inte ligga i framtiden."))
    if errors:
        raise ValidationError(errors)
    deciding = step.role == StepRole.DECIDES
    if outcome == DecisionOutcome.REFER_BACK:
        transition = "refer_back"
    elif outcome == DecisionOutcome.DECLINE and deciding:
        transition = "decline"
    elif outcome in (DecisionOutcome.APPROVE, DecisionOutcome.APPROVE_WITH_RESERVATIONS) and deciding:
        transition = "record_final_decision"
    else:
        transition = "record_intermediate_decision"

    def after(locked):
        decision = Decision.objects.create(
            case=locked,
            step=step,
            meeting_date=meeting_date,
            paragraph=paragraph,
            text=text,
            outcome=outcome,
            recorded_by_name=actor_display_name(acting_user),
        )
        return {"decision_id": decision.pk}

    return _case_transition(
        acting_user=acting_user,
        case=case,
        transition=transition,
        permission="record_decision",
        expected_state=expected_state,
        comment=f"{step.body.name} {meeting_date} {paragraph}: {DecisionOutcome(outcome).label}",
        payload={
            "body": step.body.name,
            "meeting_date": meeting_date,
            "paragraph": paragraph,
            "outcome": outcome,
        },
        after=after,
    )


MAX_SIGNED_COPY_BYTES = 20 * 1024 * 1024


def case_sign(
    *,
    acting_user,
    case: AdoptionCase,
    signatory_name: str,
    signatory_title: str = "",
    signed_on: dt.date | None,
    document,
    expected_state: str | None = None,
) -> AdoptionCase:
    """Record the municipality's signature of the agreement, with the signed copy as PDF."""
    errors = []
    if not (signatory_name or "").strip():
        errors.append(_("Ange vem som undertecknade."))
    if signed_on is None:
        errors.append(_("Ange datum för underskriften."))
    elif signed_on > timezone.localdate():
        errors.append(_("Underskriften kan inte vara daterad i framtiden."))
    elif signed_on < case.recommendation.board_decision_date:
        errors.append(_("Underskriften kan inte vara före rekommendationen."))
    content = b""
    if document is None:
        errors.append(_("Bifoga det undertecknade avtalet som PDF."))
    else:
        if document.size > MAX_SIGNED_COPY_BYTES:
            errors.append(_("Filen är större än 20 MB."))
        else:
            content = document.read()
            if not content.startswith(b"%PDF-"):
                errors.append(_("Filen är inte en PDF."))
    if errors:
        raise ValidationError(errors)

    def after(locked):
        from django.core.files.base import ContentFile

        signature = Signature(
            agreement=locked.recommendation.agreement,
            organisation=locked.organisation,
            signatory_name=signatory_name.strip(),
            signatory_title=signatory_title.strip(),
            signed_on=signed_on,
            sha256=hashlib.sha256(content).hexdigest(),
        )
        signature.document.save("signed.pdf", ContentFile(content), save=False)
        signature.save()
        return {"signature_id": signature.pk, "sha256": signature.sha256}

    return _case_transition(
        acting_user=acting_user,
        case=case,
        transition="sign",
        expected_state=expected_state,
        comment=f"{signatory_name} {signed_on}",
        payload={"signatory": signatory_name, "signed_on": signed_on},
        after=after,
    )


def case_withdraw(*, acting_user, case, comment: str, expected_state=None) -> AdoptionCase:
    if not (comment or "").strip():
        raise ValidationError(_("Ange varför ärendet återkallas."))
    return _case_transition(
        acting_user=acting_user,
        case=case,
        transition="withdraw",
        expected_state=expected_state,
        comment=comment,
    )


def cases_advance_periods(*, today: dt.date | None = None) -> dict[str, int]:
    """Daily: signed cases enter into force when the agreement period starts; cases in force end (or are marked
    renewed when the next period's case has entered into force) when the period is over. Idempotent."""
    today = today or timezone.localdate()
    counts = {"in_force": 0, "renewed": 0, "ended": 0}
    for case in AdoptionCase.objects.filter(
        state=CaseState.SIGNED, recommendation__agreement__period_start__lte=today
    ):
        _case_transition(acting_user=None, case=case, transition="enter_into_force")
        counts["in_force"] += 1
    for case in AdoptionCase.objects.filter(
        state=CaseState.IN_FORCE, recommendation__agreement__period_end__lt=today
    ).select_related("next_case"):
        successor = getattr(case, "next_case", None)
        if successor is not None and successor.state in (CaseState.IN_FORCE, CaseState.SIGNED):
            _case_transition(acting_user=None, case=case, transition="renew")
            counts["renewed"] += 1
        else:
            _case_transition(acting_user=None, case=case, transition="end")
            counts["ended"] += 1
    return counts


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
            action="consultation_response.recorded" if created else "consultation_response.replaced",
            obj=response,
            payload={
                "position": position,
                "timetable_realistic": timetable_realistic,
                "answers": len(answers),
            },
        )
    return response


def _demo_pdf(title: str) -> bytes:
    """A one-page PDF standing in for a scanned signed copy in demo data."""
    text = title.encode("latin-1", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 14 Tf 72 770 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def adoption_history_load(*, acting_user, data: dict) -> dict[str, int]:
    """Load a consultation, recommendations and each case's recorded history (fixtures/adoption.json).

    Idempotent: an existing consultation or recommendation (by slug) is left as it is. Events go through
    the same services as the pages, so every step is validated and audited.
    """
    from django.core.files.uploadedfile import SimpleUploadedFile

    permissions.check_manage_recommendations(acting_user)
    counts = {"responses": 0, "recommendations": 0, "events": 0}
    created_ids: list[int] = []
    organisations = {
        org.municipality_code: org for org in Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY)
    }
    with transaction.atomic():
        spec = data["consultation"]
        consultation = ConsultationRound.objects.filter(slug=spec["slug"]).first()
        if consultation is None:
            consultation = ConsultationRound.objects.create(
                slug=spec["slug"],
                title=spec["title"],
                sender=Organisation.objects.get(name=spec["sender"]),
                registration_number=spec["registration_number"],
                sent_on=dt.date.fromisoformat(spec["sent_on"]),
                deadline=dt.date.fromisoformat(spec["deadline"]),
            )
            consultation.recipients.set(organisations.values())
            consultation.questions.bulk_create(
                [
                    consultation.questions.model(
                        consultation=consultation,
                        number=number,
                        text=text,
                        is_timetable=number == spec.get("timetable_question"),
                    )
                    for number, text in enumerate(spec["questions"], start=1)
                ]
            )
            audit_record(acting_user=acting_user, action="consultation.created", obj=consultation)
            for response in spec["responses"]:
                organisation = organisations[response["code"]]
                consultation_response_record(
                    acting_user=acting_user,
                    consultation=consultation,
                    organisation=organisation,
                    position=response["position"],
                    timetable_realistic=response["timetable_realistic"],
                    adopted_by=organisation.bodies.filter(name=response["adopted_by"]).first(),
                    decision_reference=response["decision_reference"],
                    answered_on=dt.date.fromisoformat(response["answered_on"]),
                    summary=response["summary"],
                    answers={int(k): v for k, v in response["answers"].items()},
                )
                counts["responses"] += 1

        for spec in data["recommendations"]:
            if Recommendation.objects.filter(slug=spec["slug"]).exists():
                continue
            recommendation = recommendation_create(
                acting_user=acting_user,
                slug=spec["slug"],
                title=spec["title"],
                board_decision_date=dt.date.fromisoformat(spec["board_decision_date"]),
                registration_number=spec["registration_number"],
                agreement=Agreement.objects.get(slug=spec["agreement"]),
                answer_deadline=dt.date.fromisoformat(spec["answer_deadline"]),
                background=spec["background"],
                consultation=ConsultationRound.objects.filter(slug=spec.get("consultation") or "").first(),
                recipients=list(organisations.values()),
            )
            counts["recommendations"] += 1
            created_ids.append(recommendation.pk)
            for case_spec in spec["cases"]:
                case = recommendation.cases.get(organisation=organisations[case_spec["code"]])
                if case_spec.get("demo"):
                    AdoptionCase.objects.filter(pk=case.pk).update(is_demo_data=True)
                if case_spec.get("steps"):
                    bodies = {b.name: b for b in case.organisation.bodies.all()}
                    case_chain_set(
                        acting_user=acting_user,
                        case=case,
                        steps=[(bodies[name], role) for name, role in case_spec["steps"]],
                    )
                for event in case_spec["events"]:
                    on = dt.date.fromisoformat(event["on"])
                    kind = event["do"]
                    if kind == "start_preparation":
                        case_start_preparation(acting_user=acting_user, case=case)
                    elif kind == "propose":
                        case_propose(acting_user=acting_user, case=case)
                    elif kind == "withdraw":
                        case_withdraw(acting_user=acting_user, case=case, comment=event["comment"])
                    elif kind == "decision":
                        step = case.steps.get(body__name=event["body"])
                        case_decision_record(
                            acting_user=acting_user,
                            case=case,
                            step=step,
                            meeting_date=on,
                            paragraph=event["paragraph"],
                            text=event["text"],
                            outcome=event["outcome"],
                        )
                    elif kind == "sign":
                        pdf = _demo_pdf(f"Demo: undertecknat avtal, {case.organisation.name}, {on}")
                        case_sign(
                            acting_user=acting_user,
                            case=case,
                            signatory_name=event["name"],
                            signatory_title=event.get("title", ""),
                            signed_on=on,
                            document=SimpleUploadedFile("signed.pdf", pdf, content_type="application/pdf"),
                        )
                    else:
                        raise ValidationError(f"Unknown event {kind!r} in the fixture.")
                    moved = timezone.make_aware(dt.datetime.combine(on, dt.time(12)))
                    AdoptionCase.objects.filter(pk=case.pk).update(last_moved_at=moved)
                    counts["events"] += 1
        if not created_ids:
            return counts
        cases_advance_periods()
        # Demo history: date the period moves to when they happened, not to the day of loading.
        for case in AdoptionCase.objects.filter(
            recommendation_id__in=created_ids,
            state__in=[CaseState.IN_FORCE, CaseState.ENDED, CaseState.RENEWED],
        ).select_related("recommendation__agreement"):
            agreement = case.recommendation.agreement
            day = agreement.period_start if case.state == CaseState.IN_FORCE else agreement.period_end
            moved = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
            AdoptionCase.objects.filter(pk=case.pk).update(last_moved_at=moved)
    return counts
