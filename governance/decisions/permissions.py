"""Every grant and check of the decisions app.

A case belongs to its municipality: its clerks work on it, its contact persons read it, KSL officers read
every case; nobody else learns that it exists (404). KSL creates recommendations and consultations and may
withdraw a case, but never decides or signs on a municipality's behalf. django-fsm-2 does not enforce a
transition's ``permission``: ``CASE_RULES`` below is enforced by ``core.transitions.transition_run``.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from governance.core.transitions import Rule
from governance.parties import permissions as party_permissions

from .choices import DecisionAction
from .models import AdoptionCase


def can_view_case(user, case: AdoptionCase) -> bool:
    return user.is_authenticated and party_permissions.can_read(user, case.organisation)


def can_work_case(user, case: AdoptionCase) -> bool:
    return (
        user is not None and user.is_authenticated and party_permissions.can_work_on(user, case.organisation)
    )


def _municipal(user, case: AdoptionCase) -> bool:
    """The municipality's own clerks (and the system, replaying recorded history)."""
    return user is None or can_work_case(user, case)


def _ksl(user, case: AdoptionCase) -> bool:
    return user is None or (user.is_active and user.has_perm("decisions.withdraw_adoptioncase"))


def _municipal_or_ksl(user, case: AdoptionCase) -> bool:
    """A case recorded in error is reopened by its municipality's clerks, or by KSL who withdrew it."""
    return _municipal(user, case) or _ksl(user, case)


def _system(user, case: AdoptionCase) -> bool:
    """The scheduled jobs that follow the agreement period."""
    return user is None


_DENIED = _lazy("Du får inte göra detta i ärendet.")

#: Who may run each transition of an adoption case, and what it records (``core.transitions``).
CASE_RULES = {
    "start_preparation": Rule(_municipal, DecisionAction.CASE_PREPARATION_STARTED, _DENIED),
    "propose": Rule(_municipal, DecisionAction.CASE_PROPOSED, _DENIED),
    "record_intermediate_decision": Rule(
        _municipal, DecisionAction.CASE_INTERMEDIATE_DECISION_RECORDED, _DENIED
    ),
    "record_final_decision": Rule(_municipal, DecisionAction.CASE_FINAL_DECISION_RECORDED, _DENIED),
    "refer_back": Rule(_municipal, DecisionAction.CASE_REFERRED_BACK, _DENIED),
    "decline": Rule(_municipal, DecisionAction.CASE_DECLINED, _DENIED),
    "sign": Rule(_municipal, DecisionAction.CASE_SIGNED, _DENIED),
    "enter_into_force": Rule(_system, DecisionAction.CASE_ENTERED_INTO_FORCE, _DENIED),
    "end": Rule(_system, DecisionAction.CASE_ENDED, _DENIED),
    "renew": Rule(_system, DecisionAction.CASE_RENEWED, _DENIED),
    "withdraw": Rule(_ksl, DecisionAction.CASE_WITHDRAWN, _DENIED),
    "reopen": Rule(_municipal_or_ksl, DecisionAction.CASE_REOPENED, _DENIED),
}


def can_record_decision(user, case: AdoptionCase) -> bool:
    return _municipal(user, case)


def check_record_decision(user, case: AdoptionCase) -> None:
    """The municipality's clerks record its decisions and their anslag dates."""
    if not can_record_decision(user, case):
        raise PermissionDenied(
            _("Du får inte göra detta i ärendet för %(org)s.") % {"org": case.organisation}
        )


def can_edit_chain(user, case: AdoptionCase) -> bool:
    return _municipal(user, case)


def can_view_usual_chain(user, organisation) -> bool:
    """The municipality's own people and KSL read its usual decision chain."""
    return user.is_authenticated and party_permissions.can_read(user, organisation)


def check_view_usual_chain_or_404(user, organisation) -> None:
    if not can_view_usual_chain(user, organisation):
        raise Http404


def can_edit_usual_chain(user, organisation) -> bool:
    """The municipality's clerks set its usual decision chain (and the system, loading data)."""
    return user is None or (user.is_authenticated and party_permissions.can_work_on(user, organisation))


