"""Pages of generated documents: status and downloads, creating one without fields to edit, batch progress,
and the template page."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from governance.core.caching import htmx_partial, vary_on_htmx

from . import permissions, registry, rendering, services
from .choices import BatchStatus, DocumentKind, DocumentStatus
from .forms import TemplateUploadForm
from .models import DocumentBatch, DocumentTemplate, GeneratedDocument

#: The kinds generated from a button, with no fields to edit (the memo has its own form in decisions).
ONE_CLICK_KINDS = (DocumentKind.CONSULTATION_RESPONSE, DocumentKind.COMPILATION, DocumentKind.AGREEMENT)


def _document_or_404(user, pk: int) -> GeneratedDocument:
    """A document the user may read; 404 when its subject is not the user's to read."""
    try:
        document = GeneratedDocument.objects.select_related("subject_type").get(pk=pk)
    except GeneratedDocument.DoesNotExist as exc:
        raise Http404 from exc
    permissions.check_view_document_or_404(user, document)
    return document


def _subject_link(document: GeneratedDocument) -> tuple[str, str] | None:
    entry = registry.kind_entry(document.kind)
    subject = document.subject
    if entry is None or subject is None or entry.subject_link is None:
        return None
    return entry.subject_link(subject)


@require_safe
@login_required
def document_detail(request, pk: int):
    document = _document_or_404(request.user, pk)
    versions = GeneratedDocument.objects.filter(
        subject_key=document.subject_key, kind=document.kind
    ).order_by("-version")
    partial = htmx_partial(request)
    response = render(
        request,
        "documents/_document_status.html" if partial else "documents/document_detail.html",
        {
            "document": document,
            "versions": versions,
            "oob": partial,  # the versions table follows the status (out of band)
            "subject_link": _subject_link(document),
            "pdf_available": rendering.soffice_path() is not None,
        },
    )
    return vary_on_htmx(response)


@require_safe
@login_required
def document_download(request, pk: int, fmt: str):
    document = _document_or_404(request.user, pk)
    field = document.file if fmt == "docx" else document.pdf
    if document.status != DocumentStatus.DONE or not field:
        raise Http404
    content_type = rendering.DOCX_TYPE if fmt == "docx" else "application/pdf"
    return FileResponse(
        field.open("rb"), as_attachment=True, filename=f"{document.filename}.{fmt}", content_type=content_type
    )


@require_POST
@login_required
def document_create(request):
    """Generate a remissvar, the compilation or an agreement with its cost appendix (no fields to edit)."""
    kind = request.POST.get("kind", "")
    if kind not in ONE_CLICK_KINDS or registry.kind_entry(kind) is None:
        raise Http404
    try:
        request_key = uuid.UUID(request.POST.get("request_key", ""))
    except ValueError:
        request_key = uuid.uuid4()
    params = {}
    year = request.POST.get("year", "")
    if kind == DocumentKind.AGREEMENT and year.isascii() and year.isdigit() and 1900 < int(year) < 2200:
        params["year"] = int(year)
    try:
        document = services.document_request(
            acting_user=request.user,
            kind=kind,
            subject_key=request.POST.get("subject_key", ""),
            params=params,
            request_key=request_key,
        )
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
    return redirect("documents:document", pk=document.pk)


def _subjects_prefetch(docs_queryset) -> GenericPrefetch:
    """The documents' subjects in one query per kind of subject, with the organisation most labels name."""
    querysets = []
    for content_type in ContentType.objects.filter(pk__in=docs_queryset.values("subject_type_id").distinct()):
        model = content_type.model_class()
        if model is None:
            continue
        queryset = model._default_manager.all()
        if any(field.name == "organisation" and field.is_relation for field in model._meta.get_fields()):
            queryset = queryset.select_related("organisation")
        querysets.append(queryset)
    return GenericPrefetch("subject", querysets)


def _batch_back_url(entry, batch, subject) -> str:
    """Where the batch was requested from (the recommendation's dashboard): from the batch's origin, so the way
    back is there while the batch is prepared too; from a version's subject for a batch without its row."""
    if batch is not None and entry.batch_origin_url:
        url = entry.batch_origin_url(batch.origin_key)
        if url:
            return url
    if entry.batch_url and subject is not None:
        return entry.batch_url(subject)
    return ""


@require_safe
@login_required
def batch_progress(request, key: uuid.UUID):
    """A batch's progress, from the first moment: "Förbereds" while its job queues the versions, then each
    version's status (htmx polls the part every 2 s until every version is done or failed)."""
    batch = DocumentBatch.objects.filter(key=key).first()
    queryset = GeneratedDocument.objects.filter(batch_key=key)
    docs = list(queryset.select_related("subject_type").prefetch_related(_subjects_prefetch(queryset)))
    if batch is None and not docs:
        raise Http404
    kind = batch.kind if batch is not None else docs[0].kind
    permissions.check_follow_batch(request.user, kind)
    entry = registry.kind_entry(kind)
    for document in docs:
        subject = document.subject
        document.subject_label = entry.subject_label(subject) if subject is not None else document.subject_key
    docs.sort(key=lambda d: d.subject_label)
    done = sum(1 for d in docs if d.status == DocumentStatus.DONE)
    failed = sum(1 for d in docs if d.status == DocumentStatus.FAILED)
    preparing = batch is not None and batch.status == BatchStatus.PREPARING
    subject = docs[0].subject if docs else None
    context = {
        "batch": batch,
        "preparing": preparing,
        "batch_error": batch.error if batch is not None and batch.status == BatchStatus.FAILED else "",
        "docs": docs,
        "done": done,
        "failed": failed,
        "total": max(len(docs), batch.expected if preparing else 0),
        "key": key,
        "finished": not preparing and done + failed == len(docs),
        "back_url": _batch_back_url(entry, batch, subject),
    }
    template = "documents/_batch_progress.html" if htmx_partial(request) else "documents/batch_progress.html"
    return vary_on_htmx(render(request, template, context))


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def template_list(request):
    permissions.check_manage_templates(request.user)
    form = TemplateUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > rendering.MAX_TEMPLATE_BYTES:
                form.add_error("file", _("Mallen är större än 2 MB."))
            else:
                try:
                    services.template_upload(
                        acting_user=request.user,
                        kind=form.cleaned_data["kind"],
                        name=upload.name,
                        content=upload.read(),
                    )
                except ValidationError as exc:
                    for message in exc.messages:
                        form.add_error("file", message)
                else:
                    messages.success(request, _("Mallen är uppladdad och används från och med nu."))
                    return redirect("documents:templates")
        status = 400
    return render(
        request,
        "documents/template_list.html",
        {
            "form": form,
            "templates": DocumentTemplate.objects.order_by("kind", "-uploaded_at"),
            "kinds": DocumentKind.choices,
            "active_kinds": set(
                DocumentTemplate.objects.filter(is_active=True).values_list("kind", flat=True)
            ),
        },
        status=status,
    )


@require_safe
@login_required
def template_builtin(request, kind: str):
    """The built-in template of ``kind``, to adjust in Word or LibreOffice and upload again."""
    permissions.check_manage_templates(request.user)
    if kind not in rendering.BUILTIN:
        raise Http404
    path = rendering.builtin_template_path(kind)
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=path.name, content_type=rendering.DOCX_TYPE
    )


@require_POST
@login_required
def template_restore(request, kind: str):
    if kind not in rendering.BUILTIN:
        raise Http404
    services.template_restore_default(acting_user=request.user, kind=kind)
    messages.success(request, _("Standardmallen används igen."))
    return redirect("documents:templates")
