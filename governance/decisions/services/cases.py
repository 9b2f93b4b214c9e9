"""Recommendations and adoption cases. Every case transition goes through ``core.transitions.transition_run``:
lock the row, compare the state the user saw (``TransitionConflict`` otherwise), check the rule in
``permissions.CASE_RULES``, validate, run the transition, save, and write exactly one audit row in the same
transaction.
"""

import datetime as dt
import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.agreements.models import Signature
from governance.core import calendar
from governance.core.services import actor_display_name, audit_record
from governance.core.transitions import transition_run
from governance.parties.models import Body, Organisation

from .. import permissions, registration
from ..choices import CaseState, DecisionAction, DecisionOutcome, StepRole
from ..models import (
    AdoptionCase,
    Decision,
    DecisionStep,
)
from .chains import MAX_REASON_CHARS, default_chain_heuristic
from .chains import case_chain_set as case_chain_set  # re-exported: loading.py imports it from here
from .decision_checks import (
    APPROVING_OUTCOMES,
    decision_problems,
    duplicate_message,
    final_decision,
    paragraph_normalise,
    posting_problems,
)


def _default_chain(organisation: Organisation) -> list[tuple[Body, str]]:
    """The chain a new case starts with: the municipality's usual chain ("Vår vanliga beslutsgång",
    ``UsualChainStep``) when it has set one, else socialnämnden prepares, kommunstyrelsen proposes and
    kommunfullmäktige decides — where those bodies exist."""
    prefetched = "usual_chain" in getattr(organisation, "_prefetched_objects_cache", {})
    steps = organisation.usual_chain.all() if prefetched else organisation.usual_chain.select_related("body")
    usual = [(step.body, step.role) for step in sorted(steps, key=lambda step: step.order)]
    return usual or default_chain_heuristic(organisation)


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


MAX_REGISTRATION_NUMBER = 60


def case_registration_number_set(
    *, acting_user, case: AdoptionCase, registration_number: str
) -> AdoptionCase:
    """Record the municipality's own diarienummer of the case (memos and remissvar print it)."""
    permissions.check_edit_chain(acting_user, case)
    registration_number = (registration_number or "").strip()
    if len(registration_number) > MAX_REGISTRATION_NUMBER:
        raise ValidationError(_("Diarienummer: högst %(n)s tecken.") % {"n": MAX_REGISTRATION_NUMBER})
    with transaction.atomic():
        case = AdoptionCase.objects.select_for_update().get(pk=case.pk)
        before = case.registration_number
        if before == registration_number:
            return case
        case.registration_number = registration_number
        case.save(update_fields=["registration_number"])
        registration.case_reference_set(acting_user=acting_user, case=case)
        audit_record(
            acting_user=acting_user,
            # The first number is set; any later one changes it (the history says from what to what).
            action=DecisionAction.CASE_REGISTRATION_NUMBER_CHANGED
            if before
            else DecisionAction.CASE_REGISTRATION_NUMBER_SET,
            obj=case,
            payload={"before": before, "after": registration_number},
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


def _replayed_on(acting_user, on: dt.date | None) -> dict:
    """When a recorded history is replayed, the day a step happened goes into its audit row (``on``); the
    row's own time is the day of loading. Only the system replays history."""
    if on is None:
        return {}
    if acting_user is not None:
        raise PermissionDenied(_("Endast systemet kan ange när ett steg togs i en inläst historik."))
    return {"payload": {"on": on}}


def case_start_preparation(
    *, acting_user, case, expected_state=None, comment="", on: dt.date | None = None
) -> AdoptionCase:
    return _case_transition(
        acting_user=acting_user,
        case=case,
        transition="start_preparation",
        expected_state=expected_state,
        comment=comment,
        **_replayed_on(acting_user, on),
    )


def case_propose(
    *, acting_user, case, expected_state=None, comment="", on: dt.date | None = None
) -> AdoptionCase:
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
        **_replayed_on(acting_user, on),
    )


