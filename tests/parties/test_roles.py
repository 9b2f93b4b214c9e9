import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from governance.core import calendar
from governance.core.models import AuditEvent
from governance.parties import permissions
from governance.parties.models import Organisation, OrganisationUserObjectPermission, RoleAssignment
from governance.parties.services import role_assign, role_assignments_sync, role_end
from governance.parties.tasks import role_assignments_sync as role_assignments_sync_task

TODAY = calendar.today()


@pytest.fixture
def danderyd(db):
    return Organisation.objects.get(municipality_code="0162")


@pytest.fixture
def ekero(db):
    return Organisation.objects.get(municipality_code="0125")


def _fresh(user):
    return get_user_model().objects.get(pk=user.pk)


def test_demo_personas_have_their_grants(
    ksl_officer, danderyd_clerk, ekero_clerk, host_admin, outsider, danderyd, ekero
):
    assert permissions.can_work_on(danderyd_clerk, danderyd)
    assert not permissions.can_work_on(danderyd_clerk, ekero)
    assert not permissions.can_read(danderyd_clerk, ekero)
    assert permissions.readable_organisation_ids(danderyd_clerk) == {danderyd.pk}
    assert permissions.readable_organisation_ids(ksl_officer) is None  # all
    assert not permissions.can_work_on(ksl_officer, danderyd)  # KSL cannot decide on a municipality's behalf
    assert host_admin.is_staff and not host_admin.is_superuser
    assert not permissions.can_view_registry(outsider)
    assert permissions.readable_organisation_ids(outsider) == set()


def test_a_global_permission_does_not_open_every_municipality(outsider, danderyd):
    """accept_global_perms=False: a model-level grant must not leak into municipality scoping."""
    from django.contrib.auth.models import Permission

    outsider.user_permissions.add(Permission.objects.get(codename="read_municipality"))
    assert permissions.readable_organisation_ids(_fresh(outsider)) == set()


def test_grant_and_revoke_through_the_services(outsider, danderyd, ekero):
    before = AuditEvent.objects.count()
    assignment = role_assign(
        acting_user=None, user=outsider, role="municipal_clerk", organisation=ekero, valid_from=TODAY
    )
    user = _fresh(outsider)
    assert permissions.can_work_on(user, ekero) and not permissions.can_work_on(user, danderyd)
    assert permissions.can_view_registry(user)
    event = AuditEvent.objects.order_by("id")[before:].get()
    assert event.action == "role.assigned" and event.payload["granted"] == 2

    role_end(acting_user=None, assignment=assignment, valid_to=TODAY)
    assert permissions.can_work_on(_fresh(outsider), ekero)  # still active through today

    yesterday_start = role_assign(
        acting_user=None, user=outsider, role="contact_person", organisation=danderyd, valid_from=TODAY
    )
    role_end(acting_user=None, assignment=yesterday_start, valid_to=TODAY)
    assert RoleAssignment.objects.get(pk=yesterday_start.pk).valid_to == TODAY
    assert AuditEvent.objects.latest("id").action == "role.ended"


def test_a_future_role_is_granted_by_the_daily_sync_and_an_ended_one_revoked(outsider, ekero):
    start = TODAY + dt.timedelta(days=3)
    role_assign(
        acting_user=None,
        user=outsider,
        role="municipal_clerk",
        organisation=ekero,
        valid_from=start,
        valid_to=start + dt.timedelta(days=10),
    )
    assert not permissions.can_work_on(_fresh(outsider), ekero)

    role_assignments_sync(on=start)
    assert permissions.can_work_on(_fresh(outsider), ekero)
    assert role_assignments_sync(on=start)["granted"] == 0  # idempotent

    totals = role_assignments_sync(on=start + dt.timedelta(days=11))
    assert totals["revoked"] == 2
    assert not OrganisationUserObjectPermission.objects.filter(user=outsider).exists()


def test_overlapping_roles_keep_the_grant_until_the_last_ends(outsider, ekero):
    first = role_assign(
        acting_user=None, user=outsider, role="contact_person", organisation=ekero, valid_from=TODAY
    )
    role_assign(acting_user=None, user=outsider, role="municipal_clerk", organisation=ekero, valid_from=TODAY)
    role_end(acting_user=None, assignment=first, valid_to=TODAY)
    role_assignments_sync(on=TODAY + dt.timedelta(days=1))
    assert permissions.can_read(_fresh(outsider), ekero)  # the clerk role still carries read access


def test_the_task_body_runs_the_sync(db):
    assert role_assignments_sync_task()["users"] >= 4


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"role": "municipal_clerk"}, "gäller en organisation"),
        ({"role": "ksl_officer", "organisation": "ekero"}, "gäller inte en enskild organisation"),
        ({"role": "king"}, "Okänd roll"),
        (
            {"role": "municipal_clerk", "organisation": "ekero", "valid_to": TODAY - dt.timedelta(days=1)},
            "kan inte vara före",
        ),
    ],
)
def test_bad_role_input_is_refused_and_nothing_is_written(outsider, ekero, kwargs, message):
    if kwargs.get("organisation") == "ekero":
        kwargs = {**kwargs, "organisation": ekero}
    before = (RoleAssignment.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError, match=message):
        role_assign(acting_user=None, user=outsider, valid_from=TODAY, **kwargs)
    assert (RoleAssignment.objects.count(), AuditEvent.objects.count()) == before


def test_a_duplicate_role_is_refused(danderyd_clerk, danderyd):
    with pytest.raises(ValidationError, match="har redan den rollen"):
        role_assign(
            acting_user=None,
            user=danderyd_clerk,
            role="municipal_clerk",
            organisation=danderyd,
            valid_from=TODAY,
        )


def test_only_host_admins_assign_roles(danderyd_clerk, host_admin, outsider, ekero):
    with pytest.raises(PermissionDenied):
        role_assign(
            acting_user=danderyd_clerk,
            user=outsider,
            role="municipal_clerk",
            organisation=ekero,
            valid_from=TODAY,
        )
    role_assign(
        acting_user=host_admin, user=outsider, role="municipal_clerk", organisation=ekero, valid_from=TODAY
    )
    assert AuditEvent.objects.latest("id").actor_name == "Hanna Holm (admin)"


def test_reloading_the_demo_data_grants_nothing_new(db):
    before = (RoleAssignment.objects.count(), OrganisationUserObjectPermission.objects.count())
    call_command("load_origo", verbosity=0)
    assert (RoleAssignment.objects.count(), OrganisationUserObjectPermission.objects.count()) == before


def test_failed_logins_are_throttled(client, db, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post("/logga-in/", {"username": "ksl", "password": "fel"}, REMOTE_ADDR="10.0.0.9")
    from tests.conftest import DEMO_PASSWORD

    response = client.post(
        "/logga-in/", {"username": "ksl", "password": DEMO_PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 429
