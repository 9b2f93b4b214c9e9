"""Agreement and cost pages. Views validate input and call queries and services; nothing else."""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from governance.core.caching import cached_page, htmx_partial, vary_on_htmx
from governance.core.exports import download_response
from governance.core.formatting import format_date_iso
from governance.core.services import ALREADY_SAVED_MESSAGE, request_once
from governance.documents import permissions as document_permissions
from governance.documents.choices import DocumentKind
from governance.parties.models import Organisation
from governance.parties.views import registry_view

from . import permissions, queries, services
from .costs import AllocationError
from .exports import allocation_csv, allocation_xlsx
from .forms import AgreementCreateForm, CostModelForm, CostSplitForm, scenario_allocation
from .models import CostSplit


def _agreement_or_404(slug):
    try:
        return queries.agreement_for_slug(slug)
    except AllocationError as exc:
        raise Http404(str(exc)) from exc


@require_safe
@registry_view
def agreement_list(request):
    return render(
        request,
        "agreements/agreement_list.html",
        {
            "agreements": queries.agreement_list(),
            "can_create": permissions.can_create_agreement(request.user),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def agreement_create(request):
    """A new agreement with its cost model (KSL officers and host administrators)."""
    permissions.check_create_agreement(request.user)
    form = AgreementCreateForm(request.POST or None, initial={"basis_rule": "previous_year_end"})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data

            def create():
                agreement = services.agreement_create(
                    acting_user=request.user,
                    slug=data["slug"],
                    title=data["title"],
                    short_title=data["short_title"],
                    period_start=data["period_start"],
                    period_end=data["period_end"],
                    host=data["host"],
                    annual_budget=data["annual_budget"],
                    basis_rule=data["basis_rule"],
                    fixed_basis_date=data["fixed_basis_date"],
                    fixed_shares=form.fixed_shares(),
                    pool_percent=data["pool_percent"],
                    cooperating=list(data["cooperating"]),
                    previous=data["previous"],
                )
                return agreement, reverse("agreements:costs", kwargs={"slug": agreement.slug})

            try:
                agreement, url, created = request_once(
                    acting_user=request.user, key=data["request_key"], action="agreement.create", run=create
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                if created:
                    messages.success(request, _("Avtalet %(a)s är skapat.") % {"a": agreement})
                else:
                    messages.info(request, ALREADY_SAVED_MESSAGE)
                return redirect(url)
        status = 400
    return render(request, "agreements/agreement_form.html", {"form": form}, status=status)


@require_safe
@registry_view
@cached_page
def cost_page(request, slug):
    agreement = _agreement_or_404(slug)
    form, allocation = scenario_allocation(agreement, request.GET)
    # 400 only for bad parameters; without any, a failed allocation is shown on a normal page.
    status = 200 if allocation is not None or not request.GET else 400
    context = {
        "agreement": agreement,
        "form": form,
        "allocation": allocation,
        # Built only when the cached table and chart below are not (SimpleLazyObject: on first use).
        "chart": SimpleLazyObject(lambda: queries.cost_chart(allocation)) if allocation else None,
        "population_missing": getattr(form, "population_missing", False),
        "latest_population_date": queries.latest_population_date()
        if getattr(form, "population_missing", False)
        else None,
        "query_string": request.GET.urlencode(),
        # One reverse for every row's "Ändra fördelning" link (…/kostnader/fordelning/<id>/).
        "split_url": reverse("agreements:cost_split_edit", kwargs={"slug": agreement.slug, "pk": 0})[
            : -len("0/")
        ],
        "can_edit": permissions.can_manage_agreements(request.user)
        if request.user.is_authenticated
        else False,
        "split_ids": permissions.cost_split_organisation_ids(request.user)
        if request.user.is_authenticated
        else set(),
        # The agreement with its cost appendix, for whom the documents registry lets generate it (KSL, host).
        "can_draft_agreement": request.user.is_authenticated
        and document_permissions.may_generate(request.user, DocumentKind.AGREEMENT, agreement),
    }
    context["result_key"] = _result_key(agreement, allocation, context) if allocation else None
    partial = htmx_partial(request)
    if not partial:
        context["exclude_options"] = _exclude_options(form)
    template = "agreements/_cost_result.html" if partial else "agreements/cost_page.html"
    return vary_on_htmx(render(request, template, context, status=status))


def _result_key(agreement, allocation, context) -> str:
    """The key of the cost table and chart (``_cost_result.html``): everything they show — the allocation itself,
    every line, split and note in it — and what the user may do with them. Same key, same HTML."""
    parts = (
        agreement.pk,
        agreement.slug,
        repr(allocation),
        context["can_edit"],
        None if context["split_ids"] is None else sorted(context["split_ids"]),  # None: every party
        context["split_url"],
        get_language(),
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _exclude_options(form) -> list[tuple[str, str, bool]]:
    """The scenario's checkboxes as (value, label, checked): written out by the template, not rendered one
    widget template per municipality (290 of them nationally, issue 15)."""
    chosen = {str(value) for value in (form["exclude"].value() or [])}
    return [(str(value), label, str(value) in chosen) for value, label in form.fields["exclude"].choices]


@require_safe
@registry_view
def cost_download(request, slug, fmt):
    agreement = _agreement_or_404(slug)
    form, allocation = scenario_allocation(agreement, request.GET)
    if allocation is None:
        errors = "; ".join(
            f"{form.fields[name].label}: {error}" if name in form.fields else str(error)
            for name, field_errors in form.errors.items()
            for error in field_errors
        )
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    stem = f"kostnader-{agreement.slug}-{allocation.year}-folkmangd-{format_date_iso(allocation.basis_date)}"
    content = (
        allocation_csv(agreement, allocation) if fmt == "csv" else allocation_xlsx(agreement, allocation)
    )
    return download_response(content, filename=f"{stem}.{fmt}")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def cost_model_edit(request, slug):
    if not permissions.can_manage_agreements(request.user):
        raise PermissionDenied(_("Du får inte ändra kostnadsmodellen."))
    agreement = _agreement_or_404(slug)
    cost_model = agreement.cost_model
    initial = {
        "annual_budget": cost_model.annual_budget,
        "basis_rule": cost_model.basis_rule,
        "fixed_basis_date": cost_model.fixed_basis_date,
    }
    form = CostModelForm(request.POST or None, cost_model=cost_model, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.cost_model_update(
                    acting_user=request.user,
                    cost_model=cost_model,
                    annual_budget=form.cleaned_data["annual_budget"],
                    basis_rule=form.cleaned_data["basis_rule"],
                    fixed_basis_date=form.cleaned_data["fixed_basis_date"],
                    percents=form.percents(),
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("Kostnadsmodellen är sparad."))
                return redirect("agreements:costs", slug=agreement.slug)
        status = 400
    return render(
        request, "agreements/cost_model_edit.html", {"agreement": agreement, "form": form}, status=status
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def cost_split_edit(request, slug, pk):
    agreement = _agreement_or_404(slug)
    organisation = get_object_or_404(Organisation, pk=pk, agreements=agreement)
    permissions.check_set_cost_split(request.user, organisation)
    cost_model = agreement.cost_model
    current = dict(
        CostSplit.objects.filter(cost_model=cost_model, body__organisation=organisation).values_list(
            "body_id", "weight"
        )
    )
    form = CostSplitForm(request.POST or None, organisation=organisation, current=current)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.cost_split_set(
                    acting_user=request.user,
                    cost_model=cost_model,
                    organisation=organisation,
                    weights=form.weights(),
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request, _("Fördelningen inom %(org)s är sparad.") % {"org": organisation.name}
                )
                return redirect("agreements:costs", slug=agreement.slug)
        status = 400
    return render(
        request,
        "agreements/cost_split_edit.html",
        {"agreement": agreement, "organisation": organisation, "form": form},
        status=status,
    )
