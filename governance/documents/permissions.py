"""Every grant and check of the documents app.

Who may generate and read a document depends on its subject, which the app that owns the subject registers
per kind (``documents.registry``). Templates are managed by the host administrator. Only the system (the
render task, ``None``) moves a version through its states; ``DOCUMENT_RULES`` is enforced by
``core.transitions.transition_run``.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from governance.core.transitions import Rule

from . import registry
from .choices import DocumentAction


def _system(user, document) -> bool:
    """The render task."""
    return user is None


_DENIED = _lazy("Endast systemet skapar dokument.")

#: Who may run each transition of a generated document, and what it records (``core.transitions``).
DOCUMENT_RULES = {
    "start": Rule(_system, DocumentAction.DOCUMENT_STARTED, _DENIED),
    "finish": Rule(_system, DocumentAction.DOCUMENT_GENERATED, _DENIED),
    "fail": Rule(_system, DocumentAction.DOCUMENT_FAILED, _DENIED),
    "retry": Rule(_system, DocumentAction.DOCUMENT_REQUEUED, _DENIED),
    "requeue": Rule(_system, DocumentAction.DOCUMENT_RESENT, _DENIED),
}


def may_generate(user, kind: str, subject) -> bool:
    if user is None:
        return True
    entry = registry.kind_entry(kind)
    return entry is not None and bool(entry.may_generate(user, subject))


def check_may_generate(user, kind: str, subject) -> None:
    """The kind's registered rule decides; ``None`` is the system."""
    if not may_generate(user, kind, subject):
        raise PermissionDenied(_("Du får inte skapa det här dokumentet."))


def can_view_document(user, document) -> bool:
    """Whoever may read the document's subject (its kind's registered rule)."""
    entry = registry.kind_entry(document.kind)
    subject = document.subject
    return entry is not None and subject is not None and bool(entry.may_view(user, subject))


def check_view_document_or_404(user, document) -> None:
    """A document whose subject the user may not read answers 404, like the subject itself."""
    if not can_view_document(user, document):
        raise Http404


def check_follow_batch(user, kind: str) -> None:
    entry = registry.kind_entry(kind)
    if entry is None or entry.may_follow_batch is None or not entry.may_follow_batch(user):
        raise PermissionDenied(_("Översikten är till för KSL."))


def can_manage_templates(user) -> bool:
    return user is None or (user.is_active and user.has_perm("documents.add_documenttemplate"))


def check_manage_templates(user) -> None:
    if not can_manage_templates(user):
        raise PermissionDenied(_("Dokumentmallarna hanteras av värdadministratören."))
