"""The decisions app's webhook events: a case changed state, a body's decision was recorded.

Registered with ``webhooks.registry`` in ``DecisionsConfig.ready()``. Who receives them is who may open the
case page (``permissions.can_view_case``: the municipality's own people and KSL).
"""

from django.urls import reverse

from governance.webhooks.choices import WebhookEvent
from governance.webhooks.registry import event_source_register, page_url

from .choices import DecisionAction, DecisionOutcome
from .models import AdoptionCase, Decision
from .permissions import CASE_RULES, can_view_case

#: The transitions that record a body's decision (with ``decision_id`` in their audit payload).
DECISION_ACTIONS = (
    DecisionAction.CASE_INTERMEDIATE_DECISION_RECORDED,
    DecisionAction.CASE_FINAL_DECISION_RECORDED,
    DecisionAction.CASE_REFERRED_BACK,
    DecisionAction.CASE_DECLINED,
)


def _state_label(value: str) -> str:
    field = AdoptionCase._meta.get_field("state")
    return str(dict(field.choices).get(value, value))


def case_payload(case: AdoptionCase, audit_event) -> dict:
    """The case as it is after the transition the audit row records."""
    organisation = case.organisation
    return {
        "case": {
            "id": case.pk,
            "registration_number": case.registration_number,
            "state": audit_event.target_state or case.state,
            "state_label": _state_label(audit_event.target_state or case.state),
            "previous_state": audit_event.source_state,
            "previous_state_label": _state_label(audit_event.source_state)
            if audit_event.source_state
            else "",
            "deadline": case.deadline,
            "url": page_url(reverse("decisions:case", args=[case.pk])),
        },
        "organisation": {
            "id": organisation.pk,
            "code": organisation.municipality_code,
            "name": organisation.name,
        },
        "recommendation": {"slug": case.recommendation.slug, "title": case.recommendation.title},
        "transition": {"action": audit_event.action, "label": DecisionAction(audit_event.action).label},
        "comment": audit_event.comment,
        "actor": audit_event.actor_name,
    }


def decision_payload(case: AdoptionCase, audit_event) -> dict:
    """The case (as above) and the decision recorded."""
    payload = case_payload(case, audit_event)
    decision_id = (audit_event.payload or {}).get("decision_id")
    decision = Decision.objects.select_related("step__body").filter(pk=decision_id, case=case).first()
    if decision is not None:
        payload["decision"] = {
            "id": decision.pk,
            "body": decision.step.body.name if decision.step is not None else "",
            "meeting_date": decision.meeting_date,
            "paragraph": decision.paragraph,
            "outcome": decision.outcome,
            "outcome_label": str(DecisionOutcome(decision.outcome).label)
            if decision.outcome in DecisionOutcome.values
            else decision.outcome,
            "text": decision.text,
            "posted_on": decision.posted_on,
        }
    return payload


def register() -> None:
    event_source_register(
        WebhookEvent.CASE_STATE_CHANGED,
        actions=[rule.action for rule in CASE_RULES.values()],
        model=AdoptionCase,
        can_view=can_view_case,
        payload=case_payload,
    )
    event_source_register(
        WebhookEvent.DECISION_RECORDED,
        actions=DECISION_ACTIONS,
        model=AdoptionCase,
        can_view=can_view_case,
        payload=decision_payload,
    )
