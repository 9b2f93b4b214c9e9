"""A real Celery worker against Redis and PostgreSQL (make test-services)."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from governance.core.models import AuditCheck
from governance.core.tasks import audit_chain_check

pytestmark = pytest.mark.services
ROOT = Path(__file__).resolve().parents[2]


def test_a_real_worker_runs_the_nightly_check(db):
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "make test-services sets CELERY_BROKER_URL"
    db_settings = connection.settings_dict
    database_url = (
        f"postgres://{db_settings['USER']}@{db_settings['HOST'] or '127.0.0.1'}:{db_settings['PORT'] or 5432}/"
        f"{db_settings['NAME']}"
    )
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": database_url, "CELERY_BROKER_URL": settings.CELERY_BROKER_URL}
    worker = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "governance",
            "worker",
            "--pool",
            "solo",
            "-Q",
            queue,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
    )
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
