"""Pages of decision documents: the memo form and KSL's batch of drafts. The document pages themselves
(status, downloads, batch progress, templates) are the documents app's."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from governance.documents import permissions as document_permissions
from governance.documents import services as document_services
from governance.documents.choices import DocumentKind

from .. import memo_paper, permissions, queries, services
from ..forms import BatchCreateForm, MemoForm


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def memo_form(request, pk: int):
    # The case with what the pre-fill, the profile and the cost warning read, once (not the case page's
    # history and documents, which the form does not show).
    try:
        case = memo_paper.memo_case_with_chain(pk)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
    permissions.check_view_case_or_404(request.user, case)  # 404 for another municipality's case
    document_permissions.check_may_generate(request.user, DocumentKind.MEMO, case)
    defaults = memo_paper.memo_defaults(case, request.user)
    profile = memo_paper.document_profile_for(case.organisation)
    form = MemoForm(
        request.POST or None,
        case=case,
        profile=profile,
        department=defaults.department,
        initial={**defaults.__dict__, "request_key": uuid.uuid4()},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        request_key = data.pop("request_key")
        document = document_services.document_request(
            acting_user=request.user,
            kind=DocumentKind.MEMO,
            subject_key=f"case:{case.pk}",
            params=data,
            request_key=request_key,
        )
        messages.success(request, _("Tjänsteutlåtandet skapas (version %(v)s).") % {"v": document.version})
        return redirect("documents:document", pk=document.pk)
    context = {
        "case": case,
        "form": form,
        "memo_title": profile.memo_title,
        "cost_missing": memo_paper.cost_missing(case),
    }
    if request.method == "POST":
        return render(request, "decisions/memo_form.html", context, status=400)
    return render(request, "decisions/memo_form.html", context)


@require_POST
@login_required
def batch_create(request, slug: str):
    try:
        recommendation = queries.recommendation_for_slug(slug)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
    form = BatchCreateForm(request.POST)
    form.is_valid()  # a missing or garbled key is a new batch; the box unticked unless it says "on"
    try:
        batch_key = services.documents_request_batch(
            acting_user=request.user,
            recommendation=recommendation,
            batch_key=form.cleaned_data.get("batch_key"),
            new_versions=bool(form.cleaned_data.get("new_versions")),
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("decisions:dashboard", slug=recommendation.slug)
    return redirect("documents:batch", key=batch_key)