def case_decision_record(
    *,
    acting_user,
    case: AdoptionCase,
    step: DecisionStep | None,
    meeting_date: dt.date | None,
    paragraph: str,
    text: str,
    outcome: str,
    posted_on: dt.date | None = None,
    expected_state: str | None = None,
) -> AdoptionCase:
    """Record a body's decision. The deciding body's approval decides the case; its refusal declines it;
    återremiss sends it back to preparation; bordläggning and the other bodies' decisions move it on.

    Checked against the locked case, every problem listed at once and nothing stored
    (``decision_checks.decision_problems``): the body is the next in the chain, dates, §, text, no second
    decision for the same body and meeting date (also when a double click races past the check: the
    database's unique constraint answers with the same message). ``posted_on``, the day the approved minutes
    were posted (anslag), is optional here and may be added later with ``decision_posting_record``.
    """
    paragraph, text = paragraph_normalise(paragraph), (text or "").strip()
    deciding = step is not None and step.role == StepRole.DECIDES
    if outcome == DecisionOutcome.REFER_BACK:
        transition = "refer_back"
    elif outcome == DecisionOutcome.DECLINE and deciding:
        transition = "decline"
    elif outcome in APPROVING_OUTCOMES and deciding:
        transition = "record_final_decision"
    else:
        transition = "record_intermediate_decision"

    def validate(locked):
        errors = decision_problems(
            case=locked,
            step=step,
            meeting_date=meeting_date,
            paragraph=paragraph,
            text=text,
            outcome=outcome,
            posted_on=posted_on,
        )
        if errors:
            raise ValidationError(errors)

    def after(locked):
        decision = Decision.objects.create(
            case=locked,
            step=step,
            meeting_date=meeting_date,
            paragraph=paragraph,
            text=text,
            outcome=outcome,
            posted_on=posted_on,
            recorded_by_name=actor_display_name(acting_user),
        )
        registration.decision_recorded(acting_user=acting_user, case=locked, decision=decision)
        return {"decision_id": decision.pk}

    label = DecisionOutcome(outcome).label if outcome in DecisionOutcome.values else outcome
    body_name = step.body.name if step is not None else ""
    try:
        return _case_transition(
            acting_user=acting_user,
            case=case,
            transition=transition,
            expected_state=expected_state,
            comment=f"{body_name} {meeting_date} {paragraph}: {label}",
            payload={
                "body": body_name,
                "meeting_date": meeting_date,
                "paragraph": paragraph,
                "outcome": outcome,
                "posted_on": posted_on,
            },
            validate=validate,
            after=after,
        )
    except IntegrityError as exc:  # a double click: the other request stored the same decision first
        raise ValidationError(duplicate_message(step, meeting_date)) from exc


def decision_posting_record(*, acting_user, decision: Decision, posted_on: dt.date | None) -> Decision:
    """Record (or correct) the day the approved minutes with ``decision`` were posted on the municipality's
    notice board (anslag); the appeal period and the laga-kraft date follow from it (ADR 0007).

    Not before the meeting, not in the future, not more than 60 days after the meeting; not on a voided
    decision. One audit row (``decision.posted``) on the case, with the date before and after.
    """
    with transaction.atomic():
        decision = (
            Decision.objects.select_for_update(of=("self",))
            .select_related("case__organisation", "step__body")
            .get(pk=decision.pk)
        )
        case = decision.case
        permissions.check_record_decision(acting_user, case)
        errors = []
        if posted_on is None:
            errors.append(_("Anslagsdatum: ange dagen då protokollet anslogs."))
        if decision.voided_at is not None:
            errors.append(_("Beslutet är makulerat och får inget anslagsdatum."))
        errors += posting_problems(posted_on, decision.meeting_date)
        if errors:
            raise ValidationError(errors)
        before = decision.posted_on
        if before == posted_on:
            return decision
        decision.posted_on = posted_on
        decision.save(update_fields=["posted_on"])
        audit_record(
            acting_user=acting_user,
            action=DecisionAction.DECISION_POSTED,
            obj=case,
            comment=_("%(body)s %(date)s %(paragraph)s: protokollet anslaget %(posted)s")
            % {
                "body": decision.step.body.name,
                "date": decision.meeting_date,
                "paragraph": decision.paragraph,
                "posted": posted_on,
            },
            payload={
                "decision_id": decision.pk,
                "before": before,
                "posted_on": posted_on,
                "appeal_ends_on": decision.appeal_ends_on,
                "final_on": decision.final_on,
            },
        )
    return decision


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
    else:
        final = final_decision(case)
        if final is not None and signed_on < final.meeting_date:
            errors.append(
                _(
                    "Datum: underskriften (%(signed)s) kan inte vara före beslutet att ingå avtalet "
                    "(%(body)s %(date)s)."
                )
                % {"signed": signed_on, "body": final.step.body.name, "date": final.meeting_date}
            )
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
        registration.agreement_signed(acting_user=acting_user, case=locked, signature=signature)
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


