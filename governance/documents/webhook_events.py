"""The documents app's webhook event: a document version was generated (done).

Registered with ``webhooks.registry`` in ``DocumentsConfig.ready()``. Who receives it is who may open the
document's page: its kind's registered ``may_view`` for its subject (``permissions.can_view_document``).
"""

from django.urls import reverse

from governance.webhooks.choices import WebhookEvent
from governance.webhooks.registry import event_source_register, page_url

from . import registry
from .choices import DocumentAction, DocumentKind
from .models import GeneratedDocument
from .permissions import can_view_document


def document_payload(document: GeneratedDocument, audit_event) -> dict:
    entry = registry.kind_entry(document.kind)
    subject = document.subject
    return {
        "document": {
            "id": document.pk,
            "kind": document.kind,
            "kind_label": str(DocumentKind(document.kind).label)
            if document.kind in DocumentKind.values
            else document.kind,
            "version": document.version,
            "status": document.status,
            "sha256": document.sha256,
            "has_pdf": bool(document.pdf),
            "url": page_url(reverse("documents:document", args=[document.pk])),
            "docx_url": page_url(reverse("documents:document_docx", args=[document.pk])),
            # The same through the REST API, for a system with an API key (the page URLs want a login).
            "api_url": page_url(reverse("api:document-detail", args=[document.pk])),
            "api_docx_url": page_url(reverse("api:document-docx", args=[document.pk])),
        },
        "subject": {
            "key": document.subject_key,
            "label": entry.subject_label(subject) if entry is not None and subject is not None else "",
        },
        "actor": audit_event.actor_name,
    }


def register() -> None:
    event_source_register(
        WebhookEvent.DOCUMENT_GENERATED,
        actions=[DocumentAction.DOCUMENT_GENERATED],
        model=GeneratedDocument,
        can_view=can_view_document,
        payload=document_payload,
    )
