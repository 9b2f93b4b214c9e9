"""A real Celery worker for the tests that need one (make test-services): on the test database, own queue."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def worker_start(queue: str, *, path: str | None = None) -> subprocess.Popen:
    """A solo-pool worker on ``queue`` (comma-separated queues allowed) against the test database and the
    test broker, in its own process group (so a test can kill it and what it started with -9)."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    }
    if path is not None:
        env["PATH"] = path
    return subprocess.Popen(worker_command(queue), cwd=ROOT, env=env, start_new_session=True)  # noqa: S603


def worker_command(queue: str, *, concurrency: int | None = None) -> list[str]:
    """``celery worker`` on ``queue``: a solo pool, or a prefork pool of ``concurrency`` processes."""
    pool = ["--pool", "solo"] if concurrency is None else ["--concurrency", str(concurrency)]
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "governance",
        "worker",
        *pool,
        "-Q",
        queue,
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "--loglevel",
        "WARNING",
    ]
