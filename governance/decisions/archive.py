"""The archive package of a closed adoption case (FGS Ärendehantering / CITS ERMS): the case with its
diary number and the municipality's own Dnr, title, status, dates and agents; the records registered in
its diary case, with their files and checksums; the bodies' decisions as actions.

Packing, the XML and the verification are the diarium's (``diary.archive``, ``diary.erms``).
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.agreements.models import Signature
from governance.core.formatting import file_name
from governance.diary import archive, erms
from governance.diary.models import DiaryCase

from . import permissions
from .choices import CaseState
from .models import AdoptionCase, Decision
from .registration import case_matter

#: The states in which a case is closed and may be archived: its agreement has been signed (the matter is
#: settled), has ended or been renewed, or the municipality declined, or the case was withdrawn.
ARCHIVABLE_STATES = (
    CaseState.SIGNED,
    CaseState.IN_FORCE,
    CaseState.ENDED,
    CaseState.RENEWED,
    CaseState.DECLINED,
    CaseState.WITHDRAWN,
)


def can_archive(user, case: AdoptionCase) -> bool:
    """The municipality's clerks and KSL (who oversee every case) take out a closed case's package."""
    if case.state not in ARCHIVABLE_STATES:
        return False
    return user is None or permissions.can_work_case(user, case) or permissions.can_view_dashboard(user)


def _closed_on(case: AdoptionCase, decisions: list[Decision]) -> dt.date:
    signature = Signature.objects.filter(
        agreement=case.recommendation.agreement, organisation=case.organisation
    ).first()
    days = [d.meeting_date for d in decisions] + ([signature.signed_on] if signature else [])
    return max(days) if days else timezone.localtime(case.last_moved_at).date()


def case_package(
    *, acting_user, case: AdoptionCase, created_at: dt.datetime | None = None
) -> tuple[str, bytes]:
    """The file name and the zip of a closed case's archive package. Raises ``PermissionDenied`` or a
    ``ValidationError`` (with a Swedish message) for an open case or one without a diary case."""
    case = AdoptionCase.objects.select_related("organisation", "recommendation__agreement").get(pk=case.pk)
    if case.state not in ARCHIVABLE_STATES:
        raise ValidationError(_("Ärendet är inte avslutat och kan inte arkiveras ännu."))
    if not can_archive(acting_user, case):
        raise PermissionDenied(_("Du får inte ta ut arkivpaket för %(org)s.") % {"org": case.organisation})
    diary_case = DiaryCase.objects.select_related("series").filter(matter_key=case_matter(case)).first()
    if diary_case is None:
        raise ValidationError(_("Ärendet är inte diariefört."))
    decisions = list(
        Decision.objects.filter(case=case, voided_at__isnull=True)
        .select_related("step__body")
        .order_by("meeting_date", "pk")
    )
    records, files = archive.diary_records(diary_case)
    organisation = case.organisation.name
    actions = tuple(
        erms.ErmsAction(
            text=" ".join(
                part
                for part in (
                    f"{d.step.body.name} {d.meeting_date:%Y-%m-%d} {d.paragraph}".strip() + ":",
                    str(d.get_outcome_display()) + ".",
                    d.text,
                )
                if part
            ),
            on=d.meeting_date,
            action_type=str(d.get_outcome_display()).lower(),
            agents=(
                erms.ErmsAgent(
                    name=d.step.body.name, agent_type="authorising_person", organisation=organisation
                ),
            ),
        )
        for d in decisions
    )
    agents = (
        erms.ErmsAgent(name=organisation, agent_type="owner"),
        erms.ErmsAgent(
            name="Kommunförbundet Stockholms Län", agent_type="counterpart", role="Rekommenderande part"
        ),
    )
    ermscase = erms.ErmsCase(
        system_id=f"adoption-case-{case.pk}",
        diary_number=diary_case.diary_number,
        own_reference=case.registration_number or diary_case.own_reference,
        title=diary_case.title,
        status="closed",
        opened_on=diary_case.opened_on,
        closed_on=_closed_on(case, decisions),
        agency=organisation,
        agents=agents,
        actions=actions,
        records=tuple(records),
        description=f"{case.recommendation.title}. Ärendets slutliga status: {case.get_state_display()}.",
    )
    content = archive.package_build(ermscase, files, created_at=created_at)
    name = file_name("arkivpaket", f"{case.organisation.display_name} {diary_case.year}")
    return f"{name}.zip", content
