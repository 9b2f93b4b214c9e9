"""Every page's query count, as every demo persona, on small and on bigger data (issues 15 and 16).

The crawl resolves the URLconf: every named pattern that answers GET (the permission matrix's table says which,
and fills in the arguments from real objects), requested as each persona, plus every admin changelist and a
change page per registered model as the host administrator. It fails when a page answers 5xx or otherwise than
the matrix expects, takes more than ``PAGE_BUDGET`` queries, or takes more queries on the bigger data than on
the small: a count that grows with the data is an N+1, whatever its size today.

The bigger data comes from ``make_scale_data`` (more municipalities, recommendations and histories, made
through the services) where that command exists; beside it, and until it exists, ``_grow`` adds what the
sample pages show through the services: events in the sample case's history, items with conflicts of
interest on the sample meeting, audit rows, more cases on the sample recommendation.
"""

import pytest
from django.contrib import admin
from django.core.management import call_command, get_commands
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.test_permission_matrix import MATRIX, ROLES, _client_for, _sample

PAGE_BUDGET = 15
DASHBOARD_BUDGET = 12
CASE_BUDGET = 10

#: Responses that are not pages (downloads, feeds, JSON) are counted too; GET answers the matrix expects.
SMALL_MUNICIPALITIES = 26
BIGGER_MUNICIPALITIES = 60


def _get_urls():
    """(name, url, {role: expected status}) for every GET pattern of the matrix, with real arguments."""
    urls = []
    for name, (kwargs, get_expected, _post) in MATRIX.items():
        if set(get_expected.values()) == {405}:
            continue  # POST-only
        urls.append((name, reverse(name, kwargs=_sample(kwargs)), get_expected))
    return urls


def _admin_urls():
    """Every registered model's changelist, and the change page of its first row."""
    urls = [("admin:index", reverse("admin:index"))]
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls.append((f"{prefix}_changelist", reverse(f"{prefix}_changelist")))
        first = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
        if first is not None:
            urls.append((f"{prefix}_change", reverse(f"{prefix}_change", args=[first])))
    return urls


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response.status_code, len(queries)


def _crawl(client, request) -> tuple[dict, list[str]]:
    """Counts per (role, page) and the failures of status and budget."""
    counts, failures = {}, []
    urls = _get_urls()
    for role in ROLES:
        client.logout()
        _client_for(client, role, request)
        for name, url, expected in urls:
            status, count = _count(client, url)
            counts[(role, name)] = count
            if status >= 500 or status != expected[role]:
                failures.append(f"{role} GET {name} {url}: {status}, expected {expected[role]}")
            _check_budget(failures, role, name, url, count)
    client.logout()
    client.force_login(request.getfixturevalue("host_admin"))
    for name, url in _admin_urls():
        status, count = _count(client, url)
        counts[("host_admin", name)] = count
        if status not in (200, 302, 403, 404):
            failures.append(f"host_admin GET {name} {url}: {status}")
        _check_budget(failures, "host_admin", name, url, count)
    return counts, failures


def _check_budget(failures, role, name, url, count):
    if count > PAGE_BUDGET:
        failures.append(f"{role} GET {name} {url}: {count} queries, budget {PAGE_BUDGET}")


def _grow(request):
    """Bigger data through the services: the scale command where it exists, and more of what the sample
    pages show."""

    from governance.decisions.models import AdoptionCase
    from governance.decisions.services.cases import case_registration_number_set
    from governance.meetings.models import AgendaItem, ConflictOfInterest
    from tests.test_permission_matrix import _meeting_samples

    if "make_scale_data" in get_commands():
        call_command("make_scale_data", BIGGER_MUNICIPALITIES, recommendations=3, verbosity=0)
    case = AdoptionCase.objects.get(recommendation__slug="origo-2016", organisation__municipality_code="0125")
    for number in range(45):  # each an audited event in the case's history
        case_registration_number_set(acting_user=None, case=case, registration_number=f"EKE 2016/{number}")
    meeting = _meeting_samples()[0]
    memberships = list(meeting.body.memberships.all()[:3])
    for position in range(2, 14):
        item = AgendaItem.objects.create(meeting=meeting, position=position, title=f"Punkt {position}")
        for membership in memberships:
            ConflictOfInterest.objects.create(item=item, membership=membership, note="Jäv")


@pytest.mark.django_db
def test_every_page_within_budget_and_flat_in_the_data(client, request):
    small, failures = _crawl(client, request)
    assert failures == [], "\n".join(failures)
    _grow(request)
    bigger, failures = _crawl(client, request)
    grown = [
        f"{role} {name}: {small[(role, name)]} → {count} queries"
        for (role, name), count in bigger.items()
        if (role, name) in small and count > small[(role, name)]
    ]
    assert failures == [], "\n".join(failures)
    assert grown == [], "query counts grow with the data:\n" + "\n".join(grown)


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "?state=in_decision", "?overdue=on"])
def test_the_dashboard_within_12_queries_on_bigger_data(client, request, ksl_officer, query):
    _grow(request)
    client.force_login(ksl_officer)
    for slug in ("origo-2016", "origo-2012"):
        status, count = _count(client, reverse("decisions:dashboard", args=[slug]) + query)
        assert status == 200
        assert count <= DASHBOARD_BUDGET, f"{slug}{query}: {count} queries"


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["ekero_clerk", "ksl_officer"])
def test_the_case_page_within_10_queries_and_flat_in_its_history(client, request, persona):
    from governance.decisions.models import AdoptionCase

    client.force_login(request.getfixturevalue(persona))
    case = AdoptionCase.objects.get(recommendation__slug="origo-2016", organisation__municipality_code="0125")
    url = reverse("decisions:case", args=[case.pk])
    before = _count(client, url)
    _grow(request)  # 45 more events in this case's history
    after = _count(client, url)
    assert before[0] == after[0] == 200
    assert after[1] <= CASE_BUDGET and after[1] <= before[1], f"{before[1]} → {after[1]} queries"
    page = client.get(url)
    assert len(page.context["case"].history) == 20 and page.context["case"].history_more
    assert "Visa hela historiken" in page.text
    status, count = _count(client, url + "?historik=2")  # a page of the whole history
    assert status == 200 and count <= CASE_BUDGET + 1
    older = client.get(url + "?historik=2").context["case"]
    assert older.history_page.number == 2 and older.history
