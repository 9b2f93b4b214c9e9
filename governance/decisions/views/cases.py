"""Adoption pages: the public list, KSL's dashboard, the compilation, the case page and its actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from governance.core.caching import cached_page, fresh_uuid
from governance.core.exports import download_response
from governance.core.formatting import file_name
from governance.core.transitions import TransitionConflict, rule_for, transitions_available
from governance.diary.queries import entries_for_subject
from governance.parties.views import registry_view

from .. import exports, permissions, queries, services
from ..archive import can_archive, case_package
from ..forms import (
    CaseActionForm,
    DashboardFilterForm,
    DecisionForm,
    PostingForm,
    RegistrationNumberForm,
    ReopenForm,
    SignForm,
    WithdrawForm,
)
from ..models import AdoptionCase, ConsultationRound, Recommendation


@require_safe
def recommendation_list(request):
    """Published: the recommendations and how far the municipalities have come."""
    return render(
        request,
        "decisions/recommendation_list.html",
        {
            "recommendations": queries.recommendation_list(request.user),
            "consultations": queries.consultation_list(),
        },
    )


def _recommendation_or_404(slug):
    try:
        return queries.recommendation_for_slug(slug)
    except Recommendation.DoesNotExist as exc:
        raise Http404 from exc


def ksl_view(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if not permissions.can_view_dashboard(request.user):
            raise PermissionDenied(_("Översikten är till för KSL."))
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    return wrapped


def _board(request, recommendation):
    form = DashboardFilterForm(request.GET or None)
    state, overdue = "", False
    if form.is_bound and form.is_valid():
        state, overdue = form.cleaned_data["state"], form.cleaned_data["overdue"]
    return form, queries.dashboard(recommendation, state=state, overdue_only=overdue)


@require_safe
@ksl_view
@cached_page
def dashboard(request, slug):
    recommendation = _recommendation_or_404(slug)
    form, board = _board(request, recommendation)
    points = queries.adoption_timeline(recommendation)
    case_url = reverse("decisions:case", kwargs={"pk": 0})[: -len("0/")]  # one reverse, not one per row
    _stage_cells(board)
    return render(
        request,
        "decisions/dashboard.html",
        {
            "recommendation": recommendation,
            "form": form,
            "board": board,
            "timeline": queries.timeline_chart(points, total=sum(count for _v, _l, count in board.counts)),
            "map": queries.county_map(board),  # every case, whatever the filter
            "query_string": request.GET.urlencode(),
            "case_url": case_url,
            "batch_key": fresh_uuid(),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def _stage_cells(board) -> None:
    """Each row's stage cells as HTML (``row.cells_html``), built once per state rather than once per cell:
    290 municipalities × 7 stages were most of the dashboard's template work (issue 15); and its dates as
    text."""
    reached, not_reached = _("uppnått"), _("inte ännu")
    by_state = {}
    for row in board.rows:
        state = row.case.state
        if state not in by_state:
            by_state[state] = format_html_join(
                "",
                '<td class="stage" data-label="{}"><span class="{}" aria-label="{}">{}</span></td>',
                (
                    (label, "reached", reached, "●") if done else (label, "not-reached", not_reached, "·")
                    for label, done in row.cells
                ),
            )
        row.cells_html = by_state[state]
        # Dates as the page shows them (ISO, governance/formats/sv), without a localisation per cell.
        row.last_decision_text = row.last_decision.isoformat() if row.last_decision else ""
        row.final_on_text = row.final_on.isoformat() if row.final_on else ""


@require_safe
@ksl_view
def matrix_download(request, slug, fmt):
    recommendation = _recommendation_or_404(slug)
    _form, board = _board(request, recommendation)
    content = exports.matrix_csv(board) if fmt == "csv" else exports.matrix_xlsx(board)
    return download_response(content, filename=f"anslutning-{recommendation.slug}.{fmt}")


@require_safe
@registry_view
def consultation_compilation(request, slug):
    try:
        consultation = ConsultationRound.objects.select_related("sender").get(slug=slug)
    except ConsultationRound.DoesNotExist as exc:
        raise Http404 from exc
    from .consultations import compilation_context

    return render(request, "decisions/compilation.html", compilation_context(request, consultation))


ACTION_FORMS = {
    "start_preparation": CaseActionForm,
    "propose": CaseActionForm,
    "decision": DecisionForm,
    "sign": SignForm,
    "withdraw": WithdrawForm,
    "reopen": ReopenForm,
}
ACTION_LABELS = {
    "start_preparation": _("Påbörja beredning"),
    "propose": _("Lägg fram förslag till beslut"),
    "decision": _("Registrera beslut"),
    "sign": _("Registrera underskrift"),
    "withdraw": _("Återkalla ärendet"),
    "reopen": _("Öppna ärendet igen"),
}
#: What the page says when the action is done: what has happened, not what to do.
ACTION_DONE = {
    "start_preparation": _("Beredningen är påbörjad."),
    "propose": _("Förslaget till beslut är framlagt."),
    "decision": _("Beslutet är registrerat."),
    "sign": _("Underskriften är registrerad."),
    "withdraw": _("Ärendet är återkallat."),
    "reopen": _("Ärendet är öppnat igen."),
}
ACTION_TRANSITIONS = services.CASE_ACTION_TRANSITIONS


def _available_actions(user, case):
    """The actions this user may take on the case now, from the server's rules (``core.transitions``)."""
    available = set(transitions_available(user, case))
    actions = []
    for action, transitions in ACTION_TRANSITIONS.items():
        if not available.intersection(transitions):
            continue
        form_class = ACTION_FORMS[action]
        kwargs = {"case": case} if form_class in (DecisionForm, SignForm) else {}
        actions.append(
            (action, ACTION_LABELS[action], form_class(initial={"expected_state": case.state}, **kwargs))
        )
    return actions


