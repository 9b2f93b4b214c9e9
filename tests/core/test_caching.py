"""Kept pages (core.caching, docs/adr/0013-page-cache.md): kept per user until any committed change, with a
fresh CSRF token and fresh one-time keys on every answer; never kept while there is something to show once or
something uncommitted."""

import datetime as dt
import re
import uuid

import pytest
from django.contrib.messages import constants, get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.db import connection, transaction
from django.db.models import F
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client, RequestFactory
from django.urls import reverse

from governance.core import caching
from governance.core.models import DataGeneration
from governance.decisions.models import AdoptionCase, Recommendation
from governance.decisions.services import case_registration_number_set
from governance.parties.models import PopulationFigure

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')
BATCH_KEY = re.compile(r'name="batch_key" value="([0-9a-f-]+)"')


def _danderyd_case():
    return (
        AdoptionCase.objects.filter(
            organisation__municipality_code="0162", recommendation__sent_at__isnull=False
        )
        .order_by("-id")
        .first()
    )


def _without_tokens(html: str) -> str:
    return BATCH_KEY.sub("", CSRF.sub("", html))


def test_the_second_showing_comes_from_the_cache_with_its_own_csrf_token(
    ksl_client, django_assert_max_num_queries
):
    url = reverse("decisions:case", args=[_danderyd_case().pk])
    first = ksl_client.get(url)
    with django_assert_max_num_queries(2):  # the session (with the generation), the user
        second = ksl_client.get(url)
    assert first.status_code == second.status_code == 200
    assert _without_tokens(first.content.decode()) == _without_tokens(second.content.decode())
    tokens = CSRF.findall(first.content.decode()) + CSRF.findall(second.content.decode())
    assert tokens and "__csrf_token__" not in second.content.decode()
    # masked anew for each answer, all of the same secret (the session's cookie): every form still posts
    assert len(set(tokens)) >= 2
    assert len({_unmask_cipher_token(token) for token in tokens}) == 1


def test_a_kept_page_gives_every_answer_its_own_batch_key(ksl_client):
    recommendation = Recommendation.objects.filter(sent_at__isnull=False).order_by("-id").first()
    url = reverse("decisions:dashboard", args=[recommendation.slug])
    keys = []
    for _ in range(3):
        page = ksl_client.get(url).content.decode()
        keys += BATCH_KEY.findall(page)
    if not keys:
        pytest.skip("the demo recommendation has no open cases to draft memos for")
    assert len(set(keys)) == len(keys) == 3  # never shared between two answers (two people, one batch)
    assert all(uuid.UUID(key).version == 4 and not key.startswith("00000000-") for key in keys)


def test_each_user_gets_a_page_of_their_own(
    client, ksl_client, danderyd_clerk, django_assert_max_num_queries
):
    case = _danderyd_case()
    url = reverse("decisions:case", args=[case.pk])
    ksl_page = ksl_client.get(url).content.decode()
    client.force_login(danderyd_clerk)
    with django_assert_max_num_queries(50) as captured:
        clerk_page = client.get(url).content.decode()
    assert len(captured.captured_queries) > 3  # rendered for the clerk, not the officer's kept page
    assert "Kommunens diarienummer" in clerk_page  # the clerk's own form
    assert "Kommunens diarienummer" not in ksl_page


def test_a_page_is_not_kept_while_the_requests_connection_has_uncommitted_changes(
    ksl_client, django_assert_max_num_queries
):
    case = _danderyd_case()
    url = reverse("decisions:case", args=[case.pk])
    ksl_client.get(url)
    AdoptionCase.objects.filter(pk=case.pk).update(registration_number="DAND 2026/77")  # not committed
    assert caching.writes_pending(connection)
    with django_assert_max_num_queries(50) as captured:
        page = ksl_client.get(url).content.decode()
    assert len(captured.captured_queries) > 3
    assert "DAND 2026/77" in page


def test_rolled_back_and_bookkeeping_writes_leave_nothing_pending(db):
    case = _danderyd_case()
    with pytest.raises(RuntimeError), transaction.atomic():
        AdoptionCase.objects.filter(pk=case.pk).update(registration_number="X")
        assert caching.writes_pending(connection)
        raise RuntimeError
    AdoptionCase.objects.filter(pk=-1).update(registration_number="X")  # no row changed
    from django.contrib.sessions.backends.db import SessionStore

    SessionStore().create()  # sessions are bookkeeping
    assert not caching.writes_pending(connection)


def test_messages_htmx_and_long_query_strings_are_never_kept(ksl_officer, settings):
    settings.PAGE_CACHE_SECONDS = 600
    factory = RequestFactory()
    request = factory.get("/")
    request.user = ksl_officer
    request.session = {}
    request._messages = FallbackStorage(request)
    assert caching._keepable_request(request)
    request._messages.add(constants.SUCCESS, "Sparat.")
    assert not caching._keepable_request(request)
    assert [m.message for m in get_messages(request)] == ["Sparat."]
    htmx = factory.get("/", HTTP_HX_REQUEST="true")
    htmx.user = ksl_officer
    assert not caching._keepable_request(htmx)
    long_query = factory.get("/?q=" + "x" * caching.MAX_KEPT_QUERY)  # each one an entry of its own
    long_query.user = ksl_officer
    assert not caching._keepable_request(long_query)


