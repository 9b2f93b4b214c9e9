"""Decision chains: the municipality's usual chain and each case's own chain, through services and pages."""

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from governance.core.models import AuditEvent
from governance.decisions import services
from governance.decisions.models import AdoptionCase, DecisionStep, UsualChainStep
from governance.decisions.services.cases import _default_chain
from governance.parties.models import Organisation


def _last_id():
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _bodies(organisation):
    return {b.name: b for b in organisation.bodies.all()}


def _chain(case):
    return [(s.body.name, s.role) for s in DecisionStep.objects.filter(case=case).order_by("order")]


def _formset(rows, **extra):
    data = {
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "12",
        **extra,
    }
    for index, (order, body, role) in enumerate(rows):
        data.update({f"form-{index}-order": order, f"form-{index}-body": body, f"form-{index}-role": role})
    return data


@pytest.fixture
def danderyd(db):
    return Organisation.objects.get(municipality_code="0162")


def test_new_cases_start_from_the_usual_chain(fresh_recommendation, danderyd, danderyd_clerk):
    bodies = _bodies(danderyd)
    assert [b.name for b, _r in _default_chain(danderyd)] == [
        "Socialnämnden",
        "Kommunstyrelsen",
        "Kommunfullmäktige",
    ]
    before = _last_id()
    services.usual_chain_set(
        acting_user=danderyd_clerk,
        organisation=danderyd,
        steps=[(bodies["Socialnämnden"], "prepares"), (bodies["Kommunstyrelsen"], "decides")],
    )
    (event,) = AuditEvent.objects.filter(pk__gt=before)
    assert event.action == "usual_chain.changed"
    assert event.payload["after"] == [
        {"body": "Socialnämnden", "role": "prepares"},
        {"body": "Kommunstyrelsen", "role": "decides"},
    ]
    recommendation = fresh_recommendation()
    danderyd_case = recommendation.cases.get(organisation=danderyd)
    ekero_case = recommendation.cases.get(organisation__municipality_code="0125")
    assert _chain(danderyd_case) == [("Socialnämnden", "prepares"), ("Kommunstyrelsen", "decides")]
    assert _chain(ekero_case)[-1][1] == "decides" and len(_chain(ekero_case)) > 1  # the default heuristic

    services.usual_chain_set(acting_user=danderyd_clerk, organisation=danderyd, steps=[])  # back to default
    assert not UsualChainStep.objects.filter(organisation=danderyd).exists()


def test_the_usual_chain_is_the_clerks_and_checked(danderyd, danderyd_clerk, ekero_clerk, ksl_officer):
    bodies = _bodies(danderyd)
    for user in (ekero_clerk, ksl_officer):
        with pytest.raises(PermissionDenied):
            services.usual_chain_set(
                acting_user=user, organisation=danderyd, steps=[(bodies["Kommunstyrelsen"], "decides")]
            )
    with pytest.raises(ValidationError) as caught:
        services.usual_chain_set(
            acting_user=danderyd_clerk,
            organisation=danderyd,
            steps=[(bodies["Kommunstyrelsen"], "decides"), (bodies["Kommunstyrelsen"], "decides")],
        )
    assert "Exakt ett organ i beslutskedjan ska besluta (nu 2)." in caught.value.messages
    assert "Kommunstyrelsen finns mer än en gång i beslutskedjan." in caught.value.messages
    assert not UsualChainStep.objects.filter(organisation=danderyd).exists()


