"""Where a document of a recommendation, a consultation or an adoption case enters or leaves, the services
register it in the diarium (``diary.services.diary_register``), one call each. Every function runs inside its
service's transaction; the keys make a replayed load register each document once, with its historical date.

Numbering: a recommendation is a diary case in KSL's series (the recommendation sent: utgående, with its
attachments); each municipality's adoption case is a diary case in the municipality's series (the
recommendation received: inkommande; the signed agreement: upprättad). A consultation is a diary case in
KSL's series (each response: inkommande) and one in each answering municipality's series (its response:
utgående).
"""

import datetime as dt

from django.utils import timezone

from governance.core import calendar
from governance.diary.choices import Direction
from governance.diary.registry import reader_register
from governance.diary.services import diary_case_reference_set, diary_register
from governance.parties.choices import OrganisationKind
from governance.parties.models import Organisation

from . import permissions


def _ksl() -> Organisation | None:
    return Organisation.objects.filter(kind=OrganisationKind.ASSOCIATION).order_by("pk").first()


def _day(moment) -> dt.date:
    return timezone.localtime(moment).date() if isinstance(moment, dt.datetime) else moment


def recommendation_matter(recommendation) -> str:
    return f"decisions.recommendation:{recommendation.pk}"


def case_matter(case) -> str:
    return f"decisions.adoptioncase:{case.pk}"


def _in_case(case, *, title: str | None = None) -> dict:
    """What every registration in a municipality's adoption case names: its diary case and its subject."""
    return {
        "matter_key": case_matter(case),
        "organisation": case.organisation,
        "case_title": f"{title or case.recommendation.title} – anslutning",
        "own_reference": case.registration_number,
        "subject": case,
    }


def recommendation_sent(*, acting_user, recommendation, cases) -> None:
    """KSL's outgoing recommendation with its attachments; each municipality's incoming copy in its case."""
    ksl = _ksl()
    day = _day(recommendation.sent_at)
    recipients = ", ".join(case.organisation.display_name for case in cases)
    if ksl is not None:
        common = {
            "acting_user": acting_user,
            "matter_key": recommendation_matter(recommendation),
            "organisation": ksl,
            "case_title": recommendation.title,
            "own_reference": recommendation.registration_number,
            "subject": recommendation,
            "registered_on": day,
        }
        diary_register(
            key=f"recommendation:{recommendation.pk}:sent",
            direction=Direction.OUTGOING,
            title=f"Rekommendation: {recommendation.title}",
            counterpart=recipients,
            document=recommendation,
            **common,
        )
        for attachment in recommendation.attachments.all():
            diary_register(
                key=f"recommendation_attachment:{attachment.pk}",
                direction=Direction.OUTGOING,
                title=f"Bilaga: {attachment.title}",
                counterpart=recipients,
                document=attachment,
                file=attachment.file,
                file_label=attachment.filename,
                **common,
            )
    for case in cases:
        diary_register(
            acting_user=acting_user,
            key=f"case:{case.pk}:recommendation_received",
            **_in_case(case, title=recommendation.title),
            registered_on=day,
            direction=Direction.INCOMING,
            title=f"Rekommendation från KSL: {recommendation.title}",
            counterpart=ksl.name if ksl else "KSL",
            document=recommendation,
        )


def consultation_sent(*, acting_user, consultation, recipients) -> None:
    """KSL's outgoing consultation (remiss) to the municipalities."""
    diary_register(
        acting_user=acting_user,
        key=f"consultation:{consultation.pk}:sent",
        matter_key=f"decisions.consultationround:{consultation.pk}",
        organisation=consultation.sender,
        case_title=f"Remiss: {consultation.title}",
        own_reference=consultation.registration_number,
        subject=consultation,
        registered_on=consultation.sent_on,
        direction=Direction.OUTGOING,
        title=f"Remiss: {consultation.title}",
        counterpart=", ".join(organisation.display_name for organisation in recipients),
        document=consultation,
    )


def case_reference_set(*, acting_user, case) -> None:
    """The municipality's own diarienummer, copied to the case's diary case."""
    diary_case_reference_set(
        acting_user=acting_user, matter_key=case_matter(case), own_reference=case.registration_number
    )


def consultation_response_recorded(*, acting_user, response) -> None:
    """The municipality's outgoing response in its own series; KSL's incoming copy in KSL's."""
    consultation = response.consultation
    day = response.answered_on or consultation.deadline
    organisation = response.organisation
    title = f"Remissvar från {organisation.display_name}: {consultation.title}"
    diary_register(
        acting_user=acting_user,
        key=f"consultation_response:{response.pk}:sent",
        matter_key=f"decisions.consultationround:{consultation.pk}:{organisation.pk}",
        organisation=organisation,
        case_title=f"Remiss: {consultation.title}",
        own_reference=response.registration_number,
        subject=consultation,
        registered_on=day,
        direction=Direction.OUTGOING,
        title=title,
        counterpart=consultation.sender.name,
        document=response,
    )
    diary_register(
        acting_user=acting_user,
        key=f"consultation_response:{response.pk}:received",
        matter_key=f"decisions.consultationround:{consultation.pk}",
        organisation=consultation.sender,
        case_title=f"Remiss: {consultation.title}",
        own_reference=consultation.registration_number,
        subject=consultation,
        registered_on=day,
        direction=Direction.INCOMING,
        title=title,
        counterpart=organisation.name,
        document=response,
    )


