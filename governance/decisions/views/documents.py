"""Pages for generated documents: the memo form, document status and downloads, batches and templates."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from governance.documents import rendering
from governance.documents.choices import DocumentKind, DocumentStatus
from governance.parties import permissions as party_permissions

from .. import papers, permissions, queries, services
from ..forms import MemoForm, TemplateUploadForm
from ..models import ConsultationResponse, DocumentTemplate, GeneratedDocument


@require_http_methods(["GET", "POST"])
@login_required
def memo_form(request, pk: int):
    case = queries.case_detail(request.user, pk)  # 404 for another municipality's case
    permissions.check_may_generate(request.user, DocumentKind.MEMO, case)
    defaults = papers.memo_defaults(case, request.user)
    form = MemoForm(
        request.POST or None, case=case, initial={**defaults.__dict__, "request_key": uuid.uuid4()}
    )
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            request_key = data.pop("request_key")
            document = services.document_request(
                acting_user=request.user,
                kind=DocumentKind.MEMO,
                subject_key=f"case:{case.pk}",
                params=data,
                request_key=request_key,
            )
            messages.success(
                request, _("Tjänsteutlåtandet skapas (version %(v)s).") % {"v": document.version}
            )
            return redirect("decisions:document", pk=document.pk)
        return render(request, "decisions/memo_form.html", {"case": case, "form": form}, status=400)
    return render(request, "decisions/memo_form.html", {"case": case, "form": form})


def _document_or_404(user, pk: int) -> GeneratedDocument:
    """A document the user may read; 404 when its subject is another municipality's."""
    try:
        document = GeneratedDocument.objects.select_related("case__organisation").get(pk=pk)
    except GeneratedDocument.DoesNotExist as exc:
        raise Http404 from exc
    if document.case_id is not None:
        permissions.check_view_case_or_404(user, document.case)
    elif document.kind == DocumentKind.CONSULTATION_RESPONSE:
        response = ConsultationResponse.objects.select_related("organisation").get(
            pk=document.subject_key.split(":")[1]
        )
        if not party_permissions.can_read(user, response.organisation):
            raise Http404
    elif not party_permissions.can_view_registry(user):
        raise Http404
    return document


@require_GET
@login_required
def document_detail(request, pk: int):
    document = _document_or_404(request.user, pk)
    versions = GeneratedDocument.objects.filter(
        subject_key=document.subject_key, kind=document.kind
    ).order_by("-version")
    template = "decisions/_document_status.html" if request.htmx else "decisions/document_detail.html"
    return render(
        request,
        template,
        {"document": document, "versions": versions, "pdf_available": rendering.soffice_path() is not None},
    )


@require_GET
@login_required
def document_download(request, pk: int, fmt: str):
    document = _document_or_404(request.user, pk)
    field = document.file if fmt == "docx" else document.pdf
    if document.status != DocumentStatus.DONE or not field:
        raise Http404
    content_type = (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if fmt == "docx"
        else "application/pdf"
    )
    return FileResponse(
        field.open("rb"), as_attachment=True, filename=f"{document.filename}.{fmt}", content_type=content_type
    )


@require_POST
@login_required
def document_create(request):
    """Generate a remissvar, the compilation or an agreement with its cost appendix (no fields to edit)."""
    kind = request.POST.get("kind", "")
    subject_key = request.POST.get("subject_key", "")
    if kind not in (DocumentKind.CONSULTATION_RESPONSE, DocumentKind.COMPILATION, DocumentKind.AGREEMENT):
        raise Http404
    expected_prefix = {
        DocumentKind.CONSULTATION_RESPONSE: "response:",
        DocumentKind.COMPILATION: "consultation:",
        DocumentKind.AGREEMENT: "agreement:",
    }[kind]
    number = subject_key[len(expected_prefix) :]
    if not subject_key.startswith(expected_prefix) or not (number.isascii() and number.isdigit()):
        raise Http404
    subject_key = f"{expected_prefix}{int(number)}"
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
            subject_key=subject_key,
            params=params,
            request_key=request_key,
        )
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
    return redirect("decisions:document", pk=document.pk)


@require_POST
@login_required
def batch_create(request, slug: str):
    try:
        recommendation = queries.recommendation_for_slug(slug)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
    try:
        key = uuid.UUID(request.POST.get("batch_key", ""))
    except ValueError:
        key = None
    try:
        batch_key = services.documents_request_batch(
            acting_user=request.user, recommendation=recommendation, batch_key=key
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("decisions:dashboard", slug=recommendation.slug)
    return redirect("decisions:batch", key=batch_key)


@require_GET
@login_required
def batch_progress(request, key: uuid.UUID):
    if not permissions.can_view_dashboard(request.user):
        raise PermissionDenied(_("Översikten är till för KSL."))
    docs = list(
        GeneratedDocument.objects.filter(batch_key=key)
        .select_related("case__organisation")
        .order_by("case__organisation__municipality_code")
    )
    if not docs:
        raise Http404
    done = sum(1 for d in docs if d.status == DocumentStatus.DONE)
    failed = sum(1 for d in docs if d.status == DocumentStatus.FAILED)
    context = {
        "docs": docs,
        "done": done,
        "failed": failed,
        "total": len(docs),
        "key": key,
        "finished": done + failed == len(docs),
        "recommendation": docs[0].case.recommendation,
    }
    template = "decisions/_batch_progress.html" if request.htmx else "decisions/batch_progress.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
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
                    return redirect(reverse("decisions:templates"))
        status = 400
    return render(
        request,
        "decisions/template_list.html",
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


@require_GET
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
    return redirect("decisions:templates")
