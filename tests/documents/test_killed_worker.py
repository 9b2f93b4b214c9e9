"""Issue 12, item 9: a real Celery worker killed with -9 in the middle of a render leaves the version "running";
the sweep sends it again after the hard limit, a second worker renders it, and exactly one version is stored.

Needs PostgreSQL and Redis (make test-services): the workers are separate processes on the same database.
A fake ``soffice`` that hangs keeps the first worker inside the task long enough to kill it there.
"""

import contextlib
import datetime as dt
import os
import signal
import stat
import time
import uuid

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from governance.core.models import AuditEvent
from governance.decisions import memo_paper
from governance.decisions.models import AdoptionCase
from governance.documents import services, tasks
from governance.documents.models import GeneratedDocument
from tests.workers import worker_start

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
HANGING_SOFFICE = """#!/bin/sh
echo $$ >> "{pids}"
exec sleep 300
"""


def _wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"{what} did not happen within {seconds} s")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="separate worker processes need PostgreSQL")
def test_a_worker_killed_mid_render_is_replaced_and_one_version_is_stored(tmp_path):
    from django.contrib.auth import get_user_model

    assert settings.CELERY_BROKER_URL.startswith("redis://"), "make test-services sets CELERY_BROKER_URL"
    clerk = get_user_model().objects.get(username="danderyd")
    case = AdoptionCase.objects.get(recommendation__slug="origo-2012", organisation__municipality_code="0162")
    document = services.document_request(
        acting_user=clerk,
        kind="memo",
        subject_key=f"case:{case.pk}",
        params=memo_paper.memo_defaults(case, clerk).__dict__,
        request_key=uuid.uuid4(),
    )
    fake = tmp_path / "bin"
    fake.mkdir()
    pids = tmp_path / "pids"
    (fake / "soffice").write_text(HANGING_SOFFICE.format(pids=pids))
    (fake / "soffice").chmod(0o755 | stat.S_IXUSR)
    queue = f"test-kill-{uuid.uuid4().hex[:8]}"
    first = worker_start(queue, path=f"{fake}:{os.environ['PATH']}")
    second = None
    try:
        tasks.document_render.apply_async(args=[document.pk], queue=queue)
        _wait_for(lambda: pids.exists() and pids.read_text().strip(), 90, "the render reaching the PDF step")
        assert GeneratedDocument.objects.get(pk=document.pk).status == "running"
        os.killpg(first.pid, signal.SIGKILL)  # kill -9, the worker and anything it started
        first.wait(timeout=30)
        for pid in pids.read_text().split():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(int(pid), signal.SIGKILL)
        assert GeneratedDocument.objects.get(pk=document.pk).status == "running"  # nobody will finish it

        # The beat's sweep, past the hard limit: running → queued and a new send.
        later = timezone.now() + dt.timedelta(hours=1)
        result = services.documents_sweep_stale(now=later)
        assert result == {"resent": 1, "failed": 0}, result
        assert GeneratedDocument.objects.get(pk=document.pk).status == "queued"
        second = worker_start(f"{queue},celery")
        tasks.document_render.apply_async(args=[document.pk], queue=queue)  # delivered twice on purpose
        done = _wait_for(
            lambda: GeneratedDocument.objects.filter(pk=document.pk, status="done").first(),
            120,
            "the re-render",
        )
        time.sleep(2)  # let the second delivery run too
        assert done.file and len(done.sha256) == 64
        assert GeneratedDocument.objects.filter(subject_key=f"case:{case.pk}", kind="memo").count() == 1
        done.refresh_from_db()
        assert done.status == "done" and done.version == document.version
        assert AuditEvent.objects.filter(action="document.resent", object_id=str(document.pk)).count() == 1
    finally:
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
                worker.wait(timeout=30)