def agreement_signed(*, acting_user, case, signature) -> None:
    """The municipality's signed copy of the agreement, drawn up in its adoption case."""
    diary_register(
        acting_user=acting_user,
        key=f"signature:{signature.pk}",
        **_in_case(case),
        registered_on=signature.signed_on,
        direction=Direction.DRAWN_UP,
        title=f"Undertecknat avtal: {case.recommendation.agreement.title}",
        counterpart=signature.signatory_name,
        document=signature,
        file=signature.document,
        file_label=f"avtal-{case.organisation.display_name}.pdf",
    )


def decision_recorded(*, acting_user, case, decision) -> None:
    """A body's decision in the case (protokollsutdrag), drawn up in the municipality's adoption case."""
    step = decision.step
    diary_register(
        acting_user=acting_user,
        key=f"decision:{decision.pk}",
        **_in_case(case),
        registered_on=decision.meeting_date,
        direction=Direction.DRAWN_UP,
        title=f"Protokollsutdrag {step.body.name} {decision.meeting_date:%Y-%m-%d} {decision.paragraph}".strip(),
        counterpart=step.body.name,
        document=decision,
    )


def memo_generated(document, case) -> None:
    """A memo (tjänsteutlåtande) version drawn up in the municipality's adoption case, with its .docx
    (``documents`` calls this as the version finishes)."""
    diary_register(
        acting_user=None,
        key=f"generated_document:{document.pk}",
        **_in_case(case),
        registered_on=calendar.today(),
        direction=Direction.DRAWN_UP,
        title=f"Tjänsteutlåtande, version {document.version}: {case.recommendation.title}",
        counterpart=document.created_by_name,
        document=document,
        file=document.file,
        file_label=f"{document.filename}.docx",
    )


def _readable_by_organisation(model, organisation_field: str):
    """``readable_ids`` for objects read by whoever may read their organisation (``party_permissions.can_read``),
    in one query."""
    from governance.parties import permissions as party_permissions

    def readable_ids(user, ids):
        if not (user.is_authenticated and user.is_active):
            return set()
        rows = model._default_manager.filter(pk__in=ids)
        organisations = party_permissions.readable_organisation_ids(user)  # None: all
        if organisations is not None:
            rows = rows.filter(**{f"{organisation_field}__in": organisations})
        return rows.values_list("pk", flat=True)

    return readable_ids


def _readable_recommendation_ids(user, ids):
    """``permissions.can_read_recommendation`` for many recommendations, in one query."""
    from governance.parties import permissions as party_permissions

    from .models import Recommendation

    if not user.is_authenticated:
        return set()
    rows = Recommendation.objects.filter(pk__in=ids)
    if permissions.can_manage_recommendations(user) or permissions.can_view_dashboard(user):
        return rows.values_list("pk", flat=True)
    readable = party_permissions.readable_organisation_ids(user)
    if not readable:
        return set()
    return rows.filter(sent_at__isnull=False, recipients__in=readable).distinct().values_list("pk", flat=True)


def _readable_round_ids(user, ids):
    from .models import ConsultationRound

    if not permissions.can_view_dashboard(user):
        return set()
    return ConsultationRound.objects.filter(pk__in=ids).values_list("pk", flat=True)


def readers_register() -> None:
    """Tell the diarium who may read the decisions app's objects (``DecisionsConfig.ready``), one at a time
    and many at once (the register's page, the exports)."""
    from governance.agreements.models import Signature
    from governance.parties import permissions as party_permissions

    from .models import AdoptionCase, ConsultationResponse, ConsultationRound, Decision, Recommendation

    reader_register(
        AdoptionCase,
        lambda user, case: permissions.can_view_case(user, case),
        readable_ids=_readable_by_organisation(AdoptionCase, "organisation_id"),
    )
    reader_register(
        Decision,
        lambda user, decision: permissions.can_view_case(user, decision.case),
        readable_ids=_readable_by_organisation(Decision, "case__organisation_id"),
    )
    reader_register(
        Recommendation, permissions.can_read_recommendation, readable_ids=_readable_recommendation_ids
    )
    reader_register(
        ConsultationResponse,
        permissions.can_read_response,
        readable_ids=_readable_by_organisation(ConsultationResponse, "organisation_id"),
    )
    reader_register(
        ConsultationRound,
        lambda user, _c: permissions.can_view_dashboard(user),
        readable_ids=_readable_round_ids,
    )
    reader_register(
        Signature,
        lambda user, s: party_permissions.can_read(user, s.organisation),
        readable_ids=_readable_by_organisation(Signature, "organisation_id"),
    )
