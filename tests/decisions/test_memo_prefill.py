"""Issue 11, the memo's pre-fill from what the system knows (seed 001, Danderyd 2012)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from governance.decisions import papers, services
from governance.decisions.models import AdoptionCase


def _danderyd_2012():
    return AdoptionCase.objects.get(recommendation__slug="origo-2012", organisation__municipality_code="0162")


def test_the_memo_is_dated_when_the_case_was_put_forward_and_cites_ksls_own_date(db, danderyd_clerk):
    defaults = papers.memo_defaults(_danderyd_2012(), danderyd_clerk)
    assert defaults.date == dt.date(2012, 7, 23)  # "socialkontorets tjänsteutlåtande 2012-07-23"
    basis = defaults.basis.splitlines()
    assert basis[0] == "Tjänsteutlåtande 2012-07-23"
    assert basis[1] == "KSL:s rekommendation 2012-06-05"  # the letter's date, not the board's 2012-06-15


def test_the_beslutsunderlag_follows_the_date_the_clerk_sets(db, danderyd_clerk):
    case = _danderyd_2012()
    params = {**papers.memo_defaults(case, danderyd_clerk).__dict__, "date": dt.date(2012, 8, 1)}
    context = papers.memo_context(case, params)
    assert "Tjänsteutlåtande 2012-08-01" in context["basis"]
    assert "Tjänsteutlåtande 2012-07-23" not in context["basis"]


def test_only_the_system_dates_a_replayed_step(danderyd_case, danderyd_clerk):
    with pytest.raises(PermissionDenied):
        services.case_start_preparation(
            acting_user=danderyd_clerk, case=danderyd_case, on=dt.date(2025, 4, 1)
        )
    danderyd_case.refresh_from_db()
    assert danderyd_case.state == "received"