def case_reopen(*, acting_user, case: AdoptionCase, reason: str, expected_state=None) -> AdoptionCase:
    """Reopen a case decided, declined or withdrawn in error: back to in_preparation, with a reason.

    Which decisions are voided (``voided_at``, ``void_reason`` = the reason), precisely:

    - from **decided**: every non-voided approval (bifall, bifall med reservationer) by the chain's deciding
      body — the decision(s) that made the case decided;
    - from **declined**: every non-voided refusal (avslag) by the deciding body — the decision that declined it;
    - from **withdrawn**: none (the withdrawal was KSL's, no body decided).

    The earlier bodies' decisions and any bordläggning stay: they were not what was recorded in error, and
    the case goes on from them (propose again, then the deciding body decides). A mistaken earlier decision
    is corrected by reopening and then editing the chain with a reason. A signed case cannot be reopened.
    One audit row (``case.reopened``) with the reason and the voided decision ids.
    """
    reason = (reason or "").strip()
    errors = []
    if not reason:
        errors.append(_("Skäl: ange varför ärendet öppnas igen."))
    elif len(reason) > MAX_REASON_CHARS:
        errors.append(
            _("Skäl: högst %(max)s tecken (nu %(n)s).") % {"max": MAX_REASON_CHARS, "n": len(reason)}
        )
    if errors:
        raise ValidationError(errors)

    def after(locked):
        outcomes = {
            CaseState.DECIDED: APPROVING_OUTCOMES,
            CaseState.DECLINED: (DecisionOutcome.DECLINE,),
        }.get(source["state"], ())
        voided = list(
            Decision.objects.filter(
                case=locked,
                voided_at__isnull=True,
                step__role=StepRole.DECIDES,
                outcome__in=outcomes,
            ).values_list("pk", flat=True)
        )
        if voided:
            Decision.objects.filter(pk__in=voided).update(voided_at=timezone.now(), void_reason=reason)
        return {"voided_decision_ids": voided}

    source = {}

    def remember(locked):
        source["state"] = locked.state

    return _case_transition(
        acting_user=acting_user,
        case=case,
        transition="reopen",
        expected_state=expected_state,
        comment=reason,
        payload={"reason": reason},
        validate=remember,
        after=after,
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


#: The actions of the case page and the API, each with the fsm transitions it may run (a decision runs the one
#: its outcome and the step's role call for). Who may take an action: any of its transitions' rules.
CASE_ACTION_TRANSITIONS = {
    "start_preparation": ["start_preparation"],
    "propose": ["propose"],
    "decision": ["record_intermediate_decision", "record_final_decision", "refer_back", "decline"],
    "sign": ["sign"],
    "withdraw": ["withdraw"],
    "reopen": ["reopen"],
}


def case_action_run(*, acting_user, case: AdoptionCase, action: str, data: dict) -> AdoptionCase:
    """Take one of ``CASE_ACTION_TRANSITIONS``'s actions with its form's cleaned ``data``: the one dispatch
    the case page and the API share, so both run the same service with the same arguments."""
    common = {"acting_user": acting_user, "case": case, "expected_state": data["expected_state"]}
    if action == "start_preparation":
        return case_start_preparation(**common, comment=data["comment"])
    if action == "propose":
        return case_propose(**common, comment=data["comment"])
    if action == "withdraw":
        return case_withdraw(**common, comment=data["comment"])
    if action == "reopen":
        return case_reopen(**common, reason=data["comment"])
    if action == "decision":
        return case_decision_record(
            **common,
            step=data["step"],
            meeting_date=data["meeting_date"],
            paragraph=data["paragraph"],
            text=data["text"],
            outcome=data["outcome"],
            posted_on=data["posted_on"],
        )
    if action == "sign":
        return case_sign(
            **common,
            signatory_name=data["signatory_name"],
            signatory_title=data["signatory_title"],
            signed_on=data["signed_on"],
            document=data["document"],
        )
    raise ValueError(f"unknown case action {action!r}")
