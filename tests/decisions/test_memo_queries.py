"""Issue 15: the memo's context is built in a fixed, small number of queries, however long the case's history.

``memo_context`` reads the case with its organisation, document profile, recommendation, agreement and cost
model in one query and the chosen body in a second; the municipality's cost comes from the allocation
(``memo_paper._share``), whose own cost is measured here and added, so the budget is "two plus the
allocation's" (three once the allocation is served from its cache)."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance.core.services import audit_record
from governance.decisions import memo_paper
from governance.decisions.choices import DecisionAction
from governance.decisions.models import AdoptionCase

OWN_CONTEXT_QUERIES = 2
OWN_DEFAULTS_QUERIES = 7


def _danderyd_2012() -> AdoptionCase:
    return AdoptionCase.objects.get(recommendation__slug="origo-2012", organisation__municipality_code="0162")


def _allocation_queries(case_pk: int) -> int:
    """What one warm ask for the municipality's share costs (the allocation, cached or not)."""
    memo_paper._share(memo_paper.memo_case(AdoptionCase.objects.get(pk=case_pk)))  # warm
    case = memo_paper.memo_case(AdoptionCase.objects.get(pk=case_pk))
    with CaptureQueriesContext(connection) as captured:
        memo_paper._share(case)
    return len(captured)


def _params(case, user) -> dict:
    defaults = memo_paper.memo_defaults(case, user).__dict__
    return {
        key: value.isoformat() if isinstance(value, dt.date) else value for key, value in defaults.items()
    }


def test_memo_context_takes_two_queries_plus_the_allocation(danderyd_clerk, django_assert_max_num_queries):
    case = _danderyd_2012()
    params = _params(case, danderyd_clerk)
    assert params["body_id"]  # the body is looked up, so its query is counted
    budget = OWN_CONTEXT_QUERIES + _allocation_queries(case.pk)
    fresh = AdoptionCase.objects.get(pk=case.pk)  # as the render task loads it: nothing joined
    with django_assert_max_num_queries(budget):
        context = memo_paper.memo_context(fresh, params)
    assert context["organisation"] == "Danderyds kommun"
    assert "45\u00a0612\u00a0kr" in context["share_sentence"]


def test_memo_defaults_do_not_grow_with_the_history(danderyd_clerk, django_assert_max_num_queries):
    """The pre-fill reads the chain, decisions, attachments and the proposal's date in one query each: a case
    with many more audit events costs the same."""
    case = _danderyd_2012()
    budget = OWN_DEFAULTS_QUERIES + _allocation_queries(case.pk)
    user = type(danderyd_clerk).objects.select_related("person").get(pk=danderyd_clerk.pk)
    # Written first, so both counts are taken with uncommitted changes on the connection: then the allocation
    # is not served by the committed generation (core.caching) but from its inputs, the same both times.
    audit_record(acting_user=None, action=DecisionAction.CASE_CHAIN_CHANGED, obj=case, payload={"n": -1})
    with CaptureQueriesContext(connection) as before:
        first = memo_paper.memo_defaults(AdoptionCase.objects.get(pk=case.pk), user)
    assert len(before) <= budget + 1  # the inputs' second query instead of the generation
    for n in range(40):
        audit_record(acting_user=None, action=DecisionAction.CASE_CHAIN_CHANGED, obj=case, payload={"n": n})
    with django_assert_max_num_queries(len(before)):
        again = memo_paper.memo_defaults(AdoptionCase.objects.get(pk=case.pk), user)
    assert again == first