def _case_page(
    request,
    case,
    *,
    status=200,
    failed_action=None,
    failed_form=None,
    posting_form=None,
    registration_form=None,
):
    actions = _available_actions(request.user, case)
    if failed_action:
        actions = [(a, label, failed_form if a == failed_action else f) for a, label, f in actions]
    can_record = (
        permissions.can_record_decision(request.user, case) if request.user.is_authenticated else False
    )
    return render(
        request,
        "decisions/case_detail.html",
        {
            "case": case,
            "actions": actions,
            "overdue": case.is_overdue(),
            "can_draft": permissions.can_work_case(request.user, case)
            or permissions.can_view_dashboard(request.user),
            "can_post": can_record,
            "can_edit_chain": can_record and case.state in services.CHAIN_EDITABLE_STATES,
            "posting_form": posting_form,
            "registration_form": registration_form
            or RegistrationNumberForm(initial={"registration_number": case.registration_number}),
            "diary_entries": entries_for_subject(case),
            "can_archive": can_archive(request.user, case),
        },
        status=status,
    )


@require_safe
@login_required
@cached_page
def case_detail(request, pk: int):
    """The case; ``?historik=<sida>`` pages through the whole history instead of the latest events, and
    ``?beslut=alla`` lists every postponement instead of the latest."""
    page = request.GET.get("historik")
    return _case_page(
        request,
        queries.case_detail(
            request.user, pk, history_page=page, all_decisions=request.GET.get("beslut") == "alla"
        ),
    )


@require_POST
@login_required
def case_action(request, pk: int, action: str):
    case = queries.case_detail(request.user, pk)  # 404 for another municipality's case
    if action not in ACTION_FORMS:
        raise Http404
    if not any(rule_for(AdoptionCase, t).allowed(request.user, case) for t in ACTION_TRANSITIONS[action]):
        raise PermissionDenied(_("Du får inte göra detta i ärendet."))
    form_class = ACTION_FORMS[action]
    kwargs = {"case": case} if form_class in (DecisionForm, SignForm) else {}
    form = form_class(request.POST, request.FILES, **kwargs)
    if not form.is_valid():
        return _case_page(request, case, status=400, failed_action=action, failed_form=form)
    try:
        services.case_action_run(acting_user=request.user, case=case, action=action, data=form.cleaned_data)
    except TransitionConflict as exc:
        messages.error(request, str(exc))
        return _case_page(request, queries.case_detail(request.user, pk), status=409)
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error(None, message)
        return _case_page(request, case, status=400, failed_action=action, failed_form=form)
    messages.success(request, ACTION_DONE[action])
    return redirect("decisions:case", pk=case.pk)


@require_POST
@login_required
def decision_posting(request, pk: int):
    """The anslag date of one decision: the appeal period and laga kraft follow (the clerk, later)."""
    case = queries.case_detail(request.user, pk)  # 404 for another municipality's case
    if not permissions.can_record_decision(request.user, case):
        raise PermissionDenied(_("Du får inte göra detta i ärendet."))
    form = PostingForm(request.POST, case=case)
    if form.is_valid():
        try:
            services.decision_posting_record(
                acting_user=request.user,
                decision=form.cleaned_data["decision"],
                posted_on=form.cleaned_data["posted_on"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Anslagsdatum registrerat."))
            return redirect("decisions:case", pk=case.pk)
    return _case_page(request, case, status=400, posting_form=form)


@require_POST
@login_required
def case_registration(request, pk: int):
    """The municipality's own diarienummer of the case, which its memos and remissvar print."""
    case = queries.case_detail(request.user, pk)  # 404 for another municipality's case
    if not permissions.can_record_decision(request.user, case):
        raise PermissionDenied(_("Du får inte göra detta i ärendet."))
    form = RegistrationNumberForm(request.POST)
    if form.is_valid():
        try:
            services.case_registration_number_set(
                acting_user=request.user,
                case=case,
                registration_number=form.cleaned_data["registration_number"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Diarienumret sparat."))
            return redirect("decisions:case", pk=case.pk)
    return _case_page(request, case, status=400, registration_form=form)


@require_safe
@login_required
def signature_download(request, pk: int):
    """The signed copy of the agreement, for those who may read the case (404 for everyone else)."""
    from django.http import FileResponse

    case = queries.case_detail(request.user, pk)
    if case.signature is None or not case.signature.document:
        raise Http404
    return FileResponse(
        case.signature.document.open("rb"),
        as_attachment=True,
        filename=f"{file_name('avtal-undertecknat', case.organisation.display_name, case.signature.signed_on)}.pdf",
        content_type="application/pdf",
    )


@require_safe
@login_required
def case_archive_download(request, pk: int):
    """The archive package of a closed case (zip: files, SHA256SUMS, erms.xml): the municipality's clerks
    and KSL; others who may read the case get 403, everyone else 404 (as for the case page)."""
    from django.http import HttpResponse

    case = queries.case_detail(request.user, pk)
    try:
        name, content = case_package(acting_user=request.user, case=case)
    except ValidationError as exc:
        raise Http404(exc.messages[0]) from exc
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
