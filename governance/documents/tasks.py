"""Background jobs of the documents app. Each calls a service and is safe to run twice."""

import logging

from celery import Task, shared_task
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


@shared_task(name="documents.document_render", acks_late=True, base=EnqueuedOnCommit)
def document_render(document_id: int) -> int:
    """Render one queued document version; delivered twice it stores one version."""
    return services.document_render(document_id=document_id).pk


@shared_task(name="documents.stale_jobs_sweep", base=EnqueuedOnCommit)
def stale_jobs_sweep() -> dict[str, int]:
    """Send versions whose worker died or whose enqueue failed to the worker again, or fail them (every few
    minutes, ``CELERY_BEAT_SCHEDULE``); a second run finds nothing more to do."""
    return services.documents_sweep_stale()
