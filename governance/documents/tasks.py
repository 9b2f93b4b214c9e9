"""Background jobs of the documents app. Each calls a service and is safe to run twice."""

import logging
import random

from celery import Task, shared_task
from django.db import OperationalError as DatabaseOperationalError
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from . import services

logger = logging.getLogger(__name__)


class EnqueuedOnCommit(Task):
    """A task enqueued from ``transaction.on_commit``: when the broker cannot be reached, ``delay`` logs and
    returns None instead of raising. The change has committed already, so an exception could only turn the
    user's answer into a server error; the version stays queued and the stale-job sweep
    (``documents.stale_jobs_sweep``) sends it again, or marks it failed, never queued for ever."""

    def apply_async(self, *args, **kwargs):
        if self.app.conf.task_always_eager:
            return super().apply_async(*args, **kwargs)
        try:
            return super().apply_async(*args, **kwargs)
        except (OperationalError, OSError) as exc:
            logger.warning(
                "Could not enqueue %s%s: %s; the stale-job sweep sends it again.", self.name, args, exc
            )
            return None


#: How many times a render that met a locked database (SQLite: another process held the write lock longer than
#: the busy timeout) or a lost connection is tried again before its version is marked failed.
RENDER_MAX_RETRIES = 5


def retry_countdown(retries: int) -> float:
    """Seconds before try ``retries + 1``: 2, 4, 8, 16, 32 (at most 60), each with jitter (half to all of it),
    so two workers that met the same lock do not meet again."""
    return min(60, 2 ** (retries + 1)) * random.uniform(0.5, 1.0)


@shared_task(
    bind=True,
    name="documents.document_render",
    acks_late=True,
    base=EnqueuedOnCommit,
    max_retries=RENDER_MAX_RETRIES,
)
def document_render(self, document_id: int) -> int:
    """Render one queued document version; delivered twice it stores one version.

    A database error (``database is locked``) rolls back the step it hit, so the version is still queued or
    running; the task is tried again with backoff and jitter, and after ``RENDER_MAX_RETRIES`` the version is
    marked failed with the reason: never left "I kö" or "Skapas". The stale-job sweep stays the backstop for
    a worker that died."""
    try:
        return services.document_render(document_id=document_id).pk
    except DatabaseOperationalError as exc:
        if self.request.called_directly:
            raise
        if self.request.retries < self.max_retries:
            logger.warning("Render of document %s met %s; trying again.", document_id, exc)
            raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc
        reason = _(
            "Databasen var upptagen även efter %(n)s nya försök (%(error)s). Beställ en ny version."
        ) % {"n": self.max_retries, "error": exc}
        return services.document_fail_unfinished(document_id=document_id, reason=reason).pk


@shared_task(name="documents.stale_jobs_sweep", base=EnqueuedOnCommit)
def stale_jobs_sweep() -> dict[str, int]:
    """Send versions whose worker died or whose enqueue failed to the worker again, or fail them (every few
    minutes, ``CELERY_BEAT_SCHEDULE``); a second run finds nothing more to do."""
    return services.documents_sweep_stale()
