"""Webhooks through the REST API: a system registers its endpoint with its token, gets one signed delivery
per event it chose, reads the log and retries — through the webhooks app's own services and rules."""

import pytest
from rest_framework.test import APIClient

from governance.api.services import api_token_create
from governance.core.models import AuditEvent
from governance.decisions import services as decisions
from governance.webhooks.models import WebhookDelivery, WebhookEndpoint

from .conftest import verify

LIST = "/api/v1/webhooks/"


def _client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(acting_user=user, name='Diariet')[1]}")
    return client


def test_a_system_registers_by_api_and_gets_one_signed_delivery(
    receiver, danderyd_case, danderyd_clerk, django_capture_on_commit_callbacks
):
    api = _client(danderyd_clerk)
    answer = api.post(
        LIST, {"name": "Diariet", "url": receiver.url, "events": ["case.state_changed"]}, format="json"
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["secret"] and body["active"] is True and body["events"] == ["case.state_changed"]
    endpoint = WebhookEndpoint.objects.get(pk=body["id"])
    assert endpoint.owner == danderyd_clerk
    registered = AuditEvent.objects.get(action="webhook.registered", object_id=str(endpoint.pk))
    assert "secret" not in registered.payload and body["secret"] not in str(registered.payload)

    with django_capture_on_commit_callbacks(execute=True):
        decisions.case_start_preparation(acting_user=danderyd_clerk, case=danderyd_case)

    assert len(receiver.successful()) == 1
    payload = verify(receiver.requests[0], body["secret"])
    assert payload["data"]["case"]["id"] == danderyd_case.pk

    log = api.get(f"{LIST}{endpoint.pk}/deliveries/").json()
    assert log["count"] == 1 and log["results"][0]["state"] == "delivered"
    # The list never shows the secret; the endpoint's own address does (to its owner).
    assert "secret" not in api.get(LIST).json()[0]
    assert api.get(f"{LIST}{endpoint.pk}/").json()["secret"] == body["secret"]


def test_bad_input_is_a_swedish_400_and_stores_nothing(danderyd_clerk, settings):
    settings.WEBHOOKS_ALLOW_INSECURE = False
    api = _client(danderyd_clerk)
    for data in (
        {"name": "x", "url": "http://169.254.169.254/latest", "events": ["case.state_changed"]},
        {"name": "x", "url": "https://diarie.example/hook", "events": ["nothing.happened"]},
        {"name": "x" * 101, "url": "https://diarie.example/hook", "events": ["case.state_changed"]},
        {"name": "x", "url": "https://diarie.example/hook", "events": []},
    ):
        answer = api.post(LIST, data, format="json")
        assert answer.status_code == 400, data
        error = answer.json()
        assert error["code"] == "validation_error" and error["fields"], error
    assert not WebhookEndpoint.objects.exists()


def test_another_users_endpoint_does_not_exist_and_outsiders_are_refused(
    danderyd_clerk, ekero_clerk, outsider
):
    api = _client(danderyd_clerk)
    created = api.post(
        LIST,
        {"name": "D", "url": "https://diarie.example/hook", "events": ["decision.recorded"]},
        format="json",
    ).json()
    other = _client(ekero_clerk)
    for method, path in (
        ("get", f"{LIST}{created['id']}/"),
        ("patch", f"{LIST}{created['id']}/"),
        ("delete", f"{LIST}{created['id']}/"),
        ("post", f"{LIST}{created['id']}/secret/"),
        ("get", f"{LIST}{created['id']}/deliveries/"),
    ):
        assert getattr(other, method)(path, {}, format="json").status_code == 404, (method, path)
    assert other.get(LIST).json() == []
    assert _client(outsider).get(LIST).json()["code"] == "permission_denied"
    assert APIClient().get(LIST).status_code == 401
    assert WebhookEndpoint.objects.filter(pk=created["id"]).exists()


def test_change_switch_off_rotate_retry_and_delete_are_audited(danderyd_clerk):
    api = _client(danderyd_clerk)
    created = api.post(
        LIST,
        {"name": "D", "url": "https://diarie.example/hook", "events": ["decision.recorded"]},
        format="json",
    ).json()
    path = f"{LIST}{created['id']}/"

    changed = api.patch(
        path, {"events": ["decision.recorded", "case.state_changed"], "active": False}, format="json"
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["active"] is False
    assert changed.json()["events"] == ["case.state_changed", "decision.recorded"]

    rotated = api.post(f"{path}secret/").json()["secret"]
    assert rotated != created["secret"]

    endpoint = WebhookEndpoint.objects.get(pk=created["id"])
    failed = WebhookDelivery.objects.create(
        endpoint=endpoint, event="decision.recorded", state="failed", attempts=8
    )
    refused = api.post(f"{path}deliveries/{failed.pk}/retry/")
    assert refused.status_code == 400 and "Aktivera" in refused.json()["message"]  # switched off
    api.patch(path, {"active": True}, format="json")
    retried = api.post(f"{path}deliveries/{failed.pk}/retry/")
    assert retried.status_code == 200 and retried.json()["state"] == "pending"

    assert api.delete(path).status_code == 204
    assert not WebhookEndpoint.objects.filter(pk=created["id"]).exists()
    actions = list(
        AuditEvent.objects.filter(object_id=str(created["id"]), action__startswith="webhook.").values_list(
            "action", flat=True
        )
    )
    assert actions == [
        "webhook.registered",
        "webhook.changed",
        "webhook.deactivated",
        "webhook.secret_rotated",
        "webhook.activated",
        "webhook.deleted",
    ]
    assert AuditEvent.objects.filter(action="webhook_delivery.retried", object_id=str(failed.pk)).count() == 1


@pytest.mark.parametrize("count", [1, 12])
def test_the_delivery_log_costs_the_same_queries_at_any_length(
    danderyd_clerk, count, django_assert_max_num_queries
):
    api = _client(danderyd_clerk)
    created = api.post(
        LIST,
        {"name": "D", "url": "https://diarie.example/hook", "events": ["decision.recorded"]},
        format="json",
    ).json()
    endpoint = WebhookEndpoint.objects.get(pk=created["id"])
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(endpoint=endpoint, event="decision.recorded") for _ in range(count)
    )
    with django_assert_max_num_queries(9):
        assert api.get(f"{LIST}{endpoint.pk}/deliveries/").json()["count"] == count


@pytest.mark.parametrize(
    ("events", "message"),
    [
        (["nope"], "Ogiltigt val: ”nope”."),
        ([], "Ange minst 1."),
        ("case.state_changed", "Ange en lista (inte str)."),
    ],
)
def test_the_apis_own_field_errors_are_swedish_and_flat(danderyd_clerk, events, message):
    """Trial finding: DRF's English messages, and a list item's error printed as a Python dict."""
    answer = _client(danderyd_clerk).post(
        LIST, {"name": "D", "url": "https://diarie.example/hook", "events": events}, format="json"
    )
    assert answer.status_code == 400
    assert answer.json()["fields"] == {"events": [message]}
