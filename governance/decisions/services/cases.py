"""Recommendations and adoption cases. Every case transition goes through ``core.transitions.transition_run``:
lock the row, compare the state the user saw (``TransitionConflict`` otherwise), check the rule in
``permissions.CASE_RULES``, validate, run the transition, save, and write exactly one audit row in the same
transaction.
"""

import datetime as dt
import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.agreements.models import Signature
from governance.core import calendar
from governance.core.services import actor_display_name, audit_record
from governance.core.transitions import transition_run
from governance.parties.choices import BodyKind
from governance.parties.models import Body, Organisation

from .. import permissions
from ..choices import CaseState, DecisionAction, DecisionOutcome, StepRole
from ..models import (
    AdoptionCase,
    Decision,
    DecisionStep,
)


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


def case_chain_set(*, acting_user, case: AdoptionCase, steps: list[tuple[Body, str]]) -> AdoptionCase:
    """Replace a case's decision chain (bodies in order, with their role). Exactly one body decides."""
    with transaction.atomic():
        case = AdoptionCase.objects.select_for_update().select_related("organisation").get(pk=case.pk)
        permissions.check_edit_chain(acting_user, case)
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
            action=DecisionAction.CASE_CHAIN_CHANGED,
            obj=case,
            payload={"steps": [{"body": body.name, "role": role} for body, role in steps]},
        )
    return case


def case_history_date(*, acting_user, case: AdoptionCase, moved_at: dt.datetime) -> AdoptionCase:
    """Date a case's latest movement when a recorded history is replayed (demo loading), so the overview
    shows when things happened rather than the day of loading. Never into the future."""
    permissions.check_manage_recommendations(acting_user)
    if moved_at > timezone.now():
        raise ValidationError(_("Den senaste händelsen kan inte ligga i framtiden."))
    with transaction.atomic():
        case = AdoptionCase.objects.select_for_update().get(pk=case.pk)
        before = case.last_moved_at
        if before == moved_at:
            return case
        case.last_moved_at = moved_at
        case.save(update_fields=["last_moved_at"])
        audit_record(
            acting_user=acting_user,
            action=DecisionAction.CASE_HISTORY_DATED,
            obj=case,
            payload={"before": before, "after": moved_at},
        )
    return case


def _case_transition(*, acting_user, case: AdoptionCase, transition: str, **kwargs) -> AdoptionCase:
    """One case transition through ``core.transitions.transition_run`` (rules: ``permissions.CASE_RULES``)."""

    def moved(locked):
        locked.last_moved_at = timezone.now()

    return transition_run(
        acting_user=acting_user,
        obj=case,
        transition=transition,
        before_save=moved,
        select_related=("organisation", "recommendation__agreement"),
        **kwargs,
    )


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
    if meeting_date is not None and meeting_date > calendar.today():
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
    elif signed_on > calendar.today():
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
    if Signature.objects.filter(
        agreement=case.recommendation.agreement, organisation=case.organisation
    ).exists():
        errors.append(_("%(org)s har redan undertecknat avtalet.") % {"org": case.organisation})
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
    today = today or calendar.today()
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
