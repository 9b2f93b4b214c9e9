"""Issue 16: starting KSL's batch records one row and enqueues one job, in a number of queries that does not grow
with the number of cases; the cost allocation the memos state is computed once per agreement, year and inputs,
and a change to the population, the cost model or a cost split gives new amounts at once."""

import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance.agreements import queries as agreement_queries
from governance.agreements.models import Agreement
from governance.agreements.services import cost_model_update, cost_split_set
from governance.decisions import memo_paper
from governance.decisions.models import AdoptionCase
from governance.documents.models import DocumentBatch, GeneratedDocument
from tests.documents.scale import SLUG, population_set, scale_round

pytestmark = pytest.mark.django_db


def _post(client, slug, callbacks):
    key = uuid.uuid4()
    with CaptureQueriesContext(connection) as queries, callbacks() as enqueued:
        response = client.post(reverse("decisions:batch_create", args=[slug]), {"batch_key": str(key)})
    assert response.status_code == 302 and response["Location"] == reverse("documents:batch", args=[key])
    assert len(enqueued) == 1  # one job, whatever the number of cases
    assert not GeneratedDocument.objects.filter(batch_key=key).exists()
    return key, len(queries)


def test_the_batch_post_is_a_fixed_number_of_queries(client, ksl_officer, django_capture_on_commit_callbacks):
    client.force_login(ksl_officer)
    _post(client, "origo-2016", django_capture_on_commit_callbacks)  # the first request warms the process
    small_key, small = _post(client, "origo-2016", django_capture_on_commit_callbacks)
    scale_round(40)
    large_key, large = _post(client, SLUG, django_capture_on_commit_callbacks)
    assert DocumentBatch.objects.get(key=small_key).expected == 6
    assert DocumentBatch.objects.get(key=large_key).expected == 40
    assert small == large <= 20, (small, large)  # 6 cases or 40: the same queries


def _amounts(agreement, organisation_id):
    allocation = agreement_queries.cost_allocation(agreement=agreement, year=agreement.period_start.year)
    line = next(line for line in allocation.lines if line.organisation_id == organisation_id)
    return line.amount, [(split.body_name, split.amount) for split in line.splits]


def test_the_allocation_is_computed_once_and_follows_every_change(monkeypatch, host_admin):
    from django.core.cache import cache

    cache.clear()
    computed = []
    compute = agreement_queries._allocation_compute
    monkeypatch.setattr(
        agreement_queries, "_allocation_compute", lambda **kw: computed.append(1) or compute(**kw)
    )
    recommendation = scale_round(40)
    agreement = Agreement.objects.select_related("cost_model").get(slug=SLUG)
    cases = list(
        AdoptionCase.objects.filter(recommendation=recommendation).select_related(
            "organisation", "recommendation__agreement"
        )
    )
    first = {case.pk: memo_paper._share(case)[0] for case in cases}
    assert len(computed) == 1  # 40 memos, one allocation
    assert all(amount and amount > 0 for amount in first.values())

    # The population changes (the parties app): new amounts at once, computed once more.
    population_set(extra=5_000)
    second = {case.pk: memo_paper._share(case)[0] for case in cases}
    assert len(computed) == 2 and second != first

    # The budget changes (the cost model): every municipality's part grows.
    cost_model = agreement.cost_model
    cost_model_update(
        acting_user=host_admin,
        cost_model=cost_model,
        annual_budget=cost_model.annual_budget * 2,
        basis_rule=cost_model.basis_rule,
        fixed_basis_date=cost_model.fixed_basis_date,
        percents={share.pk: Decimal(share.percent) for share in cost_model.shares.all()},
    )
    agreement = Agreement.objects.select_related("cost_model").get(slug=SLUG)
    for case in cases:
        case.recommendation.agreement = agreement
    third = {case.pk: memo_paper._share(case)[0] for case in cases}
    assert len(computed) == 3
    assert all(abs(third[pk] - 2 * second[pk]) <= 1 for pk in third)

    # A cost split is set: the municipality's part is shared between its bodies.
    case = cases[0]
    bodies = {body.name: body for body in case.organisation.bodies.all()}
    cost_split_set(
        acting_user=host_admin,
        cost_model=agreement.cost_model,
        organisation=case.organisation,
        weights={bodies["Socialnämnden"].pk: 3, bodies["Kommunstyrelsen"].pk: 1},
    )
    amount, splits = _amounts(agreement, case.organisation_id)
    assert len(computed) == 4 and amount == third[case.pk]
    assert dict(splits).keys() == {"Socialnämnden", "Kommunstyrelsen"}
    assert sum(a for _n, a in splits) == amount
    _amounts(agreement, case.organisation_id)
    assert len(computed) == 4  # unchanged inputs: from the cache