def test_usual_chain_page(client, danderyd, danderyd_clerk, ksl_officer, ekero_clerk):
    url = reverse("decisions:usual_chain", args=[danderyd.pk])
    bodies = _bodies(danderyd)
    client.force_login(danderyd_clerk)
    page = client.get(url)
    assert page.status_code == 200 and "Vår vanliga beslutsgång" in page.text and "Spara" in page.text
    before = _last_id()
    response = client.post(url, _formset([("1", bodies["Kommunstyrelsen"].pk, "decides"), ("", "", "")]))
    assert response.status_code == 302
    assert [(s.body.name, s.role) for s in danderyd.usual_chain.all()] == [("Kommunstyrelsen", "decides")]
    assert AuditEvent.objects.get(pk__gt=before).action == "usual_chain.changed"
    response = client.post(url, _formset([("1", bodies["Kommunstyrelsen"].pk, "prepares")]))
    assert response.status_code == 400 and "Exakt ett organ" in response.text
    assert danderyd.usual_chain.get().role == "decides"

    client.force_login(ksl_officer)
    page = client.get(url)
    assert page.status_code == 200 and "Spara vår vanliga beslutsgång" not in page.text
    assert client.post(url, _formset([("1", bodies["Kommunstyrelsen"].pk, "decides")])).status_code == 403
    client.force_login(ekero_clerk)
    assert client.get(url).status_code == 404


def test_the_chain_changes_freely_before_the_proposal(danderyd_case, danderyd_clerk):
    bodies = _bodies(danderyd_case.organisation)
    before = _last_id()
    services.case_chain_set(
        acting_user=danderyd_clerk,
        case=danderyd_case,
        steps=[(bodies["Kommunstyrelsen"], "proposes"), (bodies["Kommunfullmäktige"], "decides")],
    )
    assert _chain(danderyd_case) == [("Kommunstyrelsen", "proposes"), ("Kommunfullmäktige", "decides")]
    (event,) = AuditEvent.objects.filter(pk__gt=before)
    assert event.action == "case.chain_changed" and event.payload["reason"] == ""


def test_after_the_proposal_a_change_needs_a_reason(danderyd_case, danderyd_clerk):
    bodies = _bodies(danderyd_case.organisation)
    services.case_start_preparation(acting_user=danderyd_clerk, case=danderyd_case)
    services.case_propose(acting_user=danderyd_clerk, case=danderyd_case)
    steps = [(bodies["Socialnämnden"], "prepares"), (bodies["Kommunstyrelsen"], "decides")]
    before = _last_id()
    with pytest.raises(ValidationError, match="Skäl: ange varför beslutskedjan ändras"):
        services.case_chain_set(acting_user=danderyd_clerk, case=danderyd_case, steps=steps)
    with pytest.raises(ValidationError, match="Skäl: högst 300 tecken"):
        services.case_chain_set(acting_user=danderyd_clerk, case=danderyd_case, steps=steps, reason="x" * 301)
    assert _last_id() == before and len(_chain(danderyd_case)) == 3
    services.case_chain_set(
        acting_user=danderyd_clerk, case=danderyd_case, steps=steps, reason="KS har delegation att besluta."
    )
    (event,) = AuditEvent.objects.filter(pk__gt=before)
    assert event.action == "case.chain_changed" and event.comment == "KS har delegation att besluta."
    assert event.payload["before"][2] == {"body": "Kommunfullmäktige", "role": "decides"}
    assert _chain(danderyd_case) == [("Socialnämnden", "prepares"), ("Kommunstyrelsen", "decides")]


