"""No document stays "I kö" or "Skapas" for ever (issue 12, items 8 and 9).

- A failed enqueue (the broker is down when the request commits) is no server error: the version stays
  queued, and the stale-job sweep sends it again; after ``MAX_RESENDS`` sends it is failed with a Swedish note.
- A version left "running" by a killed worker is queued again by the sweep once the render task's hard time
  limit (plus a margin) has passed, long before Redis' visibility timeout would redeliver it.
- The sweep is idempotent, scheduled by beat, and the visibility timeout stays above the hard limit.

The task bodies are called directly and the enqueue is observed with ``django_capture_on_commit_callbacks``;
nothing relies on eager mode.
"""

import datetime as dt
import uuid

import pytest
from django.conf import settings
from django.utils import timezone
from kombu.exceptions import OperationalError

from governance.core.models import AuditEvent
from governance.core.transitions import transition_run
from governance.decisions import memo_paper
from governance.decisions.models import AdoptionCase
from governance.documents import services, tasks


@pytest.fixture
def sent(monkeypatch):
    """The ids the render task was enqueued with (the broker is not touched)."""
    ids = []
    monkeypatch.setattr(tasks.document_render, "delay", lambda pk: ids.append(pk))
    return ids


class Clock:
    """The time the sweep runs at and the audit trail records: moved by the test, not by the wall clock."""

    def __init__(self):
        self.now = timezone.now()

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        self.now += delta
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(AuditEvent._meta.get_field("occurred_at"), "_get_default", lambda: clock.now)
    return clock


def _request(user):
    case = AdoptionCase.objects.select_related("organisation", "recommendation__agreement").get(
        recommendation__slug="origo-2012", organisation__municipality_code="0162"
    )
    return services.document_request(
        acting_user=user,
        kind="memo",
        subject_key=f"case:{case.pk}",
        params=memo_paper.memo_defaults(case, user).__dict__,
        request_key=uuid.uuid4(),
    )


def _later(**delta):
    return timezone.now() + dt.timedelta(**delta)


def _events(document, action):
    return AuditEvent.objects.filter(object_id=str(document.pk), action=action).count()


def test_a_failed_enqueue_is_no_server_error_and_the_version_stays_queued(
    danderyd_clerk, django_capture_on_commit_callbacks, monkeypatch
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.document_render.app, "send_task", broker_down)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        document = _request(danderyd_clerk)
    assert len(callbacks) == 1
    document.refresh_from_db()
    assert document.status == "queued"


def test_the_sweep_sends_a_queued_version_again_then_fails_it_in_swedish(
    danderyd_clerk, django_capture_on_commit_callbacks, sent, clock
):
    document = _request(danderyd_clerk)
    assert services.documents_sweep_stale(now=clock.advance(dt.timedelta(minutes=5))) == {
        "resent": 0,
        "failed": 0,
    }
    for attempt in range(1, services.MAX_RESENDS + 1):
        now = clock.advance(services.STALE_QUEUED_AFTER + dt.timedelta(minutes=1))
        with django_capture_on_commit_callbacks(execute=True):
            assert services.documents_sweep_stale(now=now) == {"resent": 1, "failed": 0}
        assert sent == [document.pk] * attempt
        document.refresh_from_db()
        assert document.status == "queued"
        assert _events(document, "document.resent") == attempt
        # Idempotent: run again at the same moment (a second beat, a redelivered sweep), nothing more is sent.
        assert services.documents_sweep_stale(now=now) == {"resent": 0, "failed": 0}
    now = clock.advance(services.STALE_QUEUED_AFTER + dt.timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.documents_sweep_stale(now=now) == {"resent": 0, "failed": 1}
    document.refresh_from_db()
    assert document.status == "failed"
    assert "Bakgrundsjobbet blev inte klart" in document.error
    assert len(sent) == services.MAX_RESENDS
    # A failed version is left alone from then on.
    assert services.documents_sweep_stale(now=clock.advance(dt.timedelta(hours=2))) == {
        "resent": 0,
        "failed": 0,
    }


def test_a_running_version_whose_worker_died_is_queued_again_after_the_hard_limit(
    danderyd_clerk, django_capture_on_commit_callbacks, sent
):
    document = _request(danderyd_clerk)
    transition_run(acting_user=None, obj=document, transition="start", expected_state="queued")
    limit = services.render_hard_limit()
    # Within the hard limit (and its margin) the worker may still be at it: left alone.
    assert services.documents_sweep_stale(now=timezone.now() + limit) == {"resent": 0, "failed": 0}
    with django_capture_on_commit_callbacks(execute=True):
        counts = services.documents_sweep_stale(
            now=timezone.now() + limit + services.STALE_RUNNING_MARGIN + dt.timedelta(seconds=5)
        )
    assert counts == {"resent": 1, "failed": 0}
    assert sent == [document.pk]
    document.refresh_from_db()
    assert document.status == "queued"
    event = AuditEvent.objects.filter(object_id=str(document.pk)).latest("id")
    assert (event.action, event.source_state, event.target_state) == ("document.resent", "running", "queued")
    # The redelivered task renders it once.
    rendered = services.document_render(document_id=document.pk)
    assert rendered.status == "done" and rendered.version == document.version


def test_the_sweep_task_calls_the_service_and_beat_runs_it_every_few_minutes(danderyd_clerk, sent):
    _request(danderyd_clerk)
    assert tasks.stale_jobs_sweep() == {"resent": 0, "failed": 0}  # nothing is stale yet
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "documents.stale_jobs_sweep"]
    assert len(entries) == 1
    schedule = entries[0]["schedule"]
    assert len(schedule.minute) >= 12  # at least every five minutes


def test_the_redis_visibility_timeout_is_above_the_render_tasks_hard_limit(monkeypatch):
    import importlib

    import governance.settings as project_settings

    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
    try:
        redis_settings = importlib.reload(project_settings)
        timeout = redis_settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
        hard_limit = services.render_hard_limit() + services.STALE_RUNNING_MARGIN
        assert timeout > hard_limit.total_seconds()
        assert redis_settings.CELERY_TASK_ACKS_LATE and redis_settings.CELERY_TASK_REJECT_ON_WORKER_LOST
        time_limit = getattr(redis_settings, "CELERY_TASK_TIME_LIMIT", None)
        if time_limit:
            assert timeout > time_limit
    finally:
        monkeypatch.undo()
        importlib.reload(project_settings)
