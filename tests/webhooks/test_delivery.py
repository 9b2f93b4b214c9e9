"""Delivery through the webhook outbox: a receiver outage, backoff, the last attempt, "Försök igen", a worker
killed mid-delivery, and the addresses a webhook may never reach."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from governance.core.services import outbox_backoff
from governance.decisions import services as decisions
from governance.webhooks import sending, services
from governance.webhooks.models import WebhookDelivery

from .conftest import verify


@pytest.fixture
def endpoint(receiver, danderyd_clerk):
    return services.endpoint_register(
        acting_user=danderyd_clerk, name="Ärendesystemet", url=receiver.url, events=["case.state_changed"]
    )


def test_receiver_answering_500_then_up_gets_exactly_one_successful_delivery(
    receiver, endpoint, danderyd_case, danderyd_clerk
):
    receiver.status = 500
    decisions.case_start_preparation(acting_user=danderyd_clerk, case=danderyd_case)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    now = timezone.now()
    assert services.delivery_deliver(delivery_id=delivery.pk, now=now) == "retry"
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("pending", 1, 500)
    assert delivery.last_error.startswith("HTTP 500")
    assert delivery.next_attempt_at == now + outbox_backoff(1) == now + dt.timedelta(minutes=1)
    assert services.deliveries_deliver_due(now=now)["skipped"] == 0  # not due yet: not even tried
    assert len(receiver.requests) == 1

    receiver.status = 200
    later = now + dt.timedelta(minutes=1, seconds=1)
    assert services.deliveries_deliver_due(now=later) == {
        "delivered": 1,
        "retry": 0,
        "failed": 0,
        "skipped": 0,
    }
    assert services.deliveries_deliver_due(now=later + dt.timedelta(hours=1))["delivered"] == 0
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status, delivery.last_error) == (
        "delivered",
        2,
        200,
        "",
    )
    assert len(receiver.successful()) == 1
    first, second = (verify(r, endpoint.secret) for r in receiver.requests)
    assert first == second  # the same event, the same id: the receiver can tell a repeat


def test_receiver_down_then_up_gets_exactly_one_delivery(receiver, endpoint, danderyd_case, danderyd_clerk):
    receiver.stop()
    decisions.case_start_preparation(acting_user=danderyd_clerk, case=danderyd_case)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    now = timezone.now()
    assert services.delivery_deliver(delivery_id=delivery.pk, now=now) == "retry"
    delivery.refresh_from_db()
    assert delivery.state == "pending" and delivery.last_status is None
    assert "ConnectionRefused" in delivery.last_error
    receiver.start()  # the same port again
    assert services.deliveries_deliver_due(now=now + dt.timedelta(minutes=2))["delivered"] == 1
    assert len(receiver.requests) == 1 and len(receiver.successful()) == 1
    verify(receiver.requests[0], endpoint.secret)


def test_after_the_last_attempt_failed_and_försök_igen_delivers_once(
    receiver, endpoint, danderyd_case, danderyd_clerk, client
):
    receiver.status = 503
    decisions.case_start_preparation(acting_user=danderyd_clerk, case=danderyd_case)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    now = timezone.now()
    outcomes = []
    for _attempt in range(services.DELIVERY_MAX_ATTEMPTS):
        outcomes.append(services.delivery_deliver(delivery_id=delivery.pk, now=now))
        now += dt.timedelta(hours=9)  # past the longest pause
    assert outcomes == ["retry"] * (services.DELIVERY_MAX_ATTEMPTS - 1) + ["failed"]
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("failed", 8, 503)
    assert services.deliveries_deliver_due(now=now + dt.timedelta(days=1))["delivered"] == 0

    client.force_login(danderyd_clerk)
    page = client.get(reverse("webhooks:endpoint", args=[endpoint.pk]))
    assert page.status_code == 200 and "Försök igen" in page.text and "misslyckades" in page.text
    receiver.status = 200
    retry_url = reverse("webhooks:delivery_retry", args=[endpoint.pk])
    assert client.post(retry_url, {"delivery": "x"}).status_code == 400
    response = client.post(retry_url, {"delivery": delivery.pk})
    assert response.status_code == 302
    # The test's transaction never commits: the worker's part (after the commit) is the sweep's here.
    assert services.deliveries_deliver_due()["delivered"] == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("delivered", 1)
    assert len(receiver.successful()) == 1
    from governance.core.models import AuditEvent

    retried = AuditEvent.objects.filter(action="webhook_delivery.retried").get()
    assert retried.actor == danderyd_clerk and retried.payload["last_error"].startswith("HTTP 503")
    with pytest.raises(ValidationError):  # delivered: nothing to retry
        services.delivery_retry(acting_user=danderyd_clerk, delivery=delivery)


def test_a_worker_killed_mid_delivery_loses_nothing(receiver, endpoint, danderyd_case, danderyd_clerk):
    """A worker that claimed the row and died before it could mark it: the row stays pending, and the sweep
    delivers it once the lease has run out (not before, so a slow worker is not doubled)."""
    decisions.case_start_preparation(acting_user=danderyd_clerk, case=danderyd_case)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(  # what the claim does; then the worker died
        attempts=1, next_attempt_at=now + services.DELIVERY_LEASE
    )
    assert services.deliveries_deliver_due(now=now)["delivered"] == 0
    assert services.delivery_deliver(delivery_id=delivery.pk, now=now) == "skipped"
    assert receiver.requests == []
    after = now + services.DELIVERY_LEASE + dt.timedelta(seconds=1)
    assert services.deliveries_deliver_due(now=after)["delivered"] == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("delivered", 2)
    assert len(receiver.requests) == 1


def test_a_redirect_is_not_followed(receiver, endpoint, danderyd_case, danderyd_clerk):
    receiver.status = 302
    decisions.case_start_preparation(acting_user=danderyd_clerk, case=danderyd_case)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert services.delivery_deliver(delivery_id=delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert delivery.state == "pending" and delivery.last_status == 302


def test_a_deactivated_endpoint_is_not_called(receiver, endpoint, danderyd_case, danderyd_clerk):
    decisions.case_start_preparation(acting_user=danderyd_clerk, case=danderyd_case)
    services.endpoint_deactivate(acting_user=danderyd_clerk, endpoint=endpoint)
    assert services.deliveries_deliver_due()["failed"] == 1
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.state == "failed" and "avaktiverad" in delivery.last_error
    assert receiver.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/hook",  # not https
        "https://127.0.0.1/hook",  # this machine
        "https://localhost/hook",
        "https://10.1.2.3/hook",  # private
        "https://192.168.1.1/hook",
        "https://169.254.169.254/latest/meta-data/",  # link-local (cloud metadata)
        "https://[::1]/hook",
        "https://[fd00::1]/hook",
        # IPv6 addresses that lead to a private IPv4 host (review finding: Python calls some of them global)
        "https://[64:ff9b::a00:1]/hook",  # NAT64 → 10.0.0.1
        "https://[2002:a00:1::1]/hook",  # 6to4 → 10.0.0.1
        "https://[::10.0.0.1]/hook",  # IPv4-compatible
        "https://[::ffff:10.0.0.1]/hook",  # IPv4-mapped
        "https://0.0.0.0/hook",
        "https://user:pw@example.org/hook",
        "ftp://example.org/hook",
        "https:///hook",
    ],
)
def test_addresses_refused_in_production(settings, url):
    settings.WEBHOOKS_ALLOW_INSECURE = False
    with pytest.raises(ValidationError):
        sending.url_check(url)


def test_public_https_is_allowed_and_names_are_checked_when_delivering(settings):
    settings.WEBHOOKS_ALLOW_INSECURE = False
    sending.url_check("https://hooks.example.org:8443/origo?x=1")
    sending.url_check("https://[2a00:1450:400f:80d::200e]/hook")  # a public IPv6 address
    sending.url_check("https://[64:ff9b::808:808]/hook")  # NAT64 to a public IPv4 address
    with pytest.raises(ValidationError, match="internt nät"):
        sending.resolve_checked("localhost", 443)  # a name that resolves to this machine


def test_a_loopback_receiver_is_refused_when_delivering_in_production(
    receiver, endpoint, danderyd_case, danderyd_clerk, settings
):
    decisions.case_start_preparation(acting_user=danderyd_clerk, case=danderyd_case)
    settings.WEBHOOKS_ALLOW_INSECURE = False
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert services.delivery_deliver(delivery_id=delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert "https" in delivery.last_error or "datorn" in delivery.last_error
    assert receiver.requests == []


def test_a_failing_payload_builder_never_stops_the_change(
    receiver, endpoint, danderyd_case, danderyd_clerk, caplog
):
    """A subscriber's problem is logged; the case still moves (and its audit row is written)."""
    from governance.core.models import AuditEvent
    from governance.webhooks import registry

    source = registry.sources_for("case.preparation_started")[0]

    def broken(obj, audit_event):
        raise KeyError("broken payload")

    monkeypatched = [registry.EventSource(**{**source.__dict__, "payload": broken})]
    original = registry._SOURCES["case.preparation_started"]
    registry._SOURCES["case.preparation_started"] = monkeypatched
    try:
        case = decisions.case_start_preparation(acting_user=danderyd_clerk, case=danderyd_case)
    finally:
        registry._SOURCES["case.preparation_started"] = original
    assert case.state == "in_preparation"
    assert AuditEvent.objects.filter(action="case.preparation_started", object_id=str(case.pk)).exists()
    assert not WebhookDelivery.objects.exists()
    assert "could not be written" in caplog.text


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_workers_delivering_the_same_row_post_once(receiver, endpoint, danderyd_case, danderyd_clerk):
    """On PostgreSQL, two tasks for the same delivery at the same moment: the conditional UPDATE lets one
    claim it; the other is ``skipped`` and never POSTs."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    decisions.case_start_preparation(acting_user=danderyd_clerk, case=danderyd_case)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    receiver.requests.clear()  # the inline delivery after the commit; now two workers at once
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        state="pending", attempts=0, delivered_at=None, next_attempt_at=timezone.now()
    )
    results, barrier = [], threading.Barrier(2)

    def deliver():
        from django.db import connections

        barrier.wait()
        try:
            results.append(services.delivery_deliver(delivery_id=delivery.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == ["delivered", "skipped"]
    assert len(receiver.requests) == 1


def test_the_admin_shows_the_log_but_never_the_secret(client, host_admin, endpoint):
    from django.urls import reverse as admin_reverse

    client.force_login(host_admin)
    page = client.get(admin_reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk]))
    assert page.status_code == 200 and endpoint.url in page.text and endpoint.secret not in page.text
    assert client.get(admin_reverse("admin:webhooks_webhookdelivery_changelist")).status_code == 200
    assert (
        client.post(admin_reverse("admin:webhooks_webhookendpoint_delete", args=[endpoint.pk])).status_code
        == 403
    )
