"""A real Celery worker killed with -9 in the middle of a webhook POST loses nothing: the delivery stays
pending, and the sweep delivers it once after the lease, signed, exactly one successful delivery.

Needs PostgreSQL and Redis (make test-services): the worker is a separate process on the same database, and
the task reaches it through the broker after the commit of the case transition.
"""

import datetime as dt
import os
import signal
import threading
import time

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from governance.decisions import services as decisions
from governance.webhooks import services
from governance.webhooks.models import WebhookDelivery
from tests.workers import worker_start

from .conftest import verify

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen within {seconds} s")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="separate worker processes need PostgreSQL")
def test_a_worker_killed_mid_post_loses_no_delivery(
    receiver, danderyd_case, danderyd_clerk, monkeypatch, real_broker
):
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "make test-services sets CELERY_BROKER_URL"
    monkeypatch.setenv("WEBHOOKS_ALLOW_INSECURE", "true")  # the worker's settings: a loopback receiver
    endpoint = services.endpoint_register(
        acting_user=danderyd_clerk, name="Diariet", url=receiver.url, events=["case.state_changed"]
    )
    receiver.hang = threading.Event()
    worker = worker_start("celery")
    try:
        decisions.case_start_preparation(acting_user=danderyd_clerk, case=danderyd_case)  # commits, enqueues
        _wait_for(lambda: receiver.requests, 90, "the worker's POST")
        os.killpg(worker.pid, signal.SIGKILL)  # kill -9 while the POST waits for its answer
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
    receiver.hang.set()
    receiver.hang = None
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.state, delivery.attempts, delivery.delivered_at) == ("pending", 1, None)
    now = timezone.now()
    assert services.deliveries_deliver_due(now=now)["delivered"] == 0  # the lease still runs
    after = now + services.DELIVERY_LEASE + dt.timedelta(seconds=1)
    assert services.deliveries_deliver_due(now=after)["delivered"] == 1  # the beat's sweep
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 2, 200)
    assert len(receiver.successful()) == 1
    first, second = receiver.requests
    assert first["answered"] == "dropped"
    assert (
        verify(first, endpoint.secret)["id"]
        == verify(second, endpoint.secret)["id"]
        == str(delivery.event_id)
    )
