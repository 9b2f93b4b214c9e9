"""KSL's recommendation pages: write a draft, attach files, send it to the municipalities; read it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from governance.core.services import ALREADY_SAVED_MESSAGE, request_once
from governance.parties import permissions as party_permissions

from .. import permissions, queries, services
from ..forms import RecommendationAttachmentForm, RecommendationForm
from ..models import Recommendation, RecommendationAttachment


def manager_view(view):
    """Login (302), then KSL (403)."""

    @login_required
    def wrapped(request, *args, **kwargs):
        if not permissions.can_manage_recommendations(request.user):
            raise PermissionDenied(_("Endast KSL skapar rekommendationer och remisser."))
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _readable(request, slug) -> Recommendation:
    try:
        recommendation = queries.recommendation_detail(slug)
    except Recommendation.DoesNotExist as exc:
        raise Http404 from exc
    permissions.check_read_recommendation(request.user, recommendation)
    return recommendation


def _draft(request, slug) -> Recommendation:
    """KSL's draft; a sent recommendation can no longer be changed (404 for its edit pages)."""
    recommendation = _readable(request, slug)
    if recommendation.is_sent:
        raise Http404
    return recommendation


def _save_errors(form, exc: ValidationError) -> None:
    for message in exc.messages:
        form.add_error(None, message)


def _recommendation_fields(data: dict) -> dict:
    """The recommendation form's fields as the services take them (create and update)."""
    names = [
        "title",
        "board_decision_date",
        "issued_on",
        "registration_number",
        "agreement",
        "answer_deadline",
    ]
    names += ["background", "decision_points", "consultation"]
    return {**{name: data[name] for name in names}, "recipients": list(data["recipients"])}


@require_http_methods(["GET", "HEAD", "POST"])
@manager_view
def recommendation_create(request):
    form = RecommendationForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data

            def create():
                recommendation = services.recommendation_create(
                    acting_user=request.user, slug=data["slug"], **_recommendation_fields(data)
                )
                return recommendation, reverse(
                    "decisions:recommendation", kwargs={"slug": recommendation.slug}
                )

            try:
                _obj, url, created = request_once(
                    acting_user=request.user,
                    key=data["request_key"],
                    action="recommendation.create",
                    run=create,
                )
            except ValidationError as exc:
                _save_errors(form, exc)
            else:
                if created:
                    messages.success(
                        request, _("Utkastet är sparat. Lägg till bilagor och skicka det sedan.")
                    )
                else:
                    messages.info(request, ALREADY_SAVED_MESSAGE)
                return redirect(url)
        return render(request, "decisions/recommendation_form.html", {"form": form}, status=400)
    return render(request, "decisions/recommendation_form.html", {"form": form})


@require_http_methods(["GET", "HEAD", "POST"])
@manager_view
def recommendation_edit(request, slug):
    recommendation = _draft(request, slug)
    initial = {
        "title": recommendation.title,
        "board_decision_date": recommendation.board_decision_date,
        "issued_on": recommendation.issued_on,
        "registration_number": recommendation.registration_number,
        "answer_deadline": recommendation.answer_deadline,
        "agreement": recommendation.agreement_id,
        "consultation": recommendation.consultation_id,
        "background": recommendation.background,
        "decision_points": recommendation.decision_points,
        "recipients": [org.pk for org in recommendation.recipients.all()],
    }
    form = RecommendationForm(request.POST or None, initial=initial, editing=True)
    context = {"form": form, "recommendation": recommendation}
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.recommendation_update(
                    acting_user=request.user,
                    recommendation=recommendation,
                    **_recommendation_fields(data),
                )
            except ValidationError as exc:
                _save_errors(form, exc)
            else:
                messages.success(request, _("Ändringarna är sparade."))
                return redirect("decisions:recommendation", slug=recommendation.slug)
        return render(request, "decisions/recommendation_form.html", context, status=400)
    return render(request, "decisions/recommendation_form.html", context)


def _detail_page(request, recommendation, *, attachment_form=None, send_errors=(), status=200):
    manage = permissions.can_manage_recommendations(request.user)
    recipients = list(recommendation.recipients.all())
    cases = {case.organisation_id: case for case in recommendation.cases.all()}
    readable = (
        None
        if permissions.can_view_dashboard(request.user)
        else party_permissions.readable_organisation_ids(request.user)
    )
    return render(
        request,
        "decisions/recommendation_detail.html",
        {
            "recommendation": recommendation,
            "without_contact": queries.recipients_without_contact(recipients) if manage else [],
            "can_manage": manage,
            "can_edit": manage and not recommendation.is_sent,
            "attachment_form": attachment_form or RecommendationAttachmentForm(),
            "send_errors": send_errors,
            "recipients": recipients,
            "recipient_rows": [
                (
                    org,
                    cases.get(org.pk),
                    org.pk in cases and (readable is None or org.pk in readable),
                )
                for org in recipients
            ],
        },
        status=status,
    )


@require_safe
@login_required
def recommendation_detail(request, slug):
    return _detail_page(request, _readable(request, slug))


@require_POST
@manager_view
def recommendation_attachment_add(request, slug):
    recommendation = _draft(request, slug)
    form = RecommendationAttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.recommendation_attachment_add(
                acting_user=request.user,
                recommendation=recommendation,
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as exc:
            _save_errors(form, exc)
        else:
            messages.success(request, _("Bilagan är tillagd."))
            return redirect("decisions:recommendation", slug=recommendation.slug)
    return _detail_page(request, recommendation, attachment_form=form, status=400)


def _attachment(recommendation, pk) -> RecommendationAttachment:
    attachment = next((a for a in recommendation.attachments.all() if a.pk == pk), None)
    if attachment is None:
        raise Http404
    return attachment


@require_safe
@login_required
def recommendation_attachment(request, slug, pk):
    """Download: KSL and the people of the recipients (a sent recommendation)."""
    attachment = _attachment(_readable(request, slug), pk)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.filename)


@require_POST
@manager_view
def recommendation_attachment_remove(request, slug, pk):
    recommendation = _draft(request, slug)
    attachment = _attachment(recommendation, pk)
    try:
        services.recommendation_attachment_remove(acting_user=request.user, attachment=attachment)
    except ValidationError as exc:
        return _detail_page(request, recommendation, send_errors=exc.messages, status=400)
    messages.success(request, _("Bilagan är borttagen."))
    return redirect("decisions:recommendation", slug=recommendation.slug)


@require_POST
@manager_view
def recommendation_send(request, slug):
    recommendation = _readable(request, slug)
    if request.POST.get("confirm") != "1":
        message = _("Bekräfta: kryssa i att rekommendationen ska skickas till kommunerna.")
        return _detail_page(request, recommendation, send_errors=[message], status=400)
    try:
        services.recommendation_send(acting_user=request.user, recommendation=recommendation)
    except ValidationError as exc:
        return _detail_page(request, recommendation, send_errors=exc.messages, status=400)
    recipients = list(recommendation.recipients.all())
    without = queries.recipients_without_contact(recipients)
    message = _(
        "Rekommendationen är skickad till %(n)s kommuner. %(mailed)s får e-post till sina kontaktpersoner."
    ) % {"n": len(recipients), "mailed": len(recipients) - len(without)}
    if without:
        message += " " + _(
            "%(k)s saknar kontaktperson och får ingen e-post: %(names)s. Se listan på sidan."
        ) % {"k": len(without), "names": ", ".join(org.display_name for org in without)}
    messages.success(request, message)
    return redirect("decisions:recommendation", slug=recommendation.slug)
