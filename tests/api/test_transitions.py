"""A case transition through the API: the page's service, rules and audit row; 409 when stale; idempotent."""

import uuid

from governance.core.models import AuditEvent, RequestKey
from governance.decisions.models import AdoptionCase


def _danderyd_2027():
    return AdoptionCase.objects.get(recommendation__slug="origo-2027", organisation__municipality_code="0162")


def _proposed_rows(case):
    return AuditEvent.objects.filter(object_id=str(case.pk), action="case.proposed")


def test_the_transitions_available_are_the_case_pages_buttons(api_as, danderyd_clerk, ksl_officer):
    case = _danderyd_2027()
    assert case.state == "in_preparation"
    mine = api_as(danderyd_clerk).get(f"/api/v1/cases/{case.pk}/transitions/").json()
    assert mine["state"] == "in_preparation"
    assert "propose" in {row["action"] for row in mine["available"]}
    ksl = api_as(ksl_officer).get(f"/api/v1/cases/{case.pk}/transitions/").json()
    assert {row["action"] for row in ksl["available"]} == {"withdraw"}


def test_propose_through_the_api_writes_the_audit_row_once_on_a_retry(api_as, danderyd_clerk):
    case = _danderyd_2027()
    api = api_as(danderyd_clerk)
    key = str(uuid.uuid4())
    body = {"action": "propose", "expected_state": "in_preparation", "comment": "Via ärendesystemet"}
    first = api.post(f"/api/v1/cases/{case.pk}/transitions/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 200, first.content
    assert first.json()["state"] == "proposed"
    assert "Idempotent-Replayed" not in first
    row = _proposed_rows(case).get()
    assert row.actor == danderyd_clerk and row.comment == "Via ärendesystemet"
    assert (row.source_state, row.target_state) == ("in_preparation", "proposed")

    retry = api.post(f"/api/v1/cases/{case.pk}/transitions/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert retry.status_code == 200 and retry["Idempotent-Replayed"] == "true"
    assert retry.json()["state"] == "proposed"
    assert _proposed_rows(case).count() == 1
    assert RequestKey.objects.filter(key=key, user=danderyd_clerk).count() == 1


def test_a_stale_expected_state_is_409_and_changes_nothing(api_as, danderyd_clerk):
    case = _danderyd_2027()
    response = api_as(danderyd_clerk).post(
        f"/api/v1/cases/{case.pk}/transitions/",
        {"action": "propose", "expected_state": "received"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert response.status_code == 409 and response.json()["code"] == "conflict"
    assert _danderyd_2027().state == "in_preparation"
    assert not _proposed_rows(case).exists()
    assert not RequestKey.objects.exists()  # a failed write keeps no key: the corrected request may be sent


def test_the_forms_validation_and_the_rules_apply(api_as, danderyd_clerk, ksl_officer, ekero_clerk):
    case = _danderyd_2027()
    url = f"/api/v1/cases/{case.pk}/transitions/"
    withdraw = api_as(danderyd_clerk).post(url, {"action": "withdraw", "expected_state": "in_preparation"})
    assert withdraw.status_code == 403  # KSL withdraws, not the municipality
    missing = api_as(ksl_officer).post(url, {"action": "withdraw", "expected_state": "in_preparation"})
    assert missing.status_code == 400 and "comment" in missing.json()["fields"]
    assert (
        api_as(ksl_officer).post(url, {"action": "propose", "expected_state": "in_preparation"}).status_code
        == 403
    )
    assert (
        api_as(ekero_clerk).post(url, {"action": "propose", "expected_state": "in_preparation"}).status_code
        == 404
    )
    unknown = api_as(danderyd_clerk).post(url, {"action": "explode", "expected_state": "in_preparation"})
    assert unknown.status_code == 400 and "action" in unknown.json()["fields"]
    bad_key = api_as(danderyd_clerk).post(
        url, {"action": "propose", "expected_state": "in_preparation"}, HTTP_IDEMPOTENCY_KEY="inte-en-uuid"
    )
    assert bad_key.status_code == 400 and "Idempotency-Key" in bad_key.json()["fields"]
    assert _danderyd_2027().state == "in_preparation"


def test_ksl_withdraws_with_a_reason_through_the_session_with_csrf(ksl_officer):
    from django.test import Client

    case = _danderyd_2027()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(ksl_officer)
    url = f"/api/v1/cases/{case.pk}/transitions/"
    body = {"action": "withdraw", "expected_state": "in_preparation", "comment": "Fel kommun"}
    refused = browser.post(url, body, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"  # no CSRF token
    assert "CSRF" in refused.json()["message"] and "Failed" not in refused.json()["message"]
    browser.get("/api-nycklar/")
    token = browser.cookies["csrftoken"].value
    done = browser.post(url, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert done.status_code == 200 and done.json()["state"] == "withdrawn"
    assert (
        AuditEvent.objects.filter(object_id=str(case.pk), action="case.withdrawn", actor=ksl_officer).count()
        == 1
    )


def test_a_key_reused_on_another_case_is_refused_not_replayed(api_as, ksl_officer):
    """Review finding: the same Idempotency-Key on another case answered a false "done" (replayed)."""
    first, second = AdoptionCase.objects.filter(recommendation__slug="origo-2027", state="in_preparation")[:2]
    api = api_as(ksl_officer)
    key = str(uuid.uuid4())
    body = {
        "action": "withdraw",
        "expected_state": "in_preparation",
        "comment": "Rekommendationen dras tillbaka",
    }
    done = api.post(f"/api/v1/cases/{first.pk}/transitions/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert done.status_code == 200 and done.json()["state"] == "withdrawn"

    reused = api.post(
        f"/api/v1/cases/{second.pk}/transitions/", body, format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert reused.status_code == 400 and "Idempotent-Replayed" not in reused
    assert reused.json()["code"] == "validation_error"
    second.refresh_from_db()
    assert second.state == "in_preparation"
