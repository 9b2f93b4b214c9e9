"""Loading the recorded Origo history (fixtures/adoption.json) through the same services as the pages."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from governance.agreements.models import Agreement
from governance.core.services import audit_followups_batched, audit_record
from governance.parties.choices import OrganisationKind
from governance.parties.models import Organisation

from .. import permissions
from ..choices import CaseState, DecisionAction, ResponseDecider
from ..models import (
    AdoptionCase,
    ConsultationRound,
    Recommendation,
)
from .cases import (
    case_chain_set,
    case_decision_record,
    case_history_date,
    case_propose,
    case_registration_number_set,
    case_sign,
    case_start_preparation,
    case_withdraw,
    cases_advance_periods,
)
from .consultations import consultation_assess, consultation_response_record
from .recommendations import recommendation_create_and_send


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


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def adoption_history_load(*, acting_user, data: dict) -> dict[str, int]:
    """Load a consultation, recommendations and each case's recorded history (fixtures/adoption.json, and
    the demo round of ``services/demo.py`` in the same shape). Flags ``"demo": true`` mark invented data.

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
    # The search index is brought up to date once per object at the end, not once per audit row.
    with transaction.atomic(), audit_followups_batched():
        spec = data.get("consultation")
        consultation = ConsultationRound.objects.filter(slug=spec["slug"]).first() if spec else None
        if spec and consultation is None:
            consultation = ConsultationRound.objects.create(
                slug=spec["slug"],
                title=spec["title"],
                sender=Organisation.objects.get(name=spec["sender"]),
                registration_number=spec["registration_number"],
                sent_on=dt.date.fromisoformat(spec["sent_on"]),
                deadline=dt.date.fromisoformat(spec["deadline"]),
                description=spec.get("description", ""),
                is_demo_data=bool(spec.get("demo")),
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
            audit_record(
                acting_user=acting_user, action=DecisionAction.CONSULTATION_CREATED, obj=consultation
            )
            for response in spec["responses"]:
                organisation = organisations[response["code"]]
                # An answer with a body's decision has its §; without one it is a tjänstemannasvar (the 2011
                # round was a förvaltningsremiss, seed 004) and the body named only prepared it.
                by_body = bool(response.get("decision_reference"))
                adopted_by = (
                    organisation.bodies.filter(name=response["adopted_by"]).first() if by_body else None
                )
                consultation_response_record(
                    acting_user=acting_user,
                    consultation=consultation,
                    organisation=organisation,
                    position=response["position"],
                    timetable_realistic=response["timetable_realistic"],
                    decided_by=ResponseDecider.BODY if adopted_by else ResponseDecider.OFFICIALS,
                    adopted_by=adopted_by,
                    decision_date=_date(response.get("decision_date")),
                    decision_reference=response["decision_reference"],
                    answered_on=dt.date.fromisoformat(response["answered_on"]),
                    summary=response["summary"],
                    answers={int(k): v for k, v in response["answers"].items()},
                )
                counts["responses"] += 1
            if spec.get("assessment"):  # KSL's own assessment of the answers (seed 004 for 2011)
                consultation_assess(
                    acting_user=acting_user, consultation=consultation, assessment=spec["assessment"]
                )

        for spec in data["recommendations"]:
            if Recommendation.objects.filter(slug=spec["slug"]).exists():
                continue
            # Recorded history: created and sent at once, past deadlines accepted, nobody e-mailed.
            recommendation = recommendation_create_and_send(
                acting_user=acting_user,
                replay=True,
                slug=spec["slug"],
                title=spec["title"],
                board_decision_date=dt.date.fromisoformat(spec["board_decision_date"]),
                issued_on=_date(spec.get("issued_on")),
                registration_number=spec["registration_number"],
                agreement=Agreement.objects.get(slug=spec["agreement"]),
                answer_deadline=dt.date.fromisoformat(spec["answer_deadline"]),
                background=spec["background"],
                decision_points=spec.get("decision_points", ""),
                is_demo_data=bool(spec.get("demo")),
                # The documents KSL sent (titles from the seeds); the file is a stand-in that says so.
                attachments=[
                    (
                        title,
                        SimpleUploadedFile(
                            "bilaga.pdf",
                            _demo_pdf(f"Demo: originalet till bilagan finns hos KSL - {title}"),
                            content_type="application/pdf",
                        ),
                    )
                    for title in spec.get("attachments", [])
                ],
                consultation=ConsultationRound.objects.filter(slug=spec.get("consultation") or "").first(),
                recipients=list(organisations.values()),
                demo_organisation_ids={
                    organisations[case_spec["code"]].pk
                    for case_spec in spec["cases"]
                    if case_spec.get("demo")
                },
            )
            counts["recommendations"] += 1
            created_ids.append(recommendation.pk)
            for case_spec in spec["cases"]:
                case = recommendation.cases.get(organisation=organisations[case_spec["code"]])
                if case_spec.get("registration_number"):
                    case_registration_number_set(
                        acting_user=acting_user,
                        case=case,
                        registration_number=case_spec["registration_number"],
                    )
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
                        case_start_preparation(acting_user=acting_user, case=case, on=on)
                    elif kind == "propose":
                        case_propose(acting_user=acting_user, case=case, on=on)
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
                            posted_on=_date(event.get("posted_on")),
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
                    counts["events"] += 1
                if case_spec["events"]:
                    case_history_date(acting_user=acting_user, case=case, moved_at=moved)
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
            case_history_date(acting_user=acting_user, case=case, moved_at=moved)
    return counts
