"""What a signed-in request costs once its page is kept: the session query (with the data generations) and
nothing else. The user is kept per process while no data changes (``core.permissions.get_user``), and pages
kept in a shared cache have a copy in the process (``core.caching._kept_get``). Both are keyed by the data
generation, so any committed change (a new password, a deactivation, a renamed person) is seen on the next
request."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance.core import caching
from governance.core.permissions import OneQueryModelBackend
from governance.decisions.models import AdoptionCase


def _case_url():
    case = AdoptionCase.objects.filter(organisation__municipality_code="0162").order_by("-id").first()
    return reverse("decisions:case", args=[case.pk])


def _signed_in(user) -> tuple[Client, str]:
    """A client signed in as ``user`` who has seen the case page once (rendered, kept; the user kept)."""
    client = Client()
    client.force_login(user)
    url = _case_url()
    assert client.get(url).status_code == 200
    return client, url


@pytest.mark.django_db(transaction=True)
def test_a_kept_page_for_a_kept_user_costs_the_session_query_alone(ksl_officer, django_assert_num_queries):
    officer, url = _signed_in(ksl_officer)
    with django_assert_num_queries(1):  # the session, with the generations
        page = officer.get(url)
    assert page.status_code == 200 and ksl_officer.first_name in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_changed_user_is_read_again_on_the_next_request(ksl_officer):
    officer, url = _signed_in(ksl_officer)
    user = get_user_model().objects.get(pk=ksl_officer.pk)
    user.first_name = "Omdöpt"
    user.save(update_fields=["first_name"])
    assert "Omdöpt" in officer.get(url).content.decode()

    ksl_officer.is_active = False
    ksl_officer.save(update_fields=["is_active"])
    assert officer.get(url).status_code == 302  # deactivated: signed out at once, not when a copy runs out


@pytest.mark.django_db(transaction=True)
def test_a_new_password_signs_out_the_sessions_at_once(ksl_officer):
    officer, url = _signed_in(ksl_officer)
    assert officer.get(url).status_code == 200  # the user kept
    user = get_user_model().objects.get(pk=ksl_officer.pk)
    user.set_password("ett-helt-nytt-lösenord-2026")
    user.save()
    assert officer.get(url).status_code == 302  # the session's hash no longer matches


@pytest.mark.django_db(transaction=True)
def test_every_request_gets_its_own_user_objects(ksl_officer):
    from governance.core.permissions import request_permission_cache_close, request_permission_cache_open

    def a_get_request(read):
        generations = caching.request_generations_open()
        permissions = request_permission_cache_open(reads_only=True)
        try:
            caching.generations_read_with_session({caching.ALL: caching.generation_current()})
            return read()
        finally:
            request_permission_cache_close(permissions)
            caching.request_generations_close(generations)

    backend = OneQueryModelBackend()
    first = a_get_request(lambda: backend.get_user(ksl_officer.pk))  # read, and kept
    first._perm_cache = {"leaked"}
    with CaptureQueriesContext(connection) as read:
        second = a_get_request(lambda: backend.get_user(ksl_officer.pk))  # from the kept rows
    assert len(read.captured_queries) == 1  # the generation this test reads itself; no user query
    assert second is not first and not hasattr(second, "_perm_cache")
    assert second.person is not first.person and second.person.user is second
    assert (second.username, second.person.first_name) == (first.username, first.person.first_name)


@pytest.mark.django_db(transaction=True)
def test_a_request_that_may_write_reads_the_user_from_the_database(ksl_officer, monkeypatch):
    """A change the generation missed (a count lost to a crash, a deactivation typed into psql) may leave a
    kept page shown until PAGE_CACHE_SECONDS, but never lets the user write: a POST reads the user anew."""
    officer, url = _signed_in(ksl_officer)
    monkeypatch.setattr(caching, "generation_bump", lambda **kwargs: None)  # the count is lost
    get_user_model().objects.filter(pk=ksl_officer.pk).update(is_active=False)
    assert officer.get(url).wsgi_request.user.is_authenticated  # the kept user, within the bound
    assert not officer.post(url).wsgi_request.user.is_authenticated  # read anew: deactivated


@pytest.mark.django_db(transaction=True)
def test_an_object_permission_taken_away_is_refused_on_the_next_request(danderyd_clerk):
    from guardian.shortcuts import remove_perm

    from governance.parties.models import Organisation

    clerk, url = _signed_in(danderyd_clerk)
    assert clerk.get(url).status_code == 200  # kept: the user, the grants and the page
    danderyd = Organisation.objects.get(municipality_code="0162")
    for codename in ("work_on_municipality", "read_municipality"):
        remove_perm(f"parties.{codename}", danderyd_clerk, danderyd)
    assert clerk.get(url).status_code in (403, 404)


@pytest.mark.django_db(transaction=True)
def test_a_superuser_flag_taken_away_is_seen_on_the_next_request(ksl_officer):
    user = get_user_model().objects.get(pk=ksl_officer.pk)
    user.is_superuser = user.is_staff = True
    user.save(update_fields=["is_superuser", "is_staff"])
    officer, _url = _signed_in(user)
    admin_url = reverse("admin:auth_user_changelist")
    assert officer.get(admin_url).status_code == 200
    assert officer.get(admin_url).status_code == 200  # the user and permissions kept
    user.is_superuser = False
    user.is_staff = False
    user.save(update_fields=["is_superuser", "is_staff"])
    assert officer.get(admin_url).status_code == 302  # to the admin's login: no longer staff


def test_a_user_is_not_kept_inside_a_transaction(ksl_client, django_assert_num_queries):
    """A test's transaction (or a service's atomic block) may read its own uncommitted writes: never kept."""
    url = _case_url()
    ksl_client.get(url)
    with django_assert_num_queries(2):  # the session and the user, every time
        ksl_client.get(url)


def test_a_shared_cache_page_is_shown_from_the_process_copy_until_its_end(ksl_client, settings, tmp_path):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path),
        }
    }
    caching.process_copies_clear()
    url = _case_url()
    first = ksl_client.get(url)  # rendered, kept in the shared cache
    ksl_client.get(url)  # from the shared cache; copied into the process
    cache.clear()
    assert len(caching._near) == 1
    kept = ksl_client.get(url)  # the shared cache is empty: from the process's copy
    assert kept.status_code == 200 and kept.content.count(b"<tr") == first.content.count(b"<tr")
    key, entry = next(iter(caching._near.items()))
    caching._near[key] = (*entry[:-1], 0.0)  # its end has passed
    ksl_client.get(url)
    assert key not in caching._near  # dropped, and the page rendered again
    assert len(cache.get(key)) == 5  # and kept anew in the shared cache


@pytest.mark.django_db(transaction=True)
def test_kept_permissions_end_with_the_next_change_to_them(ksl_officer, django_assert_num_queries):
    """The dashboard asks a model permission before its kept page: kept per process like the user, and a
    permission taken away (a group left) is refused on the very next request."""
    from governance.decisions.models import Recommendation

    officer = Client()
    officer.force_login(ksl_officer)
    recommendation = Recommendation.objects.filter(sent_at__isnull=False).order_by("-id").first()
    url = reverse("decisions:dashboard", args=[recommendation.slug])
    assert officer.get(url).status_code == 200
    with django_assert_num_queries(1):  # the session alone: user, permissions and page kept
        assert officer.get(url).status_code == 200
    ksl_officer.groups.clear()
    ksl_officer.user_permissions.clear()
    assert officer.get(url).status_code == 403
