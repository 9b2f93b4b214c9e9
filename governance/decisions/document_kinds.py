"""The decision documents the documents app generates: for each kind, its subject, how its context is built
and who may generate and read it. Registered in ``DecisionsConfig.ready()``."""

from django.urls import reverse
from django.utils.translation import gettext as _

from governance.agreements.models import Agreement
from governance.documents.choices import DocumentKind
from governance.documents.registry import kind_register

from . import agreement_paper, memo_paper, papers, permissions, registration
from .models import AdoptionCase, ConsultationResponse, ConsultationRound, Recommendation


def _memo_context(case, params: dict) -> dict:
    return memo_paper.memo_context(case, params)


def _response_context(response, _params: dict) -> dict:
    return papers.consultation_response_context(response)


def _compilation_context(consultation, _params: dict) -> dict:
    from .queries import compilation

    return papers.compilation_context(compilation(consultation))


def _agreement_context(agreement, params: dict) -> dict:
    from governance.agreements.queries import cost_allocation

    year = int(params.get("year", agreement.period_start.year))
    return agreement_paper.agreement_context(agreement, cost_allocation(agreement=agreement, year=year))


def _sample_response() -> dict | None:
    response = ConsultationResponse.objects.select_related(
        "consultation__sender", "organisation", "adopted_by"
    ).first()
    return papers.consultation_response_context(response) if response is not None else None


def _sample_compilation() -> dict | None:
    consultation = ConsultationRound.objects.first()
    return _compilation_context(consultation, {}) if consultation is not None else None


def _sample_agreement() -> dict:
    agreement = Agreement.objects.select_related("cost_model").filter(cost_model__isnull=False).first()
    if agreement is None:
        return agreement_paper.sample_agreement_context()
    return _agreement_context(agreement, {})


def _batch_origin_url(origin_key: str) -> str:
    """The dashboard of the recommendation a batch of memos was requested for (``recommendation:4``)."""
    prefix, _sep, number = origin_key.partition(":")
    if prefix != "recommendation" or not (number.isascii() and number.isdigit()):
        return ""
    slug = Recommendation.objects.filter(pk=int(number)).values_list("slug", flat=True).first()
    return reverse("decisions:dashboard", args=[slug]) if slug else ""


def _case_link(case) -> tuple[str, str]:
    return (
        reverse("decisions:case", args=[case.pk]),
        _("Till ärendet för %(org)s") % {"org": case.organisation.name},
    )


def document_kinds_register() -> None:
    kind_register(
        DocumentKind.MEMO,
        prefix="case",
        model=AdoptionCase,
        build_context=_memo_context,
        may_generate=permissions.can_generate_memo,
        may_view=permissions.can_view_case,
        subject_related=("organisation",),
        subject_label=lambda case: case.organisation.display_name,
        subject_link=_case_link,
        sample_context=memo_paper.sample_memo_context,
        may_follow_batch=permissions.can_view_dashboard,
        batch_url=lambda case: reverse("decisions:dashboard", args=[case.recommendation.slug]),
        batch_origin_url=_batch_origin_url,
        on_finished=registration.memo_generated,
    )
    kind_register(
        DocumentKind.CONSULTATION_RESPONSE,
        prefix="response",
        model=ConsultationResponse,
        build_context=_response_context,
        may_generate=permissions.can_generate_response,
        may_view=permissions.can_read_response,
        subject_related=("organisation",),
        subject_label=lambda response: response.organisation.display_name,
        sample_context=_sample_response,
    )
    kind_register(
        DocumentKind.COMPILATION,
        prefix="consultation",
        model=ConsultationRound,
        build_context=_compilation_context,
        may_generate=permissions.can_generate_for_all,
        may_view=permissions.can_read_registry_subject,
        subject_label=lambda consultation: consultation.title,
        file_label=lambda consultation: consultation.slug,
        sample_context=_sample_compilation,
    )
    kind_register(
        DocumentKind.AGREEMENT,
        prefix="agreement",
        model=Agreement,
        build_context=_agreement_context,
        may_generate=permissions.can_generate_for_all,
        may_view=permissions.can_read_registry_subject,
        subject_label=lambda agreement: agreement.title,
        file_label=lambda agreement: agreement.slug,
        sample_context=_sample_agreement,
    )
