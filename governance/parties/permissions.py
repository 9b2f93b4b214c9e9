"""Every grant and check of the parties app: roles, the groups and object permissions they carry.

``acting_user=None`` means the system itself (a management command run by an operator, a data load).

Roles are granted by ``RoleAssignment`` rows (from/to dates). ``role_grants_sync`` makes a user's groups and
object permissions match their active assignments; services call it after every change and a daily task
calls it for assignments whose dates start or end. Municipality scoping uses object permissions only
(``accept_global_perms=False``): a model-level permission must never open every municipality.
"""

import datetime as dt

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from governance.core import calendar
from governance.core.permissions import object_grants_sync, object_ids_with, request_cached

from .choices import Role
from .models import Organisation, OrganisationUserObjectPermission, RoleAssignment

# Global roles are Django groups; scoped roles are object permissions on the organisation.
ROLE_GROUPS = {
    Role.KSL_OFFICER: "KSL-handläggare",
    Role.HOST_ADMIN: "Värdadministratör",
}
GROUP_PERMISSIONS = {
    "KSL-handläggare": [
        "parties.oversee_municipalities",
        "meetings.view_all_bodies",
        "meetings.add_membership",
        "meetings.change_membership",
        "meetings.view_membership",
        "decisions.add_recommendation",
        "decisions.change_recommendation",
        "decisions.view_recommendation",
        "decisions.add_consultationround",
        "decisions.change_consultationround",
        "decisions.withdraw_adoptioncase",
    ],
    "Värdadministratör": [
        f"{app}.{action}_{model}"
        for app, models in {
            "parties": [
                "organisation",
                "body",
                "person",
                "contactassignment",
                "populationfigure",
                "roleassignment",
            ],
            "agreements": [
                "agreement",
                "agreementparty",
                "costmodel",
                "costshare",
                "costsplit",
                "signature",
            ],
            "meetings": [
                "cooperationbody",
                "membership",
                "seatrule",
                "meeting",
                "agendaitem",
                "attendance",
                "conflictofinterest",
                "minutesversion",
                "minutesapproval",
                "followupreport",
                "followupfigure",
                "calendartoken",
            ],
            "decisions": [
                "recommendation",
                "consultationround",
                "consultationquestion",
                "consultationresponse",
                "consultationanswer",
                "adoptioncase",
                "decisionstep",
                "decision",
                "reminder",
                "digest",
            ],
            "documents": ["generateddocument", "documenttemplate"],
            "diary": ["diaryseries", "diarycounter", "diarycase", "diaryentry"],
        }.items()
        for model in models
        for action in ("add", "change", "delete", "view")
    ]
    + ["meetings.view_all_bodies", "core.view_auditevent", "core.view_auditcheck", "core.view_outgoingmail"]
    + ["webhooks.view_webhookendpoint", "webhooks.view_webhookdelivery"]  # read-only: the delivery log
    + ["auth.add_user", "auth.change_user", "auth.view_user", "auth.view_group"]
    + ["axes.view_accessattempt", "axes.view_accesslog", "axes.view_accessfailurelog"],
}
ROLE_OBJECT_PERMISSIONS = {
    Role.MUNICIPAL_CLERK: ("work_on_municipality", "read_municipality"),
    Role.CONTACT_PERSON: ("read_municipality",),
}
MANAGED_CODENAMES = {"work_on_municipality", "read_municipality"}


def role_groups_ensure() -> dict[str, Group]:
    """Create the role groups with their model permissions (idempotent)."""
    groups = {}
    for name, perms in GROUP_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        wanted = Q()
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(Permission.objects.filter(wanted))
        groups[name] = group
    return groups


def role_grants_sync(user, *, on: dt.date | None = None) -> dict[str, int]:
    """Make ``user``'s role groups, staff flag and organisation permissions match their active assignments."""
    on = on or calendar.today()
    active = list(RoleAssignment.objects.active(on).filter(user=user).select_related("organisation"))
    groups = role_groups_ensure()
    wanted_groups = {ROLE_GROUPS[a.role] for a in active if a.role in ROLE_GROUPS}
    for name, group in groups.items():
        if name in wanted_groups:
            user.groups.add(group)
        else:
            user.groups.remove(group)
    is_staff = user.is_superuser or Role.HOST_ADMIN in {a.role for a in active}
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])

    wanted = {
        (codename, a.organisation_id) for a in active for codename in ROLE_OBJECT_PERMISSIONS.get(a.role, ())
    }
    return object_grants_sync(
        user,
        app_label="parties",
        perm_model=OrganisationUserObjectPermission,
        codenames=MANAGED_CODENAMES,
        wanted=wanted,
        model=Organisation,
    )


def is_system(user) -> bool:
    return user is None


def has_active_role(user) -> bool:
    """One query, once per request (the menu and the page ask it both)."""
    return request_cached(
        user, "parties.has_active_role", lambda: RoleAssignment.objects.active().filter(user=user).exists()
    )


def can_view_registry(user) -> bool:
    """People of the cooperation (anyone with a role or a person record at a party) see parties and costs."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or hasattr(user, "person") or has_active_role(user)


def can_manage_registry(user) -> bool:
    """Host administrators manage organisations, bodies and population figures."""
    return is_system(user) or (user.is_active and user.has_perm("parties.change_organisation"))


def check_manage_registry(user) -> None:
    if not can_manage_registry(user):
        raise PermissionDenied(_("Du får inte ändra partsregistret."))


def can_oversee_all(user) -> bool:
    """KSL officers (and host administrators through the admin) see every municipality."""
    return user.is_active and user.has_perm("parties.oversee_municipalities")


def can_work_on(user, organisation: Organisation) -> bool:
    """Clerks of ``organisation`` work on its cases, documents and contact bank."""
    return user.is_active and user.has_perm("parties.work_on_municipality", organisation)


def can_read(user, organisation: Organisation) -> bool:
    return user.is_active and (
        can_oversee_all(user)
        or user.has_perm("parties.read_municipality", organisation)
        or user.has_perm("parties.work_on_municipality", organisation)
    )


def readable_organisation_ids(user) -> set[int] | None:
    """Ids of the organisations whose cases ``user`` may read, in one query; ``None`` means all."""
    if not user.is_authenticated:
        return set()
    if can_oversee_all(user):
        return None
    return object_ids_with(user, Organisation, MANAGED_CODENAMES)


def workable_organisation_ids(user) -> set[int]:
    """Ids of the organisations whose clerk ``user`` is, in one query (shared with
    ``readable_organisation_ids`` and the object checks within a request: ``core.permissions.object_grants``)."""
    if not user.is_authenticated:
        return set()
    return object_ids_with(user, Organisation, {"work_on_municipality"})


def can_manage_contacts(user, organisation) -> bool:
    return can_manage_registry(user) or can_work_on(user, organisation)


def check_manage_contacts(user, organisation) -> None:
    if not can_manage_contacts(user, organisation):
        raise PermissionDenied(_("Du får inte ändra kontaktbanken för %(org)s.") % {"org": organisation})


def check_manage_roles(user) -> None:
    if not (is_system(user) or (user.is_active and user.has_perm("parties.change_roleassignment"))):
        raise PermissionDenied(_("Du får inte tilldela roller."))
