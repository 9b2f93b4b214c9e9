"""Consultation pages: KSL sends a consultation and writes its assessment; a municipality answers."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from governance.core import calendar
from governance.core.services import ALREADY_SAVED_MESSAGE, request_once
from governance.parties import permissions as party_permissions

from .. import permissions, queries, services
from ..choices import ResponseDecider
from ..forms import AssessmentForm, ConsultationAnswerForm, ConsultationForm
from ..models import ConsultationRound
from .ksl import manager_view


def _consultation_or_404(slug) -> ConsultationRound:
    try:
        return queries.consultation_for_slug(slug)
    except ConsultationRound.DoesNotExist as exc:
        raise Http404 from exc


@require_http_methods(["GET", "HEAD", "POST"])
@manager_view
def consultation_create(request):
    form = ConsultationForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data

            def create():
                consultation = services.consultation_create(
                    acting_user=request.user,
                    title=data["title"],
                    slug=data["slug"],
                    registration_number=data["registration_number"],
                    sent_on=data["sent_on"],
                    deadline=data["deadline"],
                    description=data["description"],
                    questions=form.question_list(),
                    timetable_question=data["timetable_question"],
                    recipients=list(data["recipients"]),
                )
                return consultation, reverse("decisions:compilation", kwargs={"slug": consultation.slug})

            try:
                _obj, url, created = request_once(
                    acting_user=request.user,
                    key=data["request_key"],
                    action="consultation.create",
                    run=create,
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                if created:
                    recipients = list(data["recipients"])
                    missing = queries.recipients_without_contact(recipients)
                    text = _("Remissen är skickad till %(n)s mottagare.") % {"n": len(recipients)}
                    if missing:
                        text += " " + _("%(names)s saknar kontaktperson och får ingen e-post.") % {
                            "names": ", ".join(org.display_name for org in missing)
                        }
                    else:
                        text += " " + _("Alla mottagares kontaktpersoner får e-post.")
                    messages.success(request, text)
                else:
                    messages.info(request, ALREADY_SAVED_MESSAGE)
                return redirect(url)
        return render(request, "decisions/consultation_form.html", {"form": form}, status=400)
    return render(request, "decisions/consultation_form.html", {"form": form})


def _answer_initial(response, user) -> dict:
    if response is None:  # the clerk answering signs, unless they change it
        person = getattr(user, "person", None)
        return {
            "decided_by": ResponseDecider.OFFICIALS,
            "signed_by_name": person.full_name if person else "",
            "signed_by_title": person.title if person else "",
        }
    initial = {
        "position": response.position,
        "timetable_realistic": response.timetable_realistic,
        "decided_by": response.decided_by,
        "adopted_by": response.adopted_by_id,
        "decision_date": response.decision_date,
        "decision_reference": response.decision_reference,
        "summary": response.summary,
        "registration_number": response.registration_number,
        "signed_by_name": response.signed_by_name,
        "signed_by_title": response.signed_by_title,
    }
    initial.update({f"answer_{a.question.number}": a.text for a in response.answers.all()})
    return initial


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def consultation_answer(request, slug):
    """The municipality's clerk answers (or edits the answer); KSL may not answer for a municipality (403),
    anyone else does not learn of the page (404)."""
    consultation = _consultation_or_404(slug)
    organisations = permissions.answerable_organisations(request.user, consultation)
    if not organisations:
        if permissions.can_view_dashboard(request.user) or permissions.can_manage_recommendations(
            request.user
        ):
            raise PermissionDenied(_("KSL kan inte svara på remissen för en kommun."))
        raise Http404
    wanted = request.POST.get("organisation") or request.GET.get("organisation")
    if wanted:  # never silently another municipality than the one asked for
        organisation = next((org for org in organisations if str(org.pk) == wanted), None)
        if organisation is None:
            raise Http404
    else:
        organisation = organisations[0]
    response = queries.consultation_response_for(consultation, organisation)
    closed = services.answering_closed(consultation)
    form = ConsultationAnswerForm(
        request.POST or None,
        organisation=organisation,
        questions=consultation.questions.all(),
        initial=_answer_initial(response, request.user),
    )
    context = {
        "consultation": consultation,
        "organisation": organisation,
        "organisations": organisations,
        "form": form,
        "response": response,
        "late": calendar.today() > consultation.deadline,
        "closed": closed,
        "grace_days": services.ANSWER_GRACE_DAYS,
    }
    if request.method == "POST":
        if closed:  # the page offers no form; a stale one stores nothing
            context["form"] = None
            context["closed_error"] = True
        elif form.is_valid():
            data = form.cleaned_data
            try:
                services.consultation_response_record(
                    acting_user=request.user,
                    consultation=consultation,
                    organisation=organisation,
                    position=data["position"],
                    timetable_realistic=data["timetable_realistic"],
                    decided_by=data["decided_by"],
                    adopted_by=data["adopted_by"],
                    decision_date=data["decision_date"],
                    decision_reference=data["decision_reference"],
                    summary=data["summary"],
                    registration_number=data["registration_number"],
                    signed_by_name=data["signed_by_name"],
                    signed_by_title=data["signed_by_title"],
                    answers=form.answers(),
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request, _("Remissvaret från %(org)s är sparat.") % {"org": organisation.name}
                )
                return redirect("decisions:compilation", slug=consultation.slug)
        return render(request, "decisions/consultation_answer.html", context, status=400)
    return render(request, "decisions/consultation_answer.html", context)


def compilation_context(request, consultation, *, assessment_form=None) -> dict:
    """What the compilation page shows (also used by ``views.cases.consultation_compilation``'s page)."""
    c = queries.compilation(consultation)
    user = request.user
    ksl = permissions.can_view_dashboard(user)
    readable = party_permissions.readable_organisation_ids(user)
    return {
        "c": c,
        "can_generate": ksl,
        "can_assess": permissions.can_manage_recommendations(user),
        "can_answer": bool(permissions.answerable_organisations(user, consultation)),
        "closed": services.answering_closed(consultation),
        "grace_days": services.ANSWER_GRACE_DAYS,
        "assessment_form": assessment_form or AssessmentForm(initial={"assessment": consultation.assessment}),
        "response_ids": {
            r.pk for r in c.responses if ksl or (readable is not None and r.organisation_id in readable)
        },
        "request_key": uuid.uuid4(),
    }


@require_POST
@manager_view
def consultation_assess(request, slug):
    consultation = _consultation_or_404(slug)
    form = AssessmentForm(request.POST)
    if form.is_valid():
        try:
            services.consultation_assess(
                acting_user=request.user,
                consultation=consultation,
                assessment=form.cleaned_data["assessment"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("KSL:s bedömning är sparad."))
            return redirect("decisions:compilation", slug=consultation.slug)
    return render(
        request,
        "decisions/compilation.html",
        compilation_context(request, consultation, assessment_form=form),
        status=400,
    )
