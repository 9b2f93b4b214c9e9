"""Background jobs of the documents app. Each calls a service and is safe to run twice."""

from celery import shared_task

from . import services


@shared_task(name="documents.document_render", acks_late=True)
def document_render(document_id: int) -> int:
    """Render one queued document version; delivered twice it stores one version."""
    return services.document_render(document_id=document_id).pk
