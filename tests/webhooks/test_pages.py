"""The webhook pages and the endpoint services: registering, the secret, deactivating, who sees what, and
the audit rows."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from governance.core.models import AuditEvent
from governance.webhooks import services
from governance.webhooks.models import WebhookDelivery, WebhookEndpoint


def test_registering_on_the_page_shows_the_secret_and_writes_one_audit_row(client, ekero_clerk, settings):
    settings.WEBHOOKS_ALLOW_INSECURE = False
    client.force_login(ekero_clerk)
    response = client.post(
        reverse("webhooks:list"),
        {
            "name": "Ekerös diarium",
            "url": "https://diarie.ekero.example/hooks",
            "events": ["case.state_changed", "decision.recorded"],
        },
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "webhooks:endpoint", args=[endpoint.pk]
    )
    assert endpoint.owner == ekero_clerk and endpoint.active and len(endpoint.secret) >= 40
    assert endpoint.events == ["case.state_changed", "decision.recorded"]
    page = client.get(response["Location"])
    assert page.status_code == 200 and endpoint.secret in page.text and "X-Origo-Signature" in page.text
    event = AuditEvent.objects.get(action="webhook.registered")
    assert event.actor == ekero_clerk and event.object_id == str(endpoint.pk)
    assert event.payload["url"] == "https://diarie.ekero.example/hooks"
    assert endpoint.secret not in str(event.payload)  # the secret never enters the audit trail


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "x", "url": "http://diarie.example/h", "events": ["case.state_changed"]}, "https://"),
        ({"name": "x", "url": "https://10.0.0.7/h", "events": ["case.state_changed"]}, "internt nät"),
        ({"name": "x", "url": "https://diarie.example/h"}, "Detta fält måste fyllas i"),
        ({"name": "x", "url": "https://diarie.example/h", "events": ["case.deleted"]}, "giltigt alternativ"),
        (
            {"name": "x", "url": "https://d.example/" + "a" * 600, "events": ["case.state_changed"]},
            "som mest 500",
        ),
    ],
)
def test_bad_input_is_a_400_with_a_swedish_message_and_stores_nothing(
    client, ekero_clerk, settings, data, message
):
    settings.WEBHOOKS_ALLOW_INSECURE = False
    client.force_login(ekero_clerk)
    response = client.post(reverse("webhooks:list"), data)
    assert response.status_code == 400 and message in response.text
    assert not WebhookEndpoint.objects.exists()
    assert not AuditEvent.objects.filter(action="webhook.registered").exists()


def test_deactivate_activate_rotate_change_and_delete_are_audited(client, ekero_clerk, settings):
    settings.WEBHOOKS_ALLOW_INSECURE = False
    endpoint = services.endpoint_register(
        acting_user=ekero_clerk, name="A", url="https://a.example/h", events=["minutes.published"]
    )
    client.force_login(ekero_clerk)
    assert client.post(reverse("webhooks:endpoint_deactivate", args=[endpoint.pk])).status_code == 302
    assert (
        client.post(reverse("webhooks:endpoint_deactivate", args=[endpoint.pk])).status_code == 302
    )  # again
    endpoint.refresh_from_db()
    assert not endpoint.active
    assert AuditEvent.objects.filter(action="webhook.deactivated", object_id=str(endpoint.pk)).count() == 1
    assert client.post(reverse("webhooks:endpoint_activate", args=[endpoint.pk])).status_code == 302
    old_secret = endpoint.secret
    assert client.post(reverse("webhooks:endpoint_secret", args=[endpoint.pk])).status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.secret != old_secret
    response = client.post(
        reverse("webhooks:endpoint", args=[endpoint.pk]),
        {"name": "B", "url": "https://b.example/h", "events": ["case.state_changed"]},
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.name, endpoint.url, endpoint.events) == (
        "B",
        "https://b.example/h",
        ["case.state_changed"],
    )
    changed = AuditEvent.objects.get(action="webhook.changed")
    assert changed.payload["before"]["url"] == "https://a.example/h"
    assert (
        client.post(reverse("webhooks:endpoint_delete", args=[endpoint.pk])).status_code == 400
    )  # unconfirmed
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
    response = client.post(reverse("webhooks:endpoint_delete", args=[endpoint.pk]), {"confirm": "1"})
    assert response.status_code == 302 and not WebhookEndpoint.objects.exists()
    actions = list(
        AuditEvent.objects.filter(action__startswith="webhook.", object_id=str(endpoint.pk)).values_list(
            "action", flat=True
        )
    )
    assert actions == [
        "webhook.registered",
        "webhook.deactivated",
        "webhook.activated",
        "webhook.secret_rotated",
        "webhook.changed",
        "webhook.deleted",
    ]


def test_another_users_endpoint_does_not_exist_for_you(client, ekero_clerk, danderyd_clerk, settings):
    settings.WEBHOOKS_ALLOW_INSECURE = False
    endpoint = services.endpoint_register(
        acting_user=ekero_clerk, name="A", url="https://a.example/h", events=["minutes.published"]
    )
    client.force_login(danderyd_clerk)
    assert client.get(reverse("webhooks:endpoint", args=[endpoint.pk])).status_code == 404
    assert client.post(reverse("webhooks:endpoint_deactivate", args=[endpoint.pk])).status_code == 404
    assert endpoint.secret not in client.get(reverse("webhooks:list")).text
    with pytest.raises(Http404):
        services.endpoint_deactivate(acting_user=danderyd_clerk, endpoint=endpoint)
    endpoint.refresh_from_db()
    assert endpoint.active


def test_an_outsider_may_not_register(outsider, settings):
    settings.WEBHOOKS_ALLOW_INSECURE = False
    with pytest.raises(PermissionDenied):
        services.endpoint_register(
            acting_user=outsider, name="A", url="https://a.example/h", events=["minutes.published"]
        )


def test_the_list_and_the_log_need_a_fixed_number_of_queries(
    client, ekero_clerk, settings, django_assert_max_num_queries
):
    settings.WEBHOOKS_ALLOW_INSECURE = False
    client.force_login(ekero_clerk)
    for n in range(5):
        endpoint = services.endpoint_register(
            acting_user=ekero_clerk, name=f"E{n}", url=f"https://e{n}.example/h", events=["minutes.published"]
        )
        for state in ("pending", "delivered", "failed"):
            WebhookDelivery.objects.create(endpoint=endpoint, event="minutes.published", state=state)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("webhooks:list"))
    assert page.status_code == 200 and page.text.count("/webhooks/") >= 5
    with django_assert_max_num_queries(12):
        page = client.get(reverse("webhooks:endpoint", args=[endpoint.pk]))
    assert page.status_code == 200 and page.text.count("Försök igen") == 1
