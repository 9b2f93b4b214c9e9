"""Generating decision documents: request (a queued version), render (the Celery task's body), batches,
and custom templates."""

import datetime as dt
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.agreements.models import Agreement
from governance.core.services import actor_display_name, audit_record
from governance.documents import rendering
from governance.documents.choices import DocumentAction, DocumentKind, DocumentStatus

from .. import papers, permissions
from ..choices import CaseState
from ..models import (
    AdoptionCase,
    ConsultationResponse,
    ConsultationRound,
    DocumentTemplate,
    GeneratedDocument,
)


def template_for(kind: str) -> tuple[bytes, str, str]:
    """The template in use for ``kind``: the newest active upload, else the built-in one."""
    custom = DocumentTemplate.objects.filter(kind=kind, is_active=True).order_by("-uploaded_at").first()
    if custom is not None:
        with custom.file.open("rb") as handle:
            content = handle.read()
        return content, f"{custom.original_name} (uppladdad {custom.uploaded_at:%Y-%m-%d})", custom.sha256
    path = rendering.builtin_template_path(kind)
    content = path.read_bytes()
    return content, f"{path.name} (standard)", rendering.sha256(content)


def _subject(subject_key: str):
    kind, _sep, pk = subject_key.partition(":")
    model = {
        "case": AdoptionCase,
        "response": ConsultationResponse,
        "consultation": ConsultationRound,
        "agreement": Agreement,
    }[kind]
    return model.objects.get(pk=int(pk))


def document_request(
    *, acting_user, kind: str, subject_key: str, params: dict, request_key: uuid.UUID, batch_key=None
) -> GeneratedDocument:
    """Queue a new version. A second request with the same ``request_key`` returns the first (double submit)."""
    existing = GeneratedDocument.objects.filter(request_key=request_key).first()
    if existing is not None:
        return existing
    subject = _subject(subject_key)
    permissions.check_may_generate(acting_user, kind, subject)
    params = {
        key: (value.isoformat() if isinstance(value, dt.date) else value) for key, value in params.items()
    }
    for _attempt in range(3):
        try:
            with transaction.atomic():
                version = (
                    GeneratedDocument.objects.filter(subject_key=subject_key, kind=kind).aggregate(
                        v=Max("version")
                    )["v"]
                    or 0
                ) + 1
                document = GeneratedDocument.objects.create(
                    kind=kind,
                    subject_key=subject_key,
                    case=subject if isinstance(subject, AdoptionCase) else None,
                    version=version,
                    request_key=request_key,
                    batch_key=batch_key,
                    params=params,
                    created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
                    created_by_name=actor_display_name(acting_user),
                )
                audit_record(
                    acting_user=acting_user,
                    action=DocumentAction.DOCUMENT_REQUESTED,
                    obj=document,
                    object_label=f"{document.get_kind_display()} {subject} v{version}",
                    payload={"kind": kind, "subject": subject_key, "version": version},
                )
                from ..tasks import document_render as render_task

                transaction.on_commit(lambda pk=document.pk: render_task.delay(pk))
            return document
        except IntegrityError:
            existing = GeneratedDocument.objects.filter(request_key=request_key).first()
            if existing is not None:
                return existing
    raise ValidationError(_("Dokumentet kunde inte köas; försök igen."))


def _context(document: GeneratedDocument) -> dict:
    subject = _subject(document.subject_key)
    if document.kind == DocumentKind.MEMO:
        return papers.memo_context(subject, document.params)
    if document.kind == DocumentKind.CONSULTATION_RESPONSE:
        return papers.consultation_response_context(subject)
    if document.kind == DocumentKind.COMPILATION:
        from ..queries import compilation

        return papers.compilation_context(compilation(subject))
    from governance.agreements.queries import cost_allocation

    allocation = cost_allocation(
        agreement=subject, year=int(document.params.get("year", subject.period_start.year))
    )
    return papers.agreement_context(subject, allocation)


def document_render(*, document_id: int) -> GeneratedDocument:
    """Render one queued version (the task's body). Delivered twice, it stores one version: a finished
    document is left as it is."""
    with transaction.atomic():
        document = GeneratedDocument.objects.select_for_update().get(pk=document_id)
        if document.status == DocumentStatus.DONE:
            return document
        document.status = DocumentStatus.RUNNING
        document.error = ""
        document.save(update_fields=["status", "error"])
    try:
        template, template_name, template_sha = template_for(document.kind)
        content = rendering.render_docx(template, _context(document))
        try:
            pdf = rendering.convert_to_pdf(content)
            pdf_note = (
                "" if pdf is not None else _("PDF kan inte skapas här: LibreOffice är inte installerat.")
            )
        except (rendering.DocumentError, OSError, TimeoutError) as exc:
            pdf, pdf_note = None, str(exc)[:300]
    except Exception as exc:
        reason = str(exc) if isinstance(exc, rendering.DocumentError) else f"{type(exc).__name__}: {exc}"
        with transaction.atomic():
            document = GeneratedDocument.objects.select_for_update().get(pk=document_id)
            if document.status == DocumentStatus.DONE:
                return document
            document.status = DocumentStatus.FAILED
            document.error = reason[:2000]
            document.finished_at = timezone.now()
            document.save(update_fields=["status", "error", "finished_at"])
            audit_record(
                acting_user=None,
                action=DocumentAction.DOCUMENT_FAILED,
                obj=document,
                comment=document.error[:500],
            )
        return document
    with transaction.atomic():
        document = GeneratedDocument.objects.select_for_update().get(pk=document_id)
        if document.status == DocumentStatus.DONE:
            return document
        document.file.save(f"{document.filename}.docx", ContentFile(content), save=False)
        if pdf is not None:
            document.pdf.save(f"{document.filename}.pdf", ContentFile(pdf), save=False)
        document.pdf_note = pdf_note
        document.template_name = template_name
        document.template_sha256 = template_sha
        document.sha256 = rendering.sha256(content)
        document.status = DocumentStatus.DONE
        document.finished_at = timezone.now()
        document.save()
        audit_record(
            acting_user=None,
            action=DocumentAction.DOCUMENT_GENERATED,
            obj=document,
            payload={"sha256": document.sha256, "template": template_name, "pdf": pdf is not None},
        )
    return document


