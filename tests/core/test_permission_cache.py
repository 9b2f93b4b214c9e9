"""One object-permission lookup per user, object and request (issue 15), never stale after a grant change."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import assign_perm

from governance.core.permissions import (
    object_grants_sync,
    request_cached,
    request_permission_cache_close,
    request_permission_cache_open,
)
from governance.parties.models import Organisation, OrganisationUserObjectPermission


def _ekero():
    return Organisation.objects.get(municipality_code="0125")


def _fresh(user):
    return type(user).objects.get(pk=user.pk)


def test_outside_a_request_every_check_reads_the_database(danderyd_clerk):
    ekero = _ekero()
    assert not danderyd_clerk.has_perm("parties.work_on_municipality", ekero)
    assign_perm("parties.work_on_municipality", danderyd_clerk, ekero)
    assert danderyd_clerk.has_perm("parties.work_on_municipality", ekero)


def test_within_a_request_one_query_per_object_and_the_grants_of_a_group_count(danderyd_clerk, ekero_clerk):
    ekero = _ekero()
    token = request_permission_cache_open()
    try:
        with CaptureQueriesContext(connection) as queries:
            assert ekero_clerk.has_perm("parties.work_on_municipality", ekero)
            assert ekero_clerk.has_perm("parties.read_municipality", ekero) in (True, False)
            assert not danderyd_clerk.has_perm("parties.work_on_municipality", ekero)
            assert not danderyd_clerk.has_perm("parties.work_on_municipality", ekero)
        assert len(queries) == 2  # one per user and object
        from django.contrib.auth.models import Group

        group = Group.objects.create(name="Ekerös läsare")
        assign_perm("parties.read_municipality", group, ekero)
        reader = _fresh(danderyd_clerk)
        reader.groups.add(group)
    finally:
        request_permission_cache_close(token)
    token = request_permission_cache_open()  # the next request
    try:
        assert reader.has_perm("parties.read_municipality", _ekero())
    finally:
        request_permission_cache_close(token)


def test_a_grant_change_in_the_request_is_seen_at_once(danderyd_clerk):
    ekero = _ekero()
    token = request_permission_cache_open()
    try:
        assert not danderyd_clerk.has_perm("parties.work_on_municipality", ekero)
        object_grants_sync(
            danderyd_clerk,
            app_label="parties",
            perm_model=OrganisationUserObjectPermission,
            codenames={"work_on_municipality"},
            wanted={("work_on_municipality", ekero.pk)},
            model=Organisation,
        )
        assert danderyd_clerk.has_perm("parties.work_on_municipality", ekero)
    finally:
        request_permission_cache_close(token)


def test_inactive_users_hold_nothing_and_superusers_everything(danderyd_clerk, ekero_clerk):
    ekero = _ekero()
    token = request_permission_cache_open()
    try:
        ekero_clerk.is_active = False
        assert not ekero_clerk.has_perm("parties.work_on_municipality", ekero)
        danderyd_clerk.is_superuser = True
        assert danderyd_clerk.has_perm("parties.work_on_municipality", ekero)
    finally:
        request_permission_cache_close(token)


def test_request_cached_computes_once_per_request_and_always_outside(danderyd_clerk):
    calls = []
    assert request_cached(danderyd_clerk, "k", lambda: calls.append(1) or 1) == 1
    assert request_cached(danderyd_clerk, "k", lambda: calls.append(1) or 1) == 1
    assert len(calls) == 2
    token = request_permission_cache_open()
    try:
        request_cached(danderyd_clerk, "k", lambda: calls.append(1) or 1)
        request_cached(danderyd_clerk, "k", lambda: calls.append(1) or 1)
    finally:
        request_permission_cache_close(token)
    assert len(calls) == 3


def test_a_page_reads_model_permissions_in_one_query(client, ksl_officer):
    client.force_login(ksl_officer)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/anslutning/").status_code == 200
    permission_reads = [
        q for q in queries if '"auth_permission"' in q["sql"] and "auth_user_user_permissions" in q["sql"]
    ]
    assert len(permission_reads) == 1


def test_guardians_backend_is_hooked_through_our_subclass(settings):
    """guardian.W001 is silenced because it knows only guardian's own path: a subclass must be configured."""
    from django.utils.module_loading import import_string
    from guardian.backends import ObjectPermissionBackend

    assert "guardian.W001" in settings.SILENCED_SYSTEM_CHECKS
    backends = [import_string(path) for path in settings.AUTHENTICATION_BACKENDS]
    assert any(issubclass(backend, ObjectPermissionBackend) for backend in backends)