def check_edit_usual_chain(user, organisation) -> None:
    if not can_edit_usual_chain(user, organisation):
        raise PermissionDenied(
            _("Bara kommunens egna handläggare ändrar dess vanliga beslutsgång (%(org)s).")
            % {"org": organisation}
        )


def can_edit_document_profile(user, organisation) -> bool:
    """The organisation's own clerks set how its memos look (and the system, loading the seeds' profiles)."""
    return user is None or (user.is_authenticated and party_permissions.can_work_on(user, organisation))


def check_edit_document_profile(user, organisation) -> None:
    if not can_edit_document_profile(user, organisation):
        raise PermissionDenied(
            _("Bara organisationens egna handläggare ändrar dess dokumentprofil (%(org)s).")
            % {"org": organisation}
        )


def check_edit_chain(user, case: AdoptionCase) -> None:
    """The clerks who prepare the case set its decision chain."""
    if not _municipal(user, case):
        raise PermissionDenied(
            _("Du får inte göra detta i ärendet för %(org)s.") % {"org": case.organisation}
        )


def check_view_case_or_404(user, case: AdoptionCase) -> None:
    """Another municipality's case answers 404: its existence is itself not for others to know."""
    if not can_view_case(user, case):
        raise Http404


def can_manage_recommendations(user) -> bool:
    return user is None or (user.is_active and user.has_perm("decisions.add_recommendation"))


def check_manage_recommendations(user) -> None:
    if not can_manage_recommendations(user):
        raise PermissionDenied(_("Endast KSL skapar rekommendationer och remisser."))


def can_read_recommendation(user, recommendation) -> bool:
    """KSL reads every recommendation, drafts too; a sent one is also read by the people of its recipients."""
    if not user.is_authenticated:
        return False
    if can_manage_recommendations(user) or can_view_dashboard(user):
        return True
    if not recommendation.is_sent:
        return False
    readable = party_permissions.readable_organisation_ids(user)
    return bool(readable) and recommendation.recipients.filter(pk__in=readable).exists()


def check_read_recommendation(user, recommendation) -> None:
    """A draft is KSL's own: others get 404. A sent one is public knowledge: others get 403."""
    if can_read_recommendation(user, recommendation):
        return
    if not recommendation.is_sent:
        raise Http404
    raise PermissionDenied(_("Rekommendationen är till för KSL och mottagarna."))


def answerable_organisations(user, consultation) -> list:
    """The recipients of ``consultation`` whose clerk ``user`` is (whose answer they may give)."""
    if not user.is_authenticated:
        return []
    ids = party_permissions.workable_organisation_ids(user)
    return list(consultation.recipients.filter(pk__in=ids).order_by("municipality_code")) if ids else []


def check_answer_consultation(user, consultation, organisation) -> None:
    """A municipality's clerks answer for it, never KSL for a municipality; ``None`` is the system."""
    if user is None:
        return
    if not consultation.recipients.filter(pk=organisation.pk).exists() or not can_work_on_org(
        user, organisation
    ):
        raise PermissionDenied(_("Du får inte svara på remissen för %(org)s.") % {"org": organisation})


def can_work_on_org(user, organisation) -> bool:
    return user.is_authenticated and party_permissions.can_work_on(user, organisation)


def can_view_dashboard(user) -> bool:
    return user.is_authenticated and party_permissions.can_oversee_all(user)


def visible_case_filter(user) -> dict:
    """Keyword filter for the cases ``user`` may read; ``None`` of readable ids means all."""
    ids = party_permissions.readable_organisation_ids(user)
    return {} if ids is None else {"organisation_id__in": ids}


def can_generate_memo(user, case: AdoptionCase) -> bool:
    """Clerks draft their municipality's memo; KSL drafts for every municipality."""
    return can_view_dashboard(user) or can_work_case(user, case)


def can_generate_response(user, response) -> bool:
    return can_view_dashboard(user) or party_permissions.can_work_on(user, response.organisation)


def can_generate_for_all(user, _subject) -> bool:
    """The compilation and the agreement are KSL's."""
    return can_view_dashboard(user)


def can_read_response(user, response) -> bool:
    return party_permissions.can_read(user, response.organisation)


def can_read_registry_subject(user, _subject) -> bool:
    return party_permissions.can_view_registry(user)