def documents_request_batch(*, acting_user, recommendation, batch_key: uuid.UUID | None = None) -> uuid.UUID:
    """KSL: one memo draft per recipient whose case still waits for a decision, one task each; returns the
    batch key. The same key twice (a double click) makes one batch."""

    if not permissions.can_view_dashboard(acting_user):
        raise PermissionDenied(_("Endast KSL skapar utkast för alla mottagare."))
    batch_key = batch_key or uuid.uuid4()
    with transaction.atomic():
        from ..models import Recommendation

        Recommendation.objects.select_for_update().get(
            pk=recommendation.pk
        )  # one batch per key, even on a double click
        if GeneratedDocument.objects.filter(batch_key=batch_key).exists():
            return batch_key
        return _batch(acting_user, recommendation, batch_key)


def _batch(acting_user, recommendation, batch_key: uuid.UUID) -> uuid.UUID:
    cases = AdoptionCase.objects.filter(
        recommendation=recommendation,
        state__in=[CaseState.RECEIVED, CaseState.IN_PREPARATION, CaseState.PROPOSED, CaseState.IN_DECISION],
    ).select_related("organisation", "recommendation__agreement")
    if not cases.exists():
        raise ValidationError(
            _("Alla mottagare har redan beslutat: det finns inga ärenden att skriva utkast för.")
        )
    for case in cases:
        defaults = papers.memo_defaults(case, None)
        document_request(
            acting_user=acting_user,
            kind=DocumentKind.MEMO,
            subject_key=f"case:{case.pk}",
            params=defaults.__dict__,
            request_key=uuid.uuid4(),
            batch_key=batch_key,
        )
    return batch_key


def template_upload(*, acting_user, kind: str, name: str, content: bytes) -> DocumentTemplate:
    """Validate and activate a replacement template. Refused, with the reason, if it is not a real .docx, too
    large, does not render against sample data, or uses variables the system does not provide."""
    permissions.check_manage_templates(acting_user)
    if kind not in DocumentKind.values:
        raise ValidationError(_("Okänd dokumenttyp."))
    if len(content) > rendering.MAX_TEMPLATE_BYTES:
        raise ValidationError(_("Mallen är större än 2 MB."))
    if not rendering.is_docx(content):
        raise ValidationError(_("Filen är inte ett Word-dokument (.docx)."))
    sample = sample_context(kind)
    try:
        unknown = rendering.undeclared_variables(content, sample)
    except rendering.DocumentError as exc:
        raise ValidationError(str(exc)) from exc
    if unknown:
        raise ValidationError(
            _("Mallen använder variabler som inte finns: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    try:
        rendering.render_docx(content, sample)
    except rendering.DocumentError as exc:
        raise ValidationError(str(exc)) from exc
    with transaction.atomic():
        DocumentTemplate.objects.select_for_update().filter(kind=kind, is_active=True).update(is_active=False)
        template = DocumentTemplate(
            kind=kind,
            sha256=rendering.sha256(content),
            original_name=name[:200],
            uploaded_by_name=actor_display_name(acting_user),
        )
        template.file.save(f"{kind}.docx", ContentFile(content), save=False)
        template.save()
        audit_record(
            acting_user=acting_user,
            action=DocumentAction.DOCUMENT_TEMPLATE_UPLOADED,
            obj=template,
            payload={"sha256": template.sha256},
        )
    return template


def sample_context(kind: str) -> dict:
    """Realistic sample data for validating a template of ``kind``: built from the data set where it exists."""
    if kind == DocumentKind.MEMO:
        return papers.sample_memo_context()
    if kind in (DocumentKind.NOTICE, DocumentKind.MINUTES, DocumentKind.EXTRACT):
        return papers.sample_meeting_context(kind)
    if kind == DocumentKind.CONSULTATION_RESPONSE:
        response = ConsultationResponse.objects.select_related(
            "consultation__sender", "organisation", "adopted_by"
        ).first()
        if response is not None:
            return papers.consultation_response_context(response)
    if kind == DocumentKind.COMPILATION:
        consultation = ConsultationRound.objects.first()
        if consultation is not None:
            from ..queries import compilation

            return papers.compilation_context(compilation(consultation))
    if kind == DocumentKind.AGREEMENT:
        from governance.agreements.queries import cost_allocation

        agreement = Agreement.objects.select_related("cost_model").filter(cost_model__isnull=False).first()
        if agreement is not None:
            return papers.agreement_context(
                agreement, cost_allocation(agreement=agreement, year=agreement.period_start.year)
            )
    raise ValidationError(_("Det finns inga exempeldata att pröva mallen mot."))


def template_restore_default(*, acting_user, kind: str) -> int:
    """Stop using uploaded templates of ``kind``: the built-in one applies again. Returns how many were active."""
    permissions.check_manage_templates(acting_user)
    if kind not in DocumentKind.values:
        raise ValidationError(_("Okänd dokumenttyp."))
    with transaction.atomic():
        count = (
            DocumentTemplate.objects.select_for_update()
            .filter(kind=kind, is_active=True)
            .update(is_active=False)
        )
        if count:
            audit_record(
                acting_user=acting_user,
                action=DocumentAction.DOCUMENT_TEMPLATE_DEFAULT_RESTORED,
                object_label=kind,
            )
    return count
