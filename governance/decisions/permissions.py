"""Every grant and check of the decisions app.

A case belongs to its municipality: its clerks work on it, its contact persons read it, KSL officers read
every case; nobody else learns that it exists (404). KSL creates recommendations and consultations and may
withdraw a case, but never decides or signs on a municipality's behalf. Transitions' ``permission`` is not
enforced by django-fsm-2: ``TRANSITION_RULES`` below is, by ``check_transition``.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from governance.parties import permissions as party_permissions

from .models import AdoptionCase

MUNICIPAL = "municipal"  # the municipality's own clerks
KSL = "ksl"  # KSL officers
SYSTEM = "system"  # the scheduled jobs (and the host administrators through them)

TRANSITION_RULES = {
    "start_preparation": MUNICIPAL,
    "propose": MUNICIPAL,
    "record_decision": MUNICIPAL,
    "sign": MUNICIPAL,
    "enter_into_force": SYSTEM,
    "end": SYSTEM,
    "renew": SYSTEM,
    "withdraw": KSL,
}


def can_view_case(user, case: AdoptionCase) -> bool:
    return user.is_authenticated and party_permissions.can_read(user, case.organisation)


def can_work_case(user, case: AdoptionCase) -> bool:
    return user.is_authenticated and party_permissions.can_work_on(user, case.organisation)


def can_transition(user, case: AdoptionCase, name: str) -> bool:
    rule = TRANSITION_RULES[name]
    if user is None:
        return True  # the system: scheduled jobs and data loads
    if rule == MUNICIPAL:
        return can_work_case(user, case)
    if rule == KSL:
        return user.is_active and user.has_perm("decisions.withdraw_adoptioncase")
    return user.is_active and user.has_perm("decisions.change_adoptioncase") and user.is_staff


def check_transition(user, case: AdoptionCase, name: str) -> None:
    if not can_transition(user, case, name):
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


def can_view_dashboard(user) -> bool:
    return user.is_authenticated and party_permissions.can_oversee_all(user)


def visible_case_filter(user) -> dict:
    """Keyword filter for the cases ``user`` may read; ``None`` of readable ids means all."""
    ids = party_permissions.readable_organisation_ids(user)
    return {} if ids is None else {"organisation_id__in": ids}


def check_may_generate(user, kind: str, subject) -> None:
    """Clerks draft their municipality's memo and response; KSL drafts for every municipality, the compilation
    and the agreement. ``None`` is the system."""
    from .choices import DocumentKind

    if user is None:
        return
    ksl = can_view_dashboard(user)
    if kind == DocumentKind.MEMO and (ksl or can_work_case(user, subject)):
        return
    if kind == DocumentKind.CONSULTATION_RESPONSE and (
        ksl or party_permissions.can_work_on(user, subject.organisation)
    ):
        return
    if kind in (DocumentKind.COMPILATION, DocumentKind.AGREEMENT) and ksl:
        return
    raise PermissionDenied(_("Du får inte skapa det här dokumentet."))


def can_manage_templates(user) -> bool:
    return user is None or (user.is_active and user.has_perm("decisions.add_documenttemplate"))


def check_manage_templates(user) -> None:
    if not can_manage_templates(user):
        raise PermissionDenied(_("Dokumentmallarna hanteras av värdadministratören."))
