"""Issue 16: a batch of memos rendered by two real worker processes ends with every version done or failed, none
queued or running, exactly one version per case — on SQLite (a file shared with this process, as ``make run``
does) and on PostgreSQL (make test-services). The lock-retry path runs against a real lock held by another
connection.

The workers get a PATH without LibreOffice, so the run stays short (PDF copies are tested elsewhere).
"""

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from tests.workers import ROOT, worker_command

MUNICIPALITIES = 40


@pytest.fixture(scope="module")
def sqlite_file(tmp_path_factory, django_db_setup, django_db_blocker):
    """The test database (the Origo data loaded for the session) copied to a file, before any test's
    transaction starts; each test works on a copy of its own."""
    path = tmp_path_factory.mktemp("sqlite") / "origo.sqlite3"
    with django_db_blocker.unblock():
        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()
    return path


def _copy(source, tmp_path):
    path = tmp_path / "governance.sqlite3"
    shutil.copyfile(source, path)
    (tmp_path / "bin").mkdir()
    return path


def _worker(env: dict, queue: str = "celery") -> subprocess.Popen:
    """One worker with a pool of two processes (``make run``'s), in its own process group."""
    return subprocess.Popen(  # noqa: S603
        worker_command(queue, concurrency=2), cwd=ROOT, env=env, start_new_session=True
    )


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)


def _drive(env: dict, timeout: float = 240) -> dict:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "tests.documents.batch_driver", str(MUNICIPALITIES), str(timeout)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout + 120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def _assert_every_version_ended(outcome: dict) -> None:
    counts = outcome["counts"]
    assert outcome["batch"] == "ready", outcome
    assert counts.get("queued", 0) == counts.get("running", 0) == 0, outcome  # none stuck
    assert counts.get("done", 0) + counts.get("failed", 0) == MUNICIPALITIES == outcome["expected"], outcome
    assert counts.get("done", 0) == MUNICIPALITIES, outcome  # nothing here should fail
    assert outcome["max_versions_per_case"] == 1, outcome  # a retry writes once


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite leg")
def test_a_batch_with_two_worker_processes_on_a_sqlite_file(tmp_path, sqlite_file):
    """The Origo data (loaded for the test session) copied to a file; the worker and the driver share it."""
    path = _copy(sqlite_file, tmp_path)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{path}",
        "CELERY_BROKER_URL": "filesystem://",
        "GOVERNANCE_VAR_DIR": str(tmp_path / "var"),
        "PATH": str(tmp_path / "bin"),  # no LibreOffice
    }
    worker = _worker(env)
    try:
        outcome = _drive(env)
    finally:
        _stop(worker)
    _assert_every_version_ended(outcome)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL leg")
def test_a_batch_with_two_worker_processes_on_postgresql(tmp_path):
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "make test-services sets CELERY_BROKER_URL"
    db = connection.settings_dict
    (tmp_path / "bin").mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "GOVERNANCE_VAR_DIR": str(tmp_path / "var"),
        "PATH": str(tmp_path / "bin"),
    }
    worker = _worker(env)
    try:
        outcome = _drive(env)
    finally:
        _stop(worker)
    _assert_every_version_ended(outcome)


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's write lock")
def test_a_render_that_meets_a_lock_is_retried_and_then_marked_failed(tmp_path, sqlite_file):
    """Another connection holds SQLite's write lock longer than the busy timeout: the render raises
    OperationalError with nothing changed (the task retries it); when it is released the render goes through;
    a render that keeps meeting the lock ends failed with a Swedish reason, never queued."""
    path = _copy(sqlite_file, tmp_path)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{path}",
        "GOVERNANCE_VAR_DIR": str(tmp_path / "var"),
        "PATH": str(tmp_path / "bin"),
        "SQLITE_BUSY_TIMEOUT": "3",
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "tests.documents.lock_driver", str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["first"] == "locked" and outcome["status_while_locked"] == "queued", outcome
    assert outcome["after_release"] == "done", outcome
    assert outcome["gave_up"] == "failed" and outcome["failed_events"] == 1, outcome
    assert "Databasen var upptagen även efter 5 nya försök" in outcome["error"], outcome
    assert outcome["versions"] == 1, outcome
