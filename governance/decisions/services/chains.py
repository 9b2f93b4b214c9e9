"""Decision chains: a municipality's usual chain (``UsualChainStep``) and each case's own chain
(``DecisionStep``).

A case's chain is edited freely by the municipality's clerks until the proposal is laid before the first body.
After that (the case is proposed or in decision, or has any non-voided decision, e.g. after an återremiss) a
change needs a stated reason, and the steps that already have a non-voided decision stay where they are: they
keep their body, role and order and come first, in the same order as before. Exactly one body decides.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from governance.core.services import audit_record
from governance.parties.choices import BodyKind, OrganisationKind
from governance.parties.models import Body, Organisation

from .. import permissions
from ..choices import WAITING_STATES, CaseState, DecisionAction, StepRole
from ..models import AdoptionCase, Decision, DecisionStep, UsualChainStep

MAX_REASON_CHARS = 300

#: States in which a case's chain may still change (later, the chain is history).
CHAIN_EDITABLE_STATES = WAITING_STATES
#: Before the proposal: a change needs no reason (unless a body has already decided, e.g. after återremiss).
BEFORE_PROPOSAL_STATES = (CaseState.RECEIVED, CaseState.IN_PREPARATION)


def _steps_problems(organisation: Organisation, steps: list[tuple[Body, str]]) -> list[str]:
    """What is wrong with a chain (bodies in order, with roles), every problem at once."""
    errors = []
    if not steps:
        errors.append(_("Beslutskedjan behöver minst ett organ."))
        return errors
    if any(role not in StepRole.values for _b, role in steps):
        errors.append(_("Välj en roll för varje organ i beslutskedjan."))
    deciding = sum(1 for _b, role in steps if role == StepRole.DECIDES)
    if deciding != 1:
        errors.append(
            _("Exakt ett organ i beslutskedjan ska besluta (nu %(n)s).") % {"n": deciding}
            if deciding
            else _("Exakt ett organ i beslutskedjan ska besluta (inget är valt).")
        )
    if any(body.organisation_id != organisation.pk for body, _r in steps):
        errors.append(_("Alla organ i beslutskedjan ska tillhöra %(org)s.") % {"org": organisation})
    names = [body.name for body, _r in steps]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        errors.append(_("%(bodies)s finns mer än en gång i beslutskedjan.") % {"bodies": ", ".join(repeated)})
    return errors


def default_chain_heuristic(organisation: Organisation) -> list[tuple[Body, str]]:
    """Socialnämnden prepares, kommunstyrelsen proposes, kommunfullmäktige decides — where those bodies exist."""
    all_bodies = list(organisation.bodies.all())
    bodies = {body.kind: body for body in all_bodies if body.kind != BodyKind.ADMINISTRATION}
    committee = next((b for b in all_bodies if b.name == "Socialnämnden"), None)
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


def usual_chain_set(*, acting_user, organisation: Organisation, steps: list[tuple[Body, str]]) -> list:
    """Set a municipality's usual decision chain ("Vår vanliga beslutsgång"), which new cases start from.

    An empty list clears it: new cases then get the default (socialnämnden → KS → KF where they exist).
    """
    permissions.check_edit_usual_chain(acting_user, organisation)
    if organisation.kind != OrganisationKind.MUNICIPALITY:
        raise ValidationError(_("Bara kommuner har en vanlig beslutsgång."))
    errors = _steps_problems(organisation, steps) if steps else []
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        before = [
            {"body": step.body.name, "role": step.role}
            for step in UsualChainStep.objects.filter(organisation=organisation).select_related("body")
        ]
        after = [{"body": body.name, "role": str(role)} for body, role in steps]
        if before == after:
            return list(organisation.usual_chain.select_related("body"))
        UsualChainStep.objects.filter(organisation=organisation).delete()
        created = UsualChainStep.objects.bulk_create(
            [
                UsualChainStep(organisation=organisation, order=i, body=body, role=role)
                for i, (body, role) in enumerate(steps, start=1)
            ]
        )
        audit_record(
            acting_user=acting_user,
            action=DecisionAction.USUAL_CHAIN_CHANGED,
            obj=organisation,
            payload={"before": before, "after": after},
        )
    return created


def case_chain_set(
    *, acting_user, case: AdoptionCase, steps: list[tuple[Body, str]], reason: str = ""
) -> AdoptionCase:
    """Replace a case's decision chain (bodies in order, with their role). Exactly one body decides.

    Before the proposal the clerk changes it freely. After it (see the module docstring) a reason of at most
    300 characters is required, and a step with a non-voided decision cannot be removed, moved or given
    another role. Steps are matched by body, so the decisions keep their step. One audit row
    (``case.chain_changed``) with the chain before and after and the reason.
    """
    reason = (reason or "").strip()
    with transaction.atomic():
        case = AdoptionCase.objects.select_for_update().select_related("organisation").get(pk=case.pk)
        permissions.check_edit_chain(acting_user, case)
        if case.state not in CHAIN_EDITABLE_STATES:
            raise ValidationError(
                _("Beslutskedjan kan inte ändras när ärendet är ”%(state)s”.")
                % {"state": case.get_state_display()}
            )
        current = list(case.steps.select_related("body").order_by("order"))
        decided = {
            decision.step_id: decision
            for decision in Decision.objects.filter(case=case, voided_at__isnull=True).order_by(
                "meeting_date", "id"
            )
        }
        with_any_decision = set(Decision.objects.filter(case=case).values_list("step_id", flat=True))
        errors = _steps_problems(case.organisation, steps)
        needs_reason = case.state not in BEFORE_PROPOSAL_STATES or bool(decided)
        if needs_reason and not reason:
            errors.append(
                _("Skäl: ange varför beslutskedjan ändras (förslaget är redan framlagt eller beslut finns).")
            )
        if len(reason) > MAX_REASON_CHARS:
            errors.append(
                _("Skäl: högst %(max)s tecken (nu %(n)s).") % {"max": MAX_REASON_CHARS, "n": len(reason)}
            )
        # Steps that have decided keep their body and role and stay first, in the same order (only a step
        # that is merely informed may come between them).
        fixed = [step for step in current if step.pk in decided]
        positions = {body.pk: index for index, (body, _r) in enumerate(steps)}
        roles = {body.pk: role for body, role in steps}
        for step in fixed:
            if positions.get(step.body_id) is None or roles[step.body_id] != step.role:
                decision = decided[step.pk]
                errors.append(
                    _(
                        "%(body)s har redan beslutat (%(date)s %(paragraph)s): steget kan inte tas bort "
                        "eller få en annan roll."
                    )
                    % {"body": step.body.name, "date": decision.meeting_date, "paragraph": decision.paragraph}
                )
        if fixed and all(positions.get(step.body_id) is not None for step in fixed):
            fixed_ids = {step.body_id for step in fixed}
            last = max(positions[step.body_id] for step in fixed)
            prefix = [
                body.pk
                for body, role in steps[: last + 1]
                if body.pk in fixed_ids or role != StepRole.INFORMED
            ]
            if prefix != [step.body_id for step in fixed]:
                errors.append(
                    _(
                        "Organ som redan har beslutat (%(bodies)s) ska stå först i kedjan, i samma ordning "
                        "som förut."
                    )
                    % {"bodies": ", ".join(step.body.name for step in fixed)}
                )
        kept_bodies = {body.pk for body, _r in steps}
        for step in current:
            if step.pk not in decided and step.pk in with_any_decision and step.body_id not in kept_bodies:
                errors.append(
                    _("%(body)s har makulerade beslut i ärendet och kan inte tas bort ur kedjan.")
                    % {"body": step.body.name}
                )
        if errors:
            raise ValidationError(errors)
        before = [{"body": step.body.name, "role": step.role} for step in current]
        after = [{"body": body.name, "role": str(role)} for body, role in steps]
        if before == after:
            return case
        by_body = {step.body_id: step for step in current}
        # Move every kept step out of the way first: (case, order) is unique.
        for step in current:
            if step.body_id in kept_bodies:
                step.order += 1000
                step.save(update_fields=["order"])
        DecisionStep.objects.filter(case=case).exclude(body_id__in=kept_bodies).delete()
        for order, (body, role) in enumerate(steps, start=1):
            step = by_body.get(body.pk)
            if step is None:
                DecisionStep.objects.create(case=case, order=order, body=body, role=role)
            else:
                step.order, step.role = order, role
                step.save(update_fields=["order", "role"])
        audit_record(
            acting_user=acting_user,
            action=DecisionAction.CASE_CHAIN_CHANGED,
            obj=case,
            comment=reason,
            payload={"before": before, "steps": after, "reason": reason},
        )
    return case