def test_nothing_is_kept_when_the_setting_is_zero(ksl_client, settings, django_assert_max_num_queries):
    settings.PAGE_CACHE_SECONDS = 0
    url = reverse("decisions:case", args=[_danderyd_case().pk])
    ksl_client.get(url)
    with django_assert_max_num_queries(50) as captured:
        ksl_client.get(url)
    assert len(captured.captured_queries) > 3


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_anywhere_ends_every_kept_page_at_once(ksl_officer, danderyd_clerk):
    """Committed for real (another connection would see it): the generation is counted after the commit, and
    the next showing is rendered with the change."""
    case = _danderyd_case()
    url = reverse("decisions:case", args=[case.pk])
    officer = Client()
    officer.force_login(ksl_officer)
    before = DataGeneration.objects.get(pk=1).value
    costs_before = DataGeneration.objects.get(pk=caching.COSTS).value
    officer.get(url)
    assert DataGeneration.objects.get(pk=1).value == before  # reading (and logging in) changes nothing

    case_registration_number_set(acting_user=danderyd_clerk, case=case, registration_number="DAND 2026/99")

    assert DataGeneration.objects.get(pk=1).value == before + 1  # once for the whole transaction
    assert DataGeneration.objects.get(pk=caching.COSTS).value == costs_before  # no cost input changed
    assert "DAND 2026/99" in officer.get(url).content.decode()

    with pytest.raises(RuntimeError), transaction.atomic():
        AdoptionCase.objects.filter(pk=case.pk).update(registration_number="never")
        raise RuntimeError
    assert DataGeneration.objects.get(pk=1).value == before + 1  # a rollback counts nothing
    AdoptionCase.objects.filter(pk=case.pk).update(registration_number="DAND 2026/100")  # autocommit
    assert DataGeneration.objects.get(pk=1).value == before + 2
    assert "DAND 2026/100" in officer.get(url).content.decode()
    PopulationFigure.objects.filter(pk=PopulationFigure.objects.order_by("pk").values("pk")[:1]).update(
        population=F("population") + 1
    )  # an input of the cost allocation: both generations
    assert DataGeneration.objects.get(pk=1).value == before + 3
    assert DataGeneration.objects.get(pk=caching.COSTS).value == costs_before + 1


@pytest.mark.django_db(transaction=True)
def test_the_cost_allocation_stays_kept_while_only_other_data_changes(
    danderyd_clerk, django_assert_max_num_queries
):
    """A batch of memos writes documents between its renders: the allocation each memo shows is still one query
    (the cost generation); a change to an input (a population figure) is seen at once."""
    from governance.agreements.models import Agreement
    from governance.agreements.queries import cost_allocation, default_cost_year

    agreement = Agreement.objects.get(slug="origo")
    year = default_cost_year(agreement)
    first = cost_allocation(agreement=agreement, year=year)
    case_registration_number_set(acting_user=danderyd_clerk, case=_danderyd_case(), registration_number="D 1")
    with django_assert_max_num_queries(1):
        again = cost_allocation(agreement=agreement, year=year)
    assert again.lines == first.lines
    figure = PopulationFigure.objects.filter(
        organisation__municipality_code="0162", reference_date=first.basis_date
    ).get()
    PopulationFigure.objects.filter(pk=figure.pk).update(population=F("population") + 100_000)
    changed = cost_allocation(agreement=agreement, year=year)
    assert changed.line_for_code("0162").amount > first.line_for_code("0162").amount
    costs = DataGeneration.objects.get(pk=caching.COSTS).value
    PopulationFigure.objects.create(  # an insert (INSERT … RETURNING: SQLite reports 0 rows until fetched)
        organisation=figure.organisation, reference_date=dt.date(1990, 12, 31), population=5, source="test"
    )
    assert DataGeneration.objects.get(pk=caching.COSTS).value == costs + 1


@pytest.mark.parametrize(("seconds", "kept"), [(3600, True), (-1, False)])
def test_a_page_that_changes_by_itself_is_kept_until_then_at_most(ksl_officer, seconds, kept):
    """A meeting page before the meeting starts (attendance may be recorded from the start): review finding."""
    import datetime as dt

    from django.contrib.sessions.backends.db import SessionStore
    from django.http import HttpResponse
    from django.utils import timezone

    calls = []

    def view(request):
        calls.append(1)
        caching.page_valid_until(timezone.now() + dt.timedelta(seconds=seconds))
        return HttpResponse("<p>möte</p>", content_type="text/html; charset=utf-8")

    kept_view = caching.cached_page(view)
    for _ in range(2):
        request = RequestFactory().get("/organ/moten/1/")
        request.user, request.session = ksl_officer, SessionStore()
        request._messages = FallbackStorage(request)
        assert kept_view(request).status_code == 200
    assert len(calls) == (1 if kept else 2)
