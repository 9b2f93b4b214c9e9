"""Decision chains: a case's own chain, and a municipality's usual chain ("Vår vanliga beslutsgång")."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from governance.parties.models import Organisation

from .. import permissions, queries, services
from ..forms import ChainFormSet, ChainReasonForm
from ..services.chains import default_chain_heuristic


def _initial(steps) -> list[dict]:
    return [{"order": index, "body": step.body, "role": step.role} for index, step in enumerate(steps, 1)]


def _bodies(organisation):
    return organisation.bodies.exclude(kind="administration").order_by("name")


def _errors(formset, extra=()) -> list[str]:
    errors = [str(e) for e in formset.non_form_errors()]
    for index, form in enumerate(formset.forms, start=1):
        for field, field_errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else field
            errors += [
                _("Rad %(row)s, %(field)s: %(error)s") % {"row": index, "field": label, "error": e}
                for e in field_errors
            ]
    return errors + list(extra)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def case_chain(request, pk: int):
    """The case's decision chain: the municipality's clerk edits it (with a reason after the proposal)."""
    case = queries.case_detail(request.user, pk)  # 404 for another municipality's case
    can_edit = permissions.can_edit_chain(request.user, case) and case.state in services.CHAIN_EDITABLE_STATES
    bodies = _bodies(case.organisation)
    status, errors = 200, []
    if request.method == "POST":
        if not permissions.can_edit_chain(request.user, case):
            raise PermissionDenied(_("Du får inte ändra beslutskedjan i ärendet."))
        formset = ChainFormSet(request.POST, form_kwargs={"bodies": bodies})
        reason_form = ChainReasonForm(request.POST)
        if formset.is_valid() and reason_form.is_valid():
            try:
                services.case_chain_set(
                    acting_user=request.user,
                    case=case,
                    steps=formset.steps(),
                    reason=reason_form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(request, _("Beslutskedjan sparad."))
                return redirect("decisions:case", pk=case.pk)
        else:
            errors = _errors(formset, [str(e) for e in reason_form.errors.get("reason", [])])
        status = 400
    else:
        formset = ChainFormSet(initial=_initial(case.steps.all()), form_kwargs={"bodies": bodies})
        reason_form = ChainReasonForm()
    return render(
        request,
        "decisions/case_chain.html",
        {
            "case": case,
            "formset": formset,
            "reason_form": reason_form,
            "can_edit": can_edit,
            "needs_reason": case.state not in services.BEFORE_PROPOSAL_STATES
            or any(d.voided_at is None for d in case.decisions.all()),
            "errors": errors,
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def usual_chain(request, organisation_id: int):
    """The municipality's usual decision chain, which new cases start from (its clerks edit, KSL reads)."""
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    permissions.check_view_usual_chain_or_404(request.user, organisation)
    can_edit = permissions.can_edit_usual_chain(request.user, organisation)
    bodies = _bodies(organisation)
    usual = list(organisation.usual_chain.select_related("body"))
    status, errors = 200, []
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("Bara kommunens egna handläggare ändrar dess vanliga beslutsgång."))
        formset = ChainFormSet(request.POST, form_kwargs={"bodies": bodies})
        if formset.is_valid():
            try:
                services.usual_chain_set(
                    acting_user=request.user, organisation=organisation, steps=formset.steps()
                )
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(request, _("Den vanliga beslutsgången sparad."))
                return redirect("decisions:usual_chain", organisation_id=organisation.pk)
        else:
            errors = _errors(formset)
        status = 400
    else:
        formset = ChainFormSet(initial=_initial(usual), form_kwargs={"bodies": bodies})
    return render(
        request,
        "decisions/usual_chain.html",
        {
            "organisation": organisation,
            "usual": usual,
            "default_steps": [] if usual else default_chain_heuristic(organisation),
            "formset": formset,
            "can_edit": can_edit,
            "errors": errors,
        },
        status=status,
    )
