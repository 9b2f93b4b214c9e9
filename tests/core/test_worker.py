"""A real Celery worker against Redis and PostgreSQL (make test-services)."""

import time
import uuid

import pytest
from django.conf import settings

from governance.core.models import AuditCheck
from governance.core.tasks import audit_chain_check
from tests.workers import worker_start

pytestmark = pytest.mark.services


def test_a_real_worker_runs_the_nightly_check(db):
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "make test-services sets CELERY_BROKER_URL"
    queue = f"test-{uuid.uuid4().hex[:8]}"
    worker = worker_start(queue)
    try:
        before = set(AuditCheck.objects.values_list("pk", flat=True))
        audit_chain_check.apply_async(queue=queue)
        deadline = time.monotonic() + 60
        new = []
        while time.monotonic() < deadline and not new:
            time.sleep(0.5)
            new = list(AuditCheck.objects.exclude(pk__in=before))
        assert len(new) == 1, "the worker did not run the task within 60 s"
        assert new[0].intact and new[0].rows_checked > 0
    finally:
        worker.terminate()
        worker.wait(timeout=30)