def test_a_step_that_has_decided_stays(danderyd_case, danderyd_clerk):
    bodies = _bodies(danderyd_case.organisation)
    services.case_start_preparation(acting_user=danderyd_clerk, case=danderyd_case)
    case = services.case_propose(acting_user=danderyd_clerk, case=danderyd_case)
    case = services.case_decision_record(
        acting_user=danderyd_clerk,
        case=case,
        step=case.steps.get(body__name="Socialnämnden"),
        meeting_date=dt.date(2025, 5, 1),
        paragraph="§ 103",
        text="Tillstyrker.",
        outcome="approve",
    )
    decided_step = case.steps.get(body__name="Socialnämnden")
    reason = "Kommunstyrelsen beslutar på delegation."
    for steps, message in [
        (
            [(bodies["Kommunstyrelsen"], "decides")],
            re.escape("Socialnämnden har redan beslutat (2025-05-01 § 103)"),
        ),
        (
            [
                (bodies["Kommunstyrelsen"], "proposes"),
                (bodies["Socialnämnden"], "prepares"),
                (bodies["Kommunfullmäktige"], "decides"),
            ],
            "ska stå först i kedjan",
        ),
        (
            [(bodies["Socialnämnden"], "proposes"), (bodies["Kommunfullmäktige"], "decides")],
            "kan inte tas bort eller få en annan roll",
        ),
    ]:
        before = _last_id()
        with pytest.raises(ValidationError, match=message):
            services.case_chain_set(acting_user=danderyd_clerk, case=case, steps=steps, reason=reason)
        assert _last_id() == before
    services.case_chain_set(
        acting_user=danderyd_clerk,
        case=case,
        steps=[(bodies["Socialnämnden"], "prepares"), (bodies["Kommunstyrelsen"], "decides")],
        reason=reason,
    )
    assert _chain(case) == [("Socialnämnden", "prepares"), ("Kommunstyrelsen", "decides")]
    assert case.decisions.get().step_id == decided_step.pk  # the decision keeps its step
    case = services.case_decision_record(
        acting_user=danderyd_clerk,
        case=case,
        step=case.steps.get(body__name="Kommunstyrelsen"),
        meeting_date=dt.date(2025, 5, 8),
        paragraph="KS § 45",
        text="Godkänner avtalet.",
        outcome="approve",
    )
    assert case.state == "decided"
    with pytest.raises(ValidationError, match="kan inte ändras när ärendet är"):
        services.case_chain_set(
            acting_user=danderyd_clerk, case=case, steps=[(bodies["Kommunstyrelsen"], "decides")], reason="x"
        )


def test_case_chain_page(client, danderyd_case, danderyd_clerk, ksl_officer, ekero_clerk):
    bodies = _bodies(danderyd_case.organisation)
    url = reverse("decisions:case_chain", args=[danderyd_case.pk])
    services.case_start_preparation(acting_user=danderyd_clerk, case=danderyd_case)
    services.case_propose(acting_user=danderyd_clerk, case=danderyd_case)
    client.force_login(danderyd_clerk)
    page = client.get(url)
    assert page.status_code == 200 and "Spara beslutskedjan" in page.text and "ange skäl" in page.text
    assert "nästa" in page.text  # Socialnämnden is next
    rows = [("1", bodies["Socialnämnden"].pk, "prepares"), ("2", bodies["Kommunstyrelsen"].pk, "decides")]
    before = _last_id()
    response = client.post(url, _formset(rows))
    assert response.status_code == 400 and "Skäl: ange varför beslutskedjan ändras" in response.text
    assert _last_id() == before
    response = client.post(url, _formset([*rows, ("3", bodies["Kommunfullmäktige"].pk, "")], reason="x"))
    assert response.status_code == 400 and "Välj en roll för Kommunfullmäktige" in response.text
    response = client.post(url, _formset(rows, reason="Delegation till KS."))
    assert response.status_code == 302
    (event,) = AuditEvent.objects.filter(pk__gt=before)
    assert event.action == "case.chain_changed" and event.payload["reason"] == "Delegation till KS."
    assert _chain(AdoptionCase.objects.get(pk=danderyd_case.pk))[-1] == ("Kommunstyrelsen", "decides")
    case_page = client.get(reverse("decisions:case", args=[danderyd_case.pk])).text
    assert "Ändra beslutskedjan" in case_page and "Vår vanliga beslutsgång" in case_page

    client.force_login(ksl_officer)
    assert client.get(url).status_code == 200
    assert client.post(url, _formset(rows, reason="x")).status_code == 403
    client.force_login(ekero_clerk)
    assert client.get(url).status_code == 404
